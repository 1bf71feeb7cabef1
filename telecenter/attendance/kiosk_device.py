"""The kiosk PC: a browser that staff turned into a check-in device with a signed cookie.

The cookie names no person and grants nothing but the kiosk pages; staff are signed out of
that browser when they open the kiosk, so residents at the entrance cannot reach the registry.
"""

from __future__ import annotations

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "kiosk"
MAX_AGE_SECONDS = 14 * 3600  # one long day at the telecenter


def _serializer() -> URLSafeTimedSerializer:
    secret = current_app.secret_key
    if secret is None:  # the factory always sets one (config.load_or_create_secret_key)
        raise RuntimeError("SECRET_KEY is not set")
    return URLSafeTimedSerializer(secret, salt="telecenter-kiosk")


def token(opened_by: int) -> str:
    return _serializer().dumps({"by": opened_by})


def is_kiosk() -> bool:
    value = request.cookies.get(COOKIE)
    if not value:
        return False
    try:
        _serializer().loads(value, max_age=MAX_AGE_SECONDS)
    except BadSignature:
        return False
    return True

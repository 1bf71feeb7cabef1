"""Language choice: the user's saved choice, then a cookie, then Spanish."""

from __future__ import annotations

from typing import TypeGuard

from flask import current_app, has_request_context, request
from flask_login import current_user

LANGUAGE_COOKIE = "lang"
LANGUAGE_NAMES = {"es": "Español", "en": "English"}


def is_supported(code: str | None) -> TypeGuard[str]:
    return code in current_app.config["LANGUAGES"]


def select_locale() -> str:
    if not has_request_context():  # CLI and scheduler speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and is_supported(current_user.language):
        return current_user.language
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    if is_supported(cookie):
        return cookie
    return current_app.config["BABEL_DEFAULT_LOCALE"]

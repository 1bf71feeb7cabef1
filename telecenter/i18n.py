"""Language choice: the user's saved choice, then a cookie, then Spanish."""

from __future__ import annotations

from datetime import date
from typing import TypeGuard

from babel.dates import format_skeleton
from flask import current_app, has_request_context, request
from flask_babel import get_locale
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


def month_in_words(month: str | date) -> str:
    """A month ("2024-01" or a day in it) as Babel writes it in the page's language: "enero de
    2024", "January 2024"."""
    day = month if isinstance(month, date) else date(int(month[:4]), int(month[5:7]), 1)
    return format_skeleton("yMMMM", day, locale=get_locale())

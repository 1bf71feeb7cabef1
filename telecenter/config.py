"""Configuration: defaults, then environment variables, then an optional instance file.

Every variable is listed in the README's configuration table; keep the two in step.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

ROLES_OF_SERVER = ("site", "central")

DEFAULTS: dict[str, object] = {
    "TELECENTER_ROLE": "site",
    "TELECENTER_CODE": "DEMO-01",
    "TELECENTER_NAME": "Telecentro de demostración",
    "BABEL_DEFAULT_LOCALE": "es",
    "BABEL_DEFAULT_TIMEZONE": "America/Lima",
    "LANGUAGES": ("es", "en"),
    # Filled in by finalise(): a ping before each use only for a database over the network.
    "SQLALCHEMY_ENGINE_OPTIONS": None,
    "SQLITE_BUSY_TIMEOUT_MS": 15000,
    # A request body over this is refused with 413 before any view runs.
    "MAX_CONTENT_LENGTH": 1 * 1024 * 1024,
    "MAX_FORM_MEMORY_SIZE": 1 * 1024 * 1024,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_DURATION": timedelta(seconds=0),
    "WTF_CSRF_TIME_LIMIT": 8 * 3600,
    # Residents share PCs: their sessions end sooner than staff sessions. Minutes may be a
    # fraction (0.2 is 12 seconds: the browser tests).
    "IDLE_TIMEOUT_RESIDENT_MINUTES": 10,
    "IDLE_TIMEOUT_STAFF_MINUTES": 30,
    # The page warns this many seconds before an idle sign-out (at most half the limit).
    "IDLE_WARNING_SECONDS": 60,
    "LOGIN_MAX_FAILURES": 5,
    "LOGIN_LOCK_MINUTES": 15,
    "LOGIN_IP_MAX_FAILURES": 30,
    "SYNC_INTERVAL_MINUTES": 15,
    # Women's programme: a follow-up survey is due this many months after her last one.
    "WFI_FOLLOW_UP_MONTHS": 6,
    "PASSWORD_HASH_METHOD": "scrypt",
    "PIN_HASH_METHOD": "pbkdf2:sha256:50000",
    # Reverse proxies in front of the app whose X-Forwarded-* headers are trusted (nginx: 1).
    "TRUSTED_PROXIES": 0,
    # Site: where central is, and this telecenter's token (from `central add-telecenter`).
    "CENTRAL_URL": "",
    "SYNC_TOKEN": "",
    # Site: the month-report schema it sends (2; 1 for a central not yet upgraded).
    "REPORT_SCHEMA": 2,
    # Site: where backups go (a USB drive, say); default instance/backups.
    "BACKUP_DIR": "",
    # Site: a backup bigger than this once unpacked (database and media), or with more files,
    # is neither made nor restored; a restore stops writing at this bound.
    "BACKUP_MAX_BYTES": 16 * 1024 * 1024 * 1024,
    "BACKUP_MAX_FILES": 50000,
    # Central: DHIS2 codes; measure -> data element, telecenter code -> org unit (set them in
    # instance/telecenter.cfg; unset ones default to TC_<MEASURE> and the telecenter code).
    "DHIS2_ORG_UNITS": {},
    "DHIS2_DATA_SET": "TELECENTER_PARTICIPATION",
    # Central: a telecenter with neither a report nor any contact for more days than this is
    # flagged on the telecenter list.
    "CENTRAL_SILENT_DAYS": 7,
    # Central: a download "para publicar" hides counts from 1 to this minus one (and what
    # would reveal them); the office's own figures stay exact.
    "SMALL_CELL_MINIMUM": 5,
    # Central: a month's report is on time when it arrives by this day of the next month
    # (Lima time); later it is late (data quality, /central/calidad).
    "REPORT_DUE_DAY": 10,
    # A write outside database.writing() during a request raises instead of being logged
    # (the tests and the servers they start turn it on).
    "STRICT_WRITES": False,
    # Site: course downloads (telecenter.sync.downloads): seconds before a read of central's
    # answer gives up, and seconds to wait after a cut line before asking again.
    "DOWNLOAD_TIMEOUT_SECONDS": 60,
    "DOWNLOAD_RETRY_SECONDS": 10,
}

# Environment variables read at start, with the type each is parsed as.
ENV_VARIABLES: dict[str, type] = {
    "TELECENTER_ROLE": str,
    "TELECENTER_CODE": str,
    "TELECENTER_NAME": str,
    "SECRET_KEY": str,
    "DATABASE_URL": str,
    "SESSION_COOKIE_SECURE": bool,
    "IDLE_TIMEOUT_RESIDENT_MINUTES": float,
    "IDLE_TIMEOUT_STAFF_MINUTES": float,
    "IDLE_WARNING_SECONDS": int,
    "LOGIN_MAX_FAILURES": int,
    "LOGIN_LOCK_MINUTES": int,
    "LOGIN_IP_MAX_FAILURES": int,
    "MAX_CONTENT_LENGTH": int,
    "SYNC_INTERVAL_MINUTES": int,
    "WFI_FOLLOW_UP_MONTHS": int,
    "CENTRAL_SILENT_DAYS": int,
    "SMALL_CELL_MINIMUM": int,
    "REPORT_DUE_DAY": int,
    "TRUSTED_PROXIES": int,
    "CENTRAL_URL": str,
    "SYNC_TOKEN": str,
    "REPORT_SCHEMA": int,
    "BACKUP_DIR": str,
    "BACKUP_MAX_BYTES": int,
    "BACKUP_MAX_FILES": int,
    "STRICT_WRITES": bool,
    "DOWNLOAD_TIMEOUT_SECONDS": float,
    "DOWNLOAD_RETRY_SECONDS": float,
    "PASSWORD_HASH_METHOD": str,
    "PIN_HASH_METHOD": str,
}

INSTANCE_CONFIG_FILE = "telecenter.cfg"
SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a secret


class ConfigError(RuntimeError):
    """A setting that prevents a safe start."""


def _parse(kind: type, raw: str) -> object:
    if kind is bool:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if kind is int:
        try:
            return int(raw)
        except ValueError as exc:
            raise ConfigError(f"expected a whole number, got {raw!r}") from exc
    if kind is float:
        try:
            number = float(raw)
        except ValueError as exc:
            raise ConfigError(f"expected a number, got {raw!r}") from exc
        if not number > 0:
            raise ConfigError(f"expected a number above 0, got {raw!r}")
        return number
    return raw


def from_environment(environ: os._Environ | dict[str, str] = os.environ) -> dict[str, object]:
    values: dict[str, object] = {}
    for name, kind in ENV_VARIABLES.items():
        if name in environ and environ[name] != "":
            values[name] = _parse(kind, environ[name])
    return values


def default_database_url(instance_path: str) -> str:
    return "sqlite:///" + str(Path(instance_path) / "telecenter.sqlite3")


def load_or_create_secret_key(instance_path: str) -> str:
    """Read the instance's secret key, creating it once; safe when several workers race."""
    path = Path(instance_path) / SECRET_KEY_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text(encoding="ascii").strip()
        if len(key) < 32:
            raise ConfigError(f"{path} is too short to be a secret key") from None
        return key
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key)
    return key


def _check_report_schema(config: dict) -> None:
    """Only the month-report schemas central knows (1 while it is not yet upgraded)."""
    if config.get("REPORT_SCHEMA", DEFAULTS["REPORT_SCHEMA"]) not in (1, 2):
        raise ConfigError("REPORT_SCHEMA must be 1 or 2")


#: Settings that are whole numbers: the least each may be, and what it counts.
WHOLE_NUMBERS = {
    "WFI_FOLLOW_UP_MONTHS": (1, "a whole number of months, 1 or more"),
    "CENTRAL_SILENT_DAYS": (1, "a whole number of days, 1 or more"),
    "SMALL_CELL_MINIMUM": (2, "a whole number, 2 or more"),
    "BACKUP_MAX_BYTES": (1, "a whole number, 1 or more"),
    "BACKUP_MAX_FILES": (1, "a whole number, 1 or more"),
}


def _check_whole_numbers(config: dict) -> None:
    for name, (least, words) in WHOLE_NUMBERS.items():
        value = config.get(name, DEFAULTS[name])
        if not isinstance(value, int) or isinstance(value, bool) or value < least:
            raise ConfigError(f"{name} must be {words}")


def _check_due_day(config: dict) -> None:
    """A day every month has: a report due on the 31st would never be due in February."""
    due_day = config.get("REPORT_DUE_DAY", DEFAULTS["REPORT_DUE_DAY"])
    if not isinstance(due_day, int) or not 1 <= due_day <= 28:
        raise ConfigError("REPORT_DUE_DAY must be a day of the month from 1 to 28")


def finalise(config: dict, instance_path: str) -> None:
    """Fill in the values that depend on others and refuse unsafe combinations."""
    if config["TELECENTER_ROLE"] not in ROLES_OF_SERVER:
        raise ConfigError(f"TELECENTER_ROLE must be one of {', '.join(ROLES_OF_SERVER)}")
    _check_whole_numbers(config)
    _check_report_schema(config)
    _check_due_day(config)
    config.setdefault("SQLALCHEMY_DATABASE_URI", None)
    if config.get("DATABASE_URL"):
        config["SQLALCHEMY_DATABASE_URI"] = config["DATABASE_URL"]
    if not config["SQLALCHEMY_DATABASE_URI"]:
        config["SQLALCHEMY_DATABASE_URI"] = default_database_url(instance_path)
    if config.get("SQLALCHEMY_ENGINE_OPTIONS") is None:
        # A SQLite file cannot drop a connection; PostgreSQL restarts can.
        over_network = not config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": over_network}
    # An error logs the statement, never its values: they hold names, DNIs and phones.
    config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        "hide_parameters": True,
        **config["SQLALCHEMY_ENGINE_OPTIONS"],
    }
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = load_or_create_secret_key(instance_path)

"""Telecenter: learning and attendance for rural telecenters, with aggregate sync to central.

`create_app()` is the only way in: nothing connects, migrates or schedules at import time.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask import Flask, current_app, request

from telecenter import config as settings
from telecenter import python_version, uploads
from telecenter.file_modes import restrict_new_files
from telecenter.paths import migrations_dir, templates_dir, translations_dir
from telecenter.request_values import BoundedIntConverter, stored_id

__version__ = "0.1.0"


def create_app(test_config: Mapping[str, Any] | None = None, instance_path: str | None = None):
    restrict_new_files()  # before the instance folder, database or any backup is created
    app = Flask(
        __name__,
        instance_path=instance_path or os.environ.get("TELECENTER_INSTANCE") or None,
        instance_relative_config=True,
        template_folder=str(templates_dir()),
    )
    app.request_class = uploads.Request  # body limits per route (telecenter/uploads.py)
    app.url_map.converters["int"] = BoundedIntConverter  # before any route is added
    configure_logging()
    python_version.warn_if_old(logging.getLogger("telecenter"))
    load_configuration(app, test_config)
    install_request_log(app)  # first, so a request CSRF or the body limit refuses is logged too
    register_extensions(app)
    register_request_hooks(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_template_helpers(app)
    register_commands(app)
    trust_proxies(app)
    return app


def trust_proxies(app: Flask) -> None:
    """Behind nginx, take the client address from X-Forwarded-For so throttles see real PCs."""
    hops = int(app.config["TRUSTED_PROXIES"])
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Flask's documented way to add WSGI middleware; mypy forbids assigning to a method.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )


def configure_logging() -> None:
    """Log lines to stderr (gunicorn and systemd collect them) unless logging is set up."""
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )


def load_configuration(app: Flask, test_config: Mapping[str, Any] | None) -> None:
    """Defaults, then environment variables, then the optional instance file (or test values)."""
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(settings.DEFAULTS)
    app.config.from_mapping(settings.from_environment())
    if test_config is None:
        app.config.from_pyfile(settings.INSTANCE_CONFIG_FILE, silent=True)
    else:
        app.config.from_mapping(test_config)
    settings.finalise(app.config, app.instance_path)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(translations_dir())


def register_extensions(app: Flask) -> None:
    import telecenter.models  # noqa: F401  (every table registered before anything uses them)
    from telecenter.database import configure_sqlite
    from telecenter.extensions import babel, csrf, db, login_manager, migrate
    from telecenter.i18n import select_locale

    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
    migrate.init_app(app, db, directory=str(migrations_dir()))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    configure_login(app)


def configure_login(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from telecenter.auth.models import User
    from telecenter.auth.roles import roles_for_server
    from telecenter.auth.session_versions import is_current
    from telecenter.extensions import db_session, login_manager

    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = _l("Ingrese con su usuario para continuar.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_id: str):
        stored = stored_id(user_id)
        if stored is None:
            return None
        user = db_session().get(User, stored)
        # The request's app, not the one this loader was made for: the login manager is
        # shared, so a process holding a site and a central (tests) must ask the right one.
        allowed = roles_for_server(current_app.config["TELECENTER_ROLE"])
        if user is None or not user.active or user.role not in allowed:
            return None
        return user if is_current(user) else None


def install_request_log(app: Flask) -> None:
    from telecenter.operations import request_log

    request_log.install(app)


def register_request_hooks(app: Flask) -> None:
    from telecenter.auth.permissions import enforce_declared_access
    from telecenter.auth.session_policy import expire_idle_session

    app.before_request(enforce_declared_access)
    app.before_request(expire_idle_session)

    @app.after_request
    def security_headers(response):
        # Pages may show personal data on a shared PC: no copy kept for the back button or the
        # next person. Static assets hold none and stay cacheable.
        if request.endpoint != "static":
            response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            # media-src blob:: the recorder plays back what was just recorded, before saving.
            "default-src 'self'; img-src 'self' data:; media-src 'self' blob:; style-src 'self'; "
            "script-src 'self'; "
            "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'",
        )
        return response


def register_blueprints(app: Flask) -> None:
    from telecenter.auth.account_routes import bp as accounts_bp
    from telecenter.auth.routes import bp as auth_bp
    from telecenter.main.routes import bp as main_bp

    for blueprint in (main_bp, auth_bp, accounts_bp):
        app.register_blueprint(blueprint)
    if app.config["TELECENTER_ROLE"] == "site":
        register_site_blueprints(app)
        connect_site_capabilities()
    else:
        register_central_blueprints(app)


def register_central_blueprints(app: Flask) -> None:
    from telecenter.central.api_routes import bp as central_api_bp
    from telecenter.central.close_routes import bp as closes_bp
    from telecenter.central.network_event_routes import bp as network_events_bp
    from telecenter.central.routes import bp as central_bp
    from telecenter.central.usb_routes import bp as central_usb_bp

    app.register_blueprint(central_api_bp)
    app.register_blueprint(central_bp)
    app.register_blueprint(closes_bp)
    app.register_blueprint(network_events_bp)
    app.register_blueprint(central_usb_bp)


def connect_site_capabilities() -> None:
    """Courses decide classroom completion from attendance, which they must not import."""
    from telecenter.attendance import personal_data as attendance_data
    from telecenter.attendance.course_completion import classroom_record
    from telecenter.courses import completion
    from telecenter.courses import personal_data as course_data

    completion.use_attendance_source(classroom_record)
    # The access page (Ley 29733) shows these domains' data too; the registry cannot import them.
    course_data.register_source()
    attendance_data.register_source()


def register_site_blueprints(app: Flask) -> None:
    """Personal data lives only on sites: central never even has these routes."""
    from telecenter.attendance.calendar_routes import bp as calendar_bp
    from telecenter.attendance.kiosk_routes import bp as kiosk_bp
    from telecenter.attendance.report_routes import bp as attendance_reports_bp
    from telecenter.attendance.routes import bp as attendance_bp
    from telecenter.audit_routes import bp as audit_bp
    from telecenter.courses.authoring_routes import bp as course_authoring_bp
    from telecenter.courses.routes import bp as courses_bp
    from telecenter.operations.routes import bp as backups_bp
    from telecenter.participants.group_routes import bp as groups_bp
    from telecenter.participants.resident_routes import bp as resident_auth_bp
    from telecenter.participants.routes import bp as participants_bp
    from telecenter.participants.wfi_routes import bp as wfi_bp
    from telecenter.sync.downloads_routes import bp as network_courses_bp
    from telecenter.sync.routes import bp as sync_bp

    for blueprint in (
        participants_bp,
        groups_bp,
        wfi_bp,
        resident_auth_bp,
        audit_bp,
        courses_bp,
        course_authoring_bp,
        attendance_bp,
        attendance_reports_bp,
        calendar_bp,
        kiosk_bp,
        sync_bp,
        network_courses_bp,
        backups_bp,
    ):
        app.register_blueprint(blueprint)


def register_error_handlers(app: Flask) -> None:
    from telecenter.errors import register_error_handlers as register

    register(app)


def register_template_helpers(app: Flask) -> None:
    from flask_babel import get_locale

    from telecenter import labels
    from telecenter.auth.roles import ROLE_LABELS
    from telecenter.clock import to_lima
    from telecenter.i18n import LANGUAGE_NAMES

    @app.template_filter("label")
    def label(value, dimension: str, plural: bool = False):
        """`{{ item.kind|label("activity") }}`: the words for a vocabulary value."""
        return labels.label(dimension, value, plural=plural)

    app.add_template_global(labels.labelled, "labelled")

    @app.template_filter("day")
    def day(value):
        """dd/mm/yyyy, as Peru writes dates; a UTC moment is first taken to Lima time."""
        if not value:
            return "—"
        return (to_lima(value) if isinstance(value, datetime) else value).strftime("%d/%m/%Y")

    @app.template_filter("long_day")
    def long_day(moment):
        """ "martes, 8 de diciembre de 2026": a day in words, for residents, in Lima time."""
        from flask_babel import format_date

        return format_date(to_lima(moment).date(), "full")

    @app.template_filter("month_words")
    def month_words(month):
        """ "enero de 2024" for "2024-01"."""
        from telecenter.i18n import month_in_words

        return month_in_words(month) if month else "—"

    @app.template_filter("number")
    def number(value, decimals: int = 2):
        """A figure as Babel writes it in the page's language ("5.000", "5,000"; hours with
        at most two decimals, "19.188,5", or `decimals`): the one way every page writes
        numbers."""
        from flask_babel import format_decimal

        pattern = "#,##0." + "#" * decimals if decimals else "#,##0"
        return "—" if value is None else format_decimal(value, format=pattern)

    @app.template_filter("datetime_lima")
    def datetime_lima(moment):
        """dd/mm/yyyy hh:mm in Lima time, through Babel (BABEL_DEFAULT_TIMEZONE is Lima)."""
        from flask_babel import format_datetime

        return format_datetime(moment, "dd/MM/yyyy HH:mm") if moment else "—"

    @app.template_global()
    def upload_limit(endpoint: str | None = None):
        """The limit of the page's upload route (or of `endpoint`, where the form posts to
        another route), in bytes, in MB and as a sentence."""
        from flask import request

        from telecenter import uploads

        size = (
            uploads.declared_limit(endpoint or request.endpoint) or app.config["MAX_CONTENT_LENGTH"]
        )
        return {
            "bytes": size,
            "mb": uploads.megabytes(size),
            "message": uploads.too_large_message(size),
        }

    from telecenter.auth.permissions import can_open
    from telecenter.auth.session_policy import idle_timer
    from telecenter.wording import by_sex

    app.add_template_global(can_open)
    app.add_template_global(idle_timer)
    app.add_template_global(by_sex)

    @app.context_processor
    def layout_values():
        return {
            "current_locale": str(get_locale()),
            "language_names": LANGUAGE_NAMES,
            "role_labels": ROLE_LABELS,
            "server_role": app.config["TELECENTER_ROLE"],
            "telecenter_name": app.config["TELECENTER_NAME"],
        }


def register_commands(app: Flask) -> None:
    from telecenter.cli import register

    register(app)

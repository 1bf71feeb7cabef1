"""The sync job: refresh the outbox and send what is due (scheduler, CLI, "Sincronizar ahora")."""

from __future__ import annotations

from typing import cast

from flask import Flask, current_app
from werkzeug.local import LocalProxy

from telecenter.extensions import db, db_session
from telecenter.sync import connection, outbox
from telecenter.sync.client import SendResult, Settings, send_pending


def settings_of(app: Flask) -> Settings:
    """Read afresh on every run (connection.effective): a connection saved on the page is
    used by the next run, with no restart."""
    return connection.effective(db_session(), app.config).settings(
        app.config["TELECENTER_CODE"], app.instance_path
    )


#: New counting rules met in one run at most this often (central publishing while a site
#: sends); later ones are applied at the next run.
RULES_ROUNDS = 3


def sync_now(*, force: bool = False, transport=None) -> SendResult:
    """Inside an app context: queue changed months, then send. When central's answer brings
    new counting rules, every month is counted again and sent in the same run."""
    # current_app is typed as the Flask app; it is the proxy in front of it.
    app = cast("LocalProxy[Flask]", current_app)._get_current_object()
    code, settings = app.config["TELECENTER_CODE"], settings_of(app)
    outbox.refresh(db_session(), telecenter=code)
    result = send_pending(db_session(), settings, force=force, transport=transport)
    for _round in range(RULES_ROUNDS):
        if not result.new_rules:
            break
        outbox.refresh(db_session(), telecenter=code)
        later = send_pending(
            db_session(), settings, force=force, transport=transport, ask_when_idle=False
        )
        result = result.followed_by(later)
    return result


def sync_job(app: Flask) -> None:
    with app.app_context():
        sync_now()
        db.session.remove()  # the scoped registry itself: this thread is done with it

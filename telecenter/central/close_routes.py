"""Period closes: the list, closing a period (central admins) and one period's figures as
reported beside today's (telecenter.central.period_close)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from telecenter import labels
from telecenter.auth.permissions import roles_required
from telecenter.auth.roles import CENTRAL_ADMIN, CENTRAL_ROLES
from telecenter.central import indicators, period_close
from telecenter.central.forms import PeriodCloseForm
from telecenter.central.models import Telecenter
from telecenter.clock import utcnow
from telecenter.extensions import db_session
from telecenter.views import file_download, handle_form

bp = Blueprint("closes", __name__, url_prefix="/central/closes")
central_users = roles_required(*CENTRAL_ROLES)
central_admins = roles_required(CENTRAL_ADMIN)


def _form() -> PeriodCloseForm:
    form = PeriodCloseForm()
    form.period.choices = [("", _("Elija un periodo"))] + [
        (p.name, period_close.period_words(p.name, p.first, p.last))
        for p in period_close.closable(db_session(), utcnow())
    ]
    return form


def _list_context() -> dict:
    return {
        "closes": period_close.closes(db_session()),
        "is_intact": period_close.is_intact,
        "period_words": period_close.period_words,
    }


@bp.route("/")
@central_users
def index():
    form = _form() if current_user.role == CENTRAL_ADMIN else None
    return render_template("central/closes.html", form=form, **_list_context())


@bp.route("/", methods=["POST"])
@central_admins
def close():
    form = _form()
    return handle_form(
        form,
        lambda: period_close.close(
            db_session(), form.period.data or "", by=current_user.username, now=utcnow()
        ),
        success=lambda row: (
            _("Periodo cerrado: sus cifras quedan guardadas tal como se reportan hoy."),
            url_for(".show", period=row.period),
        ),
        template="central/closes.html",
        **_list_context(),
    )


def _found(period: str):
    row = period_close.find(db_session(), period)
    if row is None:
        abort(404)
    return row


@bp.route("/<period>")
@central_users
def show(period: str):
    row = _found(period)
    session = db_session()
    reported = period_close.reported_indicators(row)
    names = {i.code: i.name for i in indicators.catalogue(session)}
    names |= {code: about["name"] for code, about in reported.items()}
    late = period_close.received_after(session, row)
    late_by_place: dict[str, list] = {}
    for report in late:
        late_by_place.setdefault(report.telecenter, []).append(report)
    return render_template(
        "central/close.html",
        close=row,
        words=period_close.period_words(row.period, row.first_month, row.last_month),
        intact=period_close.is_intact(row),
        restatements=period_close.restatements(session, row),
        late=late,
        late_by_place=late_by_place,
        places=dict(session.execute(sa.select(Telecenter.code, Telecenter.name)).tuples().all()),
        # The network's one figure per indicator and period; splits are in the JSON file.
        reported=[f for f in period_close.reported(row) if f.telecenter is None and not f.options],
        names=names,
        options=lambda figure: _options(figure, reported),
    )


def _options(figure: period_close.Figure, reported: dict) -> str:
    """A figure's split values in words («Mujeres · 15-29»)."""
    splits = reported.get(figure.indicator, {}).get("splits", [])
    return " · ".join(
        labels.label(split, value) for split, value in zip(splits, figure.options, strict=False)
    )


@bp.route("/<period>.json")
@central_users
def snapshot(period: str):
    """The figures exactly as stored: `sha256sum` of this file is the hash on the page."""
    row = _found(period)
    return file_download(row.snapshot, f"cierre-{row.period}.json", "application/json")

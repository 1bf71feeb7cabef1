"""Central's JSON API: sites send reports; programs and staff read participation counts."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, Response, current_app, jsonify, request
from flask_login import current_user

from telecenter.auth.permissions import ROLES_ATTR, public
from telecenter.auth.roles import CENTRAL_ROLES
from telecenter.central import (
    aggregates,
    api_keys,
    dhis2,
    exports,
    indicators,
    ingest,
    network_events,
    outcomes,
    quality,
    rules,
    tokens,
)
from telecenter.central import network_event_figures as event_figures
from telecenter.central.models import NetworkEvent
from telecenter.central.openapi import openapi_document
from telecenter.clock import utcnow
from telecenter.database import writing
from telecenter.errors import json_error
from telecenter.extensions import csrf, db_session
from telecenter.uploads import accepts_upload
from telecenter.views import csv_download

bp = Blueprint("central_api", __name__, url_prefix="/api/v1")
MAX_SYNC_BODY = 4 * 1024 * 1024


@bp.route("/sync/reports", methods=["POST"])
@public  # authenticated by the telecenter's bearer token, below
@csrf.exempt
@accepts_upload(MAX_SYNC_BODY)
def sync_reports():
    telecenter = tokens.telecenter_for(db_session(), request.headers.get("Authorization"))
    if telecenter is None:
        return json_error(401, "missing, unknown or revoked telecenter token")
    # A refusal (ingest's DomainErrors) is answered with its status and JSON reason by the
    # application's error handler, before anything is stored.
    body = ingest.decode_body(request.get_data(), request.headers.get("Content-Encoding"))
    acks = ingest.receive(db_session(), telecenter, body)
    return jsonify(
        telecenter=telecenter.code,
        acknowledged=[a.as_json() for a in acks],
        settings=rules.settings_answer(db_session(), telecenter, body.get("settings_version")),
    )


@bp.route("/sync/hello")
@public  # authenticated by the telecenter's bearer token, below
def sync_hello():
    """A site's "Probar conexión": who this token belongs to, nothing personal. It counts as
    contact from the telecenter (last_heard_at)."""
    telecenter = tokens.telecenter_for(db_session(), request.headers.get("Authorization"))
    if telecenter is None:
        return json_error(401, "missing, unknown or revoked telecenter token")
    asked = request.args.get("telecenter")
    if asked is not None and asked != telecenter.code:
        # json_error's shape, plus the token's own code for the site to name it.
        return jsonify(
            error="forbidden",
            reason=f"this token belongs to telecenter {telecenter.code}, not {asked[:40]}",
            telecenter=telecenter.code,
        ), 403
    with writing(db_session()):
        telecenter.last_heard_at = utcnow()
    return jsonify(
        telecenter=telecenter.code,
        name=telecenter.name,
        settings=rules.settings_answer(
            db_session(), telecenter, request.args.get("settings_version")
        ),
    )


@bp.route("/sync/settings")
@public  # authenticated by the telecenter's bearer token, below
def sync_settings():
    """The network settings for a site with nothing to send (`settings_version`: the one it
    has; answered "unchanged" when it is current). Counts as contact from the telecenter."""
    telecenter = tokens.telecenter_for(db_session(), request.headers.get("Authorization"))
    if telecenter is None:
        return json_error(401, "missing, unknown or revoked telecenter token")
    with writing(db_session()):
        telecenter.last_heard_at = utcnow()
    return jsonify(
        telecenter=telecenter.code,
        settings=rules.settings_answer(
            db_session(), telecenter, request.args.get("settings_version")
        ),
    )


def readers_only(view):
    """Central staff signed in, or a program with an API key; others get a JSON 401/403."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if request.headers.get("Authorization"):
            with writing(db_session()):  # the key's last_used_at
                key = api_keys.check(db_session(), request.headers.get("Authorization"))
            if key is None:
                return json_error(401, "unknown or revoked API key")
            return view(*args, **kwargs)
        if not current_user.is_authenticated:
            return json_error(401, "sign in, or send Authorization: Bearer <API key>")
        if current_user.role not in CENTRAL_ROLES:
            return json_error(403, "central office accounts only")
        return view(*args, **kwargs)

    setattr(wrapped, ROLES_ATTR, frozenset(CENTRAL_ROLES))
    return wrapped


@bp.route("/participation")
@readers_only
def participation():
    query = aggregates.parse(request.args, db_session())
    answer = aggregates.run(db_session(), query)
    if request.args.get("format", "json") == "csv":
        return csv_download(
            exports.participation_csv(answer), "participacion.csv", for_spreadsheets=False
        )
    if request.args.get("format", "json") != "json":
        return json_error(400, "format must be json or csv")
    return jsonify(answer)


@bp.route("/programme-outcomes")
@readers_only
def programme_outcomes():
    """The programme's outcomes at the end of the range's last month (a stock)."""
    query = outcomes.parse(request.args, db_session())
    return jsonify(outcomes.compute(db_session(), query))


@bp.route("/network-events")
@readers_only
def network_event_list():
    """Every network teleconference with its totals so far, and figures sent under ids
    central has no event for."""
    session = db_session()
    return jsonify(
        events=[
            event_figures.as_json(session, event, with_places=False)
            for event in event_figures.events(session)
        ],
        unknown=event_figures.unknown_json(session),
    )


@bp.route("/network-events/<public_id>")
@readers_only
def network_event(public_id: str):
    """One network teleconference ("NE-12") with its figures per telecenter."""
    number = network_events.number_of(public_id)
    event = db_session().get(NetworkEvent, number) if number is not None else None
    if event is None:
        return json_error(404, "no network event with that id; ids look like NE-12")
    return jsonify(event_figures.as_json(db_session(), event))


@bp.route("/openapi.json")
@public
def openapi():
    return jsonify(openapi_document())


def _dhis2_period():
    """The period asked (`period`, or `month` as before), or ExportError / IndicatorError."""
    name = request.args.get("period") or request.args.get("month") or ""
    if not name:
        raise dhis2.ExportError("give period=YYYY-MM, YYYY-Qn, FYYYYY or YYYY")
    return indicators.period(db_session(), name)


def _id_scheme(default: str) -> str:
    scheme = request.args.get("id_scheme", default)
    if scheme not in dhis2.ID_SCHEMES:
        raise dhis2.ExportError("id_scheme must be uid or code")
    return scheme


@bp.route("/exports/dhis2")
@readers_only
def dhis2_export():
    """The catalogue's figures of one period as DHIS2 dataValueSets JSON or IHE ADX."""
    period = _dhis2_period()
    config = current_app.config
    options = {
        "prefix": config["DHIS2_DATA_SET"],
        "org_units": config["DHIS2_ORG_UNITS"],
        "due_day": config["REPORT_DUE_DAY"],
    }
    form = request.args.get("format", "json")
    if form == "adx":
        body = dhis2.adx(db_session(), period, scheme=_id_scheme("code"), **options)
        return Response(body, mimetype="application/adx+xml")
    if form != "json":
        return json_error(400, "format must be json or adx")
    telecenter = request.args.get("telecenter") or None
    if telecenter is not None:
        aggregates.parse_filters({"telecenter": telecenter}, db_session(), ("telecenter",))
    return jsonify(
        dhis2.data_value_set(
            db_session(), period, scheme=_id_scheme("uid"), telecenter=telecenter, **options
        )
    )


@bp.route("/exports/dhis2/metadata")
@readers_only
def dhis2_metadata():
    """The DHIS2 metadata package to import once (POST /api/metadata)."""
    config = current_app.config
    return jsonify(
        dhis2.metadata(
            db_session(),
            prefix=config["DHIS2_DATA_SET"],
            org_units=config["DHIS2_ORG_UNITS"],
            fiscal_year_start=rules.current_rules(db_session()).fiscal_year_start,
        )
    )


@bp.route("/quality")
@readers_only
def quality_report():
    """Data quality of a range: completeness and timeliness, rule breaks, outliers."""
    query = quality.parse(request.args, db_session())
    result = quality.report(db_session(), query, due_day=current_app.config["REPORT_DUE_DAY"])
    return jsonify(quality.as_json(result))

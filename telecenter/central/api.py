"""Central's JSON API for sites: POST /api/v1/sync/reports."""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify, request

from telecenter.auth.permissions import public
from telecenter.central import ingest, tokens
from telecenter.extensions import csrf, db

bp = Blueprint("central_api", __name__, url_prefix="/api/v1")
log = logging.getLogger(__name__)
MAX_SYNC_BODY = 4 * 1024 * 1024


def _error(status: int, reason: str):
    return jsonify(error={400: "bad request", 401: "unauthorized", 403: "forbidden"}.get(
        status, "error"), reason=reason), status


@bp.route("/sync/reports", methods=["POST"])
@public  # authenticated by the telecenter's bearer token, below
@csrf.exempt
def sync_reports():
    request.max_content_length = MAX_SYNC_BODY
    telecenter = tokens.telecenter_for(db.session, request.headers.get("Authorization"))
    if telecenter is None:
        return _error(401, "missing, unknown or revoked telecenter token")
    try:
        body = ingest.decode_body(request.get_data(), request.headers.get("Content-Encoding"))
        items = ingest.check_request(body, telecenter)
    except ingest.Forbidden as refused:
        db.session.rollback()
        return _error(403, str(refused))
    except ingest.BadRequest as problem:
        db.session.rollback()
        return _error(400, str(problem))
    acks = ingest.store(db.session, telecenter, items)
    db.session.commit()
    log.info("sync from %s: %s", telecenter.code,
             ", ".join(f"{a.month}={a.status}" for a in acks))
    return jsonify(telecenter=telecenter.code, acknowledged=[a.as_json() for a in acks])

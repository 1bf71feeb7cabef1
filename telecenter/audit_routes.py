"""The audit log, for admins: who did what to which record, and when."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template

from telecenter.audit import AuditEntry
from telecenter.auth.permissions import roles_required
from telecenter.auth.roles import ADMIN
from telecenter.extensions import db_session
from telecenter.request_values import query_int

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")
PAGE_SIZE = 50


@bp.route("/")
@roles_required(ADMIN)
def index():
    page = query_int("page", 1)
    entries = (
        db_session()
        .scalars(
            sa.select(AuditEntry)
            .order_by(AuditEntry.id.desc())
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
        )
        .all()
    )
    return render_template(
        "admin/audit.html", entries=entries, page=page, has_more=len(entries) == PAGE_SIZE
    )

"""Keeping the outbox in step with the data: recompute, compare, queue what changed."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from telecenter import month_report
from telecenter.database import writing
from telecenter.sync.models import OutboxMonth
from telecenter.sync.month_reports import monthly_reports

log = logging.getLogger(__name__)


def is_empty(report: dict) -> bool:
    return not any(report[table] for table in month_report.tables_of(report))


def refresh(session: Session, *, telecenter: str) -> list[str]:
    """Recompute every month; queue the ones whose counts changed. Returns those months.
    The months are computed before the short write that queues them (and commits it).

    Any change behind a month (late attendance, a correction, an erasure, a corrected birth
    date) changes its digest, so nothing needs to remember to mark months dirty. A month that
    never had data is not sent; one that had data and now has none is sent empty.
    """
    computed = monthly_reports(session, telecenter=telecenter)  # slow: read only, no lock
    with writing(session):
        queued = _queue(session, computed, telecenter=telecenter)
    if queued:
        log.info("sync outbox: %d month(s) queued", len(queued))
    return queued


def _queue(session: Session, computed: list[dict], *, telecenter: str) -> list[str]:
    rows = {row.month: row for row in session.scalars(sa.select(OutboxMonth))}
    queued = []
    for report in computed:
        digest = month_report.digest(report)
        row = rows.get(report["month"])
        if row is None:
            if is_empty(report):
                continue
            row = OutboxMonth(month=report["month"], sent_digest=None)
            session.add(row)
        elif row.digest == digest and row.payload.get("telecenter") == telecenter:
            continue
        row.digest, row.payload = digest, report
        row.attempts, row.next_attempt_at, row.last_error = 0, None, None
        row.state = "sent" if row.sent_digest == digest else "pending"
        if row.state == "pending":
            queued.append(report["month"])
    session.flush()
    return queued


def requeue_all(session: Session) -> int:
    """After a restore: send every month again, with fresh times central will accept."""
    rows = session.scalars(sa.select(OutboxMonth)).all()
    for row in rows:
        row.digest = "restored"  # differs from any real digest: the next refresh re-sends
    session.flush()
    return len(rows)


def resend_all(session: Session) -> int:
    """After new counting rules: every month with data is pending again, to be counted anew
    by the next refresh (before any sending) and sent even if its counts came out the same:
    central must see it counted under the new rules."""
    rows = session.scalars(sa.select(OutboxMonth)).all()
    for row in rows:
        row.digest, row.sent_digest, row.state = "new-rules", None, "pending"
        row.attempts, row.next_attempt_at, row.last_error = 0, None, None
    session.flush()
    return len(rows)


@dataclass(frozen=True)
class Status:
    pending: int
    refused: int
    last_success: object
    last_error: str | None
    last_error_at: object


def status(session: Session) -> Status:
    counts = dict(
        session.execute(sa.select(OutboxMonth.state, sa.func.count()).group_by(OutboxMonth.state))
        .tuples()
        .all()
    )
    failed = session.scalars(
        sa.select(OutboxMonth)
        .where(OutboxMonth.last_error.is_not(None))
        .order_by(OutboxMonth.last_attempt_at.desc())
        .limit(1)
    ).first()
    return Status(
        pending=counts.get("pending", 0),
        refused=counts.get("refused", 0),
        last_success=session.scalar(sa.select(sa.func.max(OutboxMonth.sent_at))),
        last_error=failed.last_error if failed else None,
        last_error_at=failed.last_attempt_at if failed else None,
    )

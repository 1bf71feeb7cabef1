"""The counting rules in force at central: the newest version staff set, else the defaults."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from telecenter.central.models import CountingRulesVersion
from telecenter.counting_rules import DEFAULT, CountingRules


def current_rules(session: Session) -> CountingRules:
    row = session.scalar(
        sa.select(CountingRulesVersion).order_by(CountingRulesVersion.id.desc()).limit(1)
    )
    if row is None:
        return DEFAULT
    return CountingRules(
        rules_version=row.rules_version,
        course_completed=row.course_completed,
        min_sessions=row.min_sessions,
        min_hours=row.min_hours,
        fiscal_year_start=row.fiscal_year_start,
    )

"""Which telecenters cannot yet answer a figure during a rolling upgrade: months still in
schema 1 (no schema-2 facts) or computed under counting rules older than central's. Such a
figure is null with a note naming them, never a partial sum."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from telecenter.central.models import MonthReport, Telecenter


@dataclass
class Pending:
    """Telecenter codes (with their regions) behind each kind of note."""

    schema_1: dict[str, str] = field(default_factory=dict)
    outdated_rules: dict[str, str] = field(default_factory=dict)
    rules_version: str = ""

    def notes(self, *, schema_1_used: bool, rules_used: bool) -> list[str]:
        notes = []
        if schema_1_used and self.schema_1:
            notes.append(
                "null where schema-2 facts are needed: these telecenters still send schema 1 "
                f"for months in the range: {', '.join(sorted(self.schema_1))}"
            )
        if rules_used and self.outdated_rules:
            notes.append(
                f"pending recount under counting rules {self.rules_version}: "
                f"{', '.join(sorted(self.outdated_rules))}"
            )
        return notes


def pending(session: Session, first: str, last: str, filters: dict, rules_version: str) -> Pending:
    """The telecenters (within the region/telecenter filters) with a month in first..last
    that is schema 1, or schema 2 under other counting rules than `rules_version`."""
    statement = (
        sa.select(Telecenter.code, Telecenter.region, MonthReport.schema, MonthReport.rules_version)
        .join(Telecenter, Telecenter.id == MonthReport.telecenter_id)
        .where(MonthReport.month >= first, MonthReport.month <= last)
        .where(sa.or_(MonthReport.schema == 1, MonthReport.rules_version != rules_version))
        .distinct()
    )
    if "region" in filters:
        statement = statement.where(Telecenter.region == filters["region"])
    if "telecenter" in filters:
        statement = statement.where(Telecenter.code == filters["telecenter"])
    found = Pending(rules_version=rules_version)
    for code, region, schema, _version in session.execute(statement):
        (found.schema_1 if schema == 1 else found.outdated_rules)[code] = region
    return found

"""The counting rules at central: the version in force, its history, publishing a new one,
and the network settings every sync answer carries (../shared/DESIGN.md, "Network settings")."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from telecenter import audit
from telecenter.auth.models import User
from telecenter.central import network_events
from telecenter.central.models import CountingRulesVersion, Telecenter
from telecenter.clock import utcnow
from telecenter.counting_rules import (
    DEFAULT,
    CountingRules,
    InvalidRules,
    NoWayOfBeingTrained,
)
from telecenter.domain_errors import DomainError

MONTH_NAMES = (
    _l("enero"),
    _l("febrero"),
    _l("marzo"),
    _l("abril"),
    _l("mayo"),
    _l("junio"),
    _l("julio"),
    _l("agosto"),
    _l("setiembre"),
    _l("octubre"),
    _l("noviembre"),
    _l("diciembre"),
)
#: What a site that already has the current settings is answered instead of them.
UNCHANGED = "unchanged"


class RulesRefused(DomainError):
    """Rules no site could apply: the reason in the admin's words."""


class RulesChanged(DomainError):
    """Another admin published while this one was editing: publishing on top would undo
    theirs unseen, so she is shown the version now in force first."""

    status = 409
    code = "rules_changed"

    def __init__(self, version: str):
        super().__init__(
            str(
                _l(
                    "Mientras usted editaba, se publicó la versión %(version)s. Revise las "
                    "reglas vigentes aquí abajo y vuelva a publicar si todavía hace falta.",
                    version=version,
                )
            )
        )


def _rules_of(row: CountingRulesVersion) -> CountingRules:
    return CountingRules(
        rules_version=row.rules_version,
        course_completed=row.course_completed,
        min_sessions=row.min_sessions,
        min_hours=row.min_hours,
        fiscal_year_start=row.fiscal_year_start,
    )


def current_rules(session: Session) -> CountingRules:
    """The newest version staff published, else the defaults (version "1")."""
    row = session.scalar(
        sa.select(CountingRulesVersion).order_by(CountingRulesVersion.id.desc()).limit(1)
    )
    return DEFAULT if row is None else _rules_of(row)


def history(session: Session) -> list[CountingRulesVersion]:
    """Every published version, newest first (version "1" once a second one exists)."""
    return list(
        session.scalars(sa.select(CountingRulesVersion).order_by(CountingRulesVersion.id.desc()))
    )


def _row_of(rules: CountingRules, actor: User | None) -> CountingRulesVersion:
    return CountingRulesVersion(
        rules_version=rules.rules_version,
        course_completed=rules.course_completed,
        min_sessions=rules.min_sessions,
        min_hours=rules.min_hours,
        fiscal_year_start=rules.fiscal_year_start,
        created_by_id=actor.id if actor else None,
    )


def publish(
    session: Session,
    *,
    course_completed: bool,
    min_sessions: int | None,
    min_hours: float | None,
    fiscal_year_start: int,
    actor: User | None,
    based_on: str | None = None,
) -> CountingRules:
    """Store the next version (the defaults first, as version "1", so the history shows what
    sites counted under before) and audit it. Every site receives it with its next sync.
    `based_on` is the version the admin's form showed: if another was published since, or is
    being published at this moment (the version's unique key), nothing is stored."""
    current = current_rules(session)
    if based_on is not None and based_on != current.rules_version:
        raise RulesChanged(current.rules_version)
    rules = CountingRules(
        rules_version=str(int(current.rules_version) + 1),
        course_completed=course_completed,
        min_sessions=min_sessions,
        min_hours=min_hours,
        fiscal_year_start=fiscal_year_start,
    )
    try:
        rules.check()
    except InvalidRules as problem:
        raise RulesRefused(_refusal(problem)) from None
    if not history(session):
        session.add(_row_of(DEFAULT, None))
    row = _row_of(rules, actor)
    session.add(row)
    try:
        session.flush()
    except sa.exc.IntegrityError:
        raise RulesChanged(rules.rules_version) from None
    audit.record(
        session,
        actor=actor,
        action="counting_rules.publish",
        subject_type="counting_rules",
        subject_id=row.id,
        detail=f"version {rules.rules_version}",
    )
    return rules


def _refusal(problem: InvalidRules) -> str:
    if isinstance(problem, NoWayOfBeingTrained):
        return str(_l("Elija al menos una forma de contar a una persona como capacitada."))
    return str(_l("Estas reglas no se pueden usar: %(reason)s", reason=str(problem)))


def network_settings(session: Session, telecenter: Telecenter, now: datetime | None = None) -> dict:
    """What one telecenter receives: an opaque version and the parts (the counting rules, and
    the network teleconferences for it, telecenter.central.network_events). The version is
    "r<rules>" while the list is empty, as before network events existed, and otherwise
    "r<rules>-" and 16 hex digits of a SHA-256 of both parts: any change to either, for this
    telecenter, is a new version."""
    counting = current_rules(session).as_json()
    events = [
        network_events.as_settings(event)
        for event in network_events.for_telecenter(session, telecenter, now or utcnow())
    ]
    version = "r" + counting["rules_version"]
    if events:
        canonical = json.dumps(
            {"counting_rules": counting, "network_events": events},
            sort_keys=True,
            separators=(",", ":"),
        )
        version += "-" + hashlib.sha256(canonical.encode()).hexdigest()[:16]
    return {"version": version, "counting_rules": counting, "network_events": events}


def settings_answer(session: Session, telecenter: Telecenter, known: object) -> dict | str:
    """The settings for a site that has version `known`: "unchanged" when it is current."""
    settings = network_settings(session, telecenter)
    return UNCHANGED if known == settings["version"] else settings

"""The network settings a site has received from central, and the counting rules in them.

../shared/DESIGN.md, "Network settings": central answers every sync request with its current
settings (or "unchanged" when the site already has that version); the site keeps the newest.
Settings that do not check out are not applied: the site keeps counting under what it had,
and the sync page says why (kept beside them as `rejected`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from telecenter.clock import utcnow
from telecenter.counting_rules import DEFAULT, CountingRules, InvalidRules
from telecenter.sync import course_catalogue, network_events
from telecenter.sync.models import NetworkSettings

log = logging.getLogger(__name__)
UNCHANGED = "unchanged"
MAX_VERSION = 80
REJECTED = "rejected"


def stored(session: Session) -> NetworkSettings | None:
    return session.scalar(sa.select(NetworkSettings).where(NetworkSettings.id == 1))


def current_rules(session: Session) -> CountingRules:
    """The rules this site counts under: the newest central sent, else the defaults."""
    row = stored(session)
    if row is None or "counting_rules" not in row.settings:
        return DEFAULT
    try:
        return CountingRules.from_json(row.settings["counting_rules"])
    except InvalidRules:  # checked when received; a hand-edited row falls back
        return DEFAULT


def known_version(session: Session) -> str | None:
    """What the site sends central so that it may answer "unchanged"."""
    row = stored(session)
    return row.version if row is not None and row.version else None


@dataclass(frozen=True)
class Checked:
    """A settings object every part of which checked out: nothing is written before this."""

    settings: dict
    version: str
    rules: CountingRules
    events: list[network_events.NetworkEvent] | None  # None: an older central sent no events
    courses: list[course_catalogue.Entry] | None = None  # None: nor a course catalogue


def _checked(settings: object) -> Checked:
    if not isinstance(settings, dict):
        raise InvalidRules('settings must be an object or "unchanged"')
    version = settings.get("version")
    if not isinstance(version, str) or not 1 <= len(version) <= MAX_VERSION:
        raise InvalidRules(f"version must be text of 1 to {MAX_VERSION} characters")
    rules = CountingRules.from_json(settings.get("counting_rules"))
    events, courses = network_events.parse(settings), course_catalogue.parse(settings)
    return Checked(settings, version, rules, events, courses)


def apply(session: Session, settings: object) -> bool:
    """Store what central answered (inside the caller's write). True when the counting rules
    changed, so every month must be counted and sent again; "unchanged", no answer (an older
    central) or the version the site has change nothing."""
    if settings is None or settings == UNCHANGED:
        return False
    row = stored(session)
    before = current_rules(session)
    try:
        checked = _checked(settings)
    except InvalidRules as problem:  # InvalidEvents and InvalidCatalogue too
        log.warning("network settings from central refused, old ones kept: %s", problem)
        _reject(session, row, str(problem))
        return False
    if row is not None and row.version == checked.version and REJECTED not in row.settings:
        return False
    if row is None:
        row = NetworkSettings(id=1)
        session.add(row)
    now = utcnow()
    row.version, row.settings, row.received_at = checked.version, dict(checked.settings), now
    session.flush()
    network_events.apply(session, checked.events, now)
    course_catalogue.apply(session, checked.courses)
    rules = checked.rules
    changed = rules != before
    if changed:
        log.info("counting rules %s received from central", rules.rules_version)
    return changed


def _reject(session: Session, row: NetworkSettings | None, reason: str) -> None:
    if row is None:  # still on the defaults: a row only to say why
        row = NetworkSettings(id=1, version="", settings={}, received_at=utcnow())
        session.add(row)
    rejected = {"reason": reason[:300], "at": utcnow().isoformat()}
    row.settings = {**row.settings, REJECTED: rejected}
    session.flush()


@dataclass(frozen=True)
class InUse:
    """What the admin's sync page says about the rules this site counts under."""

    rules_version: str
    received_at: datetime | None  # None: the defaults, nothing received yet
    rejected_reason: str | None
    rejected_at: datetime | None
    #: Network teleconferences in the last settings received (None: central sent none).
    network_events: int | None = None


def in_use(session: Session) -> InUse:
    row = stored(session)
    rules = current_rules(session)
    received = row.received_at if row is not None and row.version else None
    events = row.settings.get(network_events.KEY) if row is not None and received else None
    count = len(events) if isinstance(events, list) else None
    rejected = row.settings.get(REJECTED) if row is not None else None
    if not isinstance(rejected, dict):
        return InUse(rules.rules_version, received, None, None, count)
    return InUse(
        rules.rules_version,
        received,
        str(rejected.get("reason", "")),
        _moment(rejected.get("at")),
        count,
    )


def _moment(text: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text))
    except ValueError:
        return None

"""The network settings a site has received from central, and the counting rules in them.

../shared/DESIGN.md, "Network settings": central answers every sync request with its current
settings (or "unchanged" when the site already has that version); the site keeps the newest.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from telecenter.counting_rules import DEFAULT, CountingRules, InvalidRules
from telecenter.sync.models import NetworkSettings


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

"""The counting rules: what makes a person "trained", and when the fiscal year starts.

Central sets them and sends them to every site in its sync answers (the network settings,
../shared/DESIGN.md); the site counts under the newest it has received and names that
version in every month report. Until a site hears from central it counts under DEFAULT,
which is also central's first version, so both agree from the start.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import cast

from telecenter import month_report
from telecenter.domain_errors import DomainError
from telecenter.periods import DEFAULT_FISCAL_YEAR_START

MAX_SESSIONS = 200
MAX_HOURS = 1000.0


class InvalidRules(DomainError):
    """Rules that no site could apply (the reason says why): refused on central's form, and
    kept out when a site receives them."""


class NoWayOfBeingTrained(InvalidRules):
    """Every criterion switched off: the one refusal central's form cannot prevent by itself."""


@dataclass(frozen=True)
class CountingRules:
    #: Central's name for this set of rules; month reports carry it.
    rules_version: str = "1"
    #: A completed course makes its learner trained in the course's category.
    course_completed: bool = True
    #: At least this many counted attendances at training sessions (not talks) of one course
    #: or one series make a person trained in its category (None: not a criterion).
    min_sessions: int | None = None
    #: At least this many hours of training sessions in a category (None: not a criterion).
    min_hours: float | None = None
    #: The month (1-12) the fiscal year starts in.
    fiscal_year_start: int = DEFAULT_FISCAL_YEAR_START

    def as_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: object) -> CountingRules:
        """Rules as central sent them, checked (InvalidRules otherwise)."""
        if not isinstance(data, dict) or set(data) != set(asdict(DEFAULT)):
            raise InvalidRules(f"counting rules need exactly {', '.join(sorted(asdict(DEFAULT)))}")
        rules = cls(**data)
        rules.check()
        return rules

    def check(self) -> None:
        if not month_report.is_rules_version(self.rules_version):
            raise InvalidRules("rules_version must be a short code of letters and digits")
        if type(self.course_completed) is not bool:
            raise InvalidRules("course_completed must be true or false")
        # Typed fields, but from JSON: anything may arrive.
        sessions, hours = cast(object, self.min_sessions), cast(object, self.min_hours)
        if sessions is not None and (
            not isinstance(sessions, int)
            or isinstance(sessions, bool)
            or not 1 <= sessions <= MAX_SESSIONS
        ):
            raise InvalidRules(f"min_sessions must be a whole number from 1 to {MAX_SESSIONS}")
        if hours is not None and (
            isinstance(hours, bool)
            or not isinstance(hours, int | float)
            or not 0 < hours <= MAX_HOURS
        ):
            raise InvalidRules(f"min_hours must be a number above 0 and at most {MAX_HOURS:g}")
        if not (self.course_completed or sessions is not None or hours is not None):
            raise NoWayOfBeingTrained("at least one way of being trained must be chosen")
        if type(self.fiscal_year_start) is not int or not 1 <= self.fiscal_year_start <= 12:
            raise InvalidRules("fiscal_year_start must be a month number from 1 to 12")


DEFAULT = CountingRules()

"""INEI districts of the three departments the network serves, loaded from the shipped CSV."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

from telecenter.paths import PACKAGE_DIR

DISTRICTS_FILE = PACKAGE_DIR / "data" / "districts.csv"


@dataclass(frozen=True)
class District:
    ubigeo: str
    department: str
    province: str
    name: str

    @property
    def label(self) -> str:
        return f"{self.name} ({self.province}, {self.department})"


@cache
def all_districts() -> dict[str, District]:
    with open(DISTRICTS_FILE, encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle)
        return {
            row["ubigeo"]: District(
                row["ubigeo"], row["department"], row["province"], row["district"]
            )
            for row in rows
        }


def find(ubigeo: str | None) -> District | None:
    return all_districts().get((ubigeo or "").strip())


def choices() -> list[tuple[str, str]]:
    """Districts ordered by department, province and name, for a select box."""
    ordered = sorted(all_districts().values(), key=lambda d: (d.department, d.province, d.name))
    return [(d.ubigeo, d.label) for d in ordered]

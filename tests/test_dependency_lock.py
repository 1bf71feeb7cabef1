"""pyproject.toml, requirements.lock and each other: bounded, pinned, in agreement."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = PYPROJECT["project"]
DECLARED = [
    Requirement(text)
    for text in (*PROJECT["dependencies"], *PROJECT["optional-dependencies"]["test"])
]
BUILD = [Requirement(text) for text in PYPROJECT["build-system"]["requires"]]
UPPER = ("<", "<=", "==", "~=", "===")


def _lock() -> dict[str, Version]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, separator, version = line.partition("==")
        assert separator, f"not an exact pin: {line!r}"
        pins[canonicalize_name(name)] = Version(version)
    return pins


LOCK = _lock()


@pytest.mark.parametrize("requirement", [*DECLARED, *BUILD], ids=str)
def test_every_dependency_has_an_upper_bound(requirement):
    assert any(spec.operator in UPPER for spec in requirement.specifier), requirement


@pytest.mark.parametrize("requirement", DECLARED, ids=str)
def test_every_dependency_is_pinned_within_its_range(requirement):
    pinned = LOCK.get(canonicalize_name(requirement.name))
    assert pinned is not None, f"{requirement.name} is not in requirements.lock"
    assert requirement.specifier.contains(pinned, prereleases=True), (requirement, pinned)


def test_the_extras_of_a_dependency_are_pinned_too():
    """psycopg[binary] needs psycopg-binary at the same version in the lock."""
    assert LOCK[canonicalize_name("psycopg-binary")] == LOCK[canonicalize_name("psycopg")]


def test_the_lock_names_each_package_once_and_not_the_app_itself():
    lines = [
        line
        for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert len(lines) == len(LOCK)
    assert canonicalize_name(PROJECT["name"]) not in LOCK

"""Where the templates and migrations live, in a checkout and in an installed wheel."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent


def _first_existing(*candidates: Path) -> Path:
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    return candidates[0]


def templates_dir() -> Path:
    # A checkout keeps templates/ at the root; a built wheel maps it into the package.
    return _first_existing(REPO_DIR / "templates", PACKAGE_DIR / "templates")


def migrations_dir() -> Path:
    return _first_existing(REPO_DIR / "migrations", PACKAGE_DIR / "migrations")


def translations_dir() -> Path:
    return PACKAGE_DIR / "translations"

"""`make run` does on a second run only what changed: the Makefile's own logic, on a copy of it
whose venv commands only write down how they were called."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

from telecenter.paths import REPO_DIR

LOGGING = """#!/bin/sh
echo "$(basename "$0") $*" >> "$CALLS"
"""
FAKES = {
    "python": LOGGING,
    "gunicorn": LOGGING,
    # `telecenter init` creates the instance folder, as create_app does.
    "telecenter": LOGGING + 'mkdir -p "$TELECENTER_INSTANCE"\n',
    "pybabel": LOGGING + 'while [ $# -gt 0 ]; do [ "$1" = -o ] && : > "$2"; shift; done\n',
}


def _checkout(root: Path) -> None:
    for name in ("Makefile", "scripts/serve.sh"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO_DIR / name, root / name)
    for name in ("pyproject.toml", "requirements.lock"):
        (root / name).write_text("")
    (root / "migrations" / "versions").mkdir(parents=True)
    (root / "migrations" / "versions" / "0001_first.py").write_text("revision = '0001_first'\n")
    catalog = root / "telecenter" / "translations" / "es" / "LC_MESSAGES"
    catalog.mkdir(parents=True)
    (catalog / "messages.po").write_text('msgid ""\nmsgstr ""\n')
    bin_dir = root / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    for name, script in FAKES.items():
        (bin_dir / name).write_text(script)
        (bin_dir / name).chmod(0o755)
    for stamp in (".installed", ".installed-test"):
        (root / ".venv" / stamp).touch()
    _age(root / "pyproject.toml", root / "requirements.lock", seconds=60)


def _age(*paths: Path, seconds: float) -> None:
    """Make files older than now: written before what the test writes next."""
    moment = time.time() - seconds
    for path in paths:
        os.utime(path, (moment, moment))


def _make_run(root: Path) -> list[str]:
    calls = root / "calls.log"
    calls.write_text("")
    subprocess.run(
        ["make", "-s", "run"],
        cwd=root,
        env={
            **os.environ,
            "CALLS": str(calls),
            "TELECENTER_INSTANCE": str(root / "instance with a space"),
            "MAKEFLAGS": "",
        },
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return [line.split()[0] + " " + line.split()[1] for line in calls.read_text().splitlines()]


def test_a_second_make_run_only_starts_gunicorn(tmp_path):
    _checkout(tmp_path)
    assert _make_run(tmp_path) == [
        "pybabel compile",
        "telecenter init",
        "telecenter seed-demo",
        "gunicorn wsgi:app",
    ]
    assert _make_run(tmp_path) == ["gunicorn wsgi:app"]


def test_a_new_migration_or_catalog_is_taken_up_by_the_next_run(tmp_path):
    _checkout(tmp_path)
    _make_run(tmp_path)
    catalog = tmp_path / "telecenter" / "translations" / "es" / "LC_MESSAGES"
    _age(tmp_path / "instance with a space" / ".initialised", seconds=30)
    (tmp_path / "migrations" / "versions" / "0002_next.py").write_text("revision = '0002_next'\n")
    assert _make_run(tmp_path) == ["telecenter init", "gunicorn wsgi:app"]
    _age(catalog / "messages.mo", seconds=30)
    (catalog / "messages.po").write_text('msgid ""\nmsgstr "changed"\n')
    assert _make_run(tmp_path) == ["pybabel compile", "gunicorn wsgi:app"]
    assert _make_run(tmp_path) == ["gunicorn wsgi:app"]

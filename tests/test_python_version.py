"""Python before 3.11.8 is allowed; a non-distribution build of it is warned about."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest

from telecenter import create_app, python_version
from tests.conftest import base_config

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("version", "prefix", "warned"),
    [
        ((3, 11, 7, "final", 0), "/root/.pyenv/versions/3.11.7", True),
        ((3, 11, 0, "final", 0), "/usr/local", True),
        ((3, 11, 2, "final", 0), "/usr", False),  # Debian 12: security fixes backported
        ((3, 11, 8, "final", 0), "/opt/python", False),
        ((3, 11, 12, "final", 0), "/usr/local", False),
    ],
)
def test_only_an_old_self_built_python_is_warned_about(version, prefix, warned):
    message = python_version.old_patch_warning(version, prefix)
    assert (message is not None) is warned
    if warned:
        assert f"{version[0]}.{version[1]}.{version[2]}" in message
        assert "3.11.8" in message


def test_the_app_start_logs_the_warning_for_this_interpreter(tmp_path, caplog):
    expected = python_version.old_patch_warning(tuple(sys.version_info), sys.base_prefix)
    with caplog.at_level(logging.WARNING, logger="telecenter"):
        create_app(base_config(f"sqlite:///{tmp_path / 'x.sqlite3'}"), instance_path=str(tmp_path))
    logged = [r.getMessage() for r in caplog.records if "3.11.8" in r.getMessage()]
    assert logged == ([expected] if expected else [])


def test_make_install_runs_the_check_as_a_plain_script():
    """The Makefile runs the file before the package is installed: it must stand alone."""
    done = subprocess.run(
        [sys.executable, "-I", str(ROOT / "telecenter" / "python_version.py")],
        capture_output=True,
        text=True,
        check=True,
    )
    expected = python_version.old_patch_warning(tuple(sys.version_info), sys.base_prefix)
    assert done.stderr == (f"WARNING: {expected}\n" if expected else "")
    assert "telecenter/python_version.py" in (ROOT / "Makefile").read_text(encoding="utf-8")

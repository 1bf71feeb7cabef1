"""Mark every test in a folder, so `-m "not browser"` and the like select whole suites."""

from __future__ import annotations

from pathlib import Path


def mark_folder(items, folder: Path, mark) -> None:
    for item in items:
        if folder in Path(item.fspath).parents:
            item.add_marker(mark)

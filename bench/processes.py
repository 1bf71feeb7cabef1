"""Memory of a process tree, read from /proc (Linux): what the benchmarks report.

PSS (proportional set size) counts a page shared by N processes as 1/N in each, so the PSS of
a tree is the memory the tree really takes; RSS counts every shared page in every process (a
preloaded gunicorn's workers share most of theirs with the master).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path


def tree(root: int) -> list[int]:
    """The process and all its descendants (those alive now)."""
    children = defaultdict(list)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children[int(fields[1])].append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack += children.get(pid, [])
    return found


def _field(path: str, name: str) -> int:
    """A `Name:   123 kB` line of a /proc file, in KiB (0 for a process gone meanwhile)."""
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(name + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def pss_mib(root: int) -> float:
    return sum(_field(f"/proc/{pid}/smaps_rollup", "Pss") for pid in tree(root)) / 1024


def rss_mib(root: int) -> float:
    return sum(_field(f"/proc/{pid}/status", "VmRSS") for pid in tree(root)) / 1024


def count(root: int) -> int:
    return len(tree(root))


def cpu_seconds(root: int) -> float:
    """CPU time (user and system) the tree's live processes have used so far."""
    import os

    ticks = 0
    for pid in tree(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            continue
    return ticks / os.sysconf("SC_CLK_TCK")

"""Pausing Python's cyclic garbage collector around batch computations.

Computing a site's whole history (or storing a re-sent one) builds hundreds of thousands of
small tuples, dicts and Counters that live until the batch ends. Each of them counts toward
the collector's thresholds, so the collector keeps walking every live object while nothing
is garbage yet: on a 2-core PC that was a third of the time of 36 month reports
(bench/sync_bench.py). Reference counting still frees everything as usual; only cycles wait
until the batch ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0  # threads inside paused_gc()
_was_enabled = True  # the collector's state when the first of them came in


@contextmanager
def paused_gc() -> Iterator[None]:
    """The collector stays off while any thread is inside; the last one out turns it back
    on (only if it was on when the first came in)."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()

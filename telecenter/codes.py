"""Short random codes people type and read aloud (participant cards, certificates)."""

from __future__ import annotations

import secrets
from collections.abc import Callable

# No 0/O, 1/I/L, 2/Z, 5/S or 8/B: nothing that a tired eye mixes up.
ALPHABET = "ACDEFHJKMNPRTUVWXY34679"


def new_code(length: int, is_taken: Callable[[str], bool]) -> str:
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(length))
        if not is_taken(code):
            return code

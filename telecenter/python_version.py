"""Python 3.11 before 3.11.8: allowed, with a warning unless the distribution patches it.

Debian 12 ships 3.11.2 and backports security fixes into it, so refusing old patch levels
would refuse the supported platform. A self-built or pyenv Python below 3.11.8 has no such
backports (3.11.8 fixed, among others, CVE-2023-6597 in tempfile and CVE-2024-0450 in
zipfile): it still runs, but `make install` and every start say so.

No imports from the package: `make install` runs this file directly, before installing.
"""

from __future__ import annotations

import logging
import sys

FIRST_PATCHED = (3, 11, 8)
DISTRIBUTION_PREFIX = "/usr"  # apt, dnf and the like install Python here; pyenv/source do not


def old_patch_warning(version: tuple[int, ...], base_prefix: str) -> str | None:
    """The warning for this interpreter, or None when it is recent or a distribution build."""
    if tuple(version[:3]) >= FIRST_PATCHED or base_prefix == DISTRIBUTION_PREFIX:
        return None
    found = ".".join(str(part) for part in version[:3])
    return (
        f"Python {found} at {base_prefix} is older than 3.11.8 and is not a distribution "
        "build with security backports: install Python 3.11.8 or newer (or the system "
        "python3.11 package) for this server."
    )


def warn_if_old(log: logging.Logger) -> None:
    message = old_patch_warning(sys.version_info[:3], sys.base_prefix)
    if message:
        log.warning(message)


if __name__ == "__main__":
    message = old_patch_warning(sys.version_info[:3], sys.base_prefix)
    if message:
        print(f"WARNING: {message}", file=sys.stderr)

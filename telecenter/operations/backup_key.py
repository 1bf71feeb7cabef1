"""The backup key: a secret kept beside the instance (instance/backup_key, 0600) that signs
every backup (HMAC-SHA256 of its manifest, which holds the checksum of every file in it).

A restore believes only a backup signed with this key, or with a key the admin types: the one
written on paper at install, for a backup made on a PC that was lost. The key is shown in
groups of four letters (`telecenter backup-key show`) so that it can be copied by hand; when
typed back, case, spaces and dashes do not matter, and 0, 1 and 8 are read as O, I and B.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from flask_babel import gettext as _

KEY_FILE = "backup_key"
KEY_BYTES = 20  # 160 bits: 32 letters on paper
_LOOKALIKES = str.maketrans({"0": "O", "1": "I", "8": "B"})


class InvalidKey(ValueError):
    """Text that is not a backup key."""


def format_key(raw: bytes) -> str:
    letters = base64.b32encode(raw).decode("ascii").rstrip("=")
    return "-".join(letters[i : i + 4] for i in range(0, len(letters), 4))


def parse_key(text: str) -> bytes:
    """The key's bytes from what someone typed or the key file holds."""
    letters = "".join(ch for ch in text.upper() if ch.isalnum()).translate(_LOOKALIKES)
    if len(letters) != 32:
        raise InvalidKey(_("La clave de copias tiene 32 letras y números (8 grupos de 4)."))
    try:
        return base64.b32decode(letters)
    except ValueError:
        raise InvalidKey(
            _("La clave de copias solo tiene letras de la A a la Z y números del 2 al 7.")
        ) from None


def key_path(instance_path: str | Path) -> Path:
    return Path(instance_path) / KEY_FILE


def load_or_create(instance_path: str | Path) -> bytes:
    """This instance's key, created once (0600, readable by the service account only); safe
    when several processes race."""
    path = key_path(instance_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return parse_key(path.read_text(encoding="ascii"))
    raw = secrets.token_bytes(KEY_BYTES)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(format_key(raw) + "\n")
    return raw


def sign(key: bytes, manifest: bytes) -> str:
    return hmac.new(key, manifest, hashlib.sha256).hexdigest()


def verifies(key: bytes, manifest: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(key, manifest), signature.strip())

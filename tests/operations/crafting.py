"""Crafted backup files, for the tests that prove a restore does not trust one. Written apart
from telecenter/operations so that a test builds the attack itself (tar members, manifest,
SHA-256s and HMAC signature computed here), not with the code it attacks."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import sqlite3
import tarfile
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

APP = "telecenter-site-backup"
DATABASE = "telecenter.sqlite3"


class Zeros(io.RawIOBase):
    """`size` zero bytes, never held in memory (they compress to almost nothing)."""

    def __init__(self, size: int) -> None:
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = min(len(buffer), self.left)
        buffer[:count] = b"\0" * count
        self.left -= count
        return count


@dataclass
class Member:
    """One tar member as the attacker writes it."""

    name: str
    data: bytes = b""
    #: Zero bytes to write instead of `data` (a bomb), when set.
    zeros: int | None = None
    kind: bytes = tarfile.REGTYPE
    linkname: str = ""
    #: Extended (pax) header fields, which tar readers hold in memory.
    pax: dict[str, str] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return self.zeros if self.zeros is not None else len(self.data)

    def add_to(self, archive: tarfile.TarFile) -> None:
        info = tarfile.TarInfo(self.name)
        info.type = self.kind
        info.linkname = self.linkname
        info.mode = 0o644
        info.pax_headers = self.pax
        if self.kind != tarfile.REGTYPE:
            archive.addfile(info)
            return
        info.size = self.size
        source = Zeros(self.zeros) if self.zeros is not None else io.BytesIO(self.data)
        archive.addfile(info, source)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def zeros_sha256(size: int) -> str:
    digest = hashlib.sha256()
    chunk = b"\0" * (1 << 20)
    while size > 0:
        digest.update(chunk[: min(size, len(chunk))])
        size -= len(chunk)
    return digest.hexdigest()


def declared(members: list[Member]) -> list[dict]:
    """The manifest's file list, honest about these members."""
    return [
        {
            "name": m.name,
            "size": m.size,
            "sha256": zeros_sha256(m.zeros) if m.zeros is not None else sha256(m.data),
        }
        for m in members
        if m.kind == tarfile.REGTYPE
    ]


@dataclass
class Craft:
    telecenter: str
    members: list[Member]
    #: The signing key (bytes); None writes no signature member at all.
    key: bytes | None
    #: The manifest's file list; None: honest about the members.
    files: list[dict] | None = None
    extra: dict = field(default_factory=dict)
    manifest_last: bool = False

    def manifest_bytes(self) -> bytes:
        manifest = {
            "app": APP,
            "format": 2,
            "telecenter": self.telecenter,
            "created_at": "2026-11-29T17:00:00+00:00",
            "files": self.files if self.files is not None else declared(self.members),
            **self.extra,
        }
        return json.dumps(manifest).encode()

    def write(self, target: Path) -> Path:
        data = self.manifest_bytes()
        head = [Member("manifest.json", data)]
        if self.key is not None:
            signature = hmac.new(self.key, data, hashlib.sha256).hexdigest().encode()
            head.append(Member("manifest.sig", signature))
        ordered = [*self.members, *head] if self.manifest_last else [*head, *self.members]
        with tarfile.open(target, "w:gz", format=tarfile.PAX_FORMAT) as archive:
            for member in ordered:
                member.add_to(archive)
        return target


def database_of(backup: Path) -> bytes:
    """The database inside a real backup made by the program."""
    with tarfile.open(backup) as archive:
        handle = archive.extractfile(DATABASE)
        assert handle is not None
        return handle.read()


def changed_database(backup: Path, scratch: Path, change: Callable[[sqlite3.Connection], None]):
    """The backup's database after `change` ran on it (the attacker's SQL), as bytes."""
    path = scratch / "crafted.sqlite3"
    path.write_bytes(database_of(backup))
    with closing(sqlite3.connect(path)) as connection:
        change(connection)
        connection.commit()
    return path.read_bytes()


def bytes_written() -> int:
    """Bytes this process has passed to write() so far (Linux), whatever the file system."""
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("wchar:"):
            return int(line.split()[1])
    raise AssertionError("no wchar in /proc/self/io")

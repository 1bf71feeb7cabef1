"""The backup file itself: a .tar.gz whose first member is the manifest (what the backup is and
every file in it, with its size and SHA-256), whose second is the manifest's signature, then the
files. Reading it trusts nothing before it is checked: the manifest is read and checked first
(see `open_checked`), and the files are then written only as the manifest declares them, with a
running count of bytes that stops at the declared size and at the settings' limits.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import shutil
import tarfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from flask_babel import gettext as _

APP = "telecenter-site-backup"
FORMAT = 2
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
DATABASE = "telecenter.sqlite3"
MEDIA = "media"
MANIFEST_MAX_BYTES = 4 * 1024 * 1024
#: Tar headers and padding around each file, on top of the files' own bytes.
PER_FILE_OVERHEAD = 3 * 512
CHUNK = 1 << 20


class ArchiveError(RuntimeError):
    """A file that is not a backup this program may read; the message says why."""


@dataclass(frozen=True)
class Entry:
    name: str  # inside the archive: telecenter.sqlite3 or media/...
    size: int
    sha256: str


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_files: int


# --- Writing ----------------------------------------------------------------------------------


def _hash(path: Path) -> Entry:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
    return Entry("", size, digest.hexdigest())


def media_files(media: Path) -> list[tuple[str, Path]]:
    """Regular files under the media folder (links are not followed), as archive names."""
    if not media.is_dir():
        return []
    found = []
    for path in sorted(media.rglob("*")):
        if path.is_file() and not path.is_symlink():
            found.append((f"{MEDIA}/{path.relative_to(media).as_posix()}", path))
    return found


def write(
    target: Path,
    *,
    header: dict,
    files: list[tuple[str, Path]],
    signer: Callable[[bytes], str],
    limits: Limits,
) -> None:
    """Write a signed backup of these files (the database first) to target."""
    entries = []
    for name, path in files:
        hashed = _hash(path)
        entries.append(Entry(name, hashed.size, hashed.sha256))
    _within(entries, limits)
    manifest = {
        **header,
        "app": APP,
        "format": FORMAT,
        "files": [{"name": e.name, "size": e.size, "sha256": e.sha256} for e in entries],
    }
    data = json.dumps(manifest, indent=1).encode()
    with tarfile.open(target, "w:gz") as archive:
        _add_bytes(archive, MANIFEST, data)
        _add_bytes(archive, SIGNATURE, signer(data).encode())
        for entry, (_name, path) in zip(entries, files, strict=True):
            info = tarfile.TarInfo(entry.name)
            info.size = entry.size
            info.mode = 0o644
            with open(path, "rb") as handle:
                archive.addfile(info, handle)


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    archive.addfile(info, io.BytesIO(data))


# --- Reading ----------------------------------------------------------------------------------


class _Bounded(io.RawIOBase):
    """The uncompressed stream, refusing to give more than `limit` bytes in all: headers
    included, so no part of the file can make the reader work past the bound."""

    def __init__(self, raw: io.BufferedIOBase, limit: int) -> None:
        self.raw, self.limit, self.read_so_far = raw, limit, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        room = self.limit - self.read_so_far
        if room <= 0:
            raise ArchiveError(_("La copia es más grande de lo que dice su contenido."))
        data = self.raw.read(min(len(buffer), room))
        buffer[: len(data)] = data
        self.read_so_far += len(data)
        return len(data)


@dataclass
class Opened:
    """A backup whose manifest has been read, not yet checked; nothing written yet."""

    manifest: dict
    manifest_bytes: bytes
    signature: str
    archive: tarfile.TarFile
    stream: _Bounded

    def entries(self) -> list[Entry]:
        return _entries(self.manifest)


def _damaged() -> ArchiveError:
    return ArchiveError(_("El archivo está dañado o no es una copia de seguridad."))


def _not_ours() -> ArchiveError:
    return ArchiveError(_("El archivo no es una copia de seguridad de Telecentro."))


@contextmanager
def opened(path: Path) -> Iterator[Opened]:
    """Read the manifest and its signature, the first two members, and nothing more."""
    try:
        with gzip.open(path, "rb") as raw:
            stream = _Bounded(raw, 2 * (MANIFEST_MAX_BYTES + PER_FILE_OVERHEAD))
            with tarfile.open(fileobj=stream, mode="r|") as archive:
                manifest_bytes = _small_member(archive, MANIFEST)
                signature = _small_member(archive, SIGNATURE, optional=True)
                try:
                    manifest = json.loads(manifest_bytes)
                except ValueError:
                    raise _not_ours() from None
                if not isinstance(manifest, dict) or manifest.get("app") != APP:
                    raise _not_ours()
                yield Opened(
                    manifest, manifest_bytes, signature.decode("ascii", "replace"), archive, stream
                )
    except (tarfile.TarError, OSError, EOFError, zlib.error):
        raise _damaged() from None


def _small_member(archive: tarfile.TarFile, name: str, *, optional: bool = False) -> bytes:
    """The next member's bytes, which must be `name` (when optional and another member comes
    instead, b"": the caller refuses, and that member's data is never read)."""
    member = archive.next()
    if member is None or member.name != name or not member.isfile():
        if optional:
            return b""
        raise _not_ours()
    if member.size > MANIFEST_MAX_BYTES:
        raise _not_ours()
    handle = archive.extractfile(member)
    if handle is None:
        raise _not_ours()
    return handle.read()


def _safe_name(name: object) -> str:
    if not isinstance(name, str) or "\\" in name or "\0" in name:
        raise ArchiveError(_("El archivo tiene rutas no permitidas."))
    parts = PurePosixPath(name).parts
    if (
        name.startswith("/")
        or not parts
        or any(part in ("..", ".", "") for part in parts)
        or PurePosixPath(*parts).as_posix() != name
        or not (name == DATABASE or (parts[0] == MEDIA and len(parts) > 1))
    ):
        raise ArchiveError(_("El archivo tiene rutas no permitidas."))
    return name


def _entries(manifest: dict) -> list[Entry]:
    files = manifest.get("files")
    if not isinstance(files, list):
        raise _not_ours()
    entries, seen = [], set()
    for item in files:
        if not isinstance(item, dict):
            raise _not_ours()
        name, size, digest = _safe_name(item.get("name")), item.get("size"), item.get("sha256")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise _not_ours()
        if not isinstance(digest, str) or len(digest) != 64:
            raise _not_ours()
        if name in seen:
            raise ArchiveError(_("El archivo tiene nombres repetidos."))
        seen.add(name)
        entries.append(Entry(name, size, digest))
    if DATABASE not in seen:
        raise _not_ours()
    return entries


def _within(entries: list[Entry], limits: Limits) -> None:
    if len(entries) > limits.max_files:
        raise ArchiveError(
            _(
                "La copia tiene %(count)d archivos; el límite es %(limit)d (BACKUP_MAX_FILES).",
                count=len(entries),
                limit=limits.max_files,
            )
        )
    total = sum(e.size for e in entries)
    if total > limits.max_bytes:
        raise ArchiveError(
            _(
                "La copia ocupa %(size)s MB; el límite es %(limit)s MB (BACKUP_MAX_BYTES).",
                size=total // (1024 * 1024),
                limit=limits.max_bytes // (1024 * 1024),
            )
        )


def extract(opened: Opened, into: Path, limits: Limits) -> list[Entry]:
    """Write the declared files into `into`, each exactly as declared (name, size, checksum),
    refusing anything else; call only after the manifest and its signature are checked."""
    entries = opened.entries()
    _within(entries, limits)
    total = sum(e.size for e in entries)
    if shutil.disk_usage(into).free < total:
        raise ArchiveError(_("No hay espacio suficiente en el disco para revisar la copia."))
    opened.stream.limit = (
        opened.stream.read_so_far + total + PER_FILE_OVERHEAD * (len(entries) + 2) + 10240
    )
    declared = {e.name: e for e in entries}
    done: set[str] = set()
    try:
        while (member := opened.archive.next()) is not None:
            name = _safe_name(member.name)
            if not member.isfile():
                raise ArchiveError(_("El archivo tiene enlaces o tipos de archivo no permitidos."))
            if name in done:
                raise ArchiveError(_("El archivo tiene nombres repetidos."))
            entry = declared.get(name)
            if entry is None:
                raise ArchiveError(_("El archivo tiene archivos que su contenido no declara."))
            if member.size != entry.size:
                raise ArchiveError(_("El archivo tiene un tamaño distinto del declarado."))
            _write_member(opened.archive, member, into / name, entry)
            done.add(name)
    except (tarfile.TarError, OSError, EOFError, zlib.error):
        raise _damaged() from None
    if done != set(declared):
        raise ArchiveError(_("Faltan archivos en la copia: está incompleta."))
    return entries


def _write_member(archive: tarfile.TarFile, member: tarfile.TarInfo, target: Path, entry: Entry):
    source = archive.extractfile(member)
    if source is None:
        raise _damaged()
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, written = hashlib.sha256(), 0
    with open(target, "xb") as out:
        while chunk := source.read(min(CHUNK, entry.size - written + 1)):
            written += len(chunk)
            if written > entry.size:
                raise ArchiveError(_("El archivo tiene un tamaño distinto del declarado."))
            digest.update(chunk)
            out.write(chunk)
    if written != entry.size or digest.hexdigest() != entry.sha256:
        raise ArchiveError(
            _("Un archivo de la copia no coincide con su huella: la copia está dañada.")
        )

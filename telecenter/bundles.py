"""USB bundles: what a site and central carry to each other on a stick when the link is down.

A bundle is a zip (`.tcbundle`) holding `bundle.json` and `bundle.sig`, the hex HMAC-SHA256 of
the exact bytes of `bundle.json` keyed with SHA-256 of the telecenter's token as hex text: the
site knows its token, and central stores exactly that hash (`telecenters.token_hash`), so
either side can check the other's bundle without central keeping the token. The trade-off:
someone holding central's database could forge a bundle for a site, as they could read every
figure anyway. Files beside the two (packs, added later as `files/<sha256>`) are not signed
here: each is checked against a SHA-256 the signed `bundle.json` names.

This module is shared by both sides (telecenter.sync.usb, telecenter.central.usb); it knows
the envelope only, never what the bundle's parts mean.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import zipfile
from dataclasses import dataclass
from typing import IO

from flask_babel import lazy_gettext as _l

from telecenter.domain_errors import DomainError

SUFFIX = ".tcbundle"
DATA = "bundle.json"
SIGNATURE = "bundle.sig"
REPORTS = "telecenter-report-bundle"
NETWORK = "telecenter-network-bundle"
VERSION = 1
#: bundle.json at most (central's bound for a request's uncompressed body).
MAX_DATA_BYTES = 16 * 1024 * 1024
_SIGNATURE_CHARS = 64


class BundleRefused(DomainError):
    """The file cannot be taken: nothing is changed, the reason is in plain words."""

    def __init__(self, reason: object):
        super().__init__(str(reason))  # a lazy text, put in the reader's language now


def signing_key(token: str) -> str:
    """SHA-256 of the token as hex text: the key on both sides (central stores exactly it)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def signature(key: str, data: bytes) -> str:
    return hmac.new(key.encode("ascii"), data, hashlib.sha256).hexdigest()


def is_signed_by(key: str, data: bytes, sig: str) -> bool:
    return hmac.compare_digest(signature(key, data), sig)


def write(content: dict, key: str) -> bytes:
    """The bundle file: `content` as bundle.json and its signature."""
    data = json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(DATA, data)
        archive.writestr(SIGNATURE, signature(key, data))
    return buffer.getvalue()


NOT_A_BUNDLE = _l(
    "Ese archivo no es un archivo de Telecentro para USB (los que terminan en «.tcbundle»), o "
    "llegó dañado. Vuelva a copiarlo desde la memoria USB."
)

TOO_BIG = _l("El archivo es demasiado grande para ser un archivo de Telecentro para USB.")
BAD_SIGNATURE = _l(
    "La firma del archivo no corresponde a la clave de este telecentro: el archivo fue "
    "cambiado después de guardarlo, o se guardó con otra clave (una clave anterior). No se "
    "cambió nada."
)


@dataclass(frozen=True)
class Opened:
    """bundle.json's exact bytes and the signature beside them, not yet checked."""

    data: bytes
    signature: str


def open_file(stream: IO[bytes]) -> Opened:
    """Read the two parts of a bundle (any other entries are left unread), bounded: a zip
    that claims or unpacks to more than MAX_DATA_BYTES is refused before it fills memory."""
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            if not {DATA, SIGNATURE} <= names:
                raise BundleRefused(NOT_A_BUNDLE)
            if archive.getinfo(DATA).file_size > MAX_DATA_BYTES:
                raise BundleRefused(TOO_BIG)
            with archive.open(DATA) as part:
                data = part.read(MAX_DATA_BYTES + 1)
            with archive.open(SIGNATURE) as part:
                sig = part.read(_SIGNATURE_CHARS + 2)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError):
        raise BundleRefused(NOT_A_BUNDLE) from None
    if len(data) > MAX_DATA_BYTES:
        raise BundleRefused(TOO_BIG)
    text = sig.decode("ascii", errors="replace").strip()
    if len(text) != _SIGNATURE_CHARS or any(c not in "0123456789abcdef" for c in text):
        raise BundleRefused(BAD_SIGNATURE)
    return Opened(data, text)


def check_header(content: object, kind: str) -> dict:
    """bundle.json's envelope: an object of this kind and version naming a telecenter code."""
    if not isinstance(content, dict) or content.get("format") not in (REPORTS, NETWORK):
        raise BundleRefused(NOT_A_BUNDLE)
    if content["format"] != kind:
        raise BundleRefused(WRONG_KIND[kind])
    if content.get("version") != VERSION:
        raise BundleRefused(
            _l(
                "Este archivo se hizo con otra versión de Telecentro (formato %(version)s) y "
                "no se puede leer aquí. Actualice el programa o pida un archivo nuevo.",
                version=str(content.get("version"))[:20],
            )
        )
    if not isinstance(content.get("telecenter"), str) or not content["telecenter"]:
        raise BundleRefused(NOT_A_BUNDLE)
    return content


WRONG_KIND = {
    REPORTS: _l(
        "Este archivo es de la oficina central para un telecentro (ajustes y recibos), no de "
        "informes de un telecentro. Se carga en el telecentro, en la página de sincronización."
    ),
    NETWORK: _l(
        "Este archivo tiene informes de un telecentro para la oficina central, no es un "
        "archivo de la oficina central. Se entrega en la oficina central."
    ),
}

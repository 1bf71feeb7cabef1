"""The connection to central: its address and this telecenter's token, entered once on the sync
page, or set by the server's settings (`CENTRAL_URL`, `SYNC_TOKEN`), which win when set.

`effective()` is the one answer to "where is central and what is our token": the sync job,
"Sincronizar ahora", `telecenter sync` and the page all ask it, on every run, so a connection
saved in the browser is used at once, without a restart.

The token is stored as given (the site must present it; a hash could not be sent). It never
leaves this module towards a page, a log line or the audit log: the page learns only that one is
saved, and when.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from telecenter import audit
from telecenter.auth.models import User
from telecenter.clock import utcnow
from telecenter.domain_errors import DomainError
from telecenter.sync import client
from telecenter.sync.models import CentralConnection

ROW_ID = 1
MAX_URL = 300
MAX_TOKEN = 200
#: Shown on the sync page, and flashed by "Sincronizar ahora", while nothing is connected.
NOT_CONNECTED = _l(
    "Este telecentro todavía no está conectado con la oficina central. Escriba abajo, en "
    "«Conexión con la oficina central», la dirección y la clave que le dio la oficina central."
)


class InvalidConnection(DomainError):
    """A bad address or token: nothing is saved."""


@dataclass(frozen=True)
class Connection:
    """The connection in force, and where each half comes from."""

    central_url: str
    token: str = field(repr=False)
    url_from_server: bool = False
    token_from_server: bool = False
    #: When the token now saved on the page was saved (None: none saved, or the server's).
    token_saved_at: datetime | None = None

    @property
    def configured(self) -> bool:
        return bool(self.central_url and self.token)

    @property
    def from_server(self) -> bool:
        """Both halves come from the server's settings: the page can only test them."""
        return self.url_from_server and self.token_from_server

    def settings(self, telecenter: str, instance_path: str = "") -> client.Settings:
        return client.Settings(
            central_url=self.central_url,
            token=self.token,
            telecenter=telecenter,
            instance_path=instance_path,
        )


def effective(session: Session, config: Mapping) -> Connection:
    """The connection to use now: each half from the server's settings when set there, else
    what was saved on the page."""
    row = session.get(CentralConnection, ROW_ID)
    server_url = str(config.get("CENTRAL_URL") or "")
    server_token = str(config.get("SYNC_TOKEN") or "")
    saved_token = row.token if row is not None else ""
    return Connection(
        central_url=server_url or (row.central_url if row is not None else ""),
        token=server_token or saved_token,
        url_from_server=bool(server_url),
        token_from_server=bool(server_token),
        token_saved_at=(
            row.token_saved_at if row is not None and saved_token and not server_token else None
        ),
    )


def check_address(raw: str) -> str:
    """The address normalised (scheme and host in lower case, no trailing slash), or
    InvalidConnection with a plain reason."""
    text = (raw or "").strip()
    if not text:
        raise InvalidConnection({"central_url": _l("Escriba la dirección de la oficina central.")})
    problem = _l(
        "Escriba la dirección completa de la oficina central, empezando con https:// o "
        "http://, por ejemplo https://central.ejemplo.org"
    )
    if len(text) > MAX_URL or any(c.isspace() for c in text):
        raise InvalidConnection({"central_url": problem})
    parts = urlsplit(text)
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number from 0 to 65535
    except ValueError:
        raise InvalidConnection({"central_url": problem}) from None
    if (
        parts.scheme.lower() not in ("http", "https")
        or not parts.hostname
        or parts.username is not None  # a password in the address would be shown and audited
        or parts.query
        or parts.fragment
    ):
        raise InvalidConnection({"central_url": problem})
    host = parts.netloc.lower()
    return f"{parts.scheme.lower()}://{host}{parts.path}".rstrip("/")


def check_token(raw: str) -> str:
    token = (raw or "").strip()
    if len(token) > MAX_TOKEN or any(c.isspace() or not c.isprintable() for c in token):
        raise InvalidConnection(
            {"token": _l("Esa no parece una clave: copie la clave completa, sin espacios.")}
        )
    return token


def candidate(current: Connection, *, central_url: str, token: str) -> Connection:
    """What the page's form describes: the typed halves over the connection in force (a half
    set by the server cannot be typed over; an empty token means the saved one)."""
    url = current.central_url if current.url_from_server else check_address(central_url)
    typed = "" if current.token_from_server else check_token(token)
    return Connection(
        central_url=url,
        token=typed or current.token,
        url_from_server=current.url_from_server,
        token_from_server=current.token_from_server,
        token_saved_at=None if typed else current.token_saved_at,
    )


def probe(
    session: Session, config: Mapping, *, central_url: str, token: str, transport=None
) -> client.Probe:
    """ "Probar conexión" for what the form holds, before (or without) saving it."""
    wanted = candidate(effective(session, config), central_url=central_url, token=token)
    if not wanted.token:
        raise InvalidConnection({"token": _l("Escriba la clave del telecentro.")})
    return client.probe(wanted.settings(str(config["TELECENTER_CODE"])), transport=transport)


def save(
    session: Session, config: Mapping, *, central_url: str, token: str, actor: User | None
) -> Connection:
    """Store the address and, when one is typed, a new token; checked first, so a bad input
    changes nothing. Audited with the address, never the token."""
    current = effective(session, config)
    if current.from_server:
        raise InvalidConnection(
            {
                "": _l(
                    "La dirección y la clave vienen de la configuración del servidor; para "
                    "cambiarlas hay que cambiar esa configuración."
                )
            }
        )
    wanted = candidate(current, central_url=central_url, token=token)
    new_token = "" if current.token_from_server else check_token(token)
    if not current.token_from_server and not new_token and not current.token:
        raise InvalidConnection({"token": _l("Escriba la clave del telecentro.")})
    row = session.get(CentralConnection, ROW_ID)
    if row is None:
        row = CentralConnection(id=ROW_ID, central_url="", token="")
        session.add(row)
    changes = []
    if not current.url_from_server and row.central_url != wanted.central_url:
        row.central_url = wanted.central_url
        changes.append(f"address {wanted.central_url}")
    if new_token and new_token != row.token:
        row.token, row.token_saved_at = new_token, utcnow()
        changes.append("token replaced")
    if changes:
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="sync.connection",
            subject_type="sync_connection",
            subject_id=ROW_ID,
            detail="; ".join(changes),
        )
    return effective(session, config)

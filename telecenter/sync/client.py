"""Sending the outbox to central: gzip JSON over HTTP, retried with backoff until acknowledged.

Network errors and 5xx answers are retried later (exponential backoff with jitter, up to an
hour); a 4xx answer is not retried blindly: the month is marked refused with a plain-language
reason for the admin, and is tried again when its data changes or when the admin asks.

Every request names the network settings version the site has, and every answer brings
central's settings (or "unchanged"): new counting rules are stored in the same write as the
acknowledgements and queue every month again (telecenter.sync.network_settings).
"""

from __future__ import annotations

import gzip
import json
import logging
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from telecenter import file_lock, month_report
from telecenter.clock import to_lima, utcnow
from telecenter.database import writing
from telecenter.sync import network_settings, outbox
from telecenter.sync.models import OutboxMonth

if TYPE_CHECKING:
    # Imported where a request is made: httpx (and the rich and pygments of its command line)
    # is 180 modules and 3 MiB that a web worker showing pages never needs.
    import httpx

log = logging.getLogger(__name__)
BATCH = 12
MAX_BACKOFF = timedelta(hours=1)
LOCK_FILE = "sync.lock"


@dataclass(frozen=True)
class Settings:
    central_url: str
    token: str = field(repr=False)  # never in a log line or a traceback
    telecenter: str
    instance_path: str = ""
    timeout: float = 30.0


@dataclass
class SendResult:
    sent: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    busy: bool = False
    not_configured: bool = False
    #: Central sent new counting rules: every month is queued again (tasks.sync_now sends them).
    new_rules: bool = False

    def followed_by(self, later: SendResult) -> SendResult:
        """This run and the sending that followed it, as one result."""
        return SendResult(
            sent=self.sent + later.sent,
            refused=self.refused + later.refused,
            failed=self.failed + later.failed,
            busy=self.busy or later.busy,
            not_configured=self.not_configured,
            new_rules=later.new_rules,
        )


@contextmanager
def sending_lock(instance_path: str) -> Iterator[bool]:
    """Only one sender at a time per site (scheduler, `telecenter sync`, "Sincronizar ahora")."""
    with file_lock.exclusive(Path(instance_path) / LOCK_FILE) as taken:
        yield taken


def backoff(attempts: int) -> timedelta:
    base = min(MAX_BACKOFF, timedelta(minutes=2 ** max(attempts - 1, 0)))
    return base * random.uniform(0.5, 1.0)  # noqa: S311 - jitter, not security


def due_months(session: Session, *, force: bool) -> list[OutboxMonth]:
    states = ("pending", "refused") if force else ("pending",)
    query = sa.select(OutboxMonth).where(OutboxMonth.state.in_(states))
    if not force:
        query = query.where(
            sa.or_(OutboxMonth.next_attempt_at.is_(None), OutboxMonth.next_attempt_at <= utcnow())
        )
    return list(session.scalars(query.order_by(OutboxMonth.month)))


def request_body(telecenter: str, payloads: list[dict], known: str | None) -> dict:
    """The JSON body of `POST /api/v1/sync/reports`: what the network sends and what a USB
    bundle carries (telecenter.sync.usb), so central takes both the same way."""
    # The reports' own schema (REPORT_SCHEMA may hold a site at 1); central reads each report's.
    schema = max((p["schema"] for p in payloads), default=month_report.SCHEMA)
    request: dict = {"schema": schema, "telecenter": telecenter}
    if known is not None:
        request["settings_version"] = known
    return {**request, "reports": [month_report.for_the_wire(p) for p in payloads]}


def _post(settings: Settings, payloads: list[dict], transport, known: str | None) -> httpx.Response:
    body = gzip.compress(
        json.dumps(
            request_body(settings.telecenter, payloads, known), separators=(",", ":")
        ).encode()
    )
    import httpx

    with httpx.Client(transport=transport, timeout=settings.timeout) as http:
        return http.post(
            settings.central_url.rstrip("/") + "/api/v1/sync/reports",
            content=body,
            headers={
                "Authorization": f"Bearer {settings.token}",
                "Content-Type": "application/json",
                "Content-Encoding": "gzip",
            },
        )


CLOCK_WRONG = _l(
    "La fecha y hora de esta computadora están mal: la oficina central tiene otra fecha "
    "(%(central)s). Corrija la fecha y la hora de la computadora y luego pulse "
    "«Sincronizar ahora»."
)
STALE = _l(
    "La oficina central ya tiene datos más nuevos de este mes, con una fecha posterior. "
    "Puede que la fecha y hora de esta computadora estén mal: revíselas y luego pulse "
    "«Sincronizar ahora»."
)


def _explain(response: httpx.Response, settings: Settings) -> str:
    body = _answer(response)
    reason = str(body.get("reason", ""))
    if body.get("error") == "clock_ahead":
        return str(CLOCK_WRONG) % {"central": _central_time(body.get("central_time"))}
    if response.status_code == 401:
        return _(
            "La oficina central no reconoce la clave de este telecentro. Revise que la copió "
            "completa, o pida una clave nueva a la oficina central."
        )
    if response.status_code == 403:
        return _(
            "La clave no corresponde al código de este telecentro (%(code)s).",
            code=settings.telecenter,
        )
    return _(
        "La oficina central rechazó el envío (%(status)d): %(reason)s",
        status=response.status_code,
        reason=reason[:300],
    )


def _central_time(text: object) -> str:
    moment = month_report.parse_generated_at(text)
    return to_lima(moment).strftime("%Y-%m-%d %H:%M") if moment else "?"


@dataclass(frozen=True)
class Outcome:
    """What central answered to one batch (or that it could not be reached)."""

    status: int | None  # None: no answer
    acknowledged: frozenset[str] = frozenset()
    message: str = ""
    #: Months central acknowledged as "stale": it keeps a newer report than the one sent.
    stale: frozenset[str] = frozenset()
    #: Central's network settings, "unchanged", or None (not in the answer).
    network_settings: object = None


def exchange(
    settings: Settings, payloads: list[dict], transport=None, known: str | None = None
) -> Outcome:
    """One request to central; no database work, so no lock is held while it travels.
    `known`: the network settings version the site has."""
    import httpx

    try:
        response = _post(settings, payloads, transport, known)
    except httpx.HTTPError as error:
        return Outcome(
            None,
            message=_(
                "No hay conexión con la oficina central (%(error)s). Se volverá a intentar.",
                error=type(error).__name__,
            ),
        )
    if response.status_code >= 500:
        return Outcome(
            response.status_code,
            message=_(
                "La oficina central tuvo un problema (%(status)d). Se volverá a intentar.",
                status=response.status_code,
            ),
        )
    if response.status_code >= 400:
        return Outcome(response.status_code, message=_explain(response, settings))
    try:
        answer = response.json()
        acks = answer.get("acknowledged", [])
        acknowledged = frozenset(a["month"] for a in acks)
        stale = frozenset(a["month"] for a in acks if a.get("status") == "stale")
    except (ValueError, TypeError, KeyError, AttributeError):
        return Outcome(
            None,
            message=_(
                "La oficina central respondió algo que no se entiende. Se volverá a intentar."
            ),
        )
    return Outcome(
        response.status_code,
        acknowledged,
        stale=stale,
        network_settings=answer.get("settings"),
    )


def take_settings(session: Session, answer: object, result: SendResult) -> None:
    """Apply central's settings (inside the caller's write); new rules queue every month."""
    if network_settings.apply(session, answer):
        outbox.resend_all(session)
        result.new_rules = True


def ask_settings(settings: Settings, known: str | None, transport=None) -> object:
    """`GET /api/v1/sync/settings` for a site with nothing to send: the settings, "unchanged",
    or None when central could not be asked (tried again next run)."""
    import httpx

    try:
        with httpx.Client(transport=transport, timeout=settings.timeout) as http:
            response = http.get(
                settings.central_url.rstrip("/") + "/api/v1/sync/settings",
                params={} if known is None else {"settings_version": known},
                headers={"Authorization": f"Bearer {settings.token}"},
            )
    except httpx.HTTPError as error:
        log.info("sync: could not ask central for its settings (%s)", type(error).__name__)
        return None
    if response.status_code != 200:
        log.info("sync: central answered %d to the settings request", response.status_code)
        return None
    return _answer(response).get("settings")


def record(
    session: Session, sent: dict[str, str], outcome: Outcome, result: SendResult, now
) -> None:
    """Write what central answered for the months sent ({month: digest sent}). Months whose
    data changed while the request travelled are acknowledged for what was sent and stay
    pending for the rest. A month central called stale is never marked sent: central keeps
    other counts for it, so it is refused with the clock message until sent again."""
    rows = session.scalars(sa.select(OutboxMonth).where(OutboxMonth.month.in_(sent))).all()
    for row in sorted(rows, key=lambda r: r.month):
        row.last_attempt_at = now
        if outcome.status is None or outcome.status >= 500:
            row.attempts += 1
            row.next_attempt_at = now + backoff(row.attempts)
            row.last_error = outcome.message
            result.failed.append(row.month)
        elif outcome.status >= 400:
            row.state, row.last_error = "refused", outcome.message
            result.refused.append(row.month)
        elif row.month in outcome.stale:
            row.state, row.last_error = "refused", str(STALE)
            result.refused.append(row.month)
        elif row.month in outcome.acknowledged:
            row.sent_digest, row.sent_at, row.attempts = sent[row.month], now, 0
            row.last_error, row.next_attempt_at = None, None
            row.state = "sent" if row.digest == row.sent_digest else "pending"
            result.sent.append(row.month)


def to_send(row: OutboxMonth) -> dict:
    """The report to send. A refused month sent again carries the time of sending: its old
    time may be one central turned away (a clock set ahead) or older than what central keeps
    (stale), and its counts are unchanged since (a change would have queued a new report)."""
    if row.state != "refused":
        return row.payload
    return {**row.payload, "generated_at": month_report.stamp(utcnow())}


def send_pending(
    session: Session,
    settings: Settings,
    *,
    force: bool = False,
    transport=None,
    ask_when_idle: bool = True,
) -> SendResult:
    """Send due months in batches. Each batch travels with no transaction open, then its
    answer is written in one short write, so progress survives a crash and the site keeps
    working (and writing) while central takes its time. With nothing due, central is still
    asked for its settings (once; `ask_when_idle`). New rules stop the sending: the months
    still due were counted under the old ones."""
    result = SendResult()
    if not settings.central_url or not settings.token:
        result.not_configured = True
        return result
    with sending_lock(settings.instance_path) as acquired:
        if not acquired:
            result.busy = True
            return result
        due = [(row.month, row.digest, to_send(row)) for row in due_months(session, force=force)]
        known = network_settings.known_version(session)
        session.commit()  # end the read: nothing is held while the requests travel
        for start in range(0, len(due), BATCH):
            batch = due[start : start + BATCH]
            now = utcnow()
            outcome = exchange(settings, [payload for _m, _d, payload in batch], transport, known)
            with writing(session):
                record(
                    session, {month: digest for month, digest, _p in batch}, outcome, result, now
                )
                take_settings(session, outcome.network_settings, result)
                known = network_settings.known_version(session)
            if result.failed or result.new_rules:
                break  # central is unreachable, or the rest must be counted again
        if not due and ask_when_idle:
            answer = ask_settings(settings, known, transport)
            with writing(session):
                take_settings(session, answer, result)
    log.info(
        "sync: sent %d, refused %d, failed %d",
        len(result.sent),
        len(result.refused),
        len(result.failed),
    )
    return result


PROBE_TIMEOUT = 15.0


@dataclass(frozen=True)
class Probe:
    """The answer to "Probar conexión": whether it works, which case it is, in plain words."""

    works: bool
    kind: str  # works, wrong_token, wrong_code, refused, unreachable, timeout, central_error,
    #            moved, not_central
    message: str


def probe(settings: Settings, transport=None, timeout: float = PROBE_TIMEOUT) -> Probe:
    """Ask central who this token belongs to (`GET /api/v1/sync/hello`): one small request
    that proves the address, the network, the token and the telecenter code at once."""
    import httpx

    try:
        with httpx.Client(transport=transport, timeout=timeout) as http:
            response = http.get(
                settings.central_url.rstrip("/") + "/api/v1/sync/hello",
                params={"telecenter": settings.telecenter},
                headers={"Authorization": f"Bearer {settings.token}"},
            )
    except httpx.TimeoutException:
        return Probe(
            False,
            "timeout",
            _(
                "La oficina central no respondió en %(seconds)d segundos. La conexión a "
                "internet puede estar muy lenta; pruebe otra vez más tarde.",
                seconds=int(timeout),
            ),
        )
    except httpx.HTTPError:
        return Probe(
            False,
            "unreachable",
            _(
                "No se pudo llegar a la oficina central. Puede que ahora no haya internet, o "
                "que la dirección esté mal escrita. Pruebe otra vez más tarde."
            ),
        )
    return _judge(response, settings)


def _answer(response: httpx.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _judge(response: httpx.Response, settings: Settings) -> Probe:
    status, body = response.status_code, _answer(response)
    if status >= 500:
        return Probe(
            False,
            "central_error",
            _(
                "La oficina central tuvo un problema (%(status)d). Pruebe otra vez más tarde.",
                status=status,
            ),
        )
    if status == 403 and body.get("telecenter"):
        return Probe(
            False,
            "wrong_code",
            _(
                "La oficina central no acepta el código de este telecentro: esta clave es del "
                "telecentro %(theirs)s, y este telecentro tiene el código %(ours)s. Pida a la "
                "oficina central la clave de %(ours)s.",
                theirs=str(body["telecenter"])[:40],
                ours=settings.telecenter,
            ),
        )
    if status in (404, 405) or (status < 300 and "telecenter" not in body):
        return Probe(
            False,
            "not_central",
            _(
                "En esa dirección no responde una oficina central de Telecentro. "
                "Revise la dirección."
            ),
        )
    if 300 <= status < 400:
        moved_to = str(response.url.join(response.headers.get("Location", "")))
        return Probe(
            False,
            "moved",
            _(
                "La oficina central está en otra dirección: %(location)s. Escriba esa "
                "dirección y pruebe otra vez.",
                location=moved_to.split("/api/v1/")[0][:300],
            ),
        )
    if status >= 400:
        return Probe(
            False, "wrong_token" if status == 401 else "refused", _explain(response, settings)
        )
    name = str(body.get("name") or "")[:160]
    return Probe(
        True,
        "works",
        _(
            "Funciona. La oficina central reconoce a este telecentro: %(name)s (%(code)s).",
            name=name,
            code=str(body["telecenter"])[:40],
        )
        if name
        else _(
            "Funciona. La oficina central reconoce a este telecentro (%(code)s).",
            code=str(body["telecenter"])[:40],
        ),
    )

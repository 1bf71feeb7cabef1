"""USB bundles at the site (telecenter.bundles): the pending month reports to carry to central,
and central's file carried back (network settings and receipts of the months it holds).

The report bundle's `request` is the body the network path posts (client.request_body), so
central takes it through the same function. Writing one changes nothing here: the months stay
pending until central's receipts say it holds them, by the network or by a file loaded below.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from telecenter import bundles, month_report
from telecenter.bundles import BundleRefused
from telecenter.clock import to_lima
from telecenter.sync import client, network_settings, outbox

#: Central takes at most this many reports in one request (ingest.MAX_REPORTS_PER_REQUEST);
#: the oldest go first and a second file carries the rest.
MAX_MONTHS = 120
_DIGEST = re.compile(r"[0-9a-f]{64}")

NO_TOKEN = _l(
    "Para firmar los archivos hace falta la clave de este telecentro. Escríbala abajo, en "
    "«Conexión con la oficina central» (la dirección también, aunque ahora no haya internet)."
)


@dataclass(frozen=True)
class ReportBundle:
    filename: str
    data: bytes
    months: list[str]
    #: Months still pending that did not fit (for a second file).
    left: int


def save_reports(session: Session, settings: client.Settings, now: datetime) -> ReportBundle | None:
    """Queue what changed, then the signed bundle of every month pending or refused (None
    when there is none). Refreshes the outbox in its own short write, as a sync run does."""
    if not settings.token:
        raise BundleRefused(NO_TOKEN)
    outbox.refresh(session, telecenter=settings.telecenter)
    due = client.due_months(session, force=True)
    if not due:
        return None
    rows = due[:MAX_MONTHS]
    known = network_settings.known_version(session)
    content = {
        "format": bundles.REPORTS,
        "version": bundles.VERSION,
        "telecenter": settings.telecenter,
        "created_at": month_report.stamp(now),
        "settings_version": known,
        "request": client.request_body(
            settings.telecenter, [client.to_send(row) for row in rows], known
        ),
    }
    session.commit()  # end the read
    return ReportBundle(
        filename=f"informes-{settings.telecenter}-{to_lima(now):%Y%m%d-%H%M}{bundles.SUFFIX}",
        data=bundles.write(content, bundles.signing_key(settings.token)),
        months=[row.month for row in rows],
        left=len(due) - len(rows),
    )


@dataclass(frozen=True)
class Receipt:
    month: str
    digest: str
    schema: int


@dataclass
class Loaded:
    """What central's file changed here."""

    acknowledged: list[str] = field(default_factory=list)
    #: Months central holds in another version than this site's (changed since): still pending.
    changed_since: list[str] = field(default_factory=list)
    new_rules: bool = False


def load_network_bundle(
    session: Session, stream: IO[bytes], settings: client.Settings, now: datetime
) -> Loaded:
    """Check central's file with this site's own token, then, inside the caller's write,
    apply its settings as a sync answer is applied and mark sent every outbox month whose
    digest central holds. Anything wrong: BundleRefused, nothing changed."""
    opened = bundles.open_file(stream)
    content = bundles.check_header(_parsed(opened.data), bundles.NETWORK)
    if content["telecenter"] != settings.telecenter:
        raise BundleRefused(
            _l(
                "Este archivo es para el telecentro %(theirs)s, y este telecentro es "
                "%(ours)s. Pida a la oficina central el archivo de %(ours)s.",
                theirs=content["telecenter"][:40],
                ours=settings.telecenter,
            )
        )
    if not settings.token:
        raise BundleRefused(NO_TOKEN)
    if not bundles.is_signed_by(bundles.signing_key(settings.token), opened.data, opened.signature):
        raise BundleRefused(bundles.BAD_SIGNATURE)
    receipts = _receipts(content.get("receipts"))
    if not isinstance(content.get("settings"), dict):
        raise BundleRefused(bundles.NOT_A_BUNDLE)
    result = client.SendResult()
    client.take_settings(session, content["settings"], result)
    loaded = Loaded(new_rules=result.new_rules)
    held = {receipt.month: receipt.digest for receipt in receipts}
    rows = {row.month: row for row in client.due_months(session, force=True)}
    same = {month: digest for month, digest in held.items() if month in rows}
    same = {month: digest for month, digest in same.items() if rows[month].digest == digest}
    client.record(session, same, client.Outcome(200, frozenset(same)), result, now)
    loaded.acknowledged = sorted(result.sent)
    loaded.changed_since = sorted(set(held) & set(rows) - set(same))
    return loaded


def _parsed(data: bytes) -> object:
    try:
        return json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError too
        raise BundleRefused(bundles.NOT_A_BUNDLE) from None


def _receipts(raw: object) -> list[Receipt]:
    """Central's receipts, every one checked (a bad one refuses the file)."""
    if not isinstance(raw, list):
        raise BundleRefused(bundles.NOT_A_BUNDLE)
    receipts = []
    for item in raw:
        if (
            not isinstance(item, dict)
            or not month_report.is_month(item.get("month"))
            or not isinstance(item.get("digest"), str)
            or not _DIGEST.fullmatch(item["digest"])
            or not month_report.is_schema(item.get("schema"))
        ):
            raise BundleRefused(bundles.NOT_A_BUNDLE)
        receipts.append(Receipt(item["month"], item["digest"], item["schema"]))
    return receipts

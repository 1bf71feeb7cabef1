"""USB bundles at central (telecenter.bundles): month reports a site's admin carried in, and
the file to carry back, with the network settings and receipts of every month central holds.

A report bundle goes through ingest.receive, the function behind `POST /api/v1/sync/reports`:
the same checks, the same newest-wins storage (carrying it twice changes nothing) and the same
acknowledgements. What differs is only how the telecenter is known: by the signature over
bundle.json, keyed with the hash central keeps of its token, instead of the token itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import IO

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from telecenter import bundles, month_report
from telecenter.bundles import BundleRefused
from telecenter.central import ingest, rules
from telecenter.central.models import MonthReport, Telecenter
from telecenter.clock import to_lima
from telecenter.domain_errors import DomainError

#: The largest report bundle taken: bundle.json's own bound, as the network path's.
MAX_REPORT_BUNDLE = bundles.MAX_DATA_BYTES


@dataclass(frozen=True)
class Imported:
    """What central took from a report bundle, to show the admin."""

    telecenter: Telecenter
    schema: int
    acks: list[ingest.Ack]
    created_at: str


def import_reports(session: Session, stream: IO[bytes]) -> Imported:
    """Check a report bundle and store its months (committed), or BundleRefused with the
    reason, nothing changed."""
    opened = bundles.open_file(stream)
    try:
        # The request sits one level down in bundle.json: the same bound on it as on the wire.
        content = ingest.parse_json(opened.data, max_depth=ingest.MAX_DEPTH + 1)
    except ingest.InvalidRequest:
        raise BundleRefused(bundles.NOT_A_BUNDLE) from None
    content = bundles.check_header(content, bundles.REPORTS)
    telecenter = signer(session, content["telecenter"], opened)
    body = content.get("request")
    if not isinstance(body, dict):
        raise BundleRefused(bundles.NOT_A_BUNDLE)
    try:
        acks = ingest.receive(session, telecenter, body)
    except DomainError as problem:
        raise BundleRefused(_refusal(problem)) from None
    return Imported(telecenter, body["schema"], acks, str(content.get("created_at", ""))[:40])


def signer(session: Session, code: str, opened: bundles.Opened) -> Telecenter:
    """The telecenter whose live token signed this bundle.json, or BundleRefused."""
    telecenter = session.scalar(sa.select(Telecenter).where(Telecenter.code == code[:40]))
    if telecenter is None:
        raise BundleRefused(
            _l(
                "La oficina central no tiene registrado el telecentro %(code)s. Revise que "
                "el archivo es de un telecentro de la red.",
                code=code[:40],
            )
        )
    if telecenter.token_hash is None:
        raise BundleRefused(
            _l(
                "La clave del telecentro %(code)s fue anulada: no se aceptan sus informes "
                "hasta que tenga una clave nueva (y guarde un archivo nuevo con ella).",
                code=telecenter.code,
            )
        )
    if not bundles.is_signed_by(telecenter.token_hash, opened.data, opened.signature):
        raise BundleRefused(bundles.BAD_SIGNATURE)
    return telecenter


def _refusal(problem: DomainError):
    if isinstance(problem, ingest.ClockAhead):
        return _l(
            "Los informes tienen una fecha posterior a la de la oficina central: la fecha y "
            "hora de la computadora del telecentro están mal. Corríjalas allí y guarde un "
            "archivo nuevo."
        )
    if isinstance(problem, ingest.WrongTelecenter):
        return _l("Los informes del archivo son de otro telecentro que el que lo firmó.")
    return _l(
        "Los informes del archivo no pasaron la revisión de la oficina central (%(reason)s). "
        "No se guardó nada.",
        reason=str(problem)[:300],
    )


@dataclass(frozen=True)
class NetworkBundle:
    filename: str
    data: bytes
    receipts: int


def network_bundle(session: Session, telecenter: Telecenter, now: datetime) -> NetworkBundle:
    """The file to carry to a site: its network settings, as a sync answer brings them, and
    a receipt (month, digest, schema) of every month central holds for it, signed with the
    hash of its token."""
    if telecenter.token_hash is None:
        raise BundleRefused(
            _l(
                "El telecentro %(code)s no tiene una clave vigente: dele una clave nueva "
                "antes de preparar su archivo.",
                code=telecenter.code,
            )
        )
    receipts = [
        {"month": month, "digest": digest, "schema": schema}
        for month, digest, schema in session.execute(
            sa.select(MonthReport.month, MonthReport.digest, MonthReport.schema)
            .where(MonthReport.telecenter_id == telecenter.id)
            .order_by(MonthReport.month)
        )
    ]
    content = {
        "format": bundles.NETWORK,
        "version": bundles.VERSION,
        "telecenter": telecenter.code,
        "created_at": month_report.stamp(now),
        "settings": rules.network_settings(session, telecenter, now),
        "receipts": receipts,
    }
    filename = f"red-{telecenter.code}-{to_lima(now):%Y%m%d}{bundles.SUFFIX}"
    return NetworkBundle(filename, bundles.write(content, telecenter.token_hash), len(receipts))

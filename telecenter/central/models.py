"""Telecenters, their month reports, and the facts those reports carry (counts only)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from telecenter import month_report
from telecenter.clock import utcnow
from telecenter.database import UTCDateTime, one_of
from telecenter.extensions import Model, db
from telecenter.vocabulary import CATEGORIES, CROPS, PERIODS, PURPOSES


class Telecenter(Model):
    __tablename__ = "telecenters"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The code the site is configured with (TELECENTER_CODE), e.g. SM-TARAPOTO-01.
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(160))
    region: Mapped[str] = mapped_column(sa.String(80), index=True)
    province: Mapped[str] = mapped_column(sa.String(80), default="")
    district: Mapped[str] = mapped_column(sa.String(80), default="")
    #: SHA-256 of the secret token; the token itself is shown once and never stored.
    token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    token_created_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Set when the token is revoked; the site cannot send until a new token is issued.
    token_revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The first month (YYYY-MM) the telecenter was open, from which a report is expected each
    #: month; None: the month it was registered (created_at, Lima time).
    opened_month: Mapped[str | None] = mapped_column(sa.String(7))
    #: The last time the site authenticated successfully.
    last_heard_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<Telecenter {self.code}>"


class MonthReport(Model):
    """The newest report received for a telecenter and month; its facts replace older ones."""

    __tablename__ = "month_reports"
    __table_args__ = (sa.UniqueConstraint("telecenter_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    telecenter_id: Mapped[int] = mapped_column(sa.ForeignKey("telecenters.id"), index=True)
    month: Mapped[str] = mapped_column(sa.String(7), index=True)
    #: When the site computed it: a newer one wins, an older or equal one is ignored.
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When central first received a report of this month (received_at is the newest's):
    #: whether the month came in on time.
    first_received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    digest: Mapped[str] = mapped_column(sa.String(64))
    #: The month report schema it came in (1 or 2): schema-1 months cannot answer what needs
    #: schema-2 facts, and such figures are null with a note while sites upgrade.
    schema: Mapped[int] = mapped_column(default=1, server_default="1")
    #: The counting rules it was computed under (None for schema 1).
    rules_version: Mapped[str | None] = mapped_column(sa.String(40))

    telecenter: Mapped[Telecenter] = relationship()

    def __repr__(self) -> str:
        return f"<MonthReport {self.telecenter_id} {self.month}>"


#: Dimensions schema 1 does not have: NULL in the rows of a schema-1 report (its reach rows
#: are period "ever", which is what schema 1 counted).
SCHEMA_2_DIMENSIONS = ("commodity", "purpose")


#: Reach as central stores it: a row per (scope, sex, age band, wfi) with a column of new
#: people per period, where a report sends a row per period. A person is attributed at the one
#: event that is her first in every period that starts this month, so the cells are the same
#: in every period and this is five times fewer rows to store and sum (bench/sync_bench.py);
#: a cell missing from a period is 0 there, so nothing is lost either way.
REACH_COLUMNS: dict[str, str] = {period: f"new_people_{period}" for period in PERIODS}


def stored_layout(name: str) -> tuple[tuple[str, ...], dict[str, str]]:
    """A report table's (dimensions, measures) as central's tables hold them."""
    dims, measures = month_report.TABLES[name]
    if name != "reach":
        return dims, measures
    return tuple(d for d in dims if d != "period"), dict.fromkeys(REACH_COLUMNS.values(), "int")


def stored_fields(name: str) -> tuple[str, ...]:
    dims, measures = stored_layout(name)
    return (*dims, *measures)


def _dimension_columns(dims) -> list[sa.Column]:
    return [
        sa.Column(
            dim,
            sa.Boolean if dim == "wfi" else sa.String(32),
            nullable=dim in SCHEMA_2_DIMENSIONS,
        )
        for dim in dims
    ]


def _measure_columns(measures: dict[str, str]) -> list[sa.Column]:
    return [
        sa.Column(name, sa.Integer if kind == "int" else sa.Float, nullable=False)
        for name, kind in measures.items()
    ]


def _fact_table(name: str) -> sa.Table:
    dims, measures = stored_layout(name)
    columns: list[sa.schema.SchemaItem] = [
        # No foreign keys, no key of their own and no index on report_id: only ingest writes
        # facts, in the transaction that writes their month report, and finds them by (month,
        # telecenter). The database's check of every row tripled the cost of storing a re-sent
        # history, and each further index costs a fifth more (bench/sync_bench.py).
        sa.Column("report_id", sa.Integer, nullable=False),
        sa.Column("telecenter_id", sa.Integer, nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
    ]
    columns += _dimension_columns(dims) + _measure_columns(measures)
    return sa.Table(
        f"fact_{name}",
        db.metadata,
        *columns,
        sa.Index(f"ix_fact_{name}_month_telecenter", "month", "telecenter_id"),
    )


#: One table per report table, with the report's dimensions and measures as columns.
FACT_TABLES: dict[str, sa.Table] = {name: _fact_table(name) for name in month_report.TABLES}


def _rollup_table(name: str) -> sa.Table:
    """The same facts summed over the telecenters of a region: about a hundred times fewer
    rows, so questions that do not ask about single telecenters are answered quickly."""
    dims, measures = stored_layout(name)
    columns: list[sa.schema.SchemaItem] = [
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("region", sa.String(80), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
    ]
    columns += _dimension_columns(dims) + _measure_columns(measures)
    return sa.Table(
        f"rollup_{name}",
        db.metadata,
        *columns,
        sa.Index(f"ix_rollup_{name}_month_region", "month", "region"),
    )


#: Facts summed per region and month, brought up to date before figures are read.
ROLLUP_TABLES: dict[str, sa.Table] = {name: _rollup_table(name) for name in month_report.TABLES}


#: (region, month) pairs whose rollups are out of date: ingest marks them (a plain insert,
#: so that concurrent sites never wait on each other) and `ingest.refresh_dirty` recomputes
#: them before figures are read. Repeats are expected and harmless.
ROLLUP_DIRTY = sa.Table(
    "rollup_dirty",
    db.metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("region", sa.String(80), nullable=False),
    sa.Column("month", sa.String(7), nullable=False),
)


#: What reach totals keep apart: summing across scopes means nothing (periods are columns).
TOTAL_KEYS = ("scope",)


def _telecenter_total_table(name: str) -> sa.Table:
    """Each telecenter's monthly totals (reach keeps its scope): what a breakdown by
    telecenter reads when it splits by nothing else."""
    _dims, measures = stored_layout(name)
    columns: list[sa.schema.SchemaItem] = [
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("telecenter_id", sa.Integer, nullable=False),  # no foreign key: see facts
        sa.Column("month", sa.String(7), nullable=False),
    ]
    if name == "reach":
        columns += _dimension_columns(TOTAL_KEYS)
    columns += _measure_columns(measures)
    return sa.Table(
        f"total_{name}",
        db.metadata,
        *columns,
        sa.Index(f"ix_total_{name}_month_telecenter", "month", "telecenter_id"),
    )


#: Monthly totals per telecenter, kept up to date by every ingest.
TOTAL_TABLES: dict[str, sa.Table] = {
    name: _telecenter_total_table(name) for name in month_report.TABLES
}


class ApiKey(Model):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    #: SHA-256 of the key; the key itself is printed once and never stored.
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<ApiKey {self.id} {self.name}>"


class ProgrammeTarget(Model):
    __tablename__ = "programme_targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(160))
    #: One of aggregates.MEASURES, e.g. wfi_enrolments or teleconference_reached.
    measure: Mapped[str] = mapped_column(sa.String(32))
    #: Optional filter, e.g. {"sex": "female"} or {"region": "San Martín"}.
    filters: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    value: Mapped[int]
    #: The first month (YYYY-MM) whose figures count towards the target.
    start_month: Mapped[str] = mapped_column(sa.String(7), server_default="2012-01")
    #: The month (YYYY-MM) by which it should be reached; None when no deadline was set.
    deadline_month: Mapped[str | None] = mapped_column(sa.String(7))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<ProgrammeTarget {self.id} {self.measure} {self.value}>"


class CountingRulesVersion(Model):
    """One version of the counting rules (telecenter.counting_rules), kept forever: reports
    name the version they were computed under. The newest is in force and is sent to every
    site; until central staff set one, the defaults are version "1"."""

    __tablename__ = "counting_rules_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: As reports name it (str of a number that only grows).
    rules_version: Mapped[str] = mapped_column(sa.String(40), unique=True)
    course_completed: Mapped[bool] = mapped_column(default=True)
    min_sessions: Mapped[int | None]
    min_hours: Mapped[float | None] = mapped_column(sa.Float)
    fiscal_year_start: Mapped[int] = mapped_column(default=10)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    def __repr__(self) -> str:
        return f"<CountingRulesVersion {self.rules_version}>"


class Indicator(Model):
    """One indicator of the catalogue a funder or a national DHIS2 is sent (services in
    telecenter.central.indicators, which also says what each column may hold)."""

    __tablename__ = "indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Short and stable: the DHIS2 data element code, e.g. TC_TRAINED_DIGITAL.
    code: Mapped[str] = mapped_column(sa.String(50), unique=True)
    #: What office staff read, in Spanish; the English one is optional.
    name: Mapped[str] = mapped_column(sa.String(160))
    name_en: Mapped[str] = mapped_column(sa.String(160), default="", server_default="")
    definition: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    #: people | sessions | hours | percent
    unit: Mapped[str] = mapped_column(sa.String(16))
    #: month | quarter | fiscal_year | year: the period it is reported for.
    period_type: Mapped[str] = mapped_column(sa.String(16))
    #: What it counts, e.g. trained:digital_literacy, reached_new, outcome:account_latest.
    measure: Mapped[str] = mapped_column(sa.String(64))
    #: The splits it is reported with, e.g. ["sex", "age_group"].
    disaggregations: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: The programme (DHIS2 attribute option) its figures belong to: network | wfi.
    programme: Mapped[str] = mapped_column(sa.String(16), default="network")
    target: Mapped[float | None] = mapped_column(sa.Float)
    baseline: Mapped[float | None] = mapped_column(sa.Float)
    #: The DHIS2 UID of its data element; None: derived from the code.
    dhis2_uid: Mapped[str | None] = mapped_column(sa.String(11), unique=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<Indicator {self.code}>"


class PeriodClose(Model):
    """A quarter or fiscal year as it was reported: every catalogue figure at the moment a
    central admin closed it, never changed afterwards (telecenter.central.period_close)."""

    __tablename__ = "period_closes"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: As telecenter.periods names it: 2026-Q1, FY2026.
    period: Mapped[str] = mapped_column(sa.String(10), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    first_month: Mapped[str] = mapped_column(sa.String(7))
    last_month: Mapped[str] = mapped_column(sa.String(7))
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_by: Mapped[str] = mapped_column(sa.String(80))
    #: Canonical JSON of every figure (sorted keys, no spaces): what `digest` is taken of.
    snapshot: Mapped[str] = mapped_column(sa.Text)
    #: SHA-256 of `snapshot`, shown with the figures so a copy can be checked.
    digest: Mapped[str] = mapped_column(sa.String(64))

    def __repr__(self) -> str:
        return f"<PeriodClose {self.period}>"


@sa.event.listens_for(PeriodClose, "before_update")
def _closed_figures_never_change(_mapper, _connection, target: PeriodClose) -> None:
    raise ValueError(f"the figures of closed period {target.period} cannot be changed")


#: Whom a network teleconference is for: every telecenter, those of one region, or a list.
AUDIENCES = ("all", "region", "chosen")
NETWORK_EVENT_STATES = ("scheduled", "cancelled")
#: What a network event's id starts with, for sites and in reports (month_report.NETWORK_EVENT).
PUBLIC_ID_PREFIX = "NE-"

#: The telecenters a network teleconference with audience "chosen" is for.
NETWORK_EVENT_TELECENTERS = sa.Table(
    "network_event_telecenters",
    db.metadata,
    sa.Column("event_id", sa.ForeignKey("network_events.id"), primary_key=True),
    sa.Column("telecenter_id", sa.ForeignKey("telecenters.id"), primary_key=True),
)


class NetworkEvent(Model):
    """A teleconference scheduled once at central and watched at many telecenters (issue 21;
    rules in telecenter.central.network_events). Sites receive it in their network settings
    and report its counts under its public id, "NE-<id>"."""

    __tablename__ = "network_events"
    __table_args__ = (
        sa.CheckConstraint(one_of("category", CATEGORIES), name="category_known"),
        sa.CheckConstraint(
            f"commodity IS NULL OR (category = 'agriculture' AND {one_of('commodity', CROPS)})",
            name="commodity_known",
        ),
        sa.CheckConstraint(one_of("purpose", PURPOSES), name="purpose_known"),
        sa.CheckConstraint(one_of("audience", AUDIENCES), name="audience_known"),
        sa.CheckConstraint(
            "(audience = 'region') = (region IS NOT NULL)", name="region_when_by_region"
        ),
        sa.CheckConstraint(one_of("state", NETWORK_EVENT_STATES), name="state_known"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("revision >= 1", name="revision_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(160))
    topic: Mapped[str] = mapped_column(sa.String(300), default="")
    category: Mapped[str] = mapped_column(sa.String(32))
    #: A crop, only for agriculture; None otherwise or when no crop was said.
    commodity: Mapped[str | None] = mapped_column(sa.String(32))
    purpose: Mapped[str] = mapped_column(sa.String(16))
    presenter: Mapped[str] = mapped_column(sa.String(160), default="")
    organisation: Mapped[str] = mapped_column(sa.String(160), default="")
    platform: Mapped[str] = mapped_column(sa.String(80), default="")
    joining_details: Mapped[str] = mapped_column(sa.String(500), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    #: One of AUDIENCES; `region` is set exactly when it is "region".
    audience: Mapped[str] = mapped_column(sa.String(16))
    region: Mapped[str | None] = mapped_column(sa.String(80))
    state: Mapped[str] = mapped_column(sa.String(16), default="scheduled")
    cancel_reason: Mapped[str] = mapped_column(sa.String(300), default="")
    #: Central's notes: the one thing that may change after the start.
    notes: Mapped[str] = mapped_column(sa.String(1000), default="")
    #: +1 on every change: a site replaces its copy only with a higher revision.
    revision: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    chosen: Mapped[list[Telecenter]] = relationship(
        secondary=NETWORK_EVENT_TELECENTERS, order_by=Telecenter.code
    )

    @property
    def public_id(self) -> str:
        return f"{PUBLIC_ID_PREFIX}{self.id}"

    def __repr__(self) -> str:
        return f"<NetworkEvent {self.id} {self.starts_at:%Y-%m-%d}>"


def _network_fact_table(name: str, *columns: sa.Column) -> sa.Table:
    """A report's `network_events` section as facts, kept and replaced like the others (no
    foreign keys, see _fact_table). `event_id` is the number of the id the site sent: a
    NetworkEvent's id, or a number central does not know, stored anyway and shown as such."""
    return sa.Table(
        name,
        db.metadata,
        sa.Column("report_id", sa.Integer, nullable=False),
        sa.Column("telecenter_id", sa.Integer, nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("event_id", sa.Integer, nullable=False),
        *columns,
        sa.Index(f"ix_{name}_month_telecenter", "month", "telecenter_id"),
        sa.Index(f"ix_{name}_event", "event_id"),
    )


def _count(name: str) -> sa.Column:
    return sa.Column(name, sa.Integer, nullable=False)


#: Per report and network event: sessions held and group viewers.
FACT_NETWORK_EVENTS = _network_fact_table(
    "fact_network_events", _count("sessions_held"), _count("unregistered_viewers")
)
#: Per report, network event, sex and age band: counted attendances and distinct people.
FACT_NETWORK_ATTENDANCE = _network_fact_table(
    "fact_network_attendance",
    sa.Column("sex", sa.String(32), nullable=False),
    sa.Column("age_band", sa.String(32), nullable=False),
    _count("attendances"),
    _count("participants"),
)

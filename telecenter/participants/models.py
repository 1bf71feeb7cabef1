"""Participants, their consents, programme enrolment and financial-inclusion surveys."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from telecenter.auth.models import User
from telecenter.clock import utcnow
from telecenter.database import UTCDateTime, one_of
from telecenter.extensions import Model
from telecenter.participants import identity
from telecenter.participants.survey_choices import some_chosen
from telecenter.vocabulary import SEXES


class Participant(Model):
    """A resident who takes part. Personal fields are nullable so that erasure can clear them.

    After erasure only `sex`, `birth_date`/`birth_year` and the id remain: the facts that
    monthly counts already sent depend on (sex and age band at each event).
    """

    __tablename__ = "participants"
    __table_args__ = (
        sa.UniqueConstraint("document_type", "document_number"),
        sa.CheckConstraint(one_of("sex", SEXES), name="sex_known"),
        sa.CheckConstraint(one_of("document_type", ("dni", "ce", "none")), name="document_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Printed on the participant card; typed at the kiosk and at sign-in.
    code: Mapped[str] = mapped_column(sa.String(8), unique=True)
    given_names: Mapped[str | None] = mapped_column(sa.String(80))
    surnames: Mapped[str | None] = mapped_column(sa.String(80))
    document_type: Mapped[str] = mapped_column(sa.String(8), default="none")
    #: DNI stored as its 8 digits; NULL when there is none (NULLs never collide).
    document_number: Mapped[str | None] = mapped_column(sa.String(12))
    sex: Mapped[str] = mapped_column(sa.String(12))
    birth_date: Mapped[date | None] = mapped_column(sa.Date)
    #: Always set when the birth date is; alone when only the year is known.
    birth_year: Mapped[int | None]
    district_ubigeo: Mapped[str | None] = mapped_column(sa.String(6))
    community: Mapped[str | None] = mapped_column(sa.String(120))
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    mother_tongue: Mapped[str | None] = mapped_column(sa.String(24))
    schooling: Mapped[str | None] = mapped_column(sa.String(24))
    occupation: Mapped[str | None] = mapped_column(sa.String(24))
    association_member: Mapped[bool | None]
    head_of_household: Mapped[bool | None]
    #: Lower-case, accent-free names, document, code and community, for search.
    search_text: Mapped[str | None] = mapped_column(sa.String(400))
    #: False after a quick walk-in registration until the trainer completes the record.
    is_complete: Mapped[bool] = mapped_column(default=True)
    #: The resident account used to sign in with document or code and PIN.
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), unique=True)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    registered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    #: Set when the person asked for their data to be deleted (cancellation).
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    consents: Mapped[list[Consent]] = relationship(
        back_populates="participant", order_by="Consent.given_at"
    )
    wfi_enrolment: Mapped[WfiEnrolment | None] = relationship(back_populates="participant")
    surveys: Mapped[list[WfiSurvey]] = relationship(
        back_populates="participant", order_by="WfiSurvey.taken_on"
    )

    def __repr__(self) -> str:
        return f"<Participant {self.id} {self.code}>"

    @property
    def full_name(self) -> str:
        if self.erased_at:
            return "—"
        return f"{self.given_names or ''} {self.surnames or ''}".strip()

    @property
    def first_name(self) -> str:
        return (self.given_names or "").split(" ")[0]

    def age_on(self, on: date) -> int | None:
        return identity.age_on(on, birth_date=self.birth_date, birth_year=self.birth_year)

    def age_band_on(self, on: date) -> str:
        return identity.age_band(self.age_on(on))

    def has_consent(self, kind: str) -> bool:
        return any(c.kind == kind and c.withdrawn_at is None for c in self.consents)


class Consent(Model):
    """A recorded consent (Ley 29733): which text, for what, when, recorded by whom."""

    __tablename__ = "consents"
    __table_args__ = (
        sa.CheckConstraint(
            one_of("kind", ("registration", "financial_inclusion")), name="kind_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id"), index=True)
    #: `registration` (the registry itself) or `financial_inclusion` (sensitive survey data).
    kind: Mapped[str] = mapped_column(sa.String(24))
    #: Version of the consent text read to the person (see participants.consent_text).
    text_version: Mapped[str] = mapped_column(sa.String(16))
    purpose: Mapped[str] = mapped_column(sa.String(300))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    #: For minors (under 18): the parent or guardian who consented.
    guardian_name: Mapped[str | None] = mapped_column(sa.String(160))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    participant: Mapped[Participant] = relationship(back_populates="consents")
    recorded_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<Consent {self.kind} v{self.text_version} participant={self.participant_id}>"


class WfiEnrolment(Model):
    """A woman's entry into the women's financial-inclusion programme."""

    __tablename__ = "wfi_enrolments"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id"), unique=True)
    enrolled_on: Mapped[date] = mapped_column(sa.Date)
    telecenter_code: Mapped[str] = mapped_column(sa.String(32))
    trainer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    participant: Mapped[Participant] = relationship(back_populates="wfi_enrolment")
    trainer: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<WfiEnrolment participant={self.participant_id} {self.enrolled_on}>"


class WfiSurvey(Model):
    """One financial-inclusion survey: the baseline, or a later follow-up. No income amounts."""

    __tablename__ = "fi_surveys"
    __table_args__ = (
        sa.CheckConstraint(one_of("kind", ("baseline", "follow_up")), name="kind_known"),
        sa.UniqueConstraint("participant_id", "taken_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(12))
    taken_on: Mapped[date] = mapped_column(sa.Date)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    phone_access: Mapped[str] = mapped_column(sa.String(12))
    account_institutions: Mapped[list] = mapped_column(sa.JSON, default=list)
    wallets_used: Mapped[list] = mapped_column(sa.JSON, default=list)
    digital_payment: Mapped[bool]
    saved: Mapped[bool]
    saving_methods: Mapped[list] = mapped_column(sa.JSON, default=list)
    savings_group_member: Mapped[bool]
    borrowed: Mapped[bool]
    borrowing_sources: Mapped[list] = mapped_column(sa.JSON, default=list)
    no_account_reasons: Mapped[list] = mapped_column(sa.JSON, default=list)
    emergency_funds: Mapped[str] = mapped_column(sa.String(20))
    has_own_income: Mapped[bool]
    income_decision: Mapped[str | None] = mapped_column(sa.String(16))
    financial_goal: Mapped[str | None] = mapped_column(sa.String(200))

    participant: Mapped[Participant] = relationship(back_populates="surveys")

    def __repr__(self) -> str:
        return f"<WfiSurvey {self.kind} participant={self.participant_id} {self.taken_on}>"

    @property
    def has_account(self) -> bool:
        """["none"] (she has none) and [] (not answered, older surveys) both count as no."""
        return some_chosen(self.account_institutions)

    @property
    def uses_wallet(self) -> bool:
        return some_chosen(self.wallets_used)


class Group(Model):
    """A list of people a trainer keeps (e.g. "Mujeres Pucayacu martes"): the expected roster
    of every session scheduled for it."""

    __tablename__ = "learner_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    members: Mapped[list[GroupMember]] = relationship(
        back_populates="group", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Group {self.id} {self.name!r}>"


class GroupMember(Model):
    __tablename__ = "learner_group_members"
    __table_args__ = (sa.UniqueConstraint("group_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("learner_groups.id"), index=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id"), index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    group: Mapped[Group] = relationship(back_populates="members")
    participant: Mapped[Participant] = relationship()

    def __repr__(self) -> str:
        return f"<GroupMember {self.group_id}/{self.participant_id}>"

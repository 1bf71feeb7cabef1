"""Data-subject rights (Ley 29733): access and cancellation. Rectification is services.update."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from telecenter import audit
from telecenter.auth.models import User
from telecenter.clock import utcnow
from telecenter.participants.models import Participant, WfiSurvey
from telecenter.participants.resident_accounts import close_account
from telecenter.participants.services import RegistryError

# Kept after erasure: the facts that past monthly counts depend on (sex and age band at each
# event, programme membership). Everything else that could identify the person is cleared.
KEPT_AFTER_ERASURE = ("sex", "birth_date", "birth_year")
CLEARED_ON_ERASURE = (
    "given_names",
    "surnames",
    "document_number",
    "district_ubigeo",
    "community",
    "phone",
    "mother_tongue",
    "schooling",
    "occupation",
    "association_member",
    "head_of_household",
    "search_text",
)


def record_access(session: Session, participant: Participant, *, actor: User | None) -> None:
    """Showing or printing a person's data for them is itself logged."""
    audit.record(
        session,
        actor=actor,
        action="participant.access",
        subject_type="participant",
        subject_id=participant.id,
    )


ERASURE_REASONS = ("requested", "registered_by_mistake", "duplicate")


def erase(session: Session, participant: Participant, *, actor: User | None, reason: str) -> None:
    """Cancellation: clear the personal fields, delete survey answers, close the account.

    Attendance, completions and programme enrolment stay, tied to an anonymous record, so
    that totals already reported do not change.
    """
    if reason not in ERASURE_REASONS:
        raise RegistryError({"reason": _("Elija el motivo.")})
    if participant.erased_at:
        raise RegistryError({"reason": _("Los datos de esta persona ya fueron borrados.")})
    for name in CLEARED_ON_ERASURE:
        setattr(participant, name, None)
    participant.document_type = "none"
    for consent in participant.consents:
        consent.guardian_name = None
        consent.withdrawn_at = consent.withdrawn_at or utcnow()
    session.execute(WfiSurvey.__table__.delete().where(WfiSurvey.participant_id == participant.id))
    session.expire(participant, ["surveys"])
    close_account(participant)
    participant.erased_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="participant.erase",
        subject_type="participant",
        subject_id=participant.id,
        detail=f"reason: {reason}",
    )

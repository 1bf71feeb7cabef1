"""The one loader for pages about a participant, used by every domain's routes."""

from __future__ import annotations

from flask import abort

from telecenter.extensions import db
from telecenter.participants.models import Participant


def load_participant(participant_id: int, *, allow_erased: bool = False) -> Participant:
    """The one loader for participant pages: 404 for unknown ids (and erased ones, mostly)."""
    participant = db.get_or_404(Participant, participant_id)
    if participant.erased_at and not allow_erased:
        abort(404)
    return participant

"""The crop of an agriculture course or session: one rule for forms, packs and schedules.

A crop says what an agriculture course or session is about (cacao, coffee...), so central can
count teleconference participants by crop. Only agriculture has one; any other topic has none.
"""

from __future__ import annotations

from flask_babel import gettext as _

from telecenter.vocabulary import CROPS

AGRICULTURE = "agriculture"


def crop_problem(category: str | None, crop: str | None, *, required: bool = True) -> str | None:
    """What is wrong with this crop for this category, in the words a form shows; None if fine.
    `required=False` lets an agriculture record keep no crop (one made before crops existed)."""
    if category == AGRICULTURE:
        if crop is None:
            return _("Elija el cultivo del que trata.") if required else None
        return None if crop in CROPS else _("Elija un cultivo de la lista.")
    if crop is not None:
        return _("El cultivo se indica solo en temas de agricultura.")
    return None

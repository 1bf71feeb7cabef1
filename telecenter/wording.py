"""Words that agree with the person: «Bienvenida» to a woman the registry knows, «Bienvenido»
to a man, and wording with no gender to everyone else (staff accounts, which record no sex, and
people registered as "unspecified").

`by_sex()` picks one of three messages, each its own translatable text (never pieces of one);
templates call it too. The phrases below are the ones said to a person in more than one flow.
"""

from __future__ import annotations

from typing import TypeVar

from flask_babel import gettext as _

Text = TypeVar("Text")


def by_sex(sex: str | None, *, female: Text, male: Text, neutral: Text) -> Text:
    """The variant for `sex` (a value of vocabulary.SEXES; None when nobody recorded one)."""
    if sex == "female":
        return female
    if sex == "male":
        return male
    return neutral


def welcome(sex: str | None, name: str) -> str:
    """Said after signing in."""
    return by_sex(
        sex,
        female=_("Bienvenida, %(name)s.", name=name),
        male=_("Bienvenido, %(name)s.", name=name),
        neutral=_("Le damos la bienvenida, %(name)s.", name=name),
    )


def already_checked_in(sex: str | None, name: str) -> str:
    """The kiosk, to someone who checks in a second time."""
    return by_sex(
        sex,
        female=_("%(name)s, usted ya registró su asistencia. ¡Bienvenida!", name=name),
        male=_("%(name)s, usted ya registró su asistencia. ¡Bienvenido!", name=name),
        neutral=_("%(name)s, usted ya registró su asistencia. ¡Le damos la bienvenida!", name=name),
    )


def enrolled_in_course(sex: str | None) -> str:
    """A resident who has just enrolled in a course."""
    return by_sex(
        sex,
        female=_("¡Listo! Ya está inscrita. Empiece por la primera lección."),
        male=_("¡Listo! Ya está inscrito. Empiece por la primera lección."),
        neutral=_("¡Listo! Ya tiene su lugar en el curso. Empiece por la primera lección."),
    )

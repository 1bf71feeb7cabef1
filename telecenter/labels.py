"""What people read for each value of the vocabulary, defined once.

`telecenter.vocabulary` holds the codes that sites store and send; this module holds the words
that a trainer, a resident or the central office read for them in a form, a table, a chart.
Every label is a Spanish msgid wrapped in `lazy_gettext`, and the choice lists built here keep
it lazy: a label turned into text when a module is imported is fixed in the language of that
moment (Spanish, outside any request) and stays Spanish on English pages; turned into text
while a page renders, it follows the page's language.

Templates read these through the `label` filter (`{{ item.kind|label("activity") }}`) and the
`labelled` global (`{% for code, name in labelled("status") %}`), both registered by the app.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l

from telecenter import vocabulary as v
from telecenter.forms import SelectChoice

NO_VALUE = "—"

#: dimension -> {code: label}, each in the vocabulary's order.
LABELS: dict[str, dict] = {
    "activity": {
        "class": _l("Clase"),
        "teleconference": _l("Teleconferencia"),
        "workshop": _l("Taller"),
    },
    "category": {
        "digital_literacy": _l("Alfabetización digital"),
        "financial_literacy": _l("Educación financiera"),
        "agriculture": _l("Agricultura (cacao, café)"),
        "other": _l("Otros temas"),
    },
    "purpose": {
        "training": _l("Capacitación (clase, taller, sesión de curso)"),
        "talk": _l("Charla o sensibilización"),
    },
    # Crops, and `none` for what has no crop (not agriculture, or a crop not said).
    "commodity": {
        "cacao": _l("Cacao"),
        "coffee": _l("Café"),
        "banana": _l("Plátano"),
        "timber": _l("Madera u otro forestal"),
        "other_crop": _l("Otro cultivo"),
        v.NO_COMMODITY: _l("Sin cultivo indicado"),
    },
    "sex": {
        "female": _l("Mujer"),
        "male": _l("Hombre"),
        "unspecified": _l("Prefiere no decir"),
    },
    # A band reads as its ages ("30-44") under a heading that says "Edad".
    "age_band": {
        **{band: band for band in v.AGE_BANDS if band != v.UNKNOWN_AGE},
        v.UNKNOWN_AGE: _l("Edad desconocida"),
    },
    "status": {
        "present": _l("Presente"),
        "late": _l("Tarde"),
        "excused": _l("Justificado"),
        "absent": _l("Ausente"),
    },
    "completion_mode": {
        "self_paced": _l("A su ritmo: lecciones y cuestionario final"),
        "classroom": _l("En clase: asistencia a las sesiones"),
    },
    "attendance_source": {
        "roster": _l("Lista del capacitador"),
        "kiosk": _l("Quiosco"),
        "walk_in": _l("Llegó sin inscripción"),
    },
    "course_state": {
        "enrolled": _l("Inscrita/o"),
        "in_progress": _l("En curso"),
        "completed": _l("Completó"),
    },
}
#: Headings of counts of people (central's tables and charts, the course report): "Mujeres",
#: not "Mujer".
PLURAL_LABELS: dict[str, dict] = {
    "sex": {**LABELS["sex"], "female": _l("Mujeres"), "male": _l("Hombres")},
    "course_state": {
        "enrolled": _l("Inscritos sin empezar"),
        "in_progress": _l("En curso"),
        "completed": _l("Completaron"),
    },
}
#: The vocabulary that each labelled dimension names (tests check that both agree).
VALUES = {
    "activity": v.ACTIVITIES,
    "category": v.CATEGORIES,
    "purpose": v.PURPOSES,
    "commodity": v.COMMODITIES,
    "sex": v.SEXES,
    "age_band": v.AGE_BANDS,
    "status": v.ATTENDANCE_STATUSES,
    "completion_mode": v.COMPLETION_MODES,
    "attendance_source": v.ATTENDANCE_SOURCES,
    "course_state": v.COURSE_STATES,
}


def label(dimension: str, value, *, plural: bool = False) -> str:
    """What people read for one value, in the current language. A value without a label (a
    region, a month, a telecenter code) reads as itself; no value reads as a dash."""
    return text_of(_names(dimension, plural), value, unknown=value)


def labelled(dimension: str, *, plural: bool = False) -> list[tuple]:
    """(code, lazy label) for every value of a dimension, in the vocabulary's order."""
    return list(_names(dimension, plural).items())


def choices(dimension: str, *, blank=None) -> list[SelectChoice]:
    """WTForms choices for a dimension's values (see `as_choices`)."""
    return as_choices(LABELS[dimension], blank=blank)


def crop_choices(*, blank=None) -> list[SelectChoice]:
    """The crops a form offers: every commodity but `none` (which is no crop, not a choice)."""
    crops = {code: name for code, name in LABELS["commodity"].items() if code in v.CROPS}
    return as_choices(crops, blank=blank)


def as_choices(mapping: Mapping, *, blank=None) -> list[SelectChoice]:
    """WTForms choices from a code -> label mapping, optionally led by an empty choice. The
    labels stay lazy, so a form defined at import time still renders in the page's language."""
    items = [SelectChoice(code, name) for code, name in mapping.items()]
    return ([SelectChoice("", blank)] if blank is not None else []) + items


def text_of(mapping: Mapping, code, *, unknown=NO_VALUE) -> str:
    """The label of a code in a code -> label mapping, as text now; a dash for no code."""
    if code is None or code == "":
        return NO_VALUE
    return str(mapping.get(code, unknown))


def _names(dimension: str, plural: bool) -> Mapping:
    return (plural and PLURAL_LABELS.get(dimension)) or LABELS.get(dimension, {})

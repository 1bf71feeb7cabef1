"""The closed lists of the registry, stored as short English codes and shown in Spanish."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice

DOCUMENT_TYPES = {
    "dni": _l("DNI"),
    "ce": _l("Carné de extranjería"),
    "none": _l("Sin documento"),
}
SEXES = {
    "female": _l("Mujer"),
    "male": _l("Hombre"),
    "unspecified": _l("Prefiere no decir"),
}
MOTHER_TONGUES = {
    "spanish": _l("Castellano"),
    "quechua": _l("Quechua"),
    "kichwa": _l("Kichwa"),
    "ashaninka": _l("Asháninka"),
    "shipibo_konibo": _l("Shipibo-Konibo"),
    "awajun": _l("Awajún"),
    "other": _l("Otra lengua"),
}
SCHOOLING = {
    "none": _l("Sin estudios"),
    "primary_incomplete": _l("Primaria incompleta"),
    "primary": _l("Primaria completa"),
    "secondary_incomplete": _l("Secundaria incompleta"),
    "secondary": _l("Secundaria completa"),
    "technical": _l("Superior técnica"),
    "university": _l("Superior universitaria"),
}
OCCUPATIONS = {
    "cacao_producer": _l("Productor(a) de cacao"),
    "coffee_producer": _l("Productor(a) de café"),
    "other_farming": _l("Otra actividad agropecuaria"),
    "commerce": _l("Comercio"),
    "household": _l("Trabajo del hogar"),
    "student": _l("Estudiante"),
    "employee": _l("Empleado(a)"),
    "other": _l("Otra ocupación"),
}
AGE_BANDS = ("15-17", "18-29", "30-44", "45-59", "60+", "unknown")


def as_choices(mapping: dict, *, blank: str | None = None) -> list[SelectChoice]:
    """WTForms choices from a code -> label mapping, optionally led by an empty choice."""
    items = [SelectChoice(code, str(label)) for code, label in mapping.items()]
    return ([SelectChoice("", blank)] if blank is not None else []) + items


def label(mapping: dict, code: str | None) -> str:
    return str(mapping.get(code, "—")) if code else "—"

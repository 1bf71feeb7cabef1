"""The closed lists of the registry, stored as short English codes and shown in Spanish.

Sex is a reported dimension: its codes are in `telecenter.vocabulary`, its words in
`telecenter.labels`. Build choices with `telecenter.labels.as_choices`.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

DOCUMENT_TYPES = {
    "dni": _l("DNI"),
    "ce": _l("Carné de extranjería"),
    "none": _l("Sin documento"),
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
#: What a consent was given for (Consent.kind).
CONSENT_KINDS = {"registration": _l("Registro"), "financial_inclusion": _l("Datos financieros")}

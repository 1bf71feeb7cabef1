"""Answer lists of the financial-inclusion survey (after the Global Findex questionnaire)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

PHONE_ACCESS = {
    "own": _l("Tiene celular propio"),
    "shared": _l("Usa un celular compartido"),
    "none": _l("No tiene celular"),
}
ACCOUNT_INSTITUTIONS = {
    "bank": _l("Banco"),
    "banco_nacion": _l("Banco de la Nación"),
    "caja_municipal": _l("Caja municipal"),
    "caja_rural": _l("Caja rural"),
    "cooperative": _l("Cooperativa de ahorro y crédito"),
    "financiera": _l("Financiera"),
}
WALLETS = {
    "yape": _l("Yape"),
    "plin": _l("Plin"),
    "bim": _l("BIM"),
    "other": _l("Otra billetera"),
}
SAVING_METHODS = {
    "account": _l("En una cuenta"),
    "wallet": _l("En una billetera móvil"),
    "savings_group": _l("En una junta o grupo de ahorro"),
    "cash_home": _l("Efectivo en casa"),
    "goods_animals": _l("En bienes o animales"),
}
BORROWING_SOURCES = {
    "bank": _l("Banco"),
    "caja": _l("Caja municipal o rural"),
    "cooperative": _l("Cooperativa"),
    "savings_group": _l("Junta o grupo de ahorro"),
    "family_friends": _l("Familia o amigos"),
    "moneylender": _l("Prestamista"),
    "store_credit": _l("Crédito en tienda"),
}
NO_ACCOUNT_REASONS = {
    "too_far": _l("Las agencias están muy lejos"),
    "too_expensive": _l("Es muy caro"),
    "lack_documents": _l("Le faltan documentos"),
    "lack_trust": _l("No confía en las instituciones"),
    "religious": _l("Por razones religiosas"),
    "not_enough_money": _l("No tiene suficiente dinero"),
    "family_has_one": _l("Otro familiar ya tiene una cuenta"),
    "no_need": _l("No la necesita"),
}
EMERGENCY_FUNDS = {
    "very_possible": _l("Sí, sin problema"),
    "somewhat_possible": _l("Sí, con dificultad"),
    "not_possible": _l("No podría"),
}
INCOME_DECISION = {
    "self": _l("Ella misma"),
    "jointly": _l("Junto con su pareja o familia"),
    "someone_else": _l("Otra persona"),
}
SURVEY_KINDS = {"baseline": _l("Línea de base"), "follow_up": _l("Seguimiento")}
#: Why a woman needs a survey now (wfi.SurveyDue.reason).
SURVEY_DUE = {"baseline": _l("Sin línea de base"), "follow_up": _l("Seguimiento pendiente")}

MULTI_FIELDS = {
    "account_institutions": ACCOUNT_INSTITUTIONS,
    "wallets_used": WALLETS,
    "saving_methods": SAVING_METHODS,
    "borrowing_sources": BORROWING_SOURCES,
    "no_account_reasons": NO_ACCOUNT_REASONS,
}

"""Questions and answer lists of the financial-inclusion survey (after the Global Findex
questionnaire).

Every multi-choice question ends with an explicit NONE ("Ninguna..."), stored as the list
["none"], so that "she has no account" and "not answered" differ: surveys saved before it
existed hold an empty list, which the indicators read as before (no account, no wallet) and the
survey's page shows as "Sin respuesta".
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

#: The code of the "Ninguna" answer of each multi-choice question; it goes alone.
NONE = "none"
YES_NO = {"yes": _l("Sí"), "no": _l("No")}
#: The questions answered yes or no, stored as booleans.
YES_NO_QUESTIONS = (
    "digital_payment",
    "saved",
    "savings_group_member",
    "borrowed",
    "has_own_income",
)


def some_chosen(codes: list[str]) -> bool:
    """A multi-choice answer that names something: neither empty (not answered, in a survey
    saved before "Ninguna" existed) nor only NONE."""
    return any(code != NONE for code in codes)


#: Shown for a question that did not apply (she has no income: who decides is not asked).
NOT_ASKED = _l("No corresponde")
#: Shown for a question left without answer in a survey saved before "Ninguna" existed.
NOT_ANSWERED = _l("Sin respuesta")

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
    NONE: _l("Ninguna entidad: no tiene cuenta"),
}
WALLETS = {
    "yape": _l("Yape"),
    "plin": _l("Plin"),
    "bim": _l("BIM"),
    "other": _l("Otra billetera"),
    NONE: _l("Ninguna billetera"),
}
SAVING_METHODS = {
    "account": _l("En una cuenta"),
    "wallet": _l("En una billetera móvil"),
    "savings_group": _l("En una junta o grupo de ahorro"),
    "cash_home": _l("Efectivo en casa"),
    "goods_animals": _l("En bienes o animales"),
    NONE: _l("Ninguna de estas formas"),
}
BORROWING_SOURCES = {
    "bank": _l("Banco"),
    "caja": _l("Caja municipal o rural"),
    "cooperative": _l("Cooperativa"),
    "savings_group": _l("Junta o grupo de ahorro"),
    "family_friends": _l("Familia o amigos"),
    "moneylender": _l("Prestamista"),
    "store_credit": _l("Crédito en tienda"),
    NONE: _l("Ninguna de estas"),
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
    NONE: _l("Ninguna de estas razones"),
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

#: Each question, in the order the form asks it and the survey's page shows it.
QUESTIONS = {
    "phone_access": _l("¿Tiene celular?"),
    "account_institutions": _l("¿Tiene cuenta en alguna de estas entidades?"),
    "no_account_reasons": _l("Si no tiene cuenta, ¿por qué?"),
    "wallets_used": _l("¿Usó una billetera móvil en los últimos 12 meses?"),
    "digital_payment": _l("¿Hizo o recibió un pago digital en los últimos 12 meses?"),
    "saved": _l("¿Ahorró dinero en los últimos 12 meses?"),
    "saving_methods": _l("Si ahorró, ¿cómo ahorró?"),
    "savings_group_member": _l("¿Es miembro de una junta o grupo de ahorro?"),
    "borrowed": _l("¿Pidió un préstamo en los últimos 12 meses?"),
    "borrowing_sources": _l("Si pidió prestado, ¿a quién le pidió?"),
    "emergency_funds": _l("Si tuviera una emergencia, ¿podría juntar dinero en 30 días?"),
    "has_own_income": _l("¿Tiene ingresos propios?"),
    "income_decision": _l("Si tiene ingresos, ¿quién decide cómo se usa ese dinero?"),
    "financial_goal": _l("Una meta para su dinero (opcional)"),
}

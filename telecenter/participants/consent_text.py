"""The consent texts read to participants (Ley 29733). Change the version when the text changes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

CONSENT_VERSION = "2026-1"

REGISTRATION_PURPOSE = (
    "Registro en el telecentro para seguir cursos y actividades, y estadísticas anónimas "
    "(solo números) para la oficina central."
)
FINANCIAL_INCLUSION_PURPOSE = (
    "Encuesta de inclusión financiera del programa de mujeres, para medir su avance."
)

REGISTRATION_TEXT = _l(
    "Sus datos (nombre, documento, fecha de nacimiento, comunidad y teléfono) se guardan solo en "
    "este telecentro. Los usamos para registrar sus cursos y su asistencia. A la oficina central "
    "solo enviamos números, nunca su nombre ni su documento. Puede pedir ver sus datos, "
    "corregirlos o borrarlos cuando quiera."
)
FINANCIAL_INCLUSION_TEXT = _l(
    "Las respuestas sobre su dinero (cuentas, ahorro, préstamos) son datos sensibles. Solo las "
    "registramos si usted acepta. Sirven para medir el avance del programa. No preguntamos "
    "cuánto gana."
)

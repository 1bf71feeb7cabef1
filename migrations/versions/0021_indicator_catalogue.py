"""the indicator catalogue, with the defaults a funder's table and a national DHIS2 ask for

The defaults are written here as they were on the day, so that the migration does not
change when the application's catalogue does; central admins edit them afterwards.

Revision ID: 0021_indicator_catalogue
Revises: 0020_telecenter_opening
Create Date: 2026-12-03 08:52:30

"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0021_indicator_catalogue"
down_revision = "0020_telecenter_opening"
branch_labels = None
depends_on = None

_PEOPLE_SPLITS = ["sex", "age_group"]
# (code, name, English name, measure, unit, splits, programme, definition)
_DEFAULTS = (
    (
        "TC_TRAINED_DIGITAL",
        "Personas capacitadas en alfabetización digital",
        "People trained in digital literacy",
        "trained:digital_literacy",
        "people",
        _PEOPLE_SPLITS,
        "network",
        "Personas distintas que en el periodo cumplieron la regla de capacitación en "
        "alfabetización digital (curso aprobado, sesiones u horas), contadas una vez por periodo.",
    ),
    (
        "TC_TRAINED_FINANCIAL",
        "Personas capacitadas en educación financiera",
        "People trained in financial literacy",
        "trained:financial_literacy",
        "people",
        _PEOPLE_SPLITS,
        "network",
        "Personas distintas que en el periodo cumplieron la regla de capacitación en educación "
        "financiera, contadas una vez por periodo.",
    ),
    (
        "TC_CROP_PARTICIPANTS",
        "Participantes por cultivo (teleconferencias y sesiones agrícolas)",
        "Participants per crop (teleconferences and farming sessions)",
        "reached",
        "people",
        ["commodity", "sex"],
        "network",
        "Personas distintas que en el periodo asistieron a una sesión sobre cada cultivo; casi "
        "todas son teleconferencias agrícolas. Una persona cuenta una vez por cultivo.",
    ),
    (
        "TC_WFI_WOMEN",
        "Mujeres en el programa de inclusión financiera",
        "Women in the financial-inclusion programme",
        "outcome:enrolled",
        "people",
        ["age_group"],
        "wfi",
        "Mujeres inscritas en el programa al final del periodo.",
    ),
    (
        "TC_FEMALE_SHARE",
        "Proporción de mujeres entre los participantes",
        "Share of women among participants",
        "female_share",
        "percent",
        [],
        "network",
        "Mujeres entre las personas distintas que participaron en el periodo, en porcentaje.",
    ),
)
_MONTHLY = (
    (
        "TC_ATTENDANCES",
        "Asistencias a sesiones",
        "Attendances at sessions",
        "attendances",
        "sessions",
        _PEOPLE_SPLITS,
        "network",
        "Cada asistencia a una clase, teleconferencia o taller del mes (una persona que va a "
        "tres sesiones suma tres).",
    ),
    (
        "TC_PARTICIPANT_HOURS",
        "Horas de los participantes",
        "Participant hours",
        "hours",
        "hours",
        ["sex"],
        "network",
        "Horas de sesión sumadas por cada participante presente en el mes.",
    ),
)
_OUTCOMES = (
    ("ACCOUNT", "account", "con cuenta en una entidad financiera", "with a financial account"),
    ("WALLET", "wallet", "que usan una billetera móvil", "using a mobile wallet"),
    ("SAVING", "saving", "que ahorran", "who save"),
)
_WHEN = (
    ("BASELINE", "baseline", "en la línea de base", "at baseline"),
    ("LATEST", "latest", "en su última encuesta", "at their latest survey"),
)


def _row(code, name, name_en, measure, unit, splits, programme, definition, period):
    return {
        "code": code,
        "name": name,
        "name_en": name_en,
        "measure": measure,
        "unit": unit,
        "disaggregations": splits,
        "programme": programme,
        "definition": definition,
        "period_type": period,
    }


def _rows():
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = [_row(*fields, "quarter") for fields in _DEFAULTS]
    rows += [_row(*fields, "month") for fields in _MONTHLY]
    for code, indicator, words, words_en in _OUTCOMES:
        for when_code, when, when_words, when_en in _WHEN:
            definition = (
                f"Mujeres del programa {words} {when_words}, entre las que tienen "
                "línea de base, al final del periodo."
            )
            rows.append(
                _row(
                    f"TC_WFI_{code}_{when_code}",
                    f"Mujeres {words} {when_words}",
                    f"Women {words_en} {when_en}",
                    f"outcome:{indicator}_{when}",
                    "people",
                    ["age_group"],
                    "wfi",
                    definition,
                    "quarter",
                )
            )
    return [row | {"updated_at": now} for row in rows]


def upgrade():
    indicators = op.create_table(
        "indicators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=160), nullable=False),
        sa.Column("name_en", sa.String(length=160), server_default="", nullable=False),
        sa.Column("definition", sa.Text(), server_default="", nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("period_type", sa.String(length=16), nullable=False),
        sa.Column("measure", sa.String(length=64), nullable=False),
        sa.Column("disaggregations", sa.JSON(), nullable=False),
        sa.Column("programme", sa.String(length=16), nullable=False),
        sa.Column("target", sa.Float(), nullable=True),
        sa.Column("baseline", sa.Float(), nullable=True),
        sa.Column("dhis2_uid", sa.String(length=11), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicators")),
        sa.UniqueConstraint("code", name=op.f("uq_indicators_code")),
        sa.UniqueConstraint("dhis2_uid", name=op.f("uq_indicators_dhis2_uid")),
    )
    op.bulk_insert(indicators, _rows())


def downgrade():
    op.drop_table("indicators")

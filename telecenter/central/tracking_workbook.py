"""The indicator tracking workbook: per indicator, baseline, target and actual for each
quarter of a fiscal year and for the year itself, and its disaggregations: the quarterly table
a funder asks for, filled from the catalogue (telecenter.central.indicators).

People are counted once per period, so a fiscal year's figure is asked of the year itself,
never added up from its quarters.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from telecenter import labels, spreadsheets
from telecenter.central import indicators
from telecenter.central.models import Indicator


def workbook(session: Session, fiscal_year: str) -> bytes:
    """The workbook of a fiscal year (FY2026); IndicatorError for anything else."""
    year = indicators.period(session, fiscal_year)
    if year.kind != "fiscal_year":
        raise indicators.IndicatorError(_("Elija un año fiscal, por ejemplo FY2026."))
    quarters = indicators.periods_of_kind("quarter", year.first, year.last, year.fiscal_year_start)
    catalogue = indicators.catalogue(session)
    periods = [*(q for q in quarters), year]
    summary = [_summary_row(session, i, quarters, year) for i in catalogue]
    splits = [
        row for i in catalogue if i.disaggregations for row in _split_rows(session, i, periods)
    ]
    note = [
        [_("Año fiscal"), year.name, year.first, year.last],
        [
            _("Nota"),
            _(
                "Una celda vacía: esa cifra aún no se puede dar "
                "(algún telecentro envía el formato anterior)."
            ),
        ],
        [
            _("Nota"),
            _(
                "Las personas se cuentan una vez por periodo: "
                "el año fiscal no es la suma de sus trimestres."
            ),
        ],
    ]
    return spreadsheets.xlsx_book(
        [
            (
                _("Indicadores"),
                [
                    _("Código"),
                    _("Indicador"),
                    _("Unidad"),
                    _("Línea de base"),
                    _("Meta"),
                    *(q.name for q in quarters),
                    year.name,
                    _("Porcentaje de la meta"),
                ],
                summary,
                note,
            ),
            (
                _("Desgloses"),
                [_("Código"), _("Indicador"), _("Periodo"), _("Desglose"), _("Cifra")],
                splits,
                note,
            ),
        ]
    )


def _summary_row(session: Session, indicator: Indicator, quarters, year) -> list:
    by_quarter = (
        [indicators.total(session, indicator, q) for q in quarters]
        if indicator.period_type in ("month", "quarter")
        else [None] * len(quarters)  # a yearly indicator has no quarterly figure
    )
    actual = indicators.total(session, indicator, year)
    share = (
        round(actual / indicator.target * 100, 1)
        if actual is not None and indicator.target
        else None
    )
    return [
        indicator.code,
        indicator.name,
        str(indicators.UNIT_LABELS.get(indicator.unit, indicator.unit)),
        indicator.baseline,
        indicator.target,
        *by_quarter,
        actual,
        share,
    ]


def _split_rows(session: Session, indicator: Indicator, periods) -> list[list]:
    splits = list(indicator.disaggregations or [])
    return [
        [
            indicator.code,
            indicator.name,
            period.name,
            " · ".join(
                labels.label(split, option)
                for split, option in zip(splits, cell.options, strict=True)
            ),
            cell.value,
        ]
        for period in periods
        for cell in indicators.cells(session, indicator, period)
    ]

"""The indicator catalogue: what a funder or a national DHIS2 is sent, and its figures.

An indicator names a measure of central's counts (telecenter.central.aggregates, or the
programme's outcomes in telecenter.central.outcomes), the period it is reported for, and the
splits it is reported with. Its value for a period is asked of those services, so the
catalogue, the dashboard and the API never disagree. People are counted once per reporting
period (aggregates' `unique=`), never added across periods; outcomes are stocks at the end
of the period.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from telecenter import month_report, periods, vocabulary
from telecenter.central import aggregates, outcomes, rules
from telecenter.central.models import Indicator
from telecenter.domain_errors import DomainError

UNITS = ("people", "sessions", "hours", "percent")
PERIOD_TYPES = ("month", "quarter", "fiscal_year", "year")
#: The splits an indicator may carry; age_group folds the site's bands into 15-29 and 30+.
DISAGGREGATIONS = ("sex", "age_band", "age_group", "wfi", "commodity")
AGE_GROUPS = {
    band: ("15-29" if floor < 30 else "30+") for floor, band in vocabulary.AGE_BAND_FLOORS
} | {vocabulary.UNKNOWN_AGE: vocabulary.UNKNOWN_AGE}
#: Each split's values, in order (the DHIS2 category options).
OPTIONS: dict[str, tuple] = {
    "sex": vocabulary.SEXES,
    "age_band": vocabulary.AGE_BANDS,
    "age_group": tuple(dict.fromkeys(AGE_GROUPS.values())),
    "wfi": vocabulary.WFI,
    "commodity": vocabulary.CROPS,
}
#: Whose figures they are (the DHIS2 attribute option of every value).
PROGRAMMES = ("network", "wfi")
FEMALE_SHARE = "female_share"
OUTCOME_PREFIX = "outcome:"
#: Measures with a fixed filter: training in one subject, reach of one crop.
_SCOPED = {"trained:": ("trained", "category"), "commodity:": ("reached", "commodity")}
CODE_PATTERN = re.compile(r"[A-Z][A-Z0-9_]{1,49}")
UID_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9]{10}")
_UID_FIRST = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_UID_REST = _UID_FIRST + "0123456789"


#: What office staff read for the catalogue's codes.
UNIT_LABELS = {
    "people": _l("Personas"),
    "sessions": _l("Sesiones o asistencias"),
    "hours": _l("Horas"),
    "percent": _l("Porcentaje"),
}
PERIOD_LABELS = {
    "month": _l("Mes"),
    "quarter": _l("Trimestre"),
    "fiscal_year": _l("Año fiscal"),
    "year": _l("Año"),
}
SPLIT_LABELS = {
    "sex": _l("Sexo"),
    "age_band": _l("Edad (rangos del telecentro)"),
    "age_group": _l("Edad (15-29 y 30 o más)"),
    "wfi": _l("En el programa de mujeres o no"),
    "commodity": _l("Cultivo"),
}
PROGRAMME_LABELS = {
    "network": _l("Red de telecentros"),
    "wfi": _l("Inclusión financiera de mujeres"),
}


class IndicatorError(DomainError):
    """An indicator that cannot be saved or computed; the messages say what to change."""


def participation_measures() -> tuple[str, ...]:
    """Every measure of the participation API, reach with its New and Continuing parts."""
    parts = tuple(f"{m}_{p}" for m in aggregates.REACH_MEASURES for p in ("new", "continuing"))
    return (*aggregates.MEASURES, *parts)


def measures() -> tuple[str, ...]:
    """Every measure an indicator may name."""
    return (
        *participation_measures(),
        *(f"trained:{category}" for category in vocabulary.CATEGORIES),
        *(f"commodity:{crop}" for crop in vocabulary.CROPS),
        *(f"{OUTCOME_PREFIX}{name}" for name in (*outcomes.COUNTS, *outcomes.SHARES)),
        FEMALE_SHARE,
    )


def _base_and_filters(measure: str) -> tuple[str, dict]:
    """The participation measure and fixed filter behind a measure name."""
    for prefix, (base, dimension) in _SCOPED.items():
        if measure.startswith(prefix):
            return base, {dimension: measure.removeprefix(prefix)}
    if measure == FEMALE_SHARE:
        return "reached", {}
    return measure, {}


def allowed_disaggregations(measure: str) -> tuple[str, ...]:
    """The splits the facts behind a measure can answer."""
    if measure.startswith(OUTCOME_PREFIX):
        return () if measure.endswith("_share") else ("age_band", "age_group")
    if measure == FEMALE_SHARE or measure not in measures():
        return ()
    base, filters = _base_and_filters(measure)
    source = aggregates.SOURCES[aggregates.base_measure(base)]
    dims = set(source.dims) & set(DISAGGREGATIONS)
    if base == "reached" and not filters:
        dims.add("commodity")  # reach per crop reads the commodity: scopes
    if "age_band" in dims:
        dims.add("age_group")
    return tuple(d for d in DISAGGREGATIONS if d in dims)


def is_stock(measure: str) -> bool:
    """Programme outcomes: how many women are so at the end of a period."""
    return measure.startswith(OUTCOME_PREFIX)


def is_unique(measure: str) -> bool:
    """People counted once per period: never summed over periods (reach, shares)."""
    base = aggregates.base_measure(_base_and_filters(measure)[0])
    return measure == FEMALE_SHARE or base in aggregates.REACH_MEASURES


def generated_uid(kind: str, code: str) -> str:
    """A DHIS2 UID (a letter, then ten letters or digits) that depends only on the object's
    kind and code, so every export and the metadata package agree without storing it."""
    digest = int.from_bytes(hashlib.sha256(f"{kind}:{code}".encode()).digest(), "big")
    first, digest = _UID_FIRST[digest % 52], digest // 52
    rest = []
    for _position in range(10):
        rest.append(_UID_REST[digest % 62])
        digest //= 62
    return first + "".join(rest)


def uid_of(indicator: Indicator) -> str:
    return indicator.dhis2_uid or generated_uid("dataElement", indicator.code)


# --- the catalogue ---------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorData:
    """What the form sends (names as the model's columns)."""

    code: str
    name: str
    measure: str
    unit: str
    period_type: str
    disaggregations: tuple[str, ...] = ()
    programme: str = "network"
    name_en: str = ""
    definition: str = ""
    target: float | None = None
    baseline: float | None = None
    dhis2_uid: str | None = None


def catalogue(session: Session) -> list[Indicator]:
    return list(session.scalars(sa.select(Indicator).order_by(Indicator.id)))


def _errors(session: Session, data: IndicatorData, current: Indicator | None) -> dict[str, str]:
    errors = _identity_errors(session, data, current)
    if data.measure not in measures():
        errors["measure"] = _("Elija qué cuenta el indicador.")
    if data.unit not in UNITS:
        errors["unit"] = _("Elija la unidad.")
    elif (data.unit == "percent") != (data.measure == FEMALE_SHARE or "_share" in data.measure):
        errors["unit"] = _(
            "Solo las proporciones van en porcentaje, y ellas siempre en porcentaje."
        )
    if data.period_type not in PERIOD_TYPES:
        errors["period_type"] = _("Elija el periodo.")
    if data.programme not in PROGRAMMES:
        errors["programme"] = _("Elija el programa.")
    errors |= _split_errors(data)
    for name in ("target", "baseline"):
        value = getattr(data, name)
        if value is not None and not 0 <= value <= 100_000_000:
            errors[name] = _("Escriba un número de 0 a 100 000 000.")
    return errors


def _identity_errors(
    session: Session, data: IndicatorData, current: Indicator | None
) -> dict[str, str]:
    """Code, name and DHIS2 UID: well formed, and the code and UID nobody else's."""
    errors: dict[str, str] = {}
    if not CODE_PATTERN.fullmatch(data.code):
        errors["code"] = _(
            "El código va en mayúsculas, sin espacios: letras, números y «_», "
            "de 2 a 50 caracteres, por ejemplo TC_CAPACITADOS."
        )
    elif _taken(session, Indicator.code, data.code, current):
        errors["code"] = _("Ya hay un indicador con ese código.")
    if not data.name.strip():
        errors["name"] = _("Escriba el nombre del indicador.")
    if data.dhis2_uid and not UID_PATTERN.fullmatch(data.dhis2_uid):
        errors["dhis2_uid"] = _(
            "Un UID de DHIS2 tiene 11 letras o números y empieza con una letra."
        )
    elif data.dhis2_uid and _taken(session, Indicator.dhis2_uid, data.dhis2_uid, current):
        errors["dhis2_uid"] = _("Otro indicador ya usa ese UID.")
    return errors


def _split_errors(data: IndicatorData) -> dict[str, str]:
    splits = set(data.disaggregations)
    if splits - set(DISAGGREGATIONS):
        return {"disaggregations": _("Elija los desgloses de la lista.")}
    if {"age_band", "age_group"} <= splits:
        return {"disaggregations": _("Elija un solo desglose por edad.")}
    if data.measure in measures() and splits - set(allowed_disaggregations(data.measure)):
        return {"disaggregations": _("Lo que cuenta este indicador no se puede desglosar así.")}
    return {}


def _taken(session: Session, column, value: str, current: Indicator | None) -> bool:
    statement = sa.select(Indicator.id).where(column == value)
    if current is not None:
        statement = statement.where(Indicator.id != current.id)
    return session.scalar(statement) is not None


def _cleaned(data: IndicatorData) -> dict:
    return {
        "code": data.code.strip(),
        "name": data.name.strip()[:160],
        "name_en": data.name_en.strip()[:160],
        "definition": data.definition.strip(),
        "measure": data.measure,
        "unit": data.unit,
        "period_type": data.period_type,
        "disaggregations": [d for d in DISAGGREGATIONS if d in data.disaggregations],
        "programme": data.programme,
        "target": data.target,
        "baseline": data.baseline,
        "dhis2_uid": (data.dhis2_uid or "").strip() or None,
    }


def save(session: Session, data: IndicatorData, indicator: Indicator | None = None) -> Indicator:
    """Create or change an indicator, or IndicatorError naming every field to fix."""
    data = IndicatorData(**(_cleaned(data) | {"disaggregations": tuple(data.disaggregations)}))
    errors = _errors(session, data, indicator)
    if errors:
        raise IndicatorError(errors)
    if indicator is None:
        indicator = Indicator()
        session.add(indicator)
    for name, value in _cleaned(data).items():
        setattr(indicator, name, value)
    session.flush()
    return indicator


# --- periods ---------------------------------------------------------------------------

_PERIOD_FORMS = {
    "month": re.compile(r"(\d{4})-(\d{2})"),
    "quarter": re.compile(r"(\d{4})-Q([1-4])"),
    "fiscal_year": re.compile(r"FY(\d{4})"),
    "year": re.compile(r"(\d{4})"),
}


@dataclass(frozen=True)
class Period:
    kind: str
    name: str  # as telecenter.periods names it: 2026-03, 2026-Q1, FY2026, 2026
    first: str
    last: str
    fiscal_year_start: int


def period_kind(name: str) -> str | None:
    for kind, pattern in _PERIOD_FORMS.items():
        if pattern.fullmatch(name or ""):
            return kind
    return None


def parse_period(name: str, fiscal_year_start: int) -> Period:
    """A period named as central names them (2026-03, 2026-Q1, FY2026, 2026), or
    IndicatorError."""
    kind = period_kind(name)
    if kind is None:
        raise IndicatorError(
            "period must be a month (2026-03), a quarter (2026-Q1), a fiscal year (FY2026) "
            "or a year (2026)"
        )
    number = _PERIOD_FORMS[kind].fullmatch(name).groups()  # type: ignore[union-attr]
    year = int(number[0])
    if kind == "month":
        probe = name
    elif kind == "quarter":
        probe = f"{year:04d}-{(int(number[1]) - 1) * 3 + 1:02d}"
    elif kind == "fiscal_year":
        probe = f"{year - (fiscal_year_start > 1):04d}-{fiscal_year_start:02d}"
    else:
        probe = f"{year:04d}-01"
    first = periods.first_month(kind, probe, fiscal_year_start)
    last = periods.last_month(kind, probe, fiscal_year_start)
    if not (month_report.is_supported_month(first) and month_report.is_supported_month(last)):
        raise IndicatorError(
            f"period must lie between {month_report.FIRST_MONTH} and {month_report.LAST_MONTH}"
        )
    return Period(
        kind, periods.period_of(kind, probe, fiscal_year_start), first, last, fiscal_year_start
    )


def period(session: Session, name: str) -> Period:
    return parse_period(name, rules.current_rules(session).fiscal_year_start)


def periods_of_kind(kind: str, first: str, last: str, fiscal_year_start: int) -> list[Period]:
    """The periods of `kind` that hold the months first..last, oldest first."""
    names = []
    month = first
    while month <= last:
        names.append(periods.period_of(kind, month, fiscal_year_start))
        month = periods.last_month(kind, month, fiscal_year_start)
        year, number = int(month[:4]), int(month[5:7])
        month = f"{year + number // 12:04d}-{number % 12 + 1:02d}"
    return [parse_period(name, fiscal_year_start) for name in dict.fromkeys(names)]


# --- figures ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One figure: for a telecenter (None: the whole network) and one value of each split
    (in the indicator's order); value None when the facts cannot answer yet."""

    telecenter: str | None
    options: tuple
    value: float | None


def cells(
    session: Session,
    indicator: Indicator,
    period: Period,
    *,
    by_telecenter: bool = False,
    split: bool = True,
) -> list[Cell]:
    """The indicator's figures for a period, per split (and per telecenter); `split=False`:
    its one figure (for the whole network, or per telecenter)."""
    splits = list(indicator.disaggregations or []) if split else []
    if is_stock(indicator.measure):
        rows = _outcome_rows(session, indicator.measure, period, splits, by_telecenter)
    elif indicator.measure == FEMALE_SHARE:
        rows = _female_share_rows(session, period, by_telecenter)
    else:
        rows = _participation_rows(session, indicator.measure, period, splits, by_telecenter)
    return _folded(rows, splits, by_telecenter, percent=indicator.unit == "percent")


def total(session: Session, indicator: Indicator, period: Period) -> float | None:
    """The indicator's one figure for the whole network (splits summed where they add up)."""
    (cell,) = cells(session, indicator, period, split=False)
    return cell.value


def _group_names(splits: list[str], by_telecenter: bool) -> list[str]:
    names = ["telecenter"] if by_telecenter else []
    return names + list(dict.fromkeys("age_band" if s == "age_group" else s for s in splits))


def _participation_rows(session, measure, period: Period, splits, by_telecenter) -> list[dict]:
    base, filters = _base_and_filters(measure)
    unique = period.kind if is_unique(measure) else "ever"
    query = aggregates.parse(
        {
            "from": period.first,
            "to": period.last,
            "group_by": ",".join(_group_names(splits, by_telecenter)),
            "unique": unique,
            **filters,
        },
        session,
    )
    answer = aggregates.run(session, query)
    rows = answer["rows"] if query.group_by else [answer["totals"]]
    return [row | {"value": row[base]} for row in rows]


def _female_share_rows(session, period: Period, by_telecenter: bool) -> list[dict]:
    """The share (0-1) of women among the people reached in the period."""
    names = _group_names(["sex"], by_telecenter)
    query = aggregates.parse(
        {
            "from": period.first,
            "to": period.last,
            "group_by": ",".join(names),
            "unique": period.kind,
        },
        session,
    )
    per_place: dict[str | None, list] = {}
    for row in aggregates.run(session, query)["rows"]:
        place = row.get("telecenter")
        counts = per_place.setdefault(place, [0, 0])
        if row["reached"] is None or counts[1] is None:
            per_place[place] = [None, None]
            continue
        counts[0] += row["reached"] if row["sex"] == "female" else 0
        counts[1] += row["reached"]
    if not by_telecenter:
        per_place.setdefault(None, [0, 0])
    return [
        {"telecenter": place, "value": women / whole if whole else None}
        for place, (women, whole) in per_place.items()
    ]


def _outcome_rows(session, measure, period: Period, splits, by_telecenter) -> list[dict]:
    name = measure.removeprefix(OUTCOME_PREFIX)
    group_by = _group_names(splits, by_telecenter)
    query = outcomes.OutcomeQuery(period.first, period.last, {}, group_by)
    answer = outcomes.compute(session, query)
    rows = answer["rows"] if group_by else [answer["totals"]]
    return [row | {"value": row[name]} for row in rows]


def _folded(rows: Iterable[dict], splits, by_telecenter: bool, *, percent: bool) -> list[Cell]:
    """Rows into cells, age bands folded into age groups (sums of disjoint people; a share is
    never folded: shares carry no age split)."""
    summed: dict[tuple, float | None] = {}
    for row in rows:
        options = tuple(
            AGE_GROUPS[row["age_band"]] if split == "age_group" else row[split] for split in splits
        )
        key = (row.get("telecenter") if by_telecenter else None, options)
        before, value = summed.get(key, 0), row["value"]
        summed[key] = None if before is None or value is None else before + value
    return [
        Cell(place, options, None if value is None else _rounded(value, percent))
        for (place, options), value in sorted(summed.items(), key=lambda item: str(item[0]))
    ]


def _rounded(value: float, percent: bool) -> float:
    if percent:
        return round(value * 100, 1)
    return round(value, 2) if value != int(value) else int(value)

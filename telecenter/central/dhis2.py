"""The indicator catalogue for a national or partner DHIS2: a metadata package to import
once, and each period's figures as dataValueSets JSON or IHE ADX XML.

Every object has a code (TC_...) and a UID derived from its kind and code
(indicators.generated_uid), so the package and every export agree without central storing
DHIS2's identifiers. An indicator's own UID, when set in the catalogue, is its data
element's; a telecenter's, when set in DHIS2_ORG_UNITS, is its org unit's. JSON uses UIDs
(DHIS2's default for JSON); ADX uses codes (DHIS2's default for ADX); `id_scheme` switches.

Splits are DHIS2 categories (one category combo per set of splits, a one-option "Total"
category for none); the programme is the attribute (TC_PROGRAMME). One data set per period
type. People counted once per period and stocks are never summed by DHIS2 over time:
aggregationType NONE for unique counts and shares, LAST for stocks, SUM for events.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import date, datetime
from xml.etree import ElementTree as ET

import sqlalchemy as sa
from sqlalchemy.orm import Session

from telecenter import vocabulary
from telecenter.central import indicators
from telecenter.central.indicators import Period
from telecenter.central.models import Indicator, MonthReport, Telecenter
from telecenter.clock import today_in_lima, utcnow
from telecenter.domain_errors import DomainError

ADX_NAMESPACE = "urn:ihe:qrph:adx:2015"
ID_SCHEMES = ("uid", "code")
ROOT_CODE = "TC_NETWORK"
PROGRAMME = "programme"
TOTAL = "total"
#: Financial years DHIS2 has a period type for: start month -> (type, suffix of its name).
FINANCIAL_YEARS = {
    4: ("FinancialApril", "April"),
    7: ("FinancialJuly", "July"),
    10: ("FinancialOct", "Oct"),
    11: ("FinancialNov", "Nov"),
}
PERIOD_TYPES = {"month": "Monthly", "quarter": "Quarterly", "year": "Yearly"}
ADX_DURATIONS = {"month": "P1M", "quarter": "P3M", "fiscal_year": "P1Y", "year": "P1Y"}
CATEGORY_CODES = {
    "sex": "TC_SEX",
    "age_band": "TC_AGE_BAND",
    "age_group": "TC_AGE_GROUP",
    "wfi": "TC_WFI",
    "commodity": "TC_CROP",
    PROGRAMME: "TC_PROGRAMME",
    TOTAL: "TC_TOTAL",
}
CATEGORY_NAMES = {
    "sex": "Sexo",
    "age_band": "Edad (rangos del telecentro)",
    "age_group": "Edad (15-29, 30 y más)",
    "wfi": "En el programa de inclusión financiera",
    "commodity": "Cultivo",
    PROGRAMME: "Programa",
    TOTAL: "Total",
}
OPTION_NAMES: dict[str, dict] = {
    "sex": dict(zip(vocabulary.SEXES, ("Mujer", "Hombre", "Sexo no indicado"), strict=True)),
    "wfi": {True: "En el programa", False: "Fuera del programa"},
    "commodity": {
        "cacao": "Cacao",
        "coffee": "Café",
        "banana": "Plátano",
        "timber": "Madera u otro forestal",
        "other_crop": "Otro cultivo",
    },
    PROGRAMME: {"network": "Red de telecentros", "wfi": "Inclusión financiera de mujeres"},
    TOTAL: {TOTAL: "Total"},
}


class ExportError(DomainError):
    """A DHIS2 export that cannot be made as asked; the message says what to change."""


def _options(split: str) -> tuple:
    if split == PROGRAMME:
        return indicators.PROGRAMMES
    if split == TOTAL:
        return (TOTAL,)
    return indicators.OPTIONS[split]


def _token(value) -> str:
    """A value as a piece of a DHIS2 code: upper case, letters, digits and _ only."""
    words = {True: "YES", False: "NO", "60+": "60PLUS", "30+": "30PLUS"}
    text = words.get(value, str(value)) if isinstance(value, (bool, str)) else str(value)
    return re.sub(r"[^A-Z0-9]+", "_", text.upper()).strip("_")


@dataclass(frozen=True)
class Ref:
    """A metadata object as exports name it: its kind, code and (derived or set) UID."""

    kind: str
    code: str
    uid: str

    @classmethod
    def of(cls, kind: str, code: str, uid: str | None = None) -> Ref:
        return cls(kind, code, uid or indicators.generated_uid(kind, code))

    def id(self, scheme: str) -> str:
        return self.uid if scheme == "uid" else self.code


def category(split: str) -> Ref:
    return Ref.of("category", CATEGORY_CODES[split])


def option(split: str, value) -> Ref:
    return Ref.of("categoryOption", f"{CATEGORY_CODES[split]}_{_token(value)}")


def option_name(split: str, value) -> str:
    """Unique among the package's options, as DHIS2 wants option names to be."""
    if split in OPTION_NAMES:
        return OPTION_NAMES[split][value]
    grouped = " (15-29 / 30+)" if split == "age_group" else ""
    return ("Edad desconocida" if value == "unknown" else f"{value} años") + grouped


def splits_of(indicator: Indicator) -> tuple[str, ...]:
    return tuple(indicator.disaggregations or []) or (TOTAL,)


def combo(splits: tuple[str, ...]) -> Ref:
    return Ref.of("categoryCombo", "TC_CC_" + "_".join(_token(s) for s in splits))


def option_combo(splits: tuple[str, ...], values: tuple) -> Ref:
    code = "TC_COC_" + "_".join(
        _token(CATEGORY_CODES[s]).removeprefix("TC_")[:3] + _token(v)
        for s, v in zip(splits, values, strict=True)
    )
    return Ref.of("categoryOptionCombo", code[:50])


def attribute_combo(programme: str) -> Ref:
    return option_combo((PROGRAMME,), (programme,))


def data_element(indicator: Indicator) -> Ref:
    return Ref("dataElement", indicator.code, indicators.uid_of(indicator))


def data_set_code(prefix: str, kind: str) -> str:
    return f"{prefix}_{_token(kind)}"[:50]


def data_set(prefix: str, kind: str) -> Ref:
    return Ref.of("dataSet", data_set_code(prefix, kind))


def org_unit(code: str, org_units: dict) -> Ref:
    return Ref.of("organisationUnit", code, org_units.get(code))


def region_unit(region: str) -> Ref:
    return Ref.of("organisationUnit", f"TC_REGION_{_token(region)}"[:50])


# --- periods -------------------------------------------------------------------------------


def dhis2_period(period: Period) -> str:
    """DHIS2's name of a period: 202603, 2026Q1, 2025Oct (October 2025 to September 2026:
    named by the year it starts in, where central names it FY2026), 2026."""
    year, month = period.first[:4], period.first[5:7]
    if period.kind == "month":
        return f"{year}{month}"
    if period.kind == "quarter":
        return f"{year}Q{(int(month) - 1) // 3 + 1}"
    if period.kind == "fiscal_year":
        return f"{year}{_financial(period.fiscal_year_start)[1]}"
    return year


def period_type(kind: str, fiscal_year_start: int) -> str:
    if kind == "fiscal_year":
        return _financial(fiscal_year_start)[0]
    return PERIOD_TYPES[kind]


def _financial(start: int) -> tuple[str, str]:
    if start not in FINANCIAL_YEARS:
        raise ExportError(
            "DHIS2 has financial years starting in April, July, October or November only; "
            "the fiscal year here starts in another month"
        )
    return FINANCIAL_YEARS[start]


def adx_period(period: Period) -> str:
    return f"{period.first}-01/{ADX_DURATIONS[period.kind]}"


def closed_on(period: Period, due_day: int) -> date:
    """The day the period closes (its data set complete): the day of the month after its last
    month by which every telecenter's report is due (REPORT_DUE_DAY, as data quality counts)."""
    year, month = int(period.last[:4]), int(period.last[5:7])
    return date(year + month // 12, month % 12 + 1, due_day)


def is_closed(period: Period, due_day: int) -> bool:
    """Whether the period ended and its reporting deadline passed (Lima's calendar)."""
    return today_in_lima() > closed_on(period, due_day)


# --- data values -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Value:
    indicator: Indicator
    telecenter: str
    options: tuple
    value: float


def values(session: Session, period: Period) -> list[Value]:
    """Every catalogue figure of the period's kind, per telecenter and split (figures the
    facts cannot answer yet are left out, never sent as 0)."""
    result = []
    for indicator in indicators.catalogue(session):
        if indicator.period_type != period.kind:
            continue
        for cell in indicators.cells(session, indicator, period, by_telecenter=True):
            if cell.value is None or cell.telecenter is None:
                continue
            options = cell.options if indicator.disaggregations else (TOTAL,)
            result.append(Value(indicator, cell.telecenter, options, cell.value))
    return result


def _text(number: float) -> str:
    return str(int(number)) if number == int(number) else str(number)


def data_value_set(
    session: Session,
    period: Period,
    *,
    prefix: str,
    org_units: dict,
    due_day: int,
    scheme: str = "uid",
    telecenter: str | None = None,
) -> dict:
    """dataValueSets JSON: every value names its data element, period, org unit, category
    option combo and attribute option combo. `completeDate` is given only for one telecenter
    (DHIS2 registers completeness for the set's own org unit) once the period closed."""
    chosen = [v for v in values(session, period) if telecenter in (None, v.telecenter)]
    answer: dict[str, object] = {"dataSet": data_set(prefix, period.kind).id(scheme)}
    answer["period"] = dhis2_period(period)
    if telecenter is not None:
        answer["orgUnit"] = org_unit(telecenter, org_units).id(scheme)
        if is_closed(period, due_day) and _reported(session, period, telecenter):
            answer["completeDate"] = closed_on(period, due_day).isoformat()
    answer["dataValues"] = [
        {
            "dataElement": data_element(v.indicator).id(scheme),
            "period": dhis2_period(period),
            "orgUnit": org_unit(v.telecenter, org_units).id(scheme),
            "categoryOptionCombo": option_combo(splits_of(v.indicator), v.options).id(scheme),
            "attributeOptionCombo": attribute_combo(v.indicator.programme).id(scheme),
            "value": _text(v.value),
        }
        for v in chosen
    ]
    return answer


def _reported(session: Session, period: Period, code: str) -> bool:
    return bool(
        session.scalar(
            sa.select(sa.func.count(MonthReport.id))
            .join(Telecenter, Telecenter.id == MonthReport.telecenter_id)
            .where(Telecenter.code == code)
            .where(MonthReport.month >= period.first, MonthReport.month <= period.last)
        )
    )


def adx(
    session: Session,
    period: Period,
    *,
    prefix: str,
    org_units: dict,
    due_day: int,
    scheme: str = "code",
) -> bytes:
    """ADX: a group per telecenter with figures (orgUnit, period as start/duration, dataSet,
    the programme attribute, completeDate once closed), splits as category attributes.

    A period nobody reported is one group for the network with zeros: the ADX schema wants
    at least one group and one value in it, and DHIS2 does not store zeros of data elements
    whose zeros are not significant (the package's), so nothing is invented."""
    ET.register_namespace("", ADX_NAMESPACE)
    root = ET.Element(f"{{{ADX_NAMESPACE}}}adx", exported=utcnow().isoformat(timespec="seconds"))
    groups: dict[tuple[str, str], list[Value]] = {}
    for value in values(session, period):
        groups.setdefault((value.telecenter, value.indicator.programme), []).append(value)
    if not groups:
        groups = {(ROOT_CODE, p): _zeros(session, period, p) for p in indicators.PROGRAMMES}
        groups = {key: zeros for key, zeros in groups.items() if zeros}
    for (place, programme), members in groups.items():
        attributes = {
            "orgUnit": (
                Ref.of("organisationUnit", ROOT_CODE)
                if place == ROOT_CODE
                else org_unit(place, org_units)
            ).id(scheme),
            "period": adx_period(period),
            "dataSet": data_set(prefix, period.kind).id(scheme),
            category(PROGRAMME).id(scheme): option(PROGRAMME, programme).id(scheme),
        }
        if is_closed(period, due_day) and place != ROOT_CODE:
            attributes["completeDate"] = closed_on(period, due_day).isoformat()
        group = ET.SubElement(root, f"{{{ADX_NAMESPACE}}}group", attributes)
        for value in members:
            splits = splits_of(value.indicator)
            cell = {
                category(s).id(scheme): option(s, o).id(scheme)
                for s, o in zip(splits, value.options, strict=True)
            }
            ET.SubElement(
                group,
                f"{{{ADX_NAMESPACE}}}dataValue",
                {
                    "dataElement": data_element(value.indicator).id(scheme),
                    **cell,
                    "value": _text(value.value),
                },
            )
    if not len(root):
        raise ExportError("the catalogue has no indicator reported for this kind of period")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _zeros(session: Session, period: Period, programme: str) -> list[Value]:
    return [
        Value(indicator, ROOT_CODE, (TOTAL,) if not indicator.disaggregations else options, 0)
        for indicator in indicators.catalogue(session)
        if indicator.period_type == period.kind and indicator.programme == programme
        for options in [tuple(_options(s)[0] for s in splits_of(indicator))]
    ]


# --- the metadata package --------------------------------------------------------------------


def _aggregation(indicator: Indicator) -> str:
    if indicators.is_stock(indicator.measure):
        return "NONE" if indicator.unit == "percent" else "LAST"
    if indicators.is_unique(indicator.measure):
        return "NONE"
    return "SUM"


def _value_type(indicator: Indicator) -> str:
    if indicator.unit == "percent":
        return "PERCENTAGE"
    return "NUMBER" if indicator.unit == "hours" else "INTEGER_ZERO_OR_POSITIVE"


def _named(ref: Ref, name: str, **extra) -> dict:
    return {"id": ref.uid, "code": ref.code, "name": name[:230], "shortName": name[:50]} | extra


def metadata(session: Session, *, prefix: str, org_units: dict, fiscal_year_start: int) -> dict:
    """Everything DHIS2 needs before the first data import, internally consistent: every
    combo a value uses is declared, with its options' categories."""
    catalogue = indicators.catalogue(session)
    used = {splits_of(i) for i in catalogue} | {(PROGRAMME,)}
    splits = sorted({s for combination in used for s in combination})
    package: dict[str, list] = {
        "categoryOptions": [
            _named(option(s, v), option_name(s, v)) for s in splits for v in _options(s)
        ],
        "categories": [
            _named(
                category(s),
                CATEGORY_NAMES[s],
                dataDimensionType="ATTRIBUTE" if s == PROGRAMME else "DISAGGREGATION",
                categoryOptions=[{"id": option(s, v).uid} for v in _options(s)],
            )
            for s in splits
        ],
        "categoryCombos": [],
        "categoryOptionCombos": [],
    }
    for combination in sorted(used):
        ref = combo(combination)
        package["categoryCombos"].append(
            _named(
                ref,
                " / ".join(CATEGORY_NAMES[s] for s in combination),
                dataDimensionType="ATTRIBUTE" if combination == (PROGRAMME,) else "DISAGGREGATION",
                categories=[{"id": category(s).uid} for s in combination],
            )
        )
        for chosen in itertools.product(*(_options(s) for s in combination)):
            package["categoryOptionCombos"].append(
                _named(
                    option_combo(combination, chosen),
                    ", ".join(option_name(s, v) for s, v in zip(combination, chosen, strict=True)),
                    categoryCombo={"id": ref.uid},
                    categoryOptions=[
                        {"id": option(s, v).uid} for s, v in zip(combination, chosen, strict=True)
                    ],
                )
            )
    package["dataElements"] = [
        _named(
            data_element(i),
            i.name,
            shortName=f"{i.code}"[:50],
            description=i.definition,
            domainType="AGGREGATE",
            valueType=_value_type(i),
            aggregationType=_aggregation(i),
            zeroIsSignificant=False,
            categoryCombo={"id": combo(splits_of(i)).uid},
        )
        for i in catalogue
    ]
    package["organisationUnits"] = _org_units(session, org_units)
    codes = session.scalars(sa.select(Telecenter.code).order_by(Telecenter.code))
    reporting = [org_unit(code, org_units).uid for code in codes]
    package["dataSets"] = _data_sets(catalogue, reporting, prefix, fiscal_year_start)
    return package


def _data_sets(catalogue, reporting: list[str], prefix: str, fiscal_year_start: int) -> list[dict]:
    sets = []
    for kind in indicators.PERIOD_TYPES:
        members = [i for i in catalogue if i.period_type == kind]
        if not members:
            continue
        sets.append(
            _named(
                data_set(prefix, kind),
                f"Telecentros: indicadores ({_KIND_NAMES[kind]})",
                periodType=period_type(kind, fiscal_year_start),
                categoryCombo={"id": combo((PROGRAMME,)).uid},
                dataSetElements=[{"dataElement": {"id": data_element(i).uid}} for i in members],
                organisationUnits=[{"id": uid} for uid in reporting],
            )
        )
    return sets


_KIND_NAMES = {
    "month": "mensual",
    "quarter": "trimestral",
    "fiscal_year": "año fiscal",
    "year": "anual",
}


def _opening(moment: datetime | None) -> str:
    return (moment.date() if moment else date(2012, 1, 1)).isoformat() + "T00:00:00.000"


def _org_units(session: Session, org_units: dict) -> list[dict]:
    """The network (level 1), its regions (level 2) and telecenters (level 3)."""
    telecenters = list(session.scalars(sa.select(Telecenter).order_by(Telecenter.code)))
    opening = _opening(min((t.created_at for t in telecenters), default=None))
    root = Ref.of("organisationUnit", ROOT_CODE)
    units = [_named(root, "Red de telecentros", openingDate=opening)]
    for region in sorted({t.region for t in telecenters}):
        units.append(
            _named(region_unit(region), region, openingDate=opening, parent={"id": root.uid})
        )
    for telecenter in telecenters:
        units.append(
            _named(
                org_unit(telecenter.code, org_units),
                telecenter.name,
                shortName=telecenter.code,
                openingDate=_opening(telecenter.created_at),
                parent={"id": region_unit(telecenter.region).uid},
            )
        )
    return units

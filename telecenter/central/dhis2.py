"""A month's figures as DHIS2 dataValueSets JSON and as IHE ADX XML.

Data element codes (per measure) and org unit codes (per telecenter) come from the
configuration (DHIS2_DATA_ELEMENTS, DHIS2_ORG_UNITS), so a national DHIS2 can load them.
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

from sqlalchemy.orm import Session

from telecenter.central import aggregates
from telecenter.clock import utcnow

DEFAULT_ELEMENTS = {measure: f"TC_{measure.upper()}" for measure in aggregates.MEASURES}
ADX_NAMESPACE = "urn:ihe:qrph:adx:2015"


def data_values(session: Session, month: str, *, elements: dict, org_units: dict) -> list[dict]:
    query = aggregates.parse({"from": month, "to": month, "group_by": "telecenter"}, session)
    period = month.replace("-", "")
    values = []
    for row in aggregates.run(session, query)["rows"]:
        for measure in aggregates.MEASURES:
            code = elements.get(measure, DEFAULT_ELEMENTS[measure])
            if row[measure] is None or not code:
                continue
            values.append(
                {
                    "dataElement": code,
                    "period": period,
                    "orgUnit": org_units.get(row["telecenter"], row["telecenter"]),
                    "value": str(row[measure]),
                }
            )
    return values


def data_value_set(values: list[dict]) -> dict:
    return {"completeDate": utcnow().date().isoformat(), "dataValues": values}


def adx(values: list[dict], *, data_set: str) -> bytes:
    ET.register_namespace("", ADX_NAMESPACE)
    root = ET.Element(f"{{{ADX_NAMESPACE}}}adx", exported=utcnow().isoformat())
    groups: dict[tuple[str, str], ET.Element] = {}
    for value in values:
        key = (value["orgUnit"], value["period"])
        if key not in groups:
            period = f"{value['period'][:4]}-{value['period'][4:]}-01/P1M"
            groups[key] = ET.SubElement(
                root, f"{{{ADX_NAMESPACE}}}group", orgUnit=key[0], period=period, dataSet=data_set
            )
        ET.SubElement(
            groups[key],
            f"{{{ADX_NAMESPACE}}}dataValue",
            dataElement=value["dataElement"],
            value=value["value"],
        )
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)

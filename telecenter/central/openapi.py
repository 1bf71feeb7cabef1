"""The OpenAPI 3 description of central's API (sync, participation, programme outcomes)."""

from __future__ import annotations

from telecenter import month_report, vocabulary
from telecenter.central import dhis2, network_events, outcomes, quality
from telecenter.central.aggregates import FILTERS, GROUPS, MEASURES, REACH_MEASURES, UNIQUE

# ECMA-262 patterns (JSON Schema searches, so anchored): the months central stores.
MONTH_PATTERN = r"^20[0-9]{2}-(0[1-9]|1[0-2])$"
_ERROR = {
    "type": "object",
    "required": ["error", "reason"],
    "properties": {"error": {"type": "string"}, "reason": {"type": "string"}},
}


def _errors(*codes: int) -> dict:
    return {
        str(code): {
            "description": "error",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for code in codes
    }


def _row_schema(table: str) -> dict:
    dims, measures = month_report.TABLES[table]
    properties: dict[str, dict[str, object]] = {}
    for dim in dims:
        values = list(vocabulary.DIMENSIONS[dim])
        properties[dim] = (
            {"type": "boolean"} if dim == "wfi" else {"type": "string", "enum": values}
        )
    for measure, kind in measures.items():
        properties[measure] = {"type": "integer" if kind == "int" else "number", "minimum": 0}
    return {
        "type": "object",
        "additionalProperties": False,
        "required": [*dims, *measures],
        "properties": properties,
    }


def _columns_schema(table: str) -> dict:
    row = _row_schema(table)
    return {
        "type": "object",
        "description": "the table in columns: each field's values, row by row, all of one length",
        "additionalProperties": False,
        "required": row["required"],
        "properties": {
            field: {"type": "array", "items": value} for field, value in row["properties"].items()
        },
    }


def _month_report() -> dict:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["schema", "telecenter", "month", "generated_at", *month_report.TABLES],
        "properties": {
            "schema": {"type": "integer", "enum": [month_report.SCHEMA]},
            "telecenter": {"type": "string", "pattern": f"^{month_report.CODE.pattern}$"},
            "month": {"type": "string", "pattern": MONTH_PATTERN},
            "generated_at": {"type": "string", "format": "date-time"},
            "rules_version": {
                "type": "string",
                "pattern": f"^{month_report.RULES_VERSION.pattern}$",
                "description": "the counting rules it was computed under (schema 2)",
            },
            "network_events": {
                "type": "array",
                "maxItems": month_report.MAX_NETWORK_EVENTS,
                "description": "optional: counts per network teleconference held in the month",
                "items": _network_event_counts(),
            },
            **{
                table: {
                    "oneOf": [
                        {"type": "array", "items": _row_schema(table)},
                        _columns_schema(table),
                    ]
                }
                for table in month_report.TABLES
            },
        },
    }


def _network_event_counts() -> dict:
    count = {"type": "integer", "minimum": 0, "maximum": month_report.MAX_MEASURE}
    row = {
        "type": "object",
        "additionalProperties": False,
        "required": list(month_report.NETWORK_ATTENDANCE_FIELDS),
        "properties": {
            "sex": {"type": "string", "enum": list(vocabulary.SEXES)},
            "age_band": {"type": "string", "enum": list(vocabulary.AGE_BANDS)},
            "attendances": count,
            "participants": count,
        },
    }
    return {
        "type": "object",
        "additionalProperties": False,
        "required": list(month_report.NETWORK_EVENT_FIELDS),
        "properties": {
            "event": {"type": "string", "pattern": f"^{month_report.NETWORK_EVENT.pattern}$"},
            "sessions_held": count,
            "unregistered_viewers": count,
            "attendance": {"type": "array", "items": row},
        },
    }


def _event_figures() -> dict:
    count = {"type": "integer", "minimum": 0}
    split = {"type": "object", "additionalProperties": count}
    return {
        "type": "object",
        "properties": {
            "sessions_held": count,
            "attendances": count,
            "participants": {**count, "description": "distinct people registered"},
            "women": count,
            "men": count,
            "sex": {**split, "description": "participants by sex"},
            "age_band": {**split, "description": "participants by age band at the event"},
            "unregistered_viewers": count,
        },
    }


def _network_event_answer() -> dict:
    place = {
        "type": "object",
        "properties": {
            "telecenter": _TEXT,
            "name": _TEXT,
            "region": _TEXT,
            "invited": {"type": "boolean", "description": "false: it reported an event not for it"},
            "status": {
                "type": "string",
                "enum": ["held", "not_held", "waiting"],
                "description": "held: reported it; not_held: reported the month (computed after "
                "the start) without it; waiting: no such report yet",
            },
            **_event_figures()["properties"],
        },
    }
    return {
        "allOf": [
            {"$ref": "#/components/schemas/NetworkEvent"},
            {
                "type": "object",
                "properties": {
                    "audience": {"type": "string", "enum": ["all", "region", "chosen"]},
                    "region": {"type": "string", "nullable": True},
                    "telecenters": {"type": "array", "items": _TEXT},
                    "reported": {"type": "integer"},
                    "totals": _event_figures(),
                    "by_telecenter": {"type": "array", "items": place},
                },
            },
        ]
    }


def _network_events_paths() -> dict:
    answer = {"$ref": "#/components/schemas/NetworkEventFigures"}
    unknown = {
        "type": "object",
        "description": "figures a telecenter sent under an id central has no event for",
        "properties": {
            "id": _TEXT,
            "telecenter": _TEXT,
            "months": {"type": "array", "items": _TEXT},
            **_event_figures()["properties"],
        },
    }

    def ok(schema: dict) -> dict:
        return {"description": "ok", "content": {"application/json": {"schema": schema}}}

    return {
        "/api/v1/network-events": {
            "get": {
                "summary": "Every network teleconference with its totals so far",
                "description": "Figures come with the telecenters' month reports and grow as "
                "late reports arrive.",
                "security": [{"apiKey": []}],
                "responses": {
                    "200": ok(
                        {
                            "type": "object",
                            "required": ["events", "unknown"],
                            "properties": {
                                "events": {"type": "array", "items": answer},
                                "unknown": {"type": "array", "items": unknown},
                            },
                        }
                    ),
                    **_errors(401, 403),
                },
            }
        },
        "/api/v1/network-events/{id}": {
            "get": {
                "summary": "One network teleconference with its figures per telecenter",
                "security": [{"apiKey": []}],
                "parameters": [
                    {
                        "name": "id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "example": "NE-12"},
                    }
                ],
                "responses": {"200": ok(answer), **_errors(401, 403, 404)},
            }
        },
    }


def _participation() -> dict:
    value = {"type": "number", "nullable": True}
    group = {g: {"oneOf": [{"type": "string"}, {"type": "boolean"}]} for g in GROUPS}
    derived = [f"{m}_{part}" for m in REACH_MEASURES for part in ("new", "continuing")]
    measures = {m: value for m in (*MEASURES, *derived)}
    return {
        "type": "object",
        "required": ["from", "to", "filters", "group_by", "rows", "totals"],
        "properties": {
            "from": {"type": "string"},
            "to": {"type": "string"},
            "filters": {"type": "object"},
            "group_by": {"type": "array", "items": {"type": "string", "enum": list(GROUPS)}},
            "rows": {
                "type": "array",
                "items": {"type": "object", "properties": {**group, **measures}},
            },
            "totals": {"type": "object", "properties": measures},
            "unique": {"type": "string", "enum": list(UNIQUE)},
            "notes": {
                "type": "array",
                "items": {"type": "string"},
                "description": "why figures are null: telecenters still on schema 1, or "
                "months pending recount under the current counting rules",
            },
            "fiscal_year_start": {"type": "integer"},
        },
    }


def _parameters() -> list[dict]:
    month = {
        "type": "string",
        "pattern": MONTH_PATTERN,
        "description": "YYYY-MM, 2000-01 to 2099-12; from must not be after to, and the "
        "range may cover at most 240 months",
    }
    parameters = [
        {"name": "from", "in": "query", "required": True, "schema": month},
        {"name": "to", "in": "query", "required": True, "schema": month},
        {
            "name": "group_by",
            "in": "query",
            "required": False,
            "description": "comma-separated: " + ", ".join(GROUPS),
            "schema": {"type": "string"},
        },
        {
            "name": "unique",
            "in": "query",
            "required": False,
            "description": "count reach once per period (default ever) and add <measure>_new "
            "and <measure>_continuing; the range must cover whole periods, and several "
            "periods need group_by of that period (or finer)",
            "schema": {"type": "string", "enum": list(UNIQUE)},
        },
        {
            "name": "format",
            "in": "query",
            "required": False,
            "schema": {"type": "string", "enum": ["json", "csv"]},
        },
    ]
    for name in FILTERS:
        schema: dict[str, object] = {"type": "string"}
        if name in vocabulary.DIMENSIONS and name != "wfi":
            schema["enum"] = list(vocabulary.DIMENSIONS[name])
        elif name == "wfi":
            schema["enum"] = ["true", "false"]
        parameters.append({"name": name, "in": "query", "required": False, "schema": schema})
    return parameters


def _programme_outcomes() -> dict:
    month = {"type": "string", "pattern": MONTH_PATTERN}
    count = {"type": "integer", "nullable": True, "minimum": 0}
    share = {"type": "number", "nullable": True, "minimum": 0}
    figures = {name: count for name in outcomes.COUNTS} | {name: share for name in outcomes.SHARES}
    row = {
        "type": "object",
        "properties": {
            "region": {"type": "string"},
            "telecenter": {"type": "string"},
            "age_band": {"type": "string", "enum": list(vocabulary.AGE_BANDS)},
            **figures,
        },
    }
    answer = {
        "type": "object",
        "required": ["from", "to", "stock_month", "group_by", "rows", "totals", "notes"],
        "properties": {
            "from": month,
            "to": month,
            "stock_month": month,
            "filters": {"type": "object"},
            "group_by": {"type": "array", "items": {"type": "string"}},
            "rows": {"type": "array", "items": row},
            "totals": {"type": "object", "properties": figures},
            "notes": {"type": "array", "items": {"type": "string"}},
            "schema_1": {"type": "array", "items": {"type": "string"}},
            "without_report": {"type": "array", "items": {"type": "string"}},
        },
    }
    parameters = [
        {"name": "from", "in": "query", "required": True, "schema": month},
        {"name": "to", "in": "query", "required": True, "schema": month},
        {
            "name": "group_by",
            "in": "query",
            "required": False,
            "description": "comma-separated: " + ", ".join(outcomes.GROUPS),
            "schema": {"type": "string"},
        },
        *(
            {"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
            for name in outcomes.FILTERS
        ),
    ]
    return {
        "get": {
            "summary": "The programme's outcomes at the end of the range's last month (a stock, "
            "not a sum over the range); shares are counts over the women with a baseline",
            "security": [{"apiKey": []}],
            "parameters": parameters,
            "responses": {
                "200": {
                    "description": "rows, totals and notes",
                    "content": {"application/json": {"schema": answer}},
                },
                **_errors(400, 401, 403),
            },
        }
    }


_DHIS2_IMPORT = (
    "Import into DHIS2 with the same scheme: JSON uses UIDs (DHIS2's default), e.g. "
    "`curl -u user:pass -H 'Content-Type: application/json' -d @values.json "
    "'https://dhis2.example/api/dataValueSets'`; ADX uses codes (DHIS2's default for ADX), "
    "e.g. `curl -u user:pass -H 'Content-Type: application/adx+xml' -d @values.xml "
    "'https://dhis2.example/api/dataValueSets'`. With id_scheme=code on JSON, add "
    "`?idScheme=CODE` to the DHIS2 URL. Import GET /api/v1/exports/dhis2/metadata once first."
)
_DATA_VALUE = {
    "type": "object",
    "required": [
        "dataElement",
        "period",
        "orgUnit",
        "categoryOptionCombo",
        "attributeOptionCombo",
        "value",
    ],
    "properties": {
        name: {"type": "string"}
        for name in (
            "dataElement",
            "period",
            "orgUnit",
            "categoryOptionCombo",
            "attributeOptionCombo",
            "value",
        )
    },
}


def _dhis2_export() -> dict:
    return {
        "get": {
            "summary": "The indicator catalogue's figures of one period, per telecenter, as "
            "DHIS2 dataValueSets JSON or IHE ADX",
            "description": "Indicators whose period type is the period's kind are sent, split "
            "by their disaggregations (category option combos) with the programme as the "
            "attribute option combo. Periods in DHIS2's names: 202603, 2026Q1, 2025Oct (the "
            "fiscal year FY2026 from October), 2026. completeDate only once the period closed "
            "(REPORT_DUE_DAY, the day of the next month reports are due, default 10, has "
            "passed): in ADX per group, in "
            "JSON when one telecenter is asked. A period nobody reported is, in ADX, one "
            "network group of zeros (DHIS2 stores no insignificant zeros). " + _DHIS2_IMPORT,
            "security": [{"apiKey": []}],
            "parameters": [
                {
                    "name": "period",
                    "in": "query",
                    "required": True,
                    "description": "2026-03, 2026-Q1, FY2026 or 2026 (`month` is also taken)",
                    "schema": {
                        "type": "string",
                        "pattern": r"^([0-9]{4}(-[0-9]{2}|-Q[1-4])?|FY[0-9]{4})$",
                    },
                },
                {
                    "name": "format",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "string", "enum": ["json", "adx"], "default": "json"},
                },
                {
                    "name": "id_scheme",
                    "in": "query",
                    "required": False,
                    "description": "default uid for JSON, code for ADX",
                    "schema": {"type": "string", "enum": list(dhis2.ID_SCHEMES)},
                },
                {
                    "name": "telecenter",
                    "in": "query",
                    "required": False,
                    "description": "JSON only: one telecenter's values, with completeDate",
                    "schema": {"type": "string"},
                },
            ],
            "responses": {
                "200": {
                    "description": "the period's data values",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["dataSet", "period", "dataValues"],
                                "properties": {
                                    "dataSet": {"type": "string"},
                                    "period": {"type": "string"},
                                    "orgUnit": {"type": "string"},
                                    "completeDate": {"type": "string", "format": "date"},
                                    "dataValues": {"type": "array", "items": _DATA_VALUE},
                                },
                            }
                        },
                        "application/adx+xml": {"schema": {"type": "string"}},
                    },
                },
                **_errors(400, 401, 403),
            },
        }
    }


def _dhis2_metadata() -> dict:
    kinds = (
        "categoryOptions",
        "categories",
        "categoryCombos",
        "categoryOptionCombos",
        "dataElements",
        "organisationUnits",
        "dataSets",
    )
    return {
        "get": {
            "summary": "The DHIS2 metadata package of the catalogue, to import once",
            "description": "POST it to DHIS2's /api/metadata. Data elements of people counted "
            "once per period and of shares have aggregationType NONE, stocks (programme "
            "outcomes) LAST, events SUM; org units: the network, its regions, its telecenters.",
            "security": [{"apiKey": []}],
            "responses": {
                "200": {
                    "description": "metadata objects by kind",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": list(kinds),
                                "properties": {
                                    kind: {"type": "array", "items": {"type": "object"}}
                                    for kind in kinds
                                },
                            }
                        }
                    },
                },
                **_errors(401, 403),
            },
        }
    }


_SETTINGS_VERSION = {
    "name": "settings_version",
    "in": "query",
    "required": False,
    "description": "the network settings version the site has",
    "schema": {"type": "string", "maxLength": 80},
}
_SETTINGS_ANSWER = {
    "description": 'the current network settings, or "unchanged" when the site sent their version',
    "oneOf": [
        {"$ref": "#/components/schemas/NetworkSettings"},
        {"type": "string", "enum": ["unchanged"]},
    ],
}


_TEXT = {"type": "string"}
_MOMENT = {"type": "string", "format": "date-time", "description": "UTC, with a Z"}


def _network_event() -> dict:
    """One network teleconference as sites receive it (every key always present)."""
    properties: dict[str, dict] = {
        "id": {"type": "string", "pattern": f"^{month_report.NETWORK_EVENT.pattern}$"},
        "revision": {
            "type": "integer",
            "minimum": 1,
            "description": "+1 on every change; a site keeps its copy unless this is higher",
        },
        "state": {"type": "string", "enum": ["scheduled", "cancelled"]},
        "category": {"type": "string", "enum": list(vocabulary.CATEGORIES)},
        "commodity": {
            "type": "string",
            "enum": list(vocabulary.CROPS),
            "nullable": True,
            "description": "null unless the category is agriculture",
        },
        "purpose": {"type": "string", "enum": list(vocabulary.PURPOSES)},
        "starts_at": _MOMENT,
        "ends_at": _MOMENT,
    }
    for name, limit in network_events.LIMITS.items():
        properties[name] = {"type": "string", "maxLength": limit}
    return {
        "type": "object",
        "additionalProperties": False,
        "required": sorted(properties),
        "properties": properties,
    }


def _network_settings() -> dict:
    """What central sends each site (../shared/DESIGN.md, "Network settings")."""
    return {
        "type": "object",
        "required": ["version", "counting_rules", "network_events"],
        "properties": {
            "version": {
                "type": "string",
                "maxLength": 80,
                "description": "opaque; the site sends it back. It changes whenever anything "
                "in this telecenter's answer changes",
            },
            "network_events": {
                "type": "array",
                "description": "every network teleconference for this telecenter (all, its "
                "region, or chosen) that ends on or after the first day of the previous month "
                "(America/Lima); older ones are not sent",
                "items": {"$ref": "#/components/schemas/NetworkEvent"},
            },
            "counting_rules": {
                "type": "object",
                "description": "what makes a person trained, and the fiscal-year start; a "
                "new rules_version makes every site recompute and re-send all its months",
                "required": [
                    "rules_version",
                    "course_completed",
                    "min_sessions",
                    "min_hours",
                    "fiscal_year_start",
                ],
                "properties": {
                    "rules_version": {"type": "string"},
                    "course_completed": {"type": "boolean"},
                    "min_sessions": {"type": "integer", "nullable": True, "minimum": 1},
                    "min_hours": {
                        "type": "number",
                        "nullable": True,
                        "minimum": 0,
                        "exclusiveMinimum": True,
                    },
                    "fiscal_year_start": {"type": "integer", "minimum": 1, "maximum": 12},
                },
            },
        },
    }


def _sync_settings() -> dict:
    return {
        "get": {
            "summary": "A site with nothing to send asks for the network settings",
            "description": "Counts as contact from the telecenter. Nothing personal.",
            "security": [{"telecenterToken": []}],
            "parameters": [_SETTINGS_VERSION],
            "responses": {
                "200": {
                    "description": "the settings, or that the site has them",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["telecenter", "settings"],
                                "properties": {
                                    "telecenter": {"type": "string"},
                                    "settings": _SETTINGS_ANSWER,
                                },
                            }
                        }
                    },
                },
                **_errors(401),
            },
        }
    }


# --- Data quality (telecenter.central.quality) ------------------------------------------


def _quality_tally() -> dict:
    count = {"type": "integer", "minimum": 0}
    share = {"type": "number", "nullable": True, "minimum": 0, "maximum": 1}
    return {
        "type": "object",
        "description": "expected telecenter-months (from each telecenter's opening month to "
        "the month just ended), received, on time (first received by the due day of the next "
        "month, Lima time), late, missing, waiting (not received, due day not yet passed); "
        "completeness = received / expected, timeliness = on_time / (expected - waiting)",
        "properties": {
            **{
                name: count
                for name in ("expected", "received", "on_time", "late", "missing", "waiting")
            },
            "completeness": share,
            "timeliness": share,
        },
    }


def _quality() -> dict:
    month = {"type": "string", "pattern": MONTH_PATTERN}
    tally = _quality_tally()
    #: What every gap, violation and outlier names: the telecenter-month.
    place = {"telecenter": {"type": "string"}, "region": {"type": "string"}, "month": month}
    answer = {
        "type": "object",
        "required": ["from", "to", "due_day", "completeness", "gaps", "violations", "outliers"],
        "properties": {
            "from": month,
            "to": month,
            "region": {"type": "string", "nullable": True},
            "due_day": {"type": "integer", "minimum": 1, "maximum": 28},
            "completeness": {
                "type": "object",
                "properties": {
                    "by_region_month": {"type": "array", "items": tally},
                    "by_region": {"type": "array", "items": tally},
                    "total": tally,
                },
            },
            "gaps": {
                "type": "array",
                "description": "expected telecenter-months not received on time",
                "items": {
                    "type": "object",
                    "properties": {
                        **place,
                        "status": {"type": "string", "enum": ["late", "missing", "waiting"]},
                        "first_received_at": {
                            "type": "string",
                            "format": "date-time",
                            "nullable": True,
                        },
                        "due": {"type": "string", "format": "date-time"},
                    },
                },
            },
            "rules": {
                "type": "object",
                "description": "rule code: its title and explanation in the page's language",
            },
            "violations": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "rule": {"type": "string", "enum": list(quality.RULES)},
                        "telecenter": {"type": "string"},
                        "region": {"type": "string"},
                        "month": month,
                        "activity": {"type": "string", "nullable": True},
                        "figures": {"type": "object"},
                    },
                },
            },
            "outliers": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        **place,
                        "measure": {"type": "string", "enum": list(quality.OUTLIER_MEASURES)},
                        "value": {"type": "number"},
                        "usual": {"type": "number", "description": "median of the history"},
                        "score": {"type": "number", "nullable": True},
                        "history_months": {"type": "integer"},
                    },
                },
            },
        },
    }
    return {
        "get": {
            "summary": "Data quality: reports missing or late, rule breaks, outliers",
            "security": [{"apiKey": []}],
            "parameters": [
                {"name": "from", "in": "query", "required": True, "schema": month},
                {"name": "to", "in": "query", "required": True, "schema": month},
                {"name": "region", "in": "query", "required": False, "schema": {"type": "string"}},
            ],
            "responses": {
                "200": {
                    "description": "completeness, gaps, violations and outliers",
                    "content": {"application/json": {"schema": answer}},
                },
                **_errors(400, 401, 403),
            },
        }
    }


def openapi_document() -> dict:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Telecenter central API",
            "version": "1.0.0",
            "description": "Monthly participation counts from telecenters. Counts only: "
            "no personal data exists at central.",
        },
        "paths": {
            "/api/v1/sync/reports": {
                "post": {
                    "summary": "A site sends its month reports (newest per month wins)",
                    "security": [{"telecenterToken": []}],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["schema", "reports"],
                                    "properties": {
                                        "schema": {
                                            "type": "integer",
                                            "enum": [month_report.SCHEMA],
                                        },
                                        "telecenter": {"type": "string"},
                                        "settings_version": {
                                            "type": "string",
                                            "description": "the network settings version "
                                            "the site has; the answer's settings is "
                                            '"unchanged" when it is current',
                                        },
                                        "reports": {
                                            "type": "array",
                                            "minItems": 1,
                                            "maxItems": 120,
                                            "items": {"$ref": "#/components/schemas/MonthReport"},
                                        },
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "every report acknowledged",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/SyncAck"}
                                }
                            },
                        },
                        **_errors(400, 401, 403, 413),
                    },
                }
            },
            "/api/v1/sync/hello": {
                "get": {
                    "summary": "A site checks its connection: who this token belongs to",
                    "description": 'What a site\'s "Probar conexión" asks. Counts as contact '
                    "from the telecenter (its last_heard_at). Nothing personal.",
                    "security": [{"telecenterToken": []}],
                    "parameters": [
                        {
                            "name": "telecenter",
                            "in": "query",
                            "required": False,
                            "description": "the site's own code; 403 when the token is "
                            "another telecenter's",
                            "schema": {"type": "string", "maxLength": 40},
                        },
                        _SETTINGS_VERSION,
                    ],
                    "responses": {
                        "200": {
                            "description": "the token's telecenter",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Hello"}
                                }
                            },
                        },
                        **_errors(401),
                        "403": {
                            "description": "the token belongs to another telecenter code",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["error", "reason", "telecenter"],
                                        "properties": {
                                            "error": {"type": "string"},
                                            "reason": {"type": "string"},
                                            "telecenter": {"type": "string"},
                                        },
                                    }
                                }
                            },
                        },
                    },
                }
            },
            "/api/v1/sync/settings": _sync_settings(),
            "/api/v1/quality": _quality(),
            "/api/v1/participation": {
                "get": {
                    "summary": "Aggregate participation counts",
                    "security": [{"apiKey": []}],
                    "parameters": _parameters(),
                    "responses": {
                        "200": {
                            "description": "rows and totals",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Participation"}
                                },
                                "text/csv": {"schema": {"type": "string"}},
                            },
                        },
                        **_errors(400, 401, 403),
                    },
                }
            },
            "/api/v1/programme-outcomes": _programme_outcomes(),
            "/api/v1/exports/dhis2": _dhis2_export(),
            "/api/v1/exports/dhis2/metadata": _dhis2_metadata(),
            **_network_events_paths(),
        },
        "components": {
            "securitySchemes": {
                "telecenterToken": {"type": "http", "scheme": "bearer"},
                "apiKey": {"type": "http", "scheme": "bearer"},
            },
            "schemas": {
                "Error": _ERROR,
                "MonthReport": _month_report(),
                "SyncAck": {
                    "type": "object",
                    "required": ["telecenter", "acknowledged", "settings"],
                    "properties": {
                        "telecenter": {"type": "string"},
                        "settings": _SETTINGS_ANSWER,
                        "acknowledged": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "month": {"type": "string"},
                                    "generated_at": {"type": "string"},
                                    "status": {
                                        "type": "string",
                                        "enum": ["stored", "duplicate", "stale"],
                                    },
                                },
                            },
                        },
                    },
                },
                "Hello": {
                    "type": "object",
                    "required": ["telecenter", "name", "settings"],
                    "properties": {
                        "telecenter": {"type": "string"},
                        "name": {"type": "string"},
                        "settings": _SETTINGS_ANSWER,
                    },
                },
                "NetworkSettings": _network_settings(),
                "NetworkEvent": _network_event(),
                "NetworkEventFigures": _network_event_answer(),
                "Participation": _participation(),
            },
        },
    }

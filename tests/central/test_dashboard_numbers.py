"""The central dashboard, its target progress and its downloads show exactly the numbers of
the reports sent, for windows strictly inside the data's months.

Expected numbers are sums over the sent dicts (tests/central/test_participation_cells.py holds
the reports and the counting rules, written there independently of the aggregates code).
Numbers are read back from the HTML whichever way they are formatted ("10 500", "10.500",
"10 500,25", "10500.25").
"""

from __future__ import annotations

import codecs
import csv
import html
import io
import re
from urllib.parse import urlencode

import pytest
from openpyxl import load_workbook

from tests.central.test_participation_cells import (
    INNER,
    MEASURES,
    REGIONS,
    build_network,
    expected_rows,
    expected_values,
    facts,
    months_of,
    report_of,
    send_as,
    shown,
)
from tests.conftest import csrf_token

HEADLINE = (
    "reached",
    "trained",
    "teleconference_reached",
    "wfi_enrolments",
    "attendances",
    "sessions_held",
    "hours",
)
PROGRAMME_START = "2012-01"
SEX_LABELS = {"female": "Mujeres", "male": "Hombres", "unspecified": "Prefiere no decir"}
CATEGORY_LABELS = {
    "digital_literacy": "Alfabetización digital",
    "financial_literacy": "Educación financiera",
    "agriculture": "Agricultura (cacao, café)",
    "other": "Otros temas",
}
LABELS = {
    "sex": SEX_LABELS,
    "category": CATEGORY_LABELS,
    "age_band": {"unknown": "Edad desconocida"},
}
BLANK = "—"


@pytest.fixture
def network(central):
    """Three telecenters in two regions, 2026-01 .. 2026-08 (see the cells tests)."""
    return build_network(central)


def number(text: str):
    """A number as shown: grouping by spaces (any kind), dots or commas; decimals by a dot
    or a comma. The page never shows more than 2 decimals, so one separator followed by
    exactly 3 digits groups thousands. None for the blank sign."""
    text = re.sub(r"[\s\u00a0\u202f]", "", html.unescape(text))
    if text == BLANK:
        return None
    assert re.fullmatch(r"-?[\d.,]+", text), text
    if "," in text and "." in text:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
    elif text.count(",") + text.count(".") == 1:
        sep = "," if "," in text else "."
        decimal = None if len(text) - text.index(sep) - 1 == 3 else sep
    else:
        decimal = None
    grouping = {",", "."} - {decimal}
    for mark in grouping:
        text = text.replace(mark, "")
    if decimal:
        return float(text.replace(decimal, "."))
    return int(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("10 500", 10500),
        ("10\u00a0500", 10500),
        ("10\u202f500", 10500),
        ("10.500", 10500),
        ("10,500", 10500),
        ("10500", 10500),
        ("1 234.57", 1234.57),
        ("1.234,57", 1234.57),
        ("1234,5", 1234.5),
        ("1,234,567.5", 1234567.5),
        ("0.33", 0.33),
        ("7", 7),
        ("—", None),
    ],
)
def test_numbers_are_read_in_every_format(text, value):
    assert number(text) == value


def on_screen(name: str, value, expected) -> bool:
    """Whether a figure on the page is the expected one: hours are written with one decimal,
    so within half a tenth of the sum (plus the API's own rounding to hundredths)."""
    if name != "hours" or value is None or expected is None:
        return value == expected
    return round(value, 1) == value and abs(value - expected) <= 0.055


def test_hours_on_screen_allow_one_decimal_only():
    assert on_screen("hours", 12.3, 12.34)
    assert on_screen("hours", 12.4, 12.35)
    assert not on_screen("hours", 12.34, 12.34)  # two decimals are not what the page writes
    assert not on_screen("hours", 12.5, 12.34)
    assert not on_screen("attendances", 12, 13)


def headline(page: str) -> dict:
    found = dict(re.findall(r'<li data-measure="(\w+)">\s*<strong>(.*?)</strong>', page, re.S))
    assert set(found) >= {*HEADLINE, "active_telecenters"}, found
    return {name: number(text) for name, text in found.items()}


def breakdown(page: str, by: str) -> dict:
    match = re.search(rf'data-breakdown="{by}">(.*?)</section>', page, re.S)
    assert match, by
    rows = {}
    for label, cells in re.findall(
        r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', match.group(1), re.S
    ):
        values = dict(re.findall(r'<td data-measure="(\w+)">(.*?)</td>', cells))
        rows[html.unescape(label)] = {name: number(text) for name, text in values.items()}
    return rows


def progress(page: str) -> list[tuple]:
    found = re.findall(
        r'<div class="target"[^>]*>\s*<p><strong>(.*?)</strong>:\s*(?:<span[^>]*>)?'
        r"(.*?)\s*/\s*(.*?)\s*(?:</span>)?\s*"
        r"\((\d+)\s*%\)</p>",
        page,
        re.S,
    )
    return [
        (html.unescape(name), number(reached), number(value), int(percent))
        for name, reached, value, percent in found
    ]


def qs(first: str, last: str, filters: dict) -> str:
    return urlencode({"from": first, "to": last, **filters})


def dashboard(client, params: str) -> str:
    answer = client.get(f"/central/?{params}")
    assert answer.status_code == 200, answer.get_data(as_text=True)[:400]
    return answer.get_data(as_text=True)


def active(first, last, filters) -> int:
    return sum(
        1
        for code in REGIONS
        if any(first <= m <= last for m in months_of(code))
        and filters.get("telecenter", code) == code
        and filters.get("region", REGIONS[code]) == REGIONS[code]
    )


VIEWS = {
    "inner": (INNER, {}),
    "middle_month": (("2026-04", "2026-04"), {}),
    "before_lamas": (("2026-01", "2026-02"), {}),
    "tail": (("2026-07", "2026-11"), {}),
    "san_martin": (INNER, {"region": "San Martín"}),
    "huanuco": (("2026-03", "2026-06"), {"region": "Huánuco"}),
    "lamas": (INNER, {"telecenter": "SM-LAMAS-03"}),
    "tarapoto_women": (("2026-02", "2026-05"), {"telecenter": "SM-TARAPOTO-01", "sex": "female"}),
    "men": (INNER, {"sex": "male"}),
    "teleconference": (INNER, {"activity": "teleconference"}),
    "agriculture_in_san_martin": (INNER, {"category": "agriculture", "region": "San Martín"}),
}


@pytest.mark.parametrize("view", VIEWS)
def test_headline_numbers_are_the_sums_of_the_reports(network, signed_in_central, view):
    (first, last), filters = VIEWS[view]
    client = signed_in_central(network)
    page = dashboard(client, qs(first, last, filters))
    assert f"Cifras del periodo {first} a {last}" in page
    values = expected_values(network.sent, first, last, filters)
    shown_on_page = headline(page)
    for name in HEADLINE:
        expected = None if values[name] is None else shown(name, sum(values[name].values()))
        assert on_screen(name, shown_on_page[name], expected), (view, name, shown_on_page[name])
    assert shown_on_page["active_telecenters"] == active(first, last, filters)
    # and by hand, for the two figures everyone reads first
    rows = [
        row
        for row in facts(network.sent, "attendance", first, last)
        if all(row[k] == v for k, v in filters.items())
    ]
    assert shown_on_page["attendances"] == sum(row["attendances"] for row in rows)
    assert on_screen("hours", shown_on_page["hours"], sum(row["hours"] for row in rows))
    if "sex" in filters:
        assert shown_on_page["sessions_held"] is None


def _label(by: str, value) -> str:
    return str(LABELS.get(by, {}).get(value, value))


@pytest.mark.parametrize("by", ["region", "telecenter", "month", "sex", "age_band", "category"])
def test_breakdown_tables_on_the_page(network, signed_in_central, by):
    client = signed_in_central(network)
    for (first, last), filters in (VIEWS["inner"], VIEWS["san_martin"], VIEWS["men"]):
        query = qs(first, last, filters)
        table = breakdown(dashboard(client, query), by)
        expected = expected_rows(expected_values(network.sent, first, last, filters, (by,)), (by,))
        wanted = {_label(by, key[0]): row for key, row in expected.items()}
        assert set(table) == set(wanted), (by, filters)
        for label, row in wanted.items():
            assert set(table[label]) == set(row), (by, label)
            for name, value in row.items():
                assert on_screen(name, table[label][name], value), (by, filters, label, name)


TARGETS = [
    # name, measure, value, filters
    ("Mujeres en el programa", "wfi_enrolments", 400, {}),
    ("Teleconferencia en Huánuco", "teleconference_reached", 60, {"region": "Huánuco"}),
    (
        "Mujeres en agricultura",
        "attendances",
        100_000,
        {"sex": "female", "category": "agriculture"},
    ),
    ("Capacitadas en San Martín", "trained", 20, {"sex": "female", "region": "San Martín"}),
    ("Horas", "hours", 9_000, {}),
    ("Registros por categoría", "registrations", 50, {"category": "agriculture"}),
]


def _add_targets(client) -> None:
    for name, measure, value, filters in TARGETS:
        form = {
            "name": name,
            "measure": measure,
            "value": str(value),
            "sex": "",
            "region": "",
            "category": "",
            "start_month": PROGRAMME_START,
            **filters,
            "csrf_token": csrf_token(client),
        }
        answer = client.post("/central/targets/new", data=form)
        assert answer.status_code == 302


def _reached(sent, measure, filters, last):
    values = expected_values(sent, PROGRAMME_START, last, filters)[measure]
    return None if values is None else shown(measure, sum(values.values()))


@pytest.mark.parametrize("last", ["2026-05", "2026-08"])
def test_target_progress_counts_from_the_programme_start_to_the_end_of_the_window(
    network, signed_in_central, last
):
    client = signed_in_central(network, role="central_admin")
    _add_targets(client)
    page = dashboard(client, f"from=2026-04&to={last}")
    shown_progress = progress(page)
    assert [p[0] for p in shown_progress] == [t[0] for t in TARGETS]
    for (name, measure, value, filters), (_name, reached, target, percent) in zip(
        TARGETS, shown_progress, strict=True
    ):
        expected = _reached(network.sent, measure, filters, last)
        assert on_screen(measure, reached, expected), name
        assert target == value, name
        expected_percent = 0 if not expected else min(100, round(100 * expected / value))
        assert percent == expected_percent, name
    # by hand for the programme target: every enrolment sent up to the window's last month
    enrolled = sum(
        row["enrolments"] for r in network.sent if r["month"] <= last for row in r["wfi_enrolments"]
    )
    assert shown_progress[0][1] == enrolled
    assert shown_progress[-1][1] is None  # registrations cannot be split by category
    assert 0 < shown_progress[2][3] < 100
    assert shown_progress[3][3] == 100


def test_target_progress_follows_a_newer_report(network, signed_in_central):
    client = signed_in_central(network, role="central_admin")
    _add_targets(client)
    before = progress(dashboard(client, "from=2026-01&to=2026-08"))
    newer = report_of("HU-TINGO-02", "2026-02", version=1, generated_at="2026-09-02T05:00:00Z")
    assert send_as(network, "HU-TINGO-02", [newer]).status_code == 200
    network.sent = [
        newer if (r["telecenter"], r["month"]) == ("HU-TINGO-02", "2026-02") else r
        for r in network.sent
    ]
    after = progress(dashboard(client, "from=2026-01&to=2026-08"))
    assert after != before
    for (name, measure, _value, filters), shown_after in zip(TARGETS, after, strict=True):
        expected = _reached(network.sent, measure, filters, "2026-08")
        assert on_screen(measure, shown_after[1], expected), name


def _download(client, by, fmt, query):
    answer = client.get(f"/central/download/{by}.{fmt}?{query}")
    assert answer.status_code == 200, (by, fmt)
    return answer


#: The downloads' words for people (the dashboard's), in Spanish.
MEASURE_WORDS = {
    "attendances": "Asistencias",
    "hours": "Horas de participación",
    "sessions_held": "Sesiones realizadas",
    "registrations": "Registros nuevos",
    "completions": "Cursos aprobados",
    "wfi_enrolments": "Mujeres inscritas en inclusión financiera",
    "reached": "Personas alcanzadas",
    "teleconference_reached": "Personas que asistieron a una teleconferencia",
    "trained": "Personas capacitadas (aprobaron un curso)",
}
GROUP_WORDS = {
    "month": "Mes",
    "telecenter": "Telecentro",
    "sex": "Sexo",
    "category": "Categoría",
    "region": "Región",
}
SPANISH_MONTHS = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
]


def word(by: str, value) -> str:
    """A value as the downloads write it: a month with its name, so that it stays text."""
    if by == "month":
        return f"{value} ({SPANISH_MONTHS[int(value[5:]) - 1]})"
    return LABELS.get(by, {}).get(value, str(value))


@pytest.mark.parametrize("by", ["month", "telecenter", "sex", "category", "all"])
def test_downloads_carry_the_sub_windows_numbers(network, signed_in_central, by):
    client = signed_in_central(network)
    group_by = () if by == "all" else (by,)
    for (first, last), filters in (
        VIEWS["inner"],
        VIEWS["huanuco"],
        (("2026-05", "2026-05"), {"sex": "female"}),
    ):
        query = qs(first, last, filters)
        expected = {
            tuple(word(g, k) for g, k in zip(group_by, key, strict=True)): row
            for key, row in expected_rows(
                expected_values(network.sent, first, last, filters, group_by), group_by
            ).items()
        }
        header = [GROUP_WORDS[g] for g in group_by] + [MEASURE_WORDS[m] for m in MEASURES]

        raw = _download(client, by, "csv", query).data
        assert raw.startswith(codecs.BOM_UTF8)  # so that Excel reads the accents right
        lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
        # What the figures cover and the notes on blank figures follow an empty line.
        assert lines[0] == header
        as_csv = [dict(zip(header, line, strict=True)) for line in lines[1 : lines.index([])]]
        assert {
            tuple(row[GROUP_WORDS[g]] for g in group_by): {
                m: row[MEASURE_WORDS[m]] for m in MEASURES
            }
            for row in as_csv
        } == {
            key: {m: "" if v is None else str(v) for m, v in row.items()}
            for key, row in expected.items()
        }, (by, filters)
        assert len(as_csv) == len(expected)

        sheet = load_workbook(io.BytesIO(_download(client, by, "xlsx", query).data)).active
        lines = [[cell.value for cell in line] for line in sheet.iter_rows()]
        assert lines[0][: len(header)] == header
        body = [dict(zip(header, line, strict=False)) for line in lines[1 : 1 + len(expected)]]
        assert {
            tuple(row[GROUP_WORDS[g]] for g in group_by): {
                m: row[MEASURE_WORDS[m]] for m in MEASURES
            }
            for row in body
        } == expected, (by, filters)
        footer = [[v for v in line if v is not None] for line in lines[1 + len(expected) :]]
        assert footer[0] == []
        assert footer[1:3] == [["Desde", word("month", first)], ["Hasta", word("month", last)]]
        assert footer[3 : 3 + len(filters)] == [
            [GROUP_WORDS[k], word(k, v)] for k, v in filters.items()
        ]
        assert all(line[0] == "Nota" for line in footer[3 + len(filters) :])
        if by == "month":
            months = sorted(
                {
                    m
                    for code in REGIONS
                    for m in months_of(code)
                    if first <= m <= last and filters.get("region", REGIONS[code]) == REGIONS[code]
                }
            )
            assert [row["Mes"] for row in body] == [word("month", m) for m in months]

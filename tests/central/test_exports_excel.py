"""Central's downloads for people (issue 20): the dashboard's words in the page's language, a
CSV that Excel opens right (BOM, CRLF, `;` with decimal commas), months that stay text, an
Excel file with number cells, and a download for publication that hides small cells while
every other figure stays exact.

Expected figures are sums over the reports the test sends through the sync API."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter

import pytest
from openpyxl import load_workbook

from tests.central.test_ingest import report, send
from tests.test_choice_labels import speak

RANGE = "from=2026-01&to=2026-02"
TELECENTERS = {"SM-TARAPOTO-01": "San Martín", "HU-TINGO-02": "Huánuco"}
MONTHS = ("2026-01", "2026-02")


def _attendance(activity, category, sex, age_band, attendances, hours):
    return {
        "activity": activity,
        "category": category,
        "sex": sex,
        "age_band": age_band,
        "wfi": sex == "female",
        "attendances": attendances,
        "hours": hours,
        "participants": 1,
    }


def _reach(sex, age_band, people):
    wfi = sex == "female"
    return {"scope": "any", "sex": sex, "age_band": age_band, "wfi": wfi, "new_people": people}


#: (telecenter, month) -> the month report's tables. Men attend 3 times (a small cell), the
#: people who prefer not to say their sex 7 times (the smallest cell of 5 or more).
REPORTS = {
    ("SM-TARAPOTO-01", "2026-01"): {
        "attendance": [
            _attendance("teleconference", "agriculture", "female", "30-44", 20, 30.5),
            _attendance("class", "digital_literacy", "male", "18-29", 3, 4.5),
        ],
        "registrations": [{"sex": "female", "age_band": "18-29", "registrations": 3}],
        "reach": [_reach("female", "30-44", 6), _reach("male", "18-29", 2)],
    },
    ("SM-TARAPOTO-01", "2026-02"): {
        "attendance": [
            _attendance("workshop", "financial_literacy", "unspecified", "45-59", 7, 10.25)
        ],
        "registrations": [],
        "reach": [],
    },
    ("HU-TINGO-02", "2026-01"): {
        "attendance": [_attendance("class", "digital_literacy", "female", "18-29", 12, 18.0)],
        "registrations": [{"sex": "male", "age_band": "30-44", "registrations": 9}],
        "reach": [_reach("female", "18-29", 4)],
    },
}
HEADERS = {
    "es": {
        "sex": "Sexo",
        "month": "Mes",
        "attendances": "Asistencias",
        "hours": "Horas de participación",
        "registrations": "Registros nuevos",
        "reached": "Personas alcanzadas",
    },
    "en": {
        "sex": "Sex",
        "month": "Month",
        "attendances": "Attendances",
        "hours": "Participant hours",
        "registrations": "New registrations",
        "reached": "People reached",
    },
}
SEXES = {
    "es": {"female": "Mujeres", "male": "Hombres", "unspecified": "Prefiere no decir"},
    "en": {"female": "Women", "male": "Men", "unspecified": "Prefers not to say"},
}
MONTH_NAMES = {"es": ("enero", "febrero"), "en": ("January", "February")}


def _central(make_app, **config):
    app = make_app("central", **config)
    runner = app.test_cli_runner()
    tokens = {}
    for code, region in TELECENTERS.items():
        result = runner.invoke(
            args=["central", "add-telecenter", code, "--name", code, "--region", region]
        )
        assert result.exit_code == 0, result.output
        tokens[code] = result.output.strip().splitlines()[-1]
    app.tokens = tokens
    for code in TELECENTERS:
        batch = [
            report(
                telecenter=code, month=month, sessions=[], completions=[], wfi_enrolments=[], **t
            )
            for (sent_by, month), t in REPORTS.items()
            if sent_by == code
        ]
        assert send(app, batch, token=tokens[code], code=code).status_code == 200
    return app


@pytest.fixture
def central_with_reports(make_app):
    return _central(make_app)


def expected(by: str) -> dict[str, Counter]:
    """measure -> {value of `by`: sum over the reports sent}."""
    sums: dict[str, Counter] = {m: Counter() for m in ("attendances", "hours", "registrations")}
    sums["reached"] = Counter()
    for (_code, month), tables in REPORTS.items():
        for row in tables["attendance"]:
            key = month if by == "month" else row[by]
            sums["attendances"][key] += row["attendances"]
            sums["hours"][key] += row["hours"]
        for row in tables["registrations"]:
            key = month if by == "month" else row[by]
            sums["registrations"][key] += row["registrations"]
        for row in tables["reach"]:
            sums["reached"][month if by == "month" else row[by]] += row["new_people"]
    return sums


def _download(client, path: str):
    answer = client.get(path)
    assert answer.status_code == 200, (path, answer.status_code)
    return answer.data


def _csv_table(raw: bytes, delimiter: str = ",") -> tuple[list[str], list[list[str]], list]:
    """(header, rows, footer lines): the footer follows the first empty line."""
    lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=delimiter))
    end = lines.index([])
    return lines[0], lines[1:end], lines[end + 1 :]


def _by_first_cell(header: list[str], rows: list[list]) -> dict:
    return {row[0]: dict(zip(header, row, strict=True)) for row in rows}


def test_the_csv_opens_in_excel_with_accents_line_ends_and_spanish_words(
    central_with_reports, signed_in_central
):
    client = signed_in_central(central_with_reports)
    raw = _download(client, f"/central/download/sex.csv?{RANGE}&region=San Martín")
    assert raw.startswith(codecs.BOM_UTF8)
    assert raw.count(b"\n") == raw.count(b"\r\n") > 3  # every line ends CRLF
    header, rows, footer = _csv_table(raw)
    words = HEADERS["es"]
    assert header[0] == words["sex"]
    assert {words[m] for m in ("attendances", "hours", "reached")} <= set(header)
    assert "attendances" not in header
    table = _by_first_cell(header, rows)
    sums = Counter()
    for (code, _month), tables in REPORTS.items():
        if TELECENTERS[code] == "San Martín":
            for row in tables["attendance"]:
                sums[row["sex"]] += row["attendances"]
    assert {name: int(table[name][words["attendances"]]) for name in table} == {
        SEXES["es"][sex]: count for sex, count in sums.items()
    }
    # What the figures cover, in words that stay text ("San Martín" read as UTF-8).
    assert footer[:3] == [
        ["Desde", "2026-01 (enero)"],
        ["Hasta", "2026-02 (febrero)"],
        ["Región", "San Martín"],
    ]


def test_the_english_page_downloads_english_words(central_with_reports, signed_in_central):
    client = signed_in_central(central_with_reports)
    speak(client, "en")
    for path in (f"/central/download/sex.csv?{RANGE}", f"/central/download/sex.xlsx?{RANGE}"):
        raw = _download(client, path)
        if path.split("?")[0].endswith("csv"):
            header, rows, footer = _csv_table(raw)
            firsts = [row[0] for row in rows]
        else:
            sheet = load_workbook(io.BytesIO(raw)).active
            header = [c.value for c in sheet[1]]
            firsts = [sheet.cell(row=i, column=1).value for i in range(2, 5)]
            footer = [[sheet.cell(row=6, column=1).value, sheet.cell(row=6, column=2).value]]
        assert header[0] == "Sex"
        assert {HEADERS["en"][m] for m in ("attendances", "hours", "registrations")} <= set(header)
        assert sorted(firsts) == sorted(SEXES["en"].values())
        assert footer[0] == ["From", "2026-01 (January)"]


def test_the_semicolon_csv_has_decimal_commas(central_with_reports, signed_in_central):
    client = signed_in_central(central_with_reports)
    raw = _download(client, f"/central/download/sex.csv?{RANGE}&sep=semicolon")
    assert raw.startswith(codecs.BOM_UTF8)
    header, rows, _footer = _csv_table(raw, delimiter=";")
    assert len(header) > 5  # the cells are split by ";", not left in one column
    words, table = HEADERS["es"], _by_first_cell(header, rows)
    hours = expected("sex")["hours"]
    for sex, total in hours.items():
        written = table[SEXES["es"][sex]][words["hours"]]
        assert re.fullmatch(r"\d+,\d+", written), written  # a decimal comma, no point
        assert float(written.replace(",", ".")) == pytest.approx(total)
    assert table["Mujeres"][words["attendances"]] == str(expected("sex")["attendances"]["female"])


@pytest.mark.parametrize("language", ["es", "en"])
def test_months_stay_text_in_csv_and_excel(central_with_reports, signed_in_central, language):
    client = signed_in_central(central_with_reports)
    speak(client, language)
    header, rows, _footer = _csv_table(_download(client, f"/central/download/month.csv?{RANGE}"))
    labels = [
        f"{month} ({name})" for month, name in zip(MONTHS, MONTH_NAMES[language], strict=True)
    ]
    assert [row[0] for row in rows] == labels
    # Excel turns "2026-01" (or 2026/01, 01-2026) into a date; a label with words it cannot.
    assert not any(re.fullmatch(r"[\d\s/.-]+", row[0]) for row in rows)
    sheet = load_workbook(io.BytesIO(_download(client, f"/central/download/month.xlsx?{RANGE}")))
    cells = [sheet.active.cell(row=i, column=1) for i in (2, 3)]
    assert [c.value for c in cells] == labels
    assert all(c.data_type == "s" for c in cells)
    attendances = header.index(HEADERS[language]["attendances"])
    assert [int(row[attendances]) for row in rows] == [
        expected("month")["attendances"][m] for m in MONTHS
    ]


def test_excel_has_a_bold_header_number_cells_and_its_footer(
    central_with_reports, signed_in_central
):
    client = signed_in_central(central_with_reports)
    raw = _download(client, f"/central/download/sex.xlsx?{RANGE}&activity=class")
    sheet = load_workbook(io.BytesIO(raw)).active
    header = [c.value for c in sheet[1]]
    words = HEADERS["es"]
    assert header[0] == words["sex"]
    assert all(isinstance(name, str) for name in header)
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    sums = Counter()
    hours = Counter()
    for tables in REPORTS.values():
        for row in tables["attendance"]:
            if row["activity"] == "class":
                sums[row["sex"]] += row["attendances"]
                hours[row["sex"]] += row["hours"]
    body = {
        sheet.cell(row=i, column=1).value: {
            name: sheet.cell(row=i, column=j + 1) for j, name in enumerate(header)
        }
        for i in range(2, 2 + len(sums))
    }
    assert sheet.column_dimensions["A"].width >= max(len(SEXES["es"][sex]) for sex in sums)
    assert sheet.column_dimensions["B"].width >= len(words["attendances"])
    for sex, count in sums.items():
        row = body[SEXES["es"][sex]]
        assert row[words["attendances"]].value == count
        assert type(row[words["attendances"]].value) is int
        assert row[words["hours"]].value == pytest.approx(hours[sex])
        assert row[words["hours"]].data_type == "n"  # 18.0 is stored as the number 18
        assert row[words["attendances"]].data_type == "n"
        # Registrations belong to no activity: blank, and a note says why.
        assert row[words["registrations"]].value is None
    footer = [
        [c.value for c in line if c.value is not None]
        for line in sheet.iter_rows(min_row=3 + len(sums))
    ]
    assert footer[:3] == [
        ["Desde", "2026-01 (enero)"],
        ["Hasta", "2026-02 (febrero)"],
        ["Actividad", "Clase"],
    ]
    notes = [line[1] for line in footer[3:] if line[0] == "Nota"]
    assert any("celda vacía" in note for note in notes)


def _public_marks(minimum: int, values: dict) -> dict:
    """The test's own reading of the rule: counts 1..minimum-1 shown "<minimum"; if any, the
    smallest count of minimum or more "oculto"; zeros and the rest as they are."""
    small = {k for k, v in values.items() if 0 < v < minimum}
    large = sorted((v, k) for k, v in values.items() if v >= minimum)
    marks = {k: f"<{minimum}" for k in small}
    if small and large:
        marks[large[0][1]] = "oculto"
    return {k: marks.get(k, str(v)) for k, v in values.items()}


@pytest.mark.parametrize("minimum", [5, 10])
def test_the_public_download_hides_small_cells_and_the_normal_one_does_not(
    make_app, signed_in_central, minimum
):
    app = _central(make_app, **({} if minimum == 5 else {"SMALL_CELL_MINIMUM": minimum}))
    client = signed_in_central(app)
    sums, words = expected("sex"), HEADERS["es"]
    for public in (False, True):
        query = f"/central/download/sex.csv?{RANGE}" + ("&public=1" if public else "")
        header, rows, footer = _csv_table(_download(client, query))
        table = _by_first_cell(header, rows)
        for measure in ("attendances", "registrations", "reached"):
            values = sums_of(sums, measure)
            shown = {name: table[name][words[measure]] for name in values}
            wanted = (
                _public_marks(minimum, values) if public else {k: str(v) for k, v in values.items()}
            )
            assert shown == wanted, (measure, public)
        numbers = [int(v) for row in rows for v in row[1:] if re.fullmatch(r"\d+", v)]
        if public:
            assert all(n == 0 or n >= minimum for n in numbers)
            assert any(note[1].startswith("Para publicar") for note in footer if note[0] == "Nota")
            # Hours follow attendances: hidden in the rows whose attendances are hidden.
            marks = _public_marks(minimum, sums_of(sums, "attendances"))
            hidden = {name for name, mark in marks.items() if not mark.isdigit()}
            assert {n for n in table if not table[n][words["hours"]][:1].isdigit()} == hidden
        else:
            assert any(0 < n < minimum for n in numbers)  # the exact small counts are there


def sums_of(sums: dict, measure: str) -> dict:
    return {SEXES["es"][s]: sums[measure].get(s, 0) for s in SEXES["es"]}


def test_the_public_excel_writes_marks_as_text_and_the_api_stays_exact(
    central_with_reports, signed_in_central
):
    client = signed_in_central(central_with_reports)
    raw = _download(client, f"/central/download/sex.xlsx?{RANGE}&public=1")
    sheet = load_workbook(io.BytesIO(raw)).active
    header = [c.value for c in sheet[1]]
    column = header.index(HEADERS["es"]["attendances"]) + 1
    shown = {
        sheet.cell(row=i, column=1).value: sheet.cell(row=i, column=column).value for i in (2, 3, 4)
    }
    assert shown == _public_marks(5, sums_of(expected("sex"), "attendances")) | {
        "Mujeres": expected("sex")["attendances"]["female"]
    }
    api = client.get(f"/api/v1/participation?{RANGE}&group_by=sex").json
    assert {r["sex"]: r["attendances"] for r in api["rows"]} == dict(expected("sex")["attendances"])
    page = client.get(f"/central/?{RANGE}").get_data(as_text=True)
    assert 'data-breakdown="sex"' in page
    males = re.search(r"Hombres</th><td data-measure=\"attendances\">(\d+)</td>", page)
    assert males is not None
    assert int(males.group(1)) == expected("sex")["attendances"]["male"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("sex.csv?sep=tab", "separador"),
        ("sex.csv?sep=", None),  # empty: the comma
        ("sex.xlsx?public=yes", "public"),
        ("sex.csv?public=2&sep=semicolon", "public"),
        ("colour.csv?", "no existe"),
        ("sex.pdf?", "no existe"),
    ],
)
def test_bad_download_choices_get_a_clear_message(
    central_with_reports, signed_in_central, query, message
):
    client = signed_in_central(central_with_reports)
    answer = client.get(f"/central/download/{query}&{RANGE}&region=Huánuco")
    if message is None:
        assert answer.status_code == 200
        return
    assert answer.status_code == 302
    assert "region=Hu" in answer.headers["Location"]  # back to the same view of the dashboard
    assert "sep=" not in answer.headers["Location"]
    page = client.get(answer.headers["Location"])
    assert page.status_code == 200
    assert message in page.get_data(as_text=True)


def test_the_dashboard_offers_every_download_with_its_filters(
    central_with_reports, signed_in_central
):
    client = signed_in_central(central_with_reports)
    page = client.get(f"/central/?{RANGE}&region=Huánuco&sep=x&by=y").get_data(as_text=True)
    block = page.split('data-downloads="sex"', 1)[1].split("</div>", 1)[0]
    links = dict(
        (text, href.replace("&amp;", "&"))
        for href, text in re.findall(r'href="([^"]+)"[^>]*>([^<]+)</a>', block)
    )
    assert set(links) == {
        "Descargar Excel",
        "Descargar CSV",
        "CSV con punto y coma (;)",
        "Excel para publicar (oculta cifras menores de 5)",
    }
    assert links["CSV con punto y coma (;)"].endswith("&sep=semicolon")
    assert "public=1" in links["Excel para publicar (oculta cifras menores de 5)"]
    for href in links.values():
        assert "region=Hu" in href
        assert "by=" not in href
        assert client.get(href).status_code == 200

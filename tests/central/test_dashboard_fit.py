"""The dashboard writes every figure one way, Babel's for the page's language, charts
included; hours carry one decimal at most and say which hours they are (issue 20)."""

from __future__ import annotations

import html
import re

import pytest

from tests.central.test_ingest import REPORT, report, send
from tests.test_choice_labels import speak

ATTENDANCES, HOURS = 1518, 4728.25
MONTH = REPORT["month"]
PAGE = f"/central/?from={MONTH}&to={MONTH}"
#: Attendances, hours (to a tenth, half to even) and the hours' name, as each language writes them
WRITTEN = {
    "es": ("1.518", "4.728,2", "Horas de participación"),
    "en": ("1,518", "4,728.2", "Participant hours"),
}


def _big_month() -> dict:
    row = dict(REPORT["attendance"][0], attendances=ATTENDANCES, hours=HOURS)
    return report(attendance=[row])


def _texts(page: str) -> list[str]:
    """What a reader sees: the text between tags, tags and attributes left out."""
    return [html.unescape(t).strip() for t in re.findall(r">([^<]+)<", page) if t.strip()]


@pytest.fixture
def page_in(central, signed_in_central):
    assert send(central, [_big_month()]).status_code == 200
    client = signed_in_central(central)

    def read(language: str) -> str:
        speak(client, language)
        answer = client.get(PAGE)
        assert answer.status_code == 200
        return answer.get_data(as_text=True)

    return read


@pytest.mark.parametrize("language", ["es", "en"])
def test_figures_are_written_one_way_charts_included(page_in, language):
    page = page_in(language)
    attendances, hours, hours_name = WRITTEN[language]
    headline = dict(re.findall(r'<li data-measure="(\w+)"><strong>([^<]*)</strong>', page))
    assert headline["attendances"] == attendances
    assert headline["hours"] == hours
    charts = re.findall(r"<svg[^>]*class=\"chart\".*?</svg>", page, re.S)
    assert len(charts) == 3
    by_sex = _texts(charts[2])
    assert attendances in by_sex  # the bar's value, as the tables write it
    assert f"{attendances}" in charts[0]  # the month's bar tooltip
    texts = _texts(page)
    assert not [t for t in texts if re.search(r"\d\.0\b|\d \d{3}\b", t)], "a figure not by Babel"
    assert hours_name in texts
    assert not [t for t in texts if t in ("Horas", "Hours")]


def test_hours_in_tables_carry_one_decimal_at_most(page_in):
    page = page_in("es")
    cells = re.findall(r'<td data-measure="hours">([^<]*)</td>', page)
    assert "4.728,2" in cells  # the one row of the month, in every table it appears in
    assert set(cells) <= {"4.728,2", "0"}  # rows of other facts (registrations) have none


def test_chart_text_is_never_scaled_by_a_viewbox(page_in):
    page = page_in("es")
    charts = re.findall(r"<svg[^>]*class=\"chart\"[^>]*>", page)
    assert charts
    assert not [svg for svg in charts if "viewBox" in svg]
    sizes = {int(size) for size in re.findall(r'<text[^>]*font-size="(\d+)"', page)}
    assert sizes
    assert min(sizes) >= 13

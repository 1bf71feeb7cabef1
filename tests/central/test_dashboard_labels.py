"""Central's dashboard names the reported values in the page's language (issue 14)."""

from __future__ import annotations

import re

import pytest

from tests.central.test_ingest import report, send
from tests.test_choice_labels import CATEGORIES, SESSION_KINDS, choice_labels, speak

SEXES = {
    "en": ["Women", "Men", "Prefers not to say"],
    "es": ["Mujeres", "Hombres", "Prefiere no decir"],
}
MONTH = report()["month"]  # the month of the report the test sends, whatever today is
PAGE = f"/central/?from={MONTH}&to={MONTH}"


@pytest.mark.parametrize("language", ["en", "es"])
def test_filters_and_breakdowns_speak_the_page_language(central, signed_in_central, language):
    assert send(central, [report()]).status_code == 200
    client = signed_in_central(central)
    speak(client, language)
    fields = choice_labels(client, PAGE)
    assert fields["category"][1:] == CATEGORIES[language]  # after "All"
    assert fields["activity"][1:] == SESSION_KINDS[language]
    assert fields["sex"][1:] == SEXES[language]
    page = client.get(PAGE).get_data(as_text=True)
    rows = dict(re.findall(r'data-breakdown="(\w+)">.*?<th scope="row">([^<]*)</th>', page, re.S))
    assert rows["sex"] == SEXES[language][0]
    assert rows["age_band"] in ("18-29", "30-44")
    assert rows["month"] == MONTH

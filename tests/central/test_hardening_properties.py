"""Property tests: generated sync bodies (valid-shaped and mutated) and participation query
parameters never get a 5xx from central, and a refused sync request changes nothing.

SQLite carries the bulk of the examples (one_backend); a few also run on PostgreSQL, where a
month string longer than its column was a 500."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.central.test_hardening import snapshot
from tests.central.test_ingest import REPORT, send

CODE = "SM-TARAPOTO-01"
ODD_TEXT = st.sampled_from(
    [
        "2026-10\n",
        "\u0662\u0660\u0662\u0666-10",
        "2026-\uff11\uff10",
        "0000-01",
        "9999-12",
        "2100-01",
        "2026-13",
        "",
        "SM-TARAPOTO-01\n",
        "\u0000",
        "x" * 5000,
    ]
) | st.text(max_size=12)
HOSTILE_VALUE = st.one_of(
    ODD_TEXT,
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
    st.just({}),
    st.just([]),
    st.recursive(st.integers(), lambda inner: st.lists(inner, max_size=2), max_leaves=12),
)
HEADER = ("schema", "telecenter", "month", "generated_at")
TIMES = st.sampled_from(
    [
        "2026-11-01T05:00:00Z",
        "2026-11-15T00:00:00-05:00",
        "0001-01-01T00:00:00+05:00",
        "9999-12-31T23:59:59-05:00",
        "2999-01-01T00:00:00Z",
        "\u0662\u0660\u0662\u0666-11-01T05:00:00Z",
    ]
)
MONTHS = st.sampled_from(["2026-09", "2026-10", "2026-11"]) | ODD_TEXT


@st.composite
def reports(draw) -> dict:
    report = copy.deepcopy(REPORT)
    report["month"], report["generated_at"] = draw(MONTHS), draw(TIMES)
    for _ in range(draw(st.integers(0, 3))):
        where = draw(st.sampled_from([*HEADER, "sessions", "attendance", "row"]))
        rows = report["attendance"]
        if where == "row" and isinstance(rows, list) and rows and isinstance(rows[0], dict):
            rows[0][draw(st.sampled_from(sorted(rows[0])))] = draw(HOSTILE_VALUE)
        else:
            report[where] = draw(HOSTILE_VALUE)
    return report


@st.composite
def bodies(draw) -> bytes:
    body = {"schema": 1, "telecenter": CODE, "reports": draw(st.lists(reports(), max_size=3))}
    if draw(st.booleans()):
        body[draw(st.sampled_from(["schema", "telecenter", "reports"]))] = draw(HOSTILE_VALUE)
    text = json.dumps(body)
    tail = draw(st.sampled_from(["", "huge int", "deep", "nan"]))
    if tail == "huge int":
        text = text.replace('"schema": 1', '"schema": ' + "7" * 5001, 1)
    elif tail == "deep":
        text = text[:-1] + ', "x": ' + "[" * 5000 + "]" * 5000 + "}"
    elif tail == "nan":
        text = text.replace("8.0", "NaN", 1)
    return text.encode()


def _sync_never_fails(central, examples: int) -> None:
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(raw=bodies())
    def check(raw):
        before = snapshot(central)
        answer = send(central, None, raw=raw)
        assert answer.status_code < 500, answer.get_data(as_text=True)
        if answer.status_code >= 400:
            assert answer.json["error"]
            assert answer.json["reason"].isascii()
            assert snapshot(central) == before

    check()


QUERY_VALUE = ODD_TEXT | st.sampled_from(
    ["2026-01", "2026-12", "2000-01", "2099-12", "true", "false", "month,sex", "csv", "Junín"]
)
QUERY_NAMES = st.sampled_from(
    [
        "from",
        "to",
        "group_by",
        "format",
        "region",
        "telecenter",
        "category",
        "activity",
        "sex",
        "age_band",
        "wfi",
        "month",
        "period",
        "id_scheme",
        "other",
    ]
)


def _participation_never_fails(central, api_key, examples: int) -> None:
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        params=st.dictionaries(QUERY_NAMES, QUERY_VALUE, max_size=6),
        path=st.sampled_from(
            ["/api/v1/participation", "/api/v1/exports/dhis2", "/api/v1/exports/dhis2/metadata"]
        ),
    )
    def check(params, path):
        answer = central.test_client().get(
            path, query_string=params, headers={"Authorization": f"Bearer {api_key}"}
        )
        assert answer.status_code < 500, answer.get_data(as_text=True)
        if answer.status_code >= 400:
            assert answer.json["reason"].isascii()

    check()


@pytest.fixture
def api_key(central):
    result = central.test_cli_runner().invoke(args=["central", "create-api-key", "--name", "t"])
    return result.output.strip().splitlines()[-1]


@pytest.mark.one_backend
def test_generated_sync_bodies_never_get_a_5xx_and_refusals_change_nothing(central):
    assert send(central, [REPORT]).status_code == 200
    _sync_never_fails(central, examples=80)


@pytest.mark.one_backend
def test_generated_query_parameters_never_get_a_5xx(central, api_key):
    assert send(central, [REPORT]).status_code == 200
    _participation_never_fails(central, api_key, examples=80)


def test_a_few_generated_bodies_and_queries_on_every_backend(central, api_key):
    assert send(central, [REPORT]).status_code == 200
    _sync_never_fails(central, examples=12)
    _participation_never_fails(central, api_key, examples=12)

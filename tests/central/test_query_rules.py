"""How the participation API reads a question: month arithmetic, windows, filters and groups,
with the exact words of every refusal (they are what an analyst reads)."""

from __future__ import annotations

import pytest

from telecenter.central import aggregates
from telecenter.central.aggregates import Query, QueryError, parse


def _parse(**args):
    return parse(args, None)  # no region or telecenter filter: no database needed


@pytest.mark.parametrize(
    ("month", "number"), [("2000-01", 24000), ("2026-12", 24323), ("2027-01", 24324)]
)
def test_months_are_counted_from_year_zero(month, number):
    assert aggregates._month_number(month) == number  # 2026 * 12 + 12 - 1


def test_a_window_of_240_months_is_answered_and_241_is_refused():
    assert _parse(**{"from": "2000-01", "to": "2019-12"}).last == "2019-12"  # 240 months
    with pytest.raises(QueryError) as refused:
        _parse(**{"from": "2000-01", "to": "2020-01"})
    assert str(refused.value) == "ask for at most 240 months at a time"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"to": "2026-06"}, "'from' must be a month between 2000-01 and 2099-12 (YYYY-MM)"),
        ({"from": "2026-01"}, "'to' must be a month between 2000-01 and 2099-12 (YYYY-MM)"),
        (
            {"from": "1999-12", "to": "2026-01"},
            "'from' must be a month between 2000-01 and 2099-12 (YYYY-MM)",
        ),
        (
            {"from": "2026-01", "to": "2100-01"},
            "'to' must be a month between 2000-01 and 2099-12 (YYYY-MM)",
        ),
        ({"from": "2026-07", "to": "2026-06"}, "'from' must not be after 'to'"),
        (
            {"from": "2026-01", "to": "2026-02", "group_by": "sex,colour"},
            "group_by takes distinct fields among region, telecenter, fiscal_year, year, "
            "quarter, month, sex, age_band, category, activity, wfi, purpose, commodity",
        ),
        ({"from": "2026-01", "to": "2026-02", "wfi": "yes"}, "wfi must be true or false"),
        (
            {"from": "2026-01", "to": "2026-02", "sex": "other"},
            "sex must be one of female, male, unspecified",
        ),
    ],
)
def test_refusals_say_exactly_what_to_change(args, message):
    with pytest.raises(QueryError) as refused:
        _parse(**args)
    assert str(refused.value) == message


def test_the_last_month_of_the_range_is_accepted():
    assert _parse(**{"from": "2099-12", "to": "2099-12"}).first == "2099-12"


@pytest.mark.parametrize(
    ("value", "meaning"), [("true", True), ("false", False), (True, True), (False, False)]
)
def test_the_programme_filter_takes_words_or_booleans(value, meaning):
    query = _parse(**{"from": "2026-01", "to": "2026-02", "wfi": value})
    assert query.filters == {"wfi": meaning}


def test_empty_filters_and_groups_are_no_filter_and_no_group():
    query = _parse(**{"from": "2026-01", "to": "2026-02", "sex": "", "group_by": ""})
    assert (query.filters, query.group_by) == ({}, [])
    grouped = _parse(**{"from": "2026-01", "to": "2026-02", "group_by": " sex , month "})
    assert grouped.group_by == ["sex", "month"]
    assert grouped.dimensions == {"sex"}  # month is place-and-time, not a dimension


def test_the_cache_forgets_its_oldest_answer_beyond_its_size():
    cache = aggregates.AnswerCache(size=2)
    assert (cache.size, cache.version, len(cache.answers)) == (2, None, 0)
    assert aggregates.AnswerCache().size == 256
    assert Query("2026-01", "2026-02").dimensions == set()


def test_the_cache_keeps_the_most_recent_answers_and_hands_out_copies(make_app):
    from telecenter.extensions import db

    app = make_app("central")
    questions = [Query(f"2026-0{n}", f"2026-0{n}") for n in (1, 2, 3)]
    cache = aggregates.AnswerCache(size=2)
    with app.app_context():
        for query in questions:
            cache.get(db.session, query)
        kept = [key[:2] for key in cache.answers]
        assert kept == [("2026-02", "2026-02"), ("2026-03", "2026-03")]  # the oldest went

        fresh = cache.get(db.session, questions[2])
        fresh["rows"].append({"poisoned": True})
        fresh["totals"]["attendances"] = -1
        again = cache.get(db.session, questions[2])
        assert {"poisoned": True} not in again["rows"]
        assert again["totals"]["attendances"] != -1

        first = cache.get(db.session, Query("2026-05", "2026-05"))  # computed, then stored
        first["rows"].append({"poisoned": True})
        assert {"poisoned": True} not in cache.get(db.session, Query("2026-05", "2026-05"))["rows"]

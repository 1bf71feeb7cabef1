"""The rule that hides small cells for publication, on hand-written tables."""

from __future__ import annotations

import pytest

from telecenter.central.small_cells import COMPLEMENT, SMALL, hidden_cells

MEASURES = ("attendances", "hours", "sessions_held", "reached")


def _rows(*columns):
    """Rows from (attendances, hours, sessions_held, reached) tuples."""
    return [dict(zip(MEASURES, values, strict=True)) for values in columns]


def test_a_small_count_and_the_smallest_large_one_of_its_column_are_hidden():
    rows = _rows((40, 60.0, 3, 12), (3, 4.5, 1, 9), (7, 10.0, 2, 30))
    assert hidden_cells(rows, MEASURES, minimum=5) == {
        (1, "attendances"): SMALL,
        (2, "attendances"): COMPLEMENT,  # 7 < 40: the least figure lost
        (1, "hours"): COMPLEMENT,  # hours follow the row's attendances
        (2, "hours"): COMPLEMENT,
    }


def test_zeros_blanks_and_sessions_are_shown():
    rows = _rows((0, 0.0, 1, None), (12, 20.0, 2, None), (6, 8.0, 3, None))
    assert hidden_cells(rows, MEASURES, minimum=5) == {}


def test_several_small_counts_still_hide_one_large_count():
    rows = _rows((4, 1.0, 1, 4), (4, 1.0, 1, 4), (9, 3.0, 1, 50), (5, 2.0, 1, 60))
    hidden = hidden_cells(rows, MEASURES, minimum=5)
    assert {k for k, why in hidden.items() if k[1] == "attendances"} == {
        (0, "attendances"),
        (1, "attendances"),
        (3, "attendances"),  # 5, the least count of 5 or more
    }
    assert hidden[3, "attendances"] == COMPLEMENT
    assert hidden[2, "reached"] == COMPLEMENT  # 50 < 60


def test_a_column_with_no_large_count_hides_its_small_ones_only():
    rows = _rows((1, 1.0, 1, 0), (2, 1.0, 1, 0))
    hidden = hidden_cells(rows, MEASURES, minimum=5)
    assert {k: v for k, v in hidden.items() if k[1] == "attendances"} == {
        (0, "attendances"): SMALL,
        (1, "attendances"): SMALL,
    }


@pytest.mark.parametrize(("minimum", "hidden"), [(2, False), (10, True)])
def test_the_minimum_decides(minimum, hidden):
    rows = _rows((9, 1.0, 1, 20), (30, 1.0, 1, 20))
    assert ((0, "attendances") in hidden_cells(rows, MEASURES, minimum=minimum)) is hidden

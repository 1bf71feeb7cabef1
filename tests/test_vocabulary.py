"""The reported values are spelt in one module and their words in another (issue 14)."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest
from flask_babel import force_locale
from wtforms.fields.choices import SelectChoice
from wtforms.fields.core import UnboundField

import telecenter
from telecenter import labels, month_report, vocabulary
from telecenter.forms import Form

PACKAGE = Path(telecenter.__file__).parent
#: The value sets that no module but vocabulary.py (and labels.py, which names each value once
#: more to give it its words) may spell out in full.
VALUE_SETS = {
    "ACTIVITIES": vocabulary.ACTIVITIES,
    "CATEGORIES": vocabulary.CATEGORIES,
    "SEXES": vocabulary.SEXES,
    "AGE_BANDS": vocabulary.AGE_BANDS[:-1],  # the bands with ages, without "unknown"
    "ATTENDANCE_STATUSES": vocabulary.ATTENDANCE_STATUSES,
    "COUNTED_STATUSES": vocabulary.COUNTED_STATUSES,
    "COMPLETION_MODES": vocabulary.COMPLETION_MODES,
    "ATTENDANCE_SOURCES": vocabulary.ATTENDANCE_SOURCES,
    "COURSE_STATES": vocabulary.COURSE_STATES,
}
OWNERS = {PACKAGE / "vocabulary.py", PACKAGE / "labels.py"}


def _literal_collections(tree: ast.AST):
    """Every tuple, list or set literal's strings, and every dict literal's string keys."""
    for node in ast.walk(tree):
        items = node.keys if isinstance(node, ast.Dict) else getattr(node, "elts", None)
        if isinstance(node, ast.Tuple | ast.List | ast.Set | ast.Dict):
            yield node, {i.value for i in items if isinstance(i, ast.Constant)}


def test_no_module_spells_a_value_set_of_its_own():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path in OWNERS:
            continue
        for node, strings in _literal_collections(ast.parse(path.read_text(encoding="utf-8"))):
            found += [
                f"{path.relative_to(PACKAGE)}:{node.lineno} {name}"
                for name, values in VALUE_SETS.items()
                if set(values) <= strings
            ]
    assert found == [], "import these from telecenter.vocabulary: " + "; ".join(found)


def test_the_report_contract_is_built_from_the_vocabulary():
    assert month_report.DIMENSIONS is vocabulary.DIMENSIONS
    for dims, _measures in month_report.TABLES.values():
        assert set(dims) <= set(vocabulary.DIMENSIONS)
    assert set(vocabulary.COUNTED_STATUSES) < set(vocabulary.ATTENDANCE_STATUSES)
    assert vocabulary.AGE_BANDS == ("15-17", "18-29", "30-44", "45-59", "60+", "unknown")


@pytest.mark.parametrize("dimension", sorted(labels.LABELS))
def test_every_value_has_words_and_every_word_a_value(dimension):
    assert tuple(labels.LABELS[dimension]) == labels.VALUES[dimension]
    assert tuple(code for code, _name in labels.labelled(dimension)) == labels.VALUES[dimension]
    for dimension_, plural in labels.PLURAL_LABELS.items():
        assert tuple(plural) == labels.VALUES[dimension_]


def test_label_reads_in_the_current_language(app_ctx):
    with force_locale("en"):
        assert labels.label("activity", "teleconference") == "Teleconference"
        assert labels.label("sex", "female") == "Woman"
        assert labels.label("sex", "female", plural=True) == "Women"
        assert labels.label("age_band", "unknown") == "Age unknown"
    with force_locale("es"):
        assert labels.label("sex", "female", plural=True) == "Mujeres"
        assert labels.label("sex", "unspecified", plural=True) == "Prefiere no decir"
        assert labels.label("age_band", "30-44") == "30-44"
    assert labels.label("region", "San Martín") == "San Martín"  # no words of its own
    assert labels.label("sex", None) == labels.label("month", "") == "—"


def _form_classes() -> list[type]:
    for module in pkgutil.walk_packages(telecenter.__path__, "telecenter."):
        if module.name.endswith(("forms", "routes")):
            importlib.import_module(module.name)
    pending, classes = [Form], []
    while pending:
        classes.append(pending.pop())
        pending += classes[-1].__subclasses__()
    return classes


def _label_of(choice):
    return choice.label if isinstance(choice, SelectChoice) else choice[1]


def test_no_form_freezes_a_choice_label_at_import():
    """A label that is already text when the class is built was read in Spanish (no request
    yet): it must be a lazy string, read when the form renders."""
    frozen = []
    for form in _form_classes():
        for name, field in vars(form).items():
            if isinstance(field, UnboundField):
                frozen += [
                    f"{form.__name__}.{name}: {text!r}"
                    for text in map(_label_of, field.kwargs.get("choices") or [])
                    if isinstance(text, str)
                ]
    assert len(_form_classes()) > 20
    assert frozen == []

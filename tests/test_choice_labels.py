"""Choice labels follow the page's language (issue 14).

A form class is built once, when its module is imported, outside any request: a choice label
turned into text then stays Spanish for ever. These pages are rendered in English and in
Spanish, and the words of each choice must be those of the page's language, and only those.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from telecenter.participants import services
from tests.conftest import csrf_token

SESSION_KINDS = {
    "en": ["Class", "Teleconference", "Workshop"],
    "es": ["Clase", "Teleconferencia", "Taller"],
}
WEEKDAYS = {
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    "es": ["Lunes", "Martes", "Miércoles", "Jueves", "Viernes", "Sábado", "Domingo"],
}
CATEGORIES = {
    "en": [
        "Digital literacy",
        "Financial literacy",
        "Farming (cacao, coffee)",
        "Other topics",
    ],
    "es": [
        "Alfabetización digital",
        "Educación financiera",
        "Agricultura (cacao, café)",
        "Otros temas",
    ],
}
PURPOSES = {
    "en": ["Training (class, workshop, course session)", "Talk or awareness session"],
    "es": ["Capacitación (clase, taller, sesión de curso)", "Charla o sensibilización"],
}
CROPS = {
    "en": ["Cacao", "Coffee", "Plantain", "Timber or other forest product", "Other crop"],
    "es": ["Cacao", "Café", "Plátano", "Madera u otro forestal", "Otro cultivo"],
}
LANGUAGES = {
    "en": ["Spanish", "Quechua", "Asháninka", "Shipibo-Konibo", "English"],
    "es": ["Castellano", "Quechua", "Asháninka", "Shipibo-Konibo", "Inglés"],
}
COMPLETION_MODES = {
    "en": ["At your own pace: lessons and final quiz", "In class: attending the sessions"],
    "es": ["A su ritmo: lecciones y cuestionario final", "En clase: asistencia a las sesiones"],
}
YES_NO = {"en": ["Yes", "No"], "es": ["Sí", "No"]}
SEXES = {
    "en": ["Woman", "Man", "Prefers not to say"],
    "es": ["Mujer", "Hombre", "Prefiere no decir"],
}


class ChoiceLabels(HTMLParser):
    """The label of every option of a form, by field name, in page order: the text after a
    radio or checkbox up to its </label>, and the text of each <option> of a <select>."""

    def __init__(self, page: str):
        super().__init__()
        self.fields: dict[str, list[str]] = {}
        self._select: str | None = None
        self._open: list[str] | None = None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "select":
            self._select = attributes.get("name")
        elif tag == "option" and self._select:
            self._start(self._select)
        elif tag == "input" and attributes.get("type") in ("radio", "checkbox"):
            self._start(attributes.get("name"))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        if tag in ("label", "option") and self._open is not None:
            self._open[-1] = self._open[-1].strip()
            self._open = None

    def handle_data(self, data):
        if self._open is not None:
            self._open[-1] += data

    def _start(self, name: str | None) -> None:
        self._open = self.fields.setdefault(name or "", [])
        self._open.append("")


def choice_labels(client, path: str) -> dict[str, list[str]]:
    response = client.get(path)
    assert response.status_code == 200, path
    return ChoiceLabels(response.get_data(as_text=True)).fields


def speak(client, language: str) -> None:
    response = client.post(
        "/language", data={"lang": language, "next": "/home", "csrf_token": csrf_token(client)}
    )
    assert response.status_code == 303


@pytest.fixture(params=["en", "es"])
def language(request) -> str:
    return request.param


@pytest.fixture
def trainer(signed_in, language):
    client = signed_in("trainer")
    speak(client, language)
    return client


def test_session_form_kinds_weekdays_and_categories(trainer, language):
    fields = choice_labels(trainer, "/sessions/new")
    assert fields["kind"] == SESSION_KINDS[language]
    assert fields["weekdays"] == WEEKDAYS[language]
    assert fields["category"][1:] == CATEGORIES[language]  # after "— Choose —"
    assert fields["purpose"] == PURPOSES[language]
    assert fields["commodity"][1:] == CROPS[language]


def test_course_form_category_language_and_completion_mode(trainer, language):
    fields = choice_labels(trainer, "/courses/manage/new")
    assert fields["category"] == CATEGORIES[language]
    assert fields["commodity"][1:] == CROPS[language]
    assert fields["language"] == LANGUAGES[language]
    assert fields["completion_mode"] == COMPLETION_MODES[language]


def test_survey_yes_no_answers(trainer, language, make_participant):
    consent = services.ConsentData(given=True, financial_inclusion=True)
    participant_id = make_participant(consent=consent)
    fields = choice_labels(trainer, f"/programme/participants/{participant_id}/surveys")
    for name in ("digital_payment", "saved", "savings_group_member", "borrowed", "has_own_income"):
        assert fields[name] == YES_NO[language], name


@pytest.mark.parametrize("path", ["/participants/new", "/participants/quick"])
def test_participant_sex(trainer, language, path):
    assert choice_labels(trainer, path)["sex"] == SEXES[language]


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/sessions/new", SESSION_KINDS["es"] + WEEKDAYS["es"] + PURPOSES["es"] + CROPS["es"][1:]),
        (
            "/courses/manage/new",
            CATEGORIES["es"] + COMPLETION_MODES["es"] + CROPS["es"][1:] + ["Castellano"],
        ),
        ("/participants/new", ["Mujer", "Hombre", "Prefiere no decir"]),
        ("/programme/participants/{id}/surveys", ["Sí"]),
    ],
)
def test_no_spanish_choice_is_left_on_an_english_page(signed_in, make_participant, path, words):
    client = signed_in("trainer")
    speak(client, "en")
    consent = services.ConsentData(given=True, financial_inclusion=True)
    page = client.get(path.format(id=make_participant(consent=consent))).get_data(as_text=True)
    assert '<html lang="en">' in page
    assert [word for word in words if word in page] == []


def test_every_crop_and_purpose_of_the_vocabulary_has_words_in_both_languages(app_ctx):
    from flask_babel import force_locale

    from telecenter import labels, vocabulary

    for language in ("en", "es"):
        with force_locale(language):
            crops = [labels.label("commodity", crop) for crop in vocabulary.CROPS]
            purposes = [labels.label("purpose", purpose) for purpose in vocabulary.PURPOSES]
        assert crops == CROPS[language]
        assert purposes == PURPOSES[language]
    with force_locale("en"):
        assert labels.label("commodity", vocabulary.NO_COMMODITY) == "No crop given"

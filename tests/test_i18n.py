"""Spanish by default; English by choice, remembered per user or by cookie."""

from __future__ import annotations

from telecenter.i18n import LANGUAGE_COOKIE
from tests.conftest import csrf_token, sign_in


def _switch(client, code: str, next_path: str = "/sign-in"):
    return client.post(
        "/language", data={"lang": code, "next": next_path, "csrf_token": csrf_token(client)}
    )


def test_pages_are_in_spanish_by_default(client):
    page = client.get("/sign-in").get_data(as_text=True)
    assert '<html lang="es">' in page
    assert "Contraseña" in page


def test_browser_language_does_not_override_spanish_default(client):
    page = client.get("/sign-in", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert "Contraseña" in page.get_data(as_text=True)


def test_anonymous_choice_is_kept_in_a_cookie(client):
    response = _switch(client, "en")
    assert response.status_code == 303
    assert response.headers["Location"] == "/sign-in"
    assert f"{LANGUAGE_COOKIE}=en" in response.headers["Set-Cookie"]
    page = client.get("/sign-in").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Password" in page
    assert "Contraseña" not in page


def test_signed_in_choice_is_remembered_on_the_account(app, client, make_user):
    username, password = make_user("trainer")
    sign_in(client, username, password)
    _switch(client, "en", "/home")
    fresh = app.test_client()  # another PC: no cookie
    sign_in(fresh, username, password)
    assert "Hello" in fresh.get("/home").get_data(as_text=True)


def test_unknown_language_is_refused_with_a_message_and_changes_nothing(client):
    response = _switch(client, "xx")
    assert response.status_code == 303
    assert "Set-Cookie" not in response.headers or "lang=" not in response.headers["Set-Cookie"]
    page = client.get("/sign-in").get_data(as_text=True)
    assert "Ese idioma no está disponible" in page


def test_off_site_next_after_language_switch_stays_on_site(client):
    response = _switch(client, "en", "https://evil.example/")
    assert response.headers["Location"] == "/"


def test_every_message_in_the_code_has_an_english_translation():
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    from telecenter.paths import REPO_DIR, translations_dir

    with open(translations_dir() / "en" / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalog = read_po(handle)
    translated = {
        message.id
        for message in catalog
        if message.id and message.string and "fuzzy" not in message.flags
    }
    keywords = {"_": None, "gettext": None, "lazy_gettext": None, "_l": None}
    found = set()
    for folder, method in (("telecenter", "python"), ("templates", "jinja2")):
        pattern = "**.py" if method == "python" else "**.html"
        for _file, _line, message, *_ in extract_from_dir(
            REPO_DIR / folder, method_map=[(pattern, method)], keywords=keywords
        ):
            found.add(message if isinstance(message, str) else message[0])
    assert len(found) > 50  # the extraction itself worked
    missing = sorted(found - translated)
    assert missing == [], "run `make extract-messages` and translate: " + "; ".join(missing)


def test_built_in_form_messages_follow_the_page_language(signed_in):
    """WTForms' own messages come from a catalogue cached per process and per language: a
    Spanish page must not get the English one that was loaded first, nor the other way."""
    client = signed_in("admin")
    bad_role = {
        "username": "otro",
        "display_name": "Otro",
        "role": "central_admin",
        "password": "long-enough-1",
        "confirm": "long-enough-1",
    }
    for language, expected, foreign in (
        ("en", "Not a valid choice", "Opción inválida"),
        ("es", "Opción inválida", "Not a valid choice"),
        ("en", "Not a valid choice", "Opción inválida"),
    ):
        _switch(client, language, "/home")
        page = client.post("/admin/accounts/", data={**bad_role, "csrf_token": csrf_token(client)})
        assert page.status_code == 400
        assert expected in page.get_data(as_text=True)
        assert foreign not in page.get_data(as_text=True)

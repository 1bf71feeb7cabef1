"""«Cursos de la red», the site admin's page: what each entry is against what the site has,
the download's progress in Babel's words, the buttons, and the settings form."""

from __future__ import annotations

import copy
import re

import pytest
import sqlalchemy as sa

from telecenter.courses import authoring
from telecenter.extensions import db
from telecenter.sync import network_settings
from telecenter.sync.models import CourseDownload, DownloadSettings
from tests.conftest import csrf_token
from tests.courses.conftest import BODIES, definition
from tests.sync.central_events import RULES

MB = 1024 * 1024
PAGE = "/admin/sync/courses/"


def listed(number: int, slug: str, version: int, size: int = 100 * MB) -> dict:
    sha256 = f"{number:064x}"
    return {
        "id": f"CP-{number}",
        "slug": slug,
        "title": f"Curso {slug} v{version}",
        "version": version,
        "kind": "pack",
        "sha256": sha256,
        "size": size,
        "url": f"/api/v1/sync/files/{sha256}",
        "published_at": f"2026-11-2{number}T17:00:00Z",
    }


@pytest.fixture
def catalogue(clock, app):
    """Three entries: a course the site lacks, a newer version of one it has at 1, and the
    version it has. The first half downloaded at 1 MB/s. (No app context is held: the test
    client's requests must each have their own, for their CSRF tokens.)"""
    with app.app_context():
        return _fill()


def _fill() -> dict:
    for slug, version in (("mejora", 1), ("igual", 2)):
        authoring.apply_definition(
            db.session, definition(slug=slug, version=version), BODIES, published=True
        )
    entries = [listed(1, "nuevo", 1), listed(2, "mejora", 3), listed(3, "igual", 2)]
    answer = {"version": "r2-x", "counting_rules": copy.deepcopy(RULES), "courses": entries}
    network_settings.apply(db.session, answer)
    row = db.session.scalar(sa.select(CourseDownload).where(CourseDownload.slug == "nuevo"))
    row.bytes_done, row.speed = 50 * MB, MB
    db.session.commit()
    return {e["slug"]: e for e in entries}


def _row(app, slug: str = "nuevo") -> CourseDownload:
    with app.app_context():
        row = db.session.scalar(sa.select(CourseDownload).where(CourseDownload.slug == slug))
        db.session.expunge(row)
        return row


def _settings(app) -> DownloadSettings:
    with app.app_context():
        row = db.session.get_one(DownloadSettings, 1)
        db.session.expunge(row)
        return row


def _card(page: str, slug: str, version: int) -> str:
    match = re.search(rf'data-entry="{slug}-{version}">(.*?)</li>', page, re.S)
    assert match, f"no card for {slug}"
    return match.group(1)


def test_the_page_names_each_entry_against_what_the_site_has(catalogue, signed_in):
    page = signed_in("admin").get(PAGE).get_data(as_text=True)
    new = _card(page, "nuevo", 1)
    assert "Curso nuevo" in new
    assert "50 MB de 100 MB (50\u00a0%)" in new  # Babel: "50 %", a space that does not break
    assert "Falta aproximadamente 50 segundos." in new  # 50 MB left at 1 MB/s
    assert "Descargar ahora" in new
    assert "Pausar" in new
    upgrade = _card(page, "mejora", 3)
    assert "Nueva versión" in upgrade
    assert "(este telecentro tiene la versión 1)" in upgrade
    installed = _card(page, "igual", 2)
    assert "Instalado" in installed
    assert "Descargar ahora" not in installed


def test_the_page_in_english(catalogue, signed_in):
    client = signed_in("admin")
    client.post("/language", data={"lang": "en", "next": PAGE, "csrf_token": csrf_token(client)})
    page = client.get(PAGE).get_data(as_text=True)
    new = _card(page, "nuevo", 1)
    assert "New course" in new
    assert "50 MB of 100 MB (50%)" in new
    assert "Download now" in new


def _post(client, path: str, **data):
    return client.post(path, data={"csrf_token": csrf_token(client), **data})


def test_the_buttons_ask_the_scheduler_and_a_pause_shows(app, catalogue, signed_in):
    client = signed_in("admin")
    entry_id = _row(app).id
    assert _post(client, f"{PAGE}{entry_id}/download").status_code == 302
    assert (_row(app).wanted_now, _row(app).paused) == (True, False)
    assert _post(client, f"{PAGE}{entry_id}/pause").status_code == 302
    assert (_row(app).wanted_now, _row(app).paused) == (False, True)
    card = _card(client.get(PAGE).get_data(as_text=True), "nuevo", 1)
    assert "En pausa. Lo descargado se guarda." in card
    assert "Reanudar" in card
    _post(client, f"{PAGE}{entry_id}/resume")
    assert _row(app).paused is False


def test_install_is_only_for_a_verified_download(app, catalogue, signed_in):
    client = signed_in("admin")
    entry_id = _row(app).id
    assert _post(client, f"{PAGE}{entry_id}/install").status_code == 302
    assert "todavía no está descargado y revisado" in client.get(PAGE).get_data(as_text=True)
    assert _row(app).install_requested is False
    with app.app_context():
        db.session.get_one(CourseDownload, entry_id).state = "verified"
        db.session.add(DownloadSettings(id=1, auto_install=False))
        db.session.commit()
    assert "Instalar" in _card(client.get(PAGE).get_data(as_text=True), "nuevo", 1)
    _post(client, f"{PAGE}{entry_id}/install")
    assert _row(app).install_requested is True


def test_a_button_for_an_entry_that_is_gone_says_so(catalogue, signed_in):
    client = signed_in("admin")
    _post(client, f"{PAGE}999/pause")
    assert "ya no está en la lista" in client.get(PAGE).get_data(as_text=True)


def test_the_settings_are_saved_and_bad_ones_refused_with_nothing_changed(clock, app, signed_in):
    client = signed_in("admin")
    form = {"limit_kbps": "50", "window_from": "22", "window_to": "6"}
    assert _post(client, f"{PAGE}settings", **form).status_code == 302
    row = _settings(app)
    assert (row.limit_kbps, row.window_from, row.window_to, row.auto_install) == (
        50,
        22,
        6,
        False,  # the box was not ticked
    )
    page = client.get(PAGE).get_data(as_text=True)
    assert "las descargas siguen a las 22:00 (hasta las 06:00)" in page  # noon now
    for bad, message in (
        ({"limit_kbps": "mucho"}, "Escriba un número entero con cifras"),
        ({"limit_kbps": "-1"}, "Escriba un límite de 0 a 1.000.000 KB/s"),
        ({"limit_kbps": "10" * 20}, "demasiado grande"),
        ({"window_from": "24"}, "Opción inválida"),
        ({"window_to": "x"}, "Elección inválida"),
    ):
        answer = _post(client, f"{PAGE}settings", **{**form, **bad, "auto_install": "y"})
        assert answer.status_code == 400
        assert message in answer.get_data(as_text=True)
        assert (_settings(app).limit_kbps, _settings(app).auto_install) == (50, False)


def test_the_sync_page_links_to_it(clock, signed_in):
    page = signed_in("admin").get("/admin/sync/").get_data(as_text=True)
    assert f'href="{PAGE}"' in page

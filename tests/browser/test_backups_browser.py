"""An admin makes a backup, registers someone, downloads the backup, restores it through the
page, and the site works on without a restart, on gunicorn with two workers."""

from __future__ import annotations

import os
import tarfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from telecenter.demo import SITE_ACCOUNTS
from tests.live import LiveServer

ADMIN = next(account for account in SITE_ACCOUNTS if account.role == "admin")
#: Set to keep screenshots of each page at both sizes (people look at them; tests need not).
SHOTS = os.environ.get("SCREENSHOTS_DIR")
SIZES = {"desktop": (1366, 768), "phone": (390, 844)}


@pytest.fixture(scope="module")
def restore_site(tmp_path_factory):
    """A site of its own: restoring it must not change what the other browser tests see."""
    server = LiveServer(instance=tmp_path_factory.mktemp("restore-site"))
    server.prepare().start()
    yield server
    server.stop()


def _shoot(page, name: str, answer=None) -> None:
    """At a desktop's and a phone's size: the answer in view, and a screenshot if asked."""
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        if answer is not None:
            expect(answer).to_be_in_viewport()
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/backups-{name}-{size}.png")
    page.set_viewport_size({"width": 1280, "height": 900})


def _register(page, site) -> None:
    page.goto(site.url + "/participants/")
    page.get_by_role("link", name="Registrar participante").first.click()
    page.get_by_label("Nombres").fill("Teodora")
    page.get_by_label("Apellidos").fill("Restaurada Pinedo")
    page.get_by_label("Mujer").check()
    page.get_by_label("Número de documento").fill("47112233")
    page.get_by_label("Fecha de nacimiento").fill("1988-03-02")
    page.get_by_label("Distrito").select_option(label="Tarapoto (San Martín, San Martín)")
    page.get_by_label("La persona escuchó el texto y acepta registrarse").check()
    page.get_by_role("button", name="Guardar registro").click()
    expect(page.get_by_text("Participante registrada")).to_be_visible()


def _found(page, site) -> bool:
    page.goto(site.url + "/participants/?q=Teodora")
    return page.get_by_text("Restaurada Pinedo").count() > 0


def test_admin_downloads_and_restores_a_backup_through_the_page(page, restore_site, tmp_path):
    site = restore_site
    page.goto(site.url + "/sign-in")
    page.get_by_label("Usuario").fill(ADMIN.username)
    page.get_by_label("Contraseña").fill(ADMIN.password)
    page.get_by_role("button", name="Ingresar").click()
    page.get_by_role("link", name="Copias de seguridad").first.click()
    page.get_by_role("button", name="Hacer una copia ahora").click()
    expect(page.get_by_text("Copia de seguridad guardada")).to_be_in_viewport()
    made = page.locator(".backup-list li").first
    name = made.get_attribute("data-name")
    assert name
    assert name.endswith(".tar.gz")

    _register(page, site)
    assert _found(page, site)

    page.goto(site.url + "/admin/backups/")
    _shoot(page, "list")
    row = page.locator(f'.backup-list li[data-name="{name}"]')
    with page.expect_download() as waiting:
        row.get_by_role("link", name="Descargar").click()
    downloaded = tmp_path / "copia.tar.gz"
    waiting.value.save_as(downloaded)
    assert downloaded.read_bytes() == (site.instance / "backups" / name).read_bytes()
    with tarfile.open(downloaded) as archive:
        assert {"manifest.json", "telecenter.sqlite3"} <= set(archive.getnames())

    row.get_by_role("link", name="Restaurar…").click()
    expect(page.get_by_role("heading", name="¿Restaurar esta copia?")).to_be_visible()
    expect(
        page.get_by_text("Se reemplazarán todos los datos actuales por los de esta copia.")
    ).to_be_visible()
    expect(page.get_by_test_id("backup-summary")).to_contain_text("DEMO")
    _shoot(page, "confirm")
    page.get_by_role("button", name="Sí, restaurar esta copia").click()
    expect(
        page.locator(".backup-list .tag", has_text="Guardada antes de restaurar")
    ).to_be_visible()
    _shoot(page, "restored", page.get_by_text("Copia restaurada"))

    # Both workers answer from the restored database, and writes work again.
    for _ in range(6):
        assert not _found(page, site)
    _register(page, site)
    assert _found(page, site)


def test_a_foreign_file_is_refused_with_a_clear_message(page, restore_site, tmp_path):
    site = restore_site
    page.goto(site.url + "/sign-in")
    page.get_by_label("Usuario").fill(ADMIN.username)
    page.get_by_label("Contraseña").fill(ADMIN.password)
    page.get_by_role("button", name="Ingresar").click()
    page.goto(site.url + "/admin/backups/")
    before = page.locator(".backup-list li").count()
    bogus = Path(tmp_path) / "fotos.tar.gz"
    bogus.write_bytes(b"esto no es una copia")
    page.get_by_label("Archivo de copia (.tar.gz)").set_input_files(str(bogus))
    page.get_by_role("button", name="Revisar el archivo").click()
    message = page.get_by_role("alert").filter(has_text="no es una copia de seguridad")
    _shoot(page, "refused", message)
    assert page.locator(".backup-list li").count() == before


def _from_another_pc(made: Path, target: Path, key: bytes) -> Path:
    """The site's own backup as a lost PC would have signed it, with an admin added that
    does not exist here."""
    import json
    import sqlite3
    from contextlib import closing

    from tests.operations import crafting

    with tarfile.open(made) as archive:
        manifest = json.loads(archive.extractfile("manifest.json").read())
    database = target.with_suffix(".sqlite3")
    database.write_bytes(crafting.database_of(made))
    with closing(sqlite3.connect(database)) as connection:
        connection.execute(
            "INSERT INTO users (username, password_hash, display_name, role, active, created_at)"
            " VALUES ('soporte', 'x', 'Soporte técnico', 'admin', 1, '2024-01-01 00:00:00')"
        )
        connection.commit()
    members = [crafting.Member("telecenter.sqlite3", database.read_bytes())]
    return crafting.Craft(manifest["telecenter"], members, key).write(target)


def test_a_backup_from_another_pc_asks_for_the_paper_key_then_shows_new_accounts(
    page, restore_site, tmp_path
):
    from telecenter.operations.backup_key import format_key

    site = restore_site
    page.goto(site.url + "/sign-in")
    page.get_by_label("Usuario").fill(ADMIN.username)
    page.get_by_label("Contraseña").fill(ADMIN.password)
    page.get_by_role("button", name="Ingresar").click()
    page.goto(site.url + "/admin/backups/")
    page.get_by_role("button", name="Hacer una copia ahora").click()
    name = page.locator(".backup-list li").first.get_attribute("data-name")
    before = page.locator(".backup-list li").count()
    other_key = b"lost-pc-key-20-bytes"
    crafted = _from_another_pc(site.instance / "backups" / name, tmp_path / "usb.tar.gz", other_key)

    page.get_by_label("Archivo de copia (.tar.gz)").set_input_files(str(crafted))
    page.get_by_role("button", name="Revisar el archivo").click()
    expect(page.get_by_role("heading", name="Esta copia viene de otro equipo")).to_be_visible()
    key_field = page.get_by_label("Clave de copias (anotada en papel al instalar el otro equipo)")
    key_field.fill(format_key(b"a-wrong-key-20-bytes"))
    page.get_by_role("button", name="Revisar la copia con esta clave").click()
    wrong = page.get_by_role("alert").filter(has_text="No se cambió nada")
    _shoot(page, "key-wrong", wrong)
    expect(page.locator(".field .error")).to_contain_text("La clave escrita no es la que firmó")

    key_field.fill(format_key(other_key).lower().replace("-", " "))  # as typed from paper
    page.get_by_role("button", name="Revisar la copia con esta clave").click()
    expect(page.get_by_role("heading", name="¿Restaurar esta copia?")).to_be_visible()
    warning = page.get_by_test_id("new-staff-warning")
    _shoot(page, "confirm-new-account", warning)
    soporte = page.get_by_test_id("backup-staff").locator('li[data-username="soporte"]')
    expect(soporte.get_by_test_id("account-new")).to_have_text("nueva")
    admin_row = page.get_by_test_id("backup-staff").locator(f'li[data-username="{ADMIN.username}"]')
    expect(admin_row.get_by_test_id("account-new")).to_have_count(0)
    page.get_by_role("link", name="Cancelar").click()
    expect(page.get_by_role("heading", name="Copias de seguridad")).to_be_visible()
    assert page.locator(".backup-list li").count() == before  # nothing restored, no safety copy

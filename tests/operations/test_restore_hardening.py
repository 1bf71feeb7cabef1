"""A restore trusts nothing in a backup file before it is checked: the manifest and the
telecenter code before a byte is written, the declared sizes and the settings' limits while
writing, the database's schema before it replaces anything, the signature always; and it says
what the copy holds (staff accounts that do not exist today marked «nueva») before it replaces
anything, on the page and on the command line."""

from __future__ import annotations

import io
import sqlite3
import stat
import tarfile
from pathlib import Path

import pytest

from telecenter import create_app
from telecenter.extensions import db
from telecenter.operations import backup_key, backups
from tests.conftest import csrf_token
from tests.operations import crafting
from tests.operations.crafting import Craft, Member

pytestmark = pytest.mark.one_backend

MB = 1024 * 1024
BOMB = 48 * MB  # compresses to about 50 KB


def _key(app) -> bytes:
    return backup_key.load_or_create(app.instance_path)


def _code(app) -> str:
    return app.config["TELECENTER_CODE"]


def _users(app) -> list[str]:
    with app.app_context():
        names = [r[0] for r in db.session.execute(db.text("SELECT username FROM users"))]
        db.session.remove()
    return sorted(names)


def _triggers(app) -> list[str]:
    with app.app_context():
        rows = db.session.execute(db.text("SELECT name FROM sqlite_master WHERE type='trigger'"))
        names = [r[0] for r in rows]
        db.session.remove()
    return names


def _refused(app, path: Path, match: str, **options) -> int:
    """Restore must refuse with this message; the bytes it wrote meanwhile."""
    before = crafting.bytes_written()
    with pytest.raises(backups.BackupError, match=match):
        backups.restore(app, path, **options)
    return crafting.bytes_written() - before


def _scratch_is_empty(app) -> bool:
    return not any((Path(app.instance_path) / "restore-scratch").iterdir())


# --- 1. The manifest and the telecenter code come first -------------------------------------


def test_a_foreign_backup_is_refused_before_its_database_is_written(app, make_user, tmp_path):
    make_user("admin", username="ana")
    backups.create(app)  # the instance key and a database to keep
    bomb = Craft("UC-OTRO-09", [Member("telecenter.sqlite3", zeros=BOMB)], _key(app))
    path = bomb.write(tmp_path / "foreign.tar.gz")
    assert path.stat().st_size < MB
    written = _refused(app, path, "otro telecentro")
    assert written < MB  # the old restore unpacked all 48 MB first
    assert _users(app) == ["ana"]
    assert _scratch_is_empty(app)


def test_the_manifest_must_be_the_first_member(app, tmp_path):
    backups.create(app)
    late = Craft(_code(app), [Member("telecenter.sqlite3", zeros=BOMB)], _key(app))
    late.manifest_last = True
    written = _refused(app, late.write(tmp_path / "late.tar.gz"), "no es una copia")
    assert written < MB


# --- 2. Bounded extraction --------------------------------------------------------------------


def test_extraction_stops_at_the_declared_size(app, tmp_path):
    backups.create(app)
    member = Member("telecenter.sqlite3", zeros=BOMB)
    lying = Craft(
        _code(app),
        [member],
        _key(app),
        files=[{"name": "telecenter.sqlite3", "size": MB, "sha256": crafting.zeros_sha256(MB)}],
    )
    written = _refused(app, lying.write(tmp_path / "lying.tar.gz"), "tamaño distinto")
    assert written < 2 * MB


def test_reading_stops_at_the_bound_even_inside_tar_headers(app, tmp_path):
    """A member's extended header can be as big as one likes; the stream as a whole is
    bounded by the declared sizes, so it is not read to the end."""
    database = crafting.database_of(backups.create(app))
    craft = Craft(_code(app), [Member("telecenter.sqlite3", database)], _key(app))
    craft.members.append(Member("media/a.png", b"png", pax={"comment": "x" * (24 * MB)}))
    craft.files = crafting.declared(craft.members)
    _refused(app, craft.write(tmp_path / "header.tar.gz"), "más grande de lo que dice")


def test_a_backup_over_backup_max_bytes_is_refused_before_writing(make_app, tmp_path):
    app = make_app(BACKUP_MAX_BYTES=10 * MB)
    backups.create(app)
    honest = Craft(_code(app), [Member("telecenter.sqlite3", zeros=BOMB)], _key(app))
    written = _refused(app, honest.write(tmp_path / "big.tar.gz"), "BACKUP_MAX_BYTES")
    assert written < MB


def test_a_backup_with_more_files_than_backup_max_files_is_refused(make_app, tmp_path):
    app = make_app(BACKUP_MAX_FILES=3)
    good = backups.create(app)
    database = crafting.database_of(good)
    media = [Member(f"media/{n}.png", b"png") for n in range(5)]
    many = Craft(_code(app), [Member("telecenter.sqlite3", database), *media], _key(app))
    _refused(app, many.write(tmp_path / "many.tar.gz"), "BACKUP_MAX_FILES")
    media_folder = Path(app.instance_path) / "media"
    media_folder.mkdir(exist_ok=True)
    for name in range(5):  # nor is such a backup made
        (media_folder / f"{name}.png").write_bytes(b"png")
    with pytest.raises(backups.BackupError, match="BACKUP_MAX_FILES"):
        backups.create(app)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("traversal", "rutas no permitidas"),
        ("absolute", "rutas no permitidas"),
        ("symlink", "enlaces"),
        ("hardlink", "enlaces"),
        ("duplicate", "nombres repetidos"),
        ("declared_twice", "nombres repetidos"),
        ("undeclared", "no declara"),
        ("missing", "Faltan archivos"),
    ],
)
def test_paths_links_and_duplicates_are_refused(app, make_user, tmp_path, bad, message):
    make_user("admin", username="ana")
    good = backups.create(app)
    database = Member("telecenter.sqlite3", crafting.database_of(good))
    photo = Member("media/1/foto.png", b"png")
    members, files = [database, photo], None
    if bad == "traversal":
        members.append(Member("media/../../escaped.txt", b"owned"))
    elif bad == "absolute":
        members.append(Member(str(tmp_path / "escaped.txt"), b"owned"))
    elif bad == "symlink":
        members.append(Member("media/link", kind=tarfile.SYMTYPE, linkname="/etc/passwd"))
        files = [*crafting.declared(members), {"name": "media/link", "size": 0, "sha256": "0" * 64}]
    elif bad == "hardlink":
        members.append(Member("media/hard", kind=tarfile.LNKTYPE, linkname="telecenter.sqlite3"))
        files = [*crafting.declared(members), {"name": "media/hard", "size": 0, "sha256": "0" * 64}]
    elif bad == "duplicate":
        members.append(database)  # the same name twice: which one would be restored?
        files = crafting.declared([database, photo])
    elif bad == "declared_twice":
        files = crafting.declared([database, photo, photo])
    elif bad == "undeclared":
        files = crafting.declared([database])
    else:
        files = crafting.declared(members) + crafting.declared([Member("media/2.png", b"x")])
    craft = Craft(_code(app), members, _key(app), files=files)
    _refused(app, craft.write(tmp_path / f"{bad}.tar.gz"), message)
    assert not (tmp_path / "escaped.txt").exists()
    assert not (Path(app.instance_path).parent / "escaped.txt").exists()
    assert _users(app) == ["ana"]
    assert _scratch_is_empty(app)


# --- 3. The database's schema -----------------------------------------------------------------

SPY_TRIGGER = (
    "CREATE TRIGGER copy_people AFTER INSERT ON participants BEGIN "
    "INSERT INTO audit_entries (at, action, subject_type, detail) VALUES "
    "(CURRENT_TIMESTAMP, 'participant.create', 'participant', "
    "NEW.document_number || ' ' || coalesce(NEW.phone, '')); END"
)


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        (SPY_TRIGGER, "disparador"),
        ("CREATE VIEW people AS SELECT document_number, phone FROM participants", "vista"),
        ("CREATE TABLE stolen (dni TEXT)", "tabla «stolen»"),
        ("UPDATE alembic_version SET version_num = '9999_from_the_future'", "más nueva"),
    ],
)
def test_a_database_the_schema_does_not_know_is_refused(app, make_user, tmp_path, sql, message):
    make_user("admin", username="ana")
    good = backups.create(app)
    database = crafting.changed_database(good, tmp_path, lambda c: c.execute(sql))
    craft = Craft(_code(app), [Member("telecenter.sqlite3", database)], _key(app))
    path = craft.write(tmp_path / "schema.tar.gz")
    with pytest.raises(backups.BackupError, match=message):
        backups.inspect(app, path)
    _refused(app, path, message)
    assert _triggers(app) == []
    assert _users(app) == ["ana"]
    assert len(backups.listing(backups.backup_dir(app))) == 1  # not even a safety copy


# --- 4. What the copy holds, and a confirmation ----------------------------------------------


def _with_backdoor(app, tmp_path) -> Path:
    """A signed copy of today's data plus an admin account nobody made here."""
    good = backups.create(app)

    def backdoor(connection: sqlite3.Connection) -> None:
        connection.execute(
            "INSERT INTO users (username, password_hash, display_name, role, active, created_at)"
            " VALUES ('soporte', 'x', 'Soporte técnico', 'admin', 1, '2024-01-01 00:00:00')"
        )

    database = crafting.changed_database(good, tmp_path, backdoor)
    craft = Craft(_code(app), [Member("telecenter.sqlite3", database)], _key(app))
    return craft.write(tmp_path / "backdoor.tar.gz")


def test_the_summary_counts_and_marks_staff_accounts_that_are_new(
    app, make_user, make_participant, tmp_path
):
    make_user("admin", username="ana")
    make_user("trainer", username="luis")
    make_user("resident", username="rosa")
    make_participant()
    summary = backups.inspect(app, _with_backdoor(app, tmp_path))
    assert (summary.participants, summary.sessions, summary.courses) == (1, 0, 0)
    staff = {a.username: (a.role, a.new) for a in summary.staff}
    assert staff == {
        "ana": ("admin", False),
        "luis": ("trainer", False),
        "soporte": ("admin", True),
    }
    assert [a.username for a in summary.new_staff] == ["soporte"]


def test_the_confirmation_page_shows_the_new_admin_and_changes_nothing(
    app, client, make_user, tmp_path
):
    from tests.conftest import sign_in

    username, password = make_user("admin", username="ana")
    path = _with_backdoor(app, tmp_path)
    sign_in(client, username, password)
    name = backups.stage_upload(app, io.BytesIO(path.read_bytes()))
    page = client.get(f"/admin/backups/{name}/restore").get_data(as_text=True)
    assert 'data-testid="new-staff-warning"' in page
    assert 'data-username="soporte"' in page
    assert page.count('data-testid="account-new"') == 1
    assert 'data-testid="summary-courses">0<' in page
    assert _users(app) == ["ana"]


def test_the_command_asks_before_replacing(app, make_user, tmp_path):
    make_user("admin", username="ana")
    path = _with_backdoor(app, tmp_path)
    runner = app.test_cli_runner()
    declined = runner.invoke(args=["restore", str(path)], input="n\n")
    assert declined.exit_code != 0
    assert "soporte (admin) Soporte técnico  «nueva»" in declined.output
    assert "No se restauró nada" in declined.output
    assert _users(app) == ["ana"]
    no_terminal = runner.invoke(args=["restore", str(path)], input="")
    assert no_terminal.exit_code != 0
    assert _users(app) == ["ana"]
    accepted = runner.invoke(args=["restore", str(path)], input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert _users(app) == ["ana", "soporte"]


def test_the_command_restores_without_asking_with_yes(app, make_user):
    make_user("admin", username="ana")
    path = backups.create(app)
    make_user("trainer", username="luis")
    result = app.test_cli_runner().invoke(args=["restore", "--yes", str(path)])
    assert result.exit_code == 0, result.output
    assert "Participantes: 0" in result.output
    assert _users(app) == ["ana"]


# --- 5. Signatures ----------------------------------------------------------------------------


def test_the_backup_key_is_kept_beside_the_instance_readable_by_its_owner_only(app):
    path = backups.create(app)
    key_file = Path(app.instance_path) / "backup_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    shown = app.test_cli_runner().invoke(args=["backup-key", "show"])
    assert shown.exit_code == 0
    printed = shown.output.splitlines()[0]
    assert printed == key_file.read_text().strip()
    assert len(printed) == 39  # 8 groups of 4, for paper
    assert "papel" in shown.output
    with tarfile.open(path) as archive:
        assert archive.getnames()[:2] == ["manifest.json", "manifest.sig"]


def test_init_creates_the_key_at_install(tmp_path):
    from tests.conftest import base_config

    site = create_app(
        base_config(f"sqlite:///{tmp_path / 'new.sqlite3'}"), instance_path=str(tmp_path)
    )
    result = site.test_cli_runner().invoke(args=["init", "--no-admin"])
    assert result.exit_code == 0, result.output
    assert "backup-key show" in result.output
    assert stat.S_IMODE((tmp_path / "backup_key").stat().st_mode) == 0o600
    with site.app_context():
        db.engine.dispose()


def test_an_unsigned_backup_is_refused(app, make_user, tmp_path):
    make_user("admin", username="ana")
    database = crafting.database_of(backups.create(app))
    unsigned = Craft(_code(app), [Member("telecenter.sqlite3", database)], key=None)
    _refused(app, unsigned.write(tmp_path / "unsigned.tar.gz"), "no tiene firma")
    old_format = Craft(_code(app), [Member("telecenter.sqlite3", database)], _key(app))
    old_format.extra = {"format": 1, "database_sha256": crafting.sha256(database)}
    _refused(app, old_format.write(tmp_path / "v1.tar.gz"), "no tiene firma")
    assert _users(app) == ["ana"]


def test_a_backup_signed_with_another_key_or_changed_after_signing_is_refused(
    app, make_user, tmp_path
):
    make_user("admin", username="ana")
    good = backups.create(app)
    database = crafting.database_of(good)
    stranger = Craft(_code(app), [Member("telecenter.sqlite3", database)], b"k" * 20)
    with pytest.raises(backups.KeyNeeded, match="clave de copias"):
        backups.restore(app, stranger.write(tmp_path / "stranger.tar.gz"))
    wrong_typed = backup_key.format_key(b"w" * 20)
    _refused(app, tmp_path / "stranger.tar.gz", "clave escrita no es", key=wrong_typed)
    # The manifest changed (another telecenter's name would do too) but the old signature kept.
    with tarfile.open(good) as source, tarfile.open(tmp_path / "edited.tar.gz", "w:gz") as out:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "manifest.json":
                data = data.replace(b'"created_at"', b'"created_at" ', 1)
                member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    with pytest.raises(backups.KeyNeeded):
        backups.restore(app, tmp_path / "edited.tar.gz")
    assert _users(app) == ["ana"]


def test_a_backup_from_a_lost_pc_restores_on_a_new_one_with_the_paper_key(app, tmp_path):
    from tests.operations.test_backups import _add_user

    _add_user(app, "antigua")
    lost = backups.create(app)
    paper = backup_key.format_key(_key(app))
    with app.app_context():
        db.engine.dispose()
    new_pc = create_app(dict(app.config), instance_path=str(tmp_path / "new-pc"))
    with new_pc.app_context():
        db.session.execute(db.text("DELETE FROM users"))
        db.session.commit()
        db.engine.dispose()
    with pytest.raises(backups.KeyNeeded):
        backups.inspect(new_pc, lost)
    typed = paper.lower().replace("-", " ")  # as someone types it from paper
    result = new_pc.test_cli_runner().invoke(args=["restore", "--yes", "--key", typed, str(lost)])
    assert result.exit_code == 0, result.output
    assert _users(new_pc) == ["antigua"]
    assert backup_key.format_key(_key(new_pc)) != paper  # the new PC keeps its own key
    with new_pc.app_context():
        db.engine.dispose()


def test_the_page_asks_for_the_paper_key_for_a_backup_from_another_pc(app, signed_in, tmp_path):
    admin = signed_in("admin")
    database = crafting.database_of(backups.create(app))
    other_key = b"p" * 20
    craft = Craft(_code(app), [Member("telecenter.sqlite3", database)], other_key)
    data = craft.write(tmp_path / "other-pc.tar.gz").read_bytes()
    upload = admin.post(
        "/admin/backups/upload",
        data={"csrf_token": csrf_token(admin), "file": (io.BytesIO(data), "copia.tar.gz")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 302
    asked = admin.get(upload.headers["Location"]).get_data(as_text=True)
    assert "Esta copia viene de otro equipo" in asked
    name = upload.headers["Location"].split("/")[-2]
    wrong = admin.post(
        f"/admin/backups/{name}/restore/key",
        data={"csrf_token": csrf_token(admin), "key": backup_key.format_key(b"w" * 20)},
    )
    assert wrong.status_code == 400
    assert "La clave escrita no es la que firmó esta copia" in wrong.get_data(as_text=True)
    garbled = admin.post(
        f"/admin/backups/{name}/restore/key",
        data={"csrf_token": csrf_token(admin), "key": "hola"},
    )
    assert garbled.status_code == 400
    assert "32 letras" in garbled.get_data(as_text=True)
    paper = backup_key.format_key(other_key)
    opened = admin.post(
        f"/admin/backups/{name}/restore/key", data={"csrf_token": csrf_token(admin), "key": paper}
    )
    assert opened.status_code == 200
    assert "¿Restaurar esta copia?" in opened.get_data(as_text=True)
    unkeyed = admin.post(
        f"/admin/backups/{name}/restore",
        data={"csrf_token": csrf_token(admin)},
        follow_redirects=True,
    )
    assert "no está firmada con la clave de este equipo" in unkeyed.get_data(as_text=True)
    assert "backup.restore" not in _actions(app)
    done = admin.post(
        f"/admin/backups/{name}/restore",
        data={"csrf_token": csrf_token(admin), "key": paper},
        follow_redirects=True,
    )
    assert "Copia restaurada" in done.get_data(as_text=True)
    assert "backup.restore" in _actions(app)


def _actions(app) -> list[str]:
    with app.app_context():
        rows = db.session.execute(db.text("SELECT action FROM audit_entries"))
        actions = [r[0] for r in rows]
        db.session.remove()
    return actions


def test_a_damaged_key_file_is_a_clear_refusal_not_a_crash(app, signed_in):
    admin = signed_in("admin")
    (Path(app.instance_path) / "backup_key").write_text("not a key")
    answer = admin.post(
        "/admin/backups/now", data={"csrf_token": csrf_token(admin)}, follow_redirects=True
    )
    assert answer.status_code == 200
    assert "está dañada" in answer.get_data(as_text=True)
    assert backups.listing(backups.backup_dir(app)) == []

"""What a backup's database is made of, read before it replaces anything: only the tables this
program's schema has (no triggers, no views, nothing else), an Alembic revision this program
knows, and what it holds for the confirmation (counts, and the accounts that could sign in as
staff). The file is opened read-only; nothing in it runs.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flask_babel import gettext as _

#: SQLite's own tables, which it creates by itself.
SQLITE_TABLES = frozenset({"sqlite_sequence", *(f"sqlite_stat{n}" for n in range(1, 5))})


class SchemaError(RuntimeError):
    """A database that is not one this program made; the message says why."""


def read_only(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    connection.execute("PRAGMA trusted_schema = OFF")
    return connection


def known_tables() -> frozenset[str]:
    from telecenter.extensions import db

    return frozenset(db.metadata.tables) | {"alembic_version"}


def revision_state(revision: str | None) -> str:
    """'head', 'behind' (an older schema this code can upgrade) or 'unknown' (a newer
    version of the program, or not ours)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from telecenter.paths import migrations_dir

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    script = ScriptDirectory.from_config(config)
    if revision is None:
        return "unknown"
    if revision == script.get_current_head():
        return "head"
    try:
        found = script.get_revision(revision)
    except Exception:  # alembic raises several kinds for a revision it has never heard of
        return "unknown"
    return "behind" if found else "unknown"


def _damaged() -> SchemaError:
    return SchemaError(_("La base de datos de la copia está dañada."))


def check(path: Path) -> str:
    """The revision of a database that is sound and only has what the schema knows, or
    SchemaError."""
    try:
        with closing(read_only(path)) as connection:
            verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
            objects = connection.execute(
                "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master"
            ).fetchall()
            if verdict != "ok":
                raise _damaged()
            _only_known(objects)
            if not any(name == "alembic_version" for _t, name, _n, _s in objects):
                raise _damaged()
            revisions = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.DatabaseError:
        raise _damaged() from None
    if len(revisions) != 1 or revision_state(revisions[0][0]) == "unknown":
        raise SchemaError(
            _(
                "La copia es de una versión más nueva del programa. Actualice el programa "
                "antes de restaurarla."
            )
        )
    return str(revisions[0][0])


def _only_known(objects: list[tuple[str, str, str, str]]) -> None:
    known = known_tables()
    for kind, name, table, sql in objects:
        if kind == "trigger":
            raise SchemaError(
                _(
                    "La base de datos de la copia tiene un disparador (trigger) «%(name)s» que "
                    "este programa nunca crea. Puede copiar datos a escondidas: no se restaura.",
                    name=name,
                )
            )
        if kind == "view":
            raise SchemaError(
                _(
                    "La base de datos de la copia tiene una vista «%(name)s» que este programa "
                    "nunca crea: no se restaura.",
                    name=name,
                )
            )
        if kind == "table" and (
            name not in known | SQLITE_TABLES or sql.upper().startswith("CREATE VIRTUAL")
        ):
            raise SchemaError(
                _(
                    "La base de datos de la copia tiene una tabla «%(name)s» que este programa "
                    "no conoce: no se restaura.",
                    name=name,
                )
            )
        if kind == "index" and table not in known:
            raise SchemaError(
                _(
                    "La base de datos de la copia tiene un índice sobre «%(name)s», una tabla "
                    "que este programa no conoce: no se restaura.",
                    name=table,
                )
            )
        if kind not in ("table", "index"):
            raise _damaged()


@dataclass(frozen=True)
class StaffAccount:
    username: str
    display_name: str
    role: str
    active: bool
    #: No account of that name and role exists today: the restore would add it.
    new: bool


@dataclass(frozen=True)
class Summary:
    """What a backup holds, for the confirmation: counts, dates and the staff accounts."""

    telecenter: str
    created_at: datetime | None
    participants: int | None
    sessions: int | None
    courses: int | None
    last_attendance: datetime | None
    staff: tuple[StaffAccount, ...] = ()

    @property
    def new_staff(self) -> tuple[StaffAccount, ...]:
        return tuple(a for a in self.staff if a.new)


def _scalar(connection: sqlite3.Connection, sql: str):
    try:
        return connection.execute(sql).fetchone()[0]
    except sqlite3.DatabaseError:  # a table an older schema did not have yet
        return None


def moment(text: object) -> datetime | None:
    if not text:
        return None
    try:
        found = datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def _staff_rows(path: Path, roles: tuple[str, ...]) -> list[tuple]:
    try:
        with closing(read_only(path)) as connection:
            rows = connection.execute(
                "SELECT username, display_name, role, active FROM users ORDER BY role, username"
            ).fetchall()
    except sqlite3.DatabaseError:
        return []
    return [row for row in rows if row[2] in roles]


def summarise(
    path: Path, *, manifest: dict, current: Path | None, staff_roles: tuple[str, ...]
) -> Summary:
    """What the database at `path` holds; its staff accounts are compared with those of the
    `current` database by username and role (a trainer made admin counts as new)."""
    with closing(read_only(path)) as connection:
        participants = _scalar(
            connection, "SELECT count(*) FROM participants WHERE erased_at IS NULL"
        )
        if participants is None:
            participants = _scalar(connection, "SELECT count(*) FROM participants")
        sessions = _scalar(connection, "SELECT count(*) FROM activity_sessions")
        courses = _scalar(connection, "SELECT count(*) FROM courses")
        last = _scalar(
            connection,
            "SELECT max(s.starts_at) FROM attendances a JOIN activity_sessions s "
            "ON s.id = a.session_id WHERE a.status IN ('present', 'late')",
        )
    today = (
        {(row[0], row[2]) for row in _staff_rows(current, staff_roles)}
        if current is not None and current.exists()
        else set()
    )
    staff = tuple(
        StaffAccount(str(u), str(n), str(r), bool(a), new=(u, r) not in today)
        for u, n, r, a in _staff_rows(path, staff_roles)
    )
    return Summary(
        telecenter=str(manifest.get("telecenter")),
        created_at=moment(manifest.get("created_at")),
        participants=participants,
        sessions=sessions,
        courses=courses,
        last_attendance=moment(last),
        staff=staff,
    )

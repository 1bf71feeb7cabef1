"""Real central (gunicorn on PostgreSQL) and two real sites: central ends up with exactly the
sites' numbers, whatever the network does."""

from __future__ import annotations

import gzip
import itertools
import json
import subprocess

import httpx
import pytest
import sqlalchemy as sa

from telecenter import create_app, month_report, vocabulary
from telecenter.attendance.models import Attendance
from telecenter.clock import to_lima, utcnow
from telecenter.extensions import db
from telecenter.month_report import month_of
from telecenter.sync import client, outbox
from telecenter.sync.models import OutboxMonth
from tests import pg
from tests.central.reports import reach_as_sent
from tests.live import LiveServer
from tests.proxy import Proxy
from tests.sync import oracle
from tests.sync.generate import distinct_people, populate

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def central(tmp_path_factory, worker_id):
    url = pg.create_database(f"telecenter_e2e_central_{worker_id}")
    server = (
        LiveServer(instance=tmp_path_factory.mktemp("central"), role="central", database_url=url)
        .prepare()
        .start()
    )
    yield server
    server.stop()
    pg.drop_database(url)


def add_telecenter(central: LiveServer, code: str) -> str:
    done = central.cli("central", "add-telecenter", code, "--name", code, "--region", "San Martín")
    return done.stdout.strip().splitlines()[-1]


class Site:
    """A site's database and configuration; data is written in-process, sync runs for real."""

    def __init__(self, folder, code, token, central_url, seed):
        self.code, self.token, self.folder = code, token, folder
        self.server = LiveServer(
            instance=folder,
            extra_env={"TELECENTER_CODE": code, "CENTRAL_URL": central_url, "SYNC_TOKEN": token},
        )
        self.server.prepare(demo=False)  # only the records the test writes below
        self.app = create_app(
            {
                "SECRET_KEY": "x" * 40,
                "TELECENTER_CODE": code,
                "CENTRAL_URL": central_url,
                "SYNC_TOKEN": token,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/telecenter.sqlite3",
            },
            instance_path=str(folder),
        )
        with self.app.app_context():
            populate(db.session, seed=seed, people=50, months=10)
            db.session.commit()

    def expected(self) -> dict[str, dict[str, list[str]]]:
        """The month reports the records must give, counted by the tests' own oracle."""
        engine = sa.create_engine(self.app.config["SQLALCHEMY_DATABASE_URI"])
        with engine.connect() as connection:
            # Programme outcomes are a stock in every month up to the current one.
            months = oracle.expected_reports(connection, last=month_of(to_lima(utcnow())))
        engine.dispose()
        return oracle.canonical(months)

    def send(self, central_url=None, force=True) -> client.SendResult:
        with self.app.app_context():
            outbox.refresh(db.session, telecenter=self.code)
            db.session.commit()
            settings = client.Settings(
                central_url=central_url or self.app.config["CENTRAL_URL"],
                token=self.token,
                telecenter=self.code,
                instance_path=str(self.folder),
                timeout=5,
            )
            result = client.send_pending(db.session, settings, force=force)
            db.session.remove()
            return result


def _binary():
    import sys
    from pathlib import Path

    return Path(sys.executable).parent / "telecenter"


def _month(row) -> str:
    return row.month


def central_facts(central: LiveServer, code: str) -> dict[str, dict]:
    """What central holds for a telecenter, shaped like reports (without generated_at)."""
    from telecenter.central.models import FACT_TABLES

    engine = sa.create_engine(central.database_url)
    shaped: dict[str, dict] = {}
    with engine.connect() as connection:
        tid = connection.execute(
            sa.text("SELECT id FROM telecenters WHERE code = :c"), {"c": code}
        ).scalar_one()
        for name, table in FACT_TABLES.items():
            rows = connection.execute(sa.select(table).where(table.c.telecenter_id == tid))
            for month, held in itertools.groupby(sorted(rows, key=_month), key=_month):
                items = [dict(row._mapping) for row in held]
                if name == "reach":
                    items = reach_as_sent(items)
                fields = month_report.fields_of(2, name)
                shaped.setdefault(month, {t: [] for t in month_report.TABLES})[name] += [
                    {k: item[k] for k in fields} for item in items
                ]
    engine.dispose()
    return shaped


def assert_central_equals_site(central, site, *, partial: bool = False) -> None:
    """Central holds, for every month (or, partial, for those it has), the figures computed
    in the test from the site's records: not the site's own summary, which is the code under
    test."""
    held = oracle.canonical(central_facts(central, site.code))
    expected = site.expected()
    assert expected, "the site has no data to compare"
    if partial:
        assert held
        assert set(held) <= set(expected)
        expected = {month: expected[month] for month in held}
    assert set(held) == set(expected)
    for month, tables in expected.items():
        assert held[month] == tables, month


@pytest.fixture(scope="module")
def two_sites(central, tmp_path_factory):
    sites = []
    for number, code in enumerate(("SM-SITIO-A1", "UC-SITIO-B2")):
        token = add_telecenter(central, code)
        sites.append(Site(tmp_path_factory.mktemp(code), code, token, central.url, seed=number))
    return sites


def test_two_sites_sync_and_central_holds_exactly_their_numbers(central, two_sites):
    for site in two_sites:
        done = subprocess.run(
            [str(_binary()), "sync"],
            env=site.server.env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert_central_equals_site(central, site)
    for site in two_sites:
        held = central_facts(central, site.code)
        with site.app.app_context():
            for scope in vocabulary.SCOPES:
                total = sum(
                    r["new_people"]
                    for month in held.values()
                    for r in month["reach"]
                    if r["scope"] == scope and r["period"] == "ever"
                )
                assert total == distinct_people(db.session, scope), (site.code, scope)


def test_no_personal_data_travels(central, two_sites):
    site = two_sites[0]
    with site.app.app_context():
        payloads = json.dumps(
            [row.payload for row in db.session.scalars(sa.select(OutboxMonth))], ensure_ascii=False
        )
        from telecenter.participants.models import Participant

        for person in db.session.scalars(sa.select(Participant)):
            for value in (
                person.given_names,
                person.surnames,
                person.document_number,
                person.phone,
            ):
                assert not value or value not in payloads
            assert not person.birth_date or person.birth_date.isoformat() not in payloads


def test_a_correction_to_a_synced_month_replaces_it(central, two_sites):
    site = two_sites[1]
    site.send()
    before = site.expected()
    with site.app.app_context():
        record = db.session.scalars(
            sa.select(Attendance).where(Attendance.status == "present")
        ).first()
        record.status = "absent"
        db.session.commit()
    after = site.expected()
    changed = {
        month for month in before.keys() | after.keys() if before.get(month) != after.get(month)
    }
    assert changed  # the attendance month, and a later one if it was someone's first visit
    result = site.send()
    assert set(result.sent) == changed  # only the months whose figures changed travel again
    assert_central_equals_site(central, site)


def test_central_down_then_back_drains_the_queue(central, tmp_path):
    token = add_telecenter(central, "HU-TINGO-03")
    site = Site(tmp_path / "down", "HU-TINGO-03", token, central.url, seed=5)
    central.stop()
    try:
        result = site.send(force=False)
        assert result.failed
        assert not result.sent
    finally:
        central.start()
    assert site.send().sent
    with site.app.app_context():
        assert outbox.status(db.session).pending == 0
    assert_central_equals_site(central, site)


def test_a_cut_connection_after_central_stored_does_not_double_count(central, tmp_path):
    token = add_telecenter(central, "SM-LAMAS-04")
    site = Site(tmp_path / "cut", "SM-LAMAS-04", token, central.url, seed=9)
    proxy = Proxy(central.port, hang_up=True)
    try:
        first = site.send(central_url=f"http://127.0.0.1:{proxy.port}")
    finally:
        proxy.close()
    assert first.failed
    assert not first.sent
    assert proxy.forwarded == 1
    assert_central_equals_site(central, site, partial=True)  # central stored the first batch
    assert site.send().sent  # ...and the retry is acknowledged as a duplicate
    assert_central_equals_site(central, site)


def _post(central, token, body: dict | bytes, *, encoding="gzip"):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    if encoding == "gzip":
        raw = gzip.compress(raw)
    return httpx.post(
        central.url + "/api/v1/sync/reports",
        content=raw,
        timeout=10,
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Encoding": encoding,
            "Content-Type": "application/json",
        },
    )


def test_duplicates_reordering_and_bad_requests_over_real_http(central, tmp_path):
    token = add_telecenter(central, "SM-RIOJA-05")
    site = Site(tmp_path / "order", "SM-RIOJA-05", token, central.url, seed=13)
    with site.app.app_context():
        outbox.refresh(db.session, telecenter=site.code)
        db.session.commit()
        month = db.session.scalars(sa.select(OutboxMonth)).first().payload
    older = {**month, "generated_at": "2020-01-01T00:00:00Z", "registrations": []}
    batch = {"schema": 1, "telecenter": site.code, "reports": [month]}
    assert _post(central, token, batch).json()["acknowledged"][0]["status"] == "stored"
    assert _post(central, token, batch).json()["acknowledged"][0]["status"] == "duplicate"
    stale = _post(central, token, {**batch, "reports": [older]})
    assert stale.json()["acknowledged"][0]["status"] == "stale"
    stored = central_facts(central, site.code)[month["month"]]["registrations"]
    assert _rows(stored) == _rows(month["registrations"])  # the same rows, in any order
    other = add_telecenter(central, "SM-OTRO-06")
    assert _post(central, other, batch).status_code == 403
    assert _post(central, "tcs_wrong", batch).status_code == 401
    assert _post(central, token, b"{broken", encoding="identity").status_code == 400
    assert _post(central, token, {**batch, "schema": 9}).status_code == 400
    truncated = gzip.compress(json.dumps(batch).encode())[:-12]
    answer = httpx.post(
        central.url + "/api/v1/sync/reports",
        content=truncated,
        timeout=10,
        headers={"Authorization": f"Bearer {token}", "Content-Encoding": "gzip"},
    )
    assert answer.status_code == 400
    huge = httpx.post(
        central.url + "/api/v1/sync/reports",
        content=b"\0" * (5 * 2**20),
        timeout=30,
        headers={"Authorization": f"Bearer {token}", "Content-Encoding": "gzip"},
    )
    assert huge.status_code == 413
    assert set(central_facts(central, site.code)) == {month["month"]}


def test_wrong_token_is_shown_to_the_admin_and_not_retried(central, tmp_path):
    add_telecenter(central, "SM-MOYO-07")
    site = Site(tmp_path / "wrong", "SM-MOYO-07", "tcs_wrong-token", central.url, seed=21)
    result = site.send()
    assert result.refused
    assert not result.sent
    with site.app.app_context():
        status = outbox.status(db.session)
    assert "clave" in status.last_error


def test_a_site_restored_from_an_old_backup_keeps_syncing(central, tmp_path):
    import shutil

    token = add_telecenter(central, "UC-ATALAYA-08")
    site = Site(tmp_path / "restore", "UC-ATALAYA-08", token, central.url, seed=17)
    assert site.send().sent
    database = tmp_path / "restore" / "telecenter.sqlite3"
    _online_copy(database, tmp_path / "backup.sqlite3")  # last week's backup
    _change_one_attendance(site, "present", "absent")
    assert site.send().sent  # central now has reports newer than the backup's
    with site.app.app_context():
        db.engine.dispose()  # no connection may outlive the file it was opened on
    for suffix in ("-wal", "-shm"):
        database.with_name(database.name + suffix).unlink(missing_ok=True)
    shutil.copyfile(tmp_path / "backup.sqlite3", database)  # the PC died; the backup is back
    _change_one_attendance(site, "late", "absent")  # life goes on after the restore
    result = site.send()
    assert result.sent  # accepted: its times are new, whatever the restored outbox says
    assert not result.refused
    assert not result.failed


def _online_copy(source, target) -> None:
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def _change_one_attendance(site, old: str, new: str) -> None:
    with site.app.app_context():
        record = db.session.scalars(sa.select(Attendance).where(Attendance.status == old)).first()
        record.status = new
        db.session.commit()


def _rows(facts: list[dict]) -> list[tuple]:
    return sorted(tuple(sorted(fact.items())) for fact in facts)

"""Course packs from central's catalogue (issue 22, site side): the catalogue in the network
settings, downloads that survive a line cut every megabyte, a damaged file fetched again, a
restart that resumes from the .part, the time window and the bandwidth limit, installation
(automatic or by hand) that keeps learners' progress, and files that arrived by USB."""

from __future__ import annotations

import copy
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from telecenter.courses import learning
from telecenter.courses.models import Course
from telecenter.extensions import db
from telecenter.participants.models import Participant
from telecenter.sync import client, downloads, network_settings
from telecenter.sync.models import CourseDownload, DownloadSettings, NetworkSettings
from tests.sync.central_events import RULES
from tests.sync.file_central import (
    TOKEN,
    CuttingProxy,
    FileCentral,
    entry,
    pack_file,
    sha256_of,
)

MB = 1024 * 1024
FAST = downloads.Options(timeout=10, retry_pause=0)


@pytest.fixture
def central():
    server = FileCentral()
    yield server
    server.close()


def connected(url: str, instance_path: str) -> client.Settings:
    return client.Settings(
        central_url=url, token=TOKEN, telecenter="SM-PRUEBA-01", instance_path=instance_path
    )


def receive(version: str, *entries: dict, with_key: bool = True) -> None:
    answer: dict = {"version": version, "counting_rules": copy.deepcopy(RULES)}
    if with_key:
        answer["courses"] = [copy.deepcopy(e) for e in entries]
    network_settings.apply(db.session, answer)
    db.session.commit()


def rows() -> dict[str, CourseDownload]:
    return {row.sha256: row for row in db.session.scalars(sa.select(CourseDownload))}


def run(app, url: str, options: downloads.Options = FAST) -> downloads.RunResult:
    result = downloads.run(
        db.session, connected(url, app.instance_path), app.instance_path, options
    )
    db.session.expire_all()
    return result


def set_rules(**values) -> None:
    row = db.session.get(DownloadSettings, 1) or DownloadSettings(id=1)
    for name, value in values.items():
        setattr(row, name, value)
    db.session.add(row)
    db.session.commit()


def course() -> Course | None:
    return db.session.scalar(sa.select(Course).where(Course.slug == "prueba"))


# --- the catalogue in the network settings --------------------------------------------------


def test_the_catalogue_is_stored_and_an_absent_key_keeps_it(clock, app_ctx, tmp_path):
    one = entry(pack_file(tmp_path / "a.zip", version=1), number=1, version=1)
    other = entry(pack_file(tmp_path / "b.zip", version=2), number=2, version=2, slug="otro")
    receive("r2-a", one, other, {"kind": "recording", "id": "CR-1"})  # a kind not known yet
    stored = rows()
    assert set(stored) == {one["sha256"], other["sha256"]}
    assert (stored[one["sha256"]].slug, stored[one["sha256"]].size) == ("prueba", one["size"])
    assert stored[other["sha256"]].state == "pending"
    receive("r2-b", with_key=False)  # an older central: knows no catalogue
    assert set(rows()) == {one["sha256"], other["sha256"]}


def test_an_empty_list_drops_what_is_not_downloaded_and_keeps_what_is(clock, app_ctx, tmp_path):
    one = entry(pack_file(tmp_path / "a.zip", version=1), number=1, version=1)
    other = entry(pack_file(tmp_path / "b.zip", version=2), number=2, version=2, slug="otro")
    receive("r2-a", one, other)
    rows()[other["sha256"]].state = "verified"
    db.session.commit()
    receive("r2-b")
    stored = rows()
    assert list(stored) == [other["sha256"]]
    assert (stored[other["sha256"]].state, stored[other["sha256"]].listed) == ("verified", False)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"sha256": "A" * 64}, "sha256 must be 64 hex digits"),
        ({"url": "https://elsewhere.example/x"}, "url must be"),
        ({"url": "/api/v1/sync/files/" + "0" * 64}, "url must name the entry's own sha256"),
        ({"version": "2"}, "version must be a whole number"),
        ({"size": 0}, "size must be a size in bytes"),
        ({"slug": "Con Espacios"}, "slug must be a course slug"),
        ({"published_at": "ayer"}, "published_at must be ISO 8601"),
    ],
)
def test_one_bad_entry_refuses_the_whole_settings(clock, app_ctx, tmp_path, change, reason):
    good = entry(pack_file(tmp_path / "a.zip", version=1), number=1, version=1)
    receive("r2-a", good)
    receive("r2-b", {**good, **change})
    assert list(rows()) == [good["sha256"]]
    row = db.session.get(NetworkSettings, 1)
    assert row.version == "r2-a"
    assert reason in row.settings["rejected"]["reason"]


# --- downloads that survive the line -------------------------------------------------------


@pytest.mark.one_backend  # 45 s of bytes and stalls; the database work is the small tests'
def test_a_150_mb_pack_arrives_through_a_line_cut_every_megabyte_and_keeps_progress(
    clock, app, app_ctx, tmp_path, central, make_participant
):
    """The issue's proof: v1 installed and a learner half way; v2, 150 MB (seven videos of
    21.5 MB, under the 25 MB limit of one media file), through a proxy that hangs 0.2 s and
    drops every connection after 1 MB. Central sends at most one chunk more per cut."""
    small = pack_file(tmp_path / "v1.zip", version=1)
    central.add(small)
    receive("r2-a", entry(small, number=1, version=1))
    assert run(app, central.url).installed == [sha256_of(small)]
    first = course()
    first.published = True  # a new course arrives unpublished: the admin publishes it
    learner = db.session.get(Participant, make_participant(pin="4821"))
    enrolment = learning.enrol(db.session, first, learner, actor=None)
    read = next(lesson for lesson in first.lessons if lesson.slug == "leer")
    learning.finish_reading(db.session, enrolment, read)
    db.session.commit()

    big = pack_file(tmp_path / "v2.zip", version=2, media_bytes=[int(21.5 * MB)] * 7)
    size = big.stat().st_size
    assert size >= 150 * MB
    sha256 = central.add(big)
    receive("r2-b", entry(big, number=2, version=2))
    proxy = CuttingProxy(central.port, cut_every=MB, stall=0.2)
    try:
        result = run(app, proxy.url)
    finally:
        proxy.close()

    assert result.installed == [sha256]
    assert proxy.cuts >= size // MB - 1
    assert proxy.body_bytes <= size + proxy.cuts * downloads.CHUNK
    assert rows()[sha256].state == "installed"
    upgraded = course()
    assert (upgraded.id, upgraded.version) == (first.id, 2)
    assert read.id in learning.completed_lesson_ids(db.session, enrolment)
    assert sorted(p.name for p in downloads.folder_of(app.instance_path).iterdir()) == [
        downloads.LOCK_FILE
    ]


def test_a_damaged_download_is_refused_and_fetched_again(clock, app, app_ctx, tmp_path, central):
    pack = pack_file(tmp_path / "v1.zip", version=1, media_bytes=[2 * MB])
    sha256 = central.add(pack)
    receive("r2-a", entry(pack, number=1, version=1))
    central.damage = 1
    result = run(app, central.url)
    assert (result.damaged, result.installed) == (1, [sha256])
    assert central.ranges == ["bytes=0-", "bytes=0-"]  # the whole file, twice
    row = rows()[sha256]
    assert (row.state, row.attempts) == ("installed", 1)
    assert course().version == 1


def test_a_file_damaged_every_time_waits_for_the_next_run_and_says_why(
    clock, app, app_ctx, tmp_path, central
):
    pack = pack_file(tmp_path / "v1.zip", version=1)
    sha256 = central.add(pack)
    receive("r2-a", entry(pack, number=1, version=1))
    central.damage = 100
    result = run(app, central.url)
    assert (result.damaged, result.installed) == (downloads.MAX_DAMAGED, [])
    row = rows()[sha256]
    assert (row.state, row.bytes_done) == ("pending", 0)
    assert row.last_error == "El archivo llegó dañado; se descargará de nuevo."
    assert course() is None
    assert not downloads.part_path(downloads.folder_of(app.instance_path), sha256).exists()


def test_a_killed_downloader_resumes_from_its_part_file(
    clock, app, app_ctx, tmp_path, central, database_url
):
    """A power cut mid-download (SIGKILL of `telecenter download-courses`): the next run asks
    for the bytes after the .part, and central sends only those again."""
    pack = pack_file(tmp_path / "v1.zip", version=1, media_bytes=[3 * MB])
    size = pack.stat().st_size
    sha256 = central.add(pack)
    receive("r2-a", entry(pack, number=1, version=1))
    set_rules(limit_kbps=1024)  # 1 MB/s: about three seconds for the whole file
    part = downloads.part_path(downloads.folder_of(app.instance_path), sha256)
    proxy = CuttingProxy(central.port)
    env = {
        **os.environ,
        "TELECENTER_INSTANCE": app.instance_path,
        "TELECENTER_ROLE": "site",
        "SECRET_KEY": "test-secret-key-not-for-production",
        "DATABASE_URL": database_url,
        "CENTRAL_URL": proxy.url,
        "SYNC_TOKEN": TOKEN,
    }
    telecenter = str(Path(sys.executable).parent / "telecenter")
    process = subprocess.Popen([telecenter, "download-courses"], env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while downloads._size(part) < MB and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    kept = downloads._size(part)
    assert MB <= kept < size
    set_rules(limit_kbps=0)
    before = proxy.body_bytes  # the killed run's, with what the kernel still buffered for it
    result = run(app, proxy.url)
    proxy.close()
    assert result.installed == [sha256]
    assert central.ranges == ["bytes=0-", f"bytes={kept}-"]
    assert proxy.body_bytes - before == size - kept  # not a byte of the .part again


def test_nothing_is_fetched_outside_the_window_unless_the_admin_asks(
    clock, app, app_ctx, tmp_path, central
):
    """FIXED_NOW is 12:00 in Lima: a window from 22 to 6 (across midnight) is closed."""
    pack = pack_file(tmp_path / "v1.zip", version=1)
    sha256 = central.add(pack)
    receive("r2-a", entry(pack, number=1, version=1))
    set_rules(window_from=22, window_to=6)
    assert run(app, central.url).verified == []
    assert central.ranges == []
    rows()[sha256].wanted_now = True  # «Descargar ahora»
    db.session.commit()
    assert run(app, central.url).installed == [sha256]


def test_a_window_around_now_lets_it_download_and_a_pause_holds_it(
    clock, app, app_ctx, tmp_path, central
):
    pack = pack_file(tmp_path / "v1.zip", version=1)
    sha256 = central.add(pack)
    receive("r2-a", entry(pack, number=1, version=1))
    set_rules(window_from=11, window_to=13)
    rows()[sha256].paused = True
    db.session.commit()
    assert run(app, central.url).verified == []
    rows()[sha256].paused = False
    db.session.commit()
    assert run(app, central.url).installed == [sha256]


@pytest.mark.parametrize(
    ("window", "open_hours"),
    [
        ((22, 6), {22, 23, 0, 1, 2, 3, 4, 5}),
        ((8, 12), {8, 9, 10, 11}),
        ((5, 5), set(range(24))),
    ],
)
def test_the_window_is_in_lima_hours_and_may_cross_midnight(window, open_hours):
    from datetime import UTC, datetime, timedelta

    rules = downloads.Rules(window_from=window[0], window_to=window[1])
    lima_midnight = datetime(2026, 11, 29, 5, 0, tzinfo=UTC)  # 00:00 in Lima (UTC-5)
    opened = {h for h in range(24) if rules.open_at(lima_midnight + timedelta(hours=h))}
    assert opened == open_hours


def test_the_bandwidth_limit_holds_the_transfer(clock, app, app_ctx, tmp_path, central):
    pack = pack_file(tmp_path / "v1.zip", version=1, media_bytes=[300 * 1024])
    size = pack.stat().st_size
    central.add(pack)
    receive("r2-a", entry(pack, number=1, version=1))
    set_rules(limit_kbps=128)
    started = time.monotonic()
    assert len(run(app, central.url).verified) == 1
    assert time.monotonic() - started >= size / (128 * 1024)


# --- installing ----------------------------------------------------------------------------


def test_with_automatic_installation_off_it_waits_for_install(
    clock, app, app_ctx, tmp_path, central
):
    pack = pack_file(tmp_path / "v1.zip", version=1)
    sha256 = central.add(pack)
    receive("r2-a", entry(pack, number=1, version=1))
    set_rules(auto_install=False)
    assert run(app, central.url).installed == []
    assert (rows()[sha256].state, course()) == ("verified", None)
    rows()[sha256].install_requested = True  # «Instalar»
    db.session.commit()
    assert run(app, central.url).installed == [sha256]
    assert course().version == 1


def test_a_pack_the_import_refuses_is_marked_with_its_reasons(
    clock, app, app_ctx, tmp_path, central
):
    import json
    import zipfile

    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as archive:
        archive.writestr("course.json", json.dumps({"format": 1, "slug": "prueba"}))
    sha256 = central.add(bad)
    receive("r2-a", entry(bad, number=1, version=1))
    result = run(app, central.url)
    assert result.refused == [sha256]
    row = rows()[sha256]
    assert row.state == "refused"
    assert row.last_error
    assert course() is None


def test_a_file_from_a_usb_stick_is_accepted_only_when_it_matches(clock, app, app_ctx, tmp_path):
    pack = pack_file(tmp_path / "v1.zip", version=1)
    sha256 = sha256_of(pack)
    receive("r2-a", entry(pack, number=1, version=1))
    other = tmp_path / "other.zip"
    other.write_bytes(pack.read_bytes() + b"x")
    assert not downloads.accept_local(db.session, sha256, other)
    assert not downloads.accept_local(db.session, "0" * 64, pack)
    assert rows()[sha256].state == "pending"
    assert downloads.accept_local(db.session, sha256, pack)
    db.session.expire_all()
    assert rows()[sha256].state == "verified"
    result = run(app, "")  # no connection needed: the job installs what is verified
    assert (result.installed, result.not_configured) == ([sha256], True)
    assert course().version == 1

"""Big files through the real routes on gunicorn (SQLite), and a site that keeps working while a
150 MB pack imports and a sync waits on a slow central.

Media and packs are generated here: PNG pictures of random pixels (real, valid files of the
size asked for), zipped into a course pack with their checksums.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import struct
import subprocess
import threading
import time
import zipfile
import zlib
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from telecenter import create_app
from telecenter.demo import SITE_ACCOUNTS
from telecenter.extensions import db
from tests.courses.conftest import BODIES, definition
from tests.e2e.conftest import CSRF, staff_session
from tests.e2e.test_concurrent_check_in import _seed
from tests.live import BIN, LiveServer, add_residents

MB = 1024 * 1024
ADMIN = next(account for account in SITE_ACCOUNTS if account.role == "admin")
TRAINER = next(account for account in SITE_ACCOUNTS if account.role == "trainer")


def png(size: int, seed: int = 0) -> bytes:
    """A valid PNG of random pixels, at most `size` bytes and within 10 KB of it."""
    width = 1024
    row = 1 + 3 * width
    height = max(1, (size - 4096) // row)  # room for the stored blocks and the chunks
    pixels = hashlib.shake_256(seed.to_bytes(4, "big")).digest(row * height)
    scanlines = bytearray(pixels)
    scanlines[::row] = bytes(height)  # filter byte 0 at the start of each row

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(scanlines), 0))
        + chunk(b"IEND", b"")
    )


def course_pack(path: Path, pictures: int, picture_bytes: int, slug: str, version: int = 1) -> Path:
    """A course pack with `pictures` PNG files, written to disk (never whole in memory)."""
    manifest = definition(slug=slug, title=f"Curso {slug}", version=version, media=[])
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, text in BODIES.items():
            archive.writestr(name, text)
        for number in range(pictures):
            data = png(picture_bytes, seed=number)
            archive.writestr(f"media/foto-{number}.png", data)
            manifest["media"].append(
                {"file": f"media/foto-{number}.png", "sha256": hashlib.sha256(data).hexdigest()}
            )
        archive.writestr("course.json", json.dumps(manifest))
    return path


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    server = LiveServer(instance=tmp_path_factory.mktemp("big-files")).prepare().start()
    yield server
    server.stop()


def _post_file(session, url, name, stream, **fields):
    page = session.get(url, timeout=30).text
    return session.post(
        url,
        allow_redirects=False,
        timeout=300,
        files={"file": (name, stream)},
        data={"csrf_token": CSRF.search(page).group(1), **fields},
    )


def test_a_24_mb_picture_uploads_and_a_bigger_one_is_refused_with_the_limit(site):
    trainer = staff_session(site, TRAINER.username, TRAINER.password)
    catalogue = trainer.get(site.url + "/courses/", timeout=10).text
    course_id = re.search(r"/courses/(\d+)", catalogue).group(1)
    url = f"{site.url}/courses/manage/{course_id}/media"
    picture = png(24 * MB)
    assert len(picture) <= 24 * MB
    saved = _post_file(trainer, url, "mazorca.png", io.BytesIO(picture))
    assert saved.status_code == 302, saved.text[:500]
    served = trainer.get(f"{site.url}/courses/{course_id}/media/mazorca.png", timeout=30)
    assert hashlib.sha256(served.content).digest() == hashlib.sha256(picture).digest()

    just_over = picture + bytes(25 * MB + 1 - len(picture))  # a PNG of 25 MB + 1 byte
    refused = _post_file(trainer, url, "grande.png", io.BytesIO(just_over))
    assert refused.status_code == 400
    assert "pesa más de 25 MB" in refused.text

    far_over = _post_file(trainer, url, "video.png", io.BytesIO(just_over + bytes(8 * MB)))
    assert far_over.status_code == 303  # the body itself is over the route's limit
    again = trainer.get(site.url + far_over.headers["Location"], timeout=10).text
    assert "el máximo es 25 MB" in again
    names = re.findall(r"media/([\w.-]+\.png)", trainer.get(url, timeout=10).text)
    assert "grande.png" not in names
    assert "video.png" not in names


def test_a_150_mb_pack_with_real_pictures_imports(site, tmp_path):
    admin = staff_session(site, ADMIN.username, ADMIN.password)
    pack = course_pack(
        tmp_path / "grande.zip", pictures=6, picture_bytes=24 * MB, slug="pack-grande"
    )
    assert 140 * MB < pack.stat().st_size <= 150 * MB
    with open(pack, "rb") as stream:
        answer = _post_file(admin, site.url + "/courses/manage/import", "grande.zip", stream)
    assert answer.status_code == 302, answer.text[:1000]
    course_id = re.search(r"/courses/manage/(\d+)", answer.headers["Location"]).group(1)
    with zipfile.ZipFile(pack) as archive:
        expected = hashlib.sha256(archive.read("media/foto-5.png")).hexdigest()
    served = admin.get(f"{site.url}/courses/{course_id}/media/foto-5.png", timeout=30)
    assert hashlib.sha256(served.content).hexdigest() == expected


def _overlap_bomb() -> bytes:
    """Two directory entries whose data is the same bytes (CVE-2024-0450's trick, which
    multiplies to gigabytes with enough entries)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("course.json", json.dumps(definition(slug="bomba")))
        archive.writestr("media/a.png", bytes(4 * MB))
        archive.writestr("media/b.png", bytes(4 * MB))
    raw = bytearray(buffer.getvalue())
    records = [m.start() for m in re.finditer(rb"PK\x01\x02", raw)]
    first_data = struct.unpack("<I", raw[records[1] + 42 : records[1] + 46])[0]
    raw[records[2] + 42 : records[2] + 46] = struct.pack("<I", first_data)  # b.png -> a.png's data
    return bytes(raw)


def _ratio_bomb() -> bytes:
    """One picture of 200 MB of zeros that zips to about 200 KB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("course.json", json.dumps(definition(slug="bomba")))
        with archive.open("media/zeros.png", "w", force_zip64=True) as entry:
            block = bytes(MB)
            for _ in range(200):
                entry.write(block)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("bomb", "problem"), [(_overlap_bomb, "superpuestos"), (_ratio_bomb, "demasiado grande")]
)
def test_zip_bombs_are_refused_within_two_seconds(site, bomb, problem):
    admin = staff_session(site, ADMIN.username, ADMIN.password)
    raw = bomb()
    started = time.monotonic()
    answer = _post_file(admin, site.url + "/courses/manage/import", "curso.zip", io.BytesIO(raw))
    elapsed = time.monotonic() - started
    assert answer.status_code == 400
    assert problem in answer.text
    assert elapsed < 2.0, elapsed


class SlowCentral:
    """A central that stores nothing and answers every sync after `delay` seconds."""

    def __init__(self, delay: float):
        self.delay, self.received = delay, threading.Event()
        central = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                reports = json.loads(gzip.decompress(body))["reports"]
                central.received.set()
                time.sleep(central.delay)
                answer = json.dumps(
                    {
                        "acknowledged": [
                            {
                                "month": r["month"],
                                "generated_at": r["generated_at"],
                                "status": "stored",
                            }
                            for r in reports
                        ]
                    }
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def pin_of(number: int) -> str:
    return f"{4821 + number * 137:04d}"


def _residents_with_pins(live: LiveServer, count: int) -> list[str]:
    app = create_app(
        {
            "SECRET_KEY": "x" * 40,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{live.instance}/telecenter.sqlite3",
        },
        instance_path=str(live.instance),
    )
    with app.app_context():
        documents = add_residents(
            db.session, count, given="Vecina", today=date(2026, 11, 29), pin_of=pin_of
        )
        db.session.commit()
        db.engine.dispose()
    return documents


def test_the_site_keeps_working_during_a_big_import_and_a_slow_sync(tmp_path):
    central = SlowCentral(delay=5)
    live = LiveServer(
        instance=tmp_path / "busy",
        extra_env={
            "TELECENTER_CODE": "SM-OCUPADO-01",
            "CENTRAL_URL": central.url,
            "SYNC_TOKEN": "tcs_prueba",
        },
    ).prepare()
    documents = _residents_with_pins(live, 20)
    live.start()
    try:
        _busy_site(live, central, documents, tmp_path)
    finally:
        live.stop()
        central.close()


def _busy_site(live, central, documents, tmp_path):
    session_id, kiosk_cookie = _seed(live)  # 40 people on a session open now (we use 20)
    pack = course_pack(
        tmp_path / "pack.zip", pictures=6, picture_bytes=24 * MB, slug="pack-ocupado"
    )
    admin = staff_session(live, ADMIN.username, ADMIN.password)
    outcome: dict[str, object] = {}

    def import_pack():
        with open(pack, "rb") as stream:
            outcome["import"] = _post_file(
                admin, live.url + "/courses/manage/import", "pack.zip", stream
            ).status_code
        outcome["import_done"] = time.monotonic()

    def sync():
        outcome["sync"] = subprocess.run(
            [str(BIN / "telecenter"), "sync"],
            env=live.env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        outcome["sync_done"] = time.monotonic()

    background = [threading.Thread(target=sync), threading.Thread(target=import_pack)]
    background[0].start()
    assert central.received.wait(timeout=60), "the sync never reached central"
    started = time.monotonic()  # the sync now waits 5 s on central; the import begins
    background[1].start()
    answers = _crowd(live, documents, session_id, kiosk_cookie)
    for thread in background:
        thread.join(timeout=300)
    assert outcome["sync_done"] > started + 4  # central held the sync while they came
    assert sorted(answers["sign-in"]) == [302] * 20, answers
    assert sorted(answers["check-in"]) == [200] * 20, answers
    assert outcome["import"] == 302
    assert outcome["import_done"] > started  # the import was still running when they came
    assert outcome["sync"].returncode == 0, outcome["sync"].stdout + outcome["sync"].stderr
    assert "database is locked" not in live.log_path.read_text()
    assert _pending(live) == 0


def _pending(live) -> int:
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(live.instance / "telecenter.sqlite3")) as connection:
        return connection.execute(
            "SELECT count(*) FROM sync_outbox WHERE state = 'pending'"
        ).fetchone()[0]


def _crowd(live, documents, session_id, kiosk_cookie) -> dict[str, list[int]]:
    """20 residents sign in and 20 check in at the kiosk, all at once."""
    answers: dict[str, list[int]] = {"sign-in": [], "check-in": []}
    barrier = threading.Barrier(40)

    def resident(number: int):
        pc = requests.Session()
        token = CSRF.search(pc.get(live.url + "/sign-in", timeout=60).text).group(1)
        barrier.wait(timeout=60)
        answer = pc.post(
            live.url + "/sign-in/participant",
            allow_redirects=False,
            timeout=60,
            data={"csrf_token": token, "identifier": documents[number], "pin": pin_of(number)},
        )
        answers["sign-in"].append(answer.status_code)

    def kiosk(number: int):
        pc = requests.Session()
        pc.cookies.set("kiosk", kiosk_cookie)
        token = CSRF.search(pc.get(live.url + "/kiosk/", timeout=60).text).group(1)
        barrier.wait(timeout=60)
        answer = pc.post(
            live.url + "/kiosk/check-in",
            timeout=60,
            data={
                "csrf_token": token,
                "session_id": str(session_id),
                "identifier": f"7{number:07d}",
            },
        )
        answers["check-in"].append(answer.status_code)

    threads = [threading.Thread(target=resident, args=(n,)) for n in range(20)]
    threads += [threading.Thread(target=kiosk, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers

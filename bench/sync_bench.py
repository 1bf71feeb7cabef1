"""Sync benchmark: payload size, month-report computation time, and central ingest rate.

    make bench-sync            (or: .venv/bin/python bench/sync_bench.py [--people 5000])

1. Builds a site (SQLite) with 5,000 participants and 3 years of sessions and attendance.
2. Times the computation of 36 months of reports (what a site does after a rules change).
3. Measures the gzip payload per telecenter-month (schema 2: the site's own reports when it
   emits schema 2, else synthesized ones of the same shape, bench/schema2_reports.py).
4. Starts central with gunicorn on PostgreSQL (TEST_POSTGRES_URL, or the local server that
   scripts/test-postgres.sh starts) and measures how many schema-2 month reports per second
   it ingests over HTTP when a rules change makes every telecenter re-send its whole history
   at once: many telecenters, 120 months each, 120 reports per request, several senders.

Each figure is printed against its target (issue 19).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import sqlalchemy as sa
from sqlalchemy.orm import Session

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from telecenter import create_app, month_report  # noqa: E402
from telecenter.central import ingest  # noqa: E402
from telecenter.extensions import db  # noqa: E402
from telecenter.sync.month_reports import monthly_reports  # noqa: E402
from tests import pg  # noqa: E402
from tests.live import LiveServer  # noqa: E402
from tests.sync.generate import populate  # noqa: E402

sys.path.insert(0, str(REPO / "bench"))
from schema2_reports import schema2_report  # noqa: E402

TARGET_PAYLOAD_BYTES = 4096
TARGET_COMPUTE_SECONDS = 1.5
TARGET_INGEST_PER_SECOND = 300


def verdict(ok: bool) -> str:
    return "meets the target" if ok else "MISSES the target"


def build_site(folder: Path, people: int, months: int):
    from flask_migrate import upgrade

    app = create_app(
        {
            "SECRET_KEY": "bench" * 8,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/site.sqlite3",
        },
        instance_path=str(folder),
    )
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        populate(db.session, seed=1, people=people, months=months, sessions_per_month=60, erase=10)
        db.session.commit()
        from telecenter.attendance.models import Attendance

        rows = db.session.scalar(db.select(db.func.count(Attendance.id)))
        print(
            f"site built: {people} participants, {months} months, {rows} attendance "
            f"records ({time.perf_counter() - started:.1f} s)"
        )
    return app


def time_month_reports(app, repeats: int = 3) -> list[dict]:
    """36 months computed together, best of `repeats`; [] when this branch's computation
    fails (it is being rewritten in parallel): the other figures are still measured."""
    timings = []
    with app.app_context():
        for _ in range(repeats):
            started = time.perf_counter()
            try:
                items = monthly_reports(
                    db.session, telecenter="SM-BENCH-01", first="2025-01", last="2027-12"
                )
            except Exception as error:  # reported, and the bench goes on
                print(f"month reports: the site's computation failed on this branch: {error!r}")
                return []
            timings.append(time.perf_counter() - started)
    best = min(timings)
    print(
        f"month reports for all {len(items)} months: best {best:.2f} s of {repeats} "
        f"({1000 * best / len(items):.0f} ms per month, computed together); "
        f"target <= {TARGET_COMPUTE_SECONDS} s: {verdict(best <= TARGET_COMPUTE_SECONDS)}"
    )
    return items


def _json(report: dict) -> bytes:
    return json.dumps(report, separators=(",", ":")).encode()


def payload_sizes(items: list[dict]) -> None:
    schemas = sorted({r["schema"] for r in items})
    if schemas != [2]:
        print(f"(the site emits schema {schemas} on this branch: sizes of synthesized schema 2)")
        rng, stamp = random.Random(3), "2026-11-01T00:00:00Z"
        items = [schema2_report(rng, "SM-BENCH-01", month, stamp) for month in _months(36)]
    wire = [_json(month_report.for_the_wire(r)) for r in items]
    sizes = [len(gzip.compress(body)) for body in wire]
    in_rows = [len(gzip.compress(_json(r))) for r in items]
    print(
        f"payload per telecenter-month (gzip, schema 2 as sent, tables in columns): median "
        f"{statistics.median(sizes):.0f} B, max {max(sizes)} B (JSON before gzip: median "
        f"{statistics.median(map(len, wire)):.0f} B; the same reports in rows, gzip: median "
        f"{statistics.median(in_rows):.0f} B, max {max(in_rows)} B); "
        f"target <= {TARGET_PAYLOAD_BYTES} B: {verdict(max(sizes) <= TARGET_PAYLOAD_BYTES)}"
    )


def _months(count: int) -> list[str]:
    return [f"{2017 + i // 12}-{i % 12 + 1:02d}" for i in range(count)]


def _bodies(code: str, months: list[str], stamp: str, rules: str, rng) -> list[bytes]:
    """A telecenter's whole history in requests of at most 120 reports, gzipped."""
    reports = [
        month_report.for_the_wire(schema2_report(rng, code, m, stamp) | {"rules_version": rules})
        for m in months
    ]
    return [
        gzip.compress(
            json.dumps({"schema": 2, "telecenter": code, "reports": reports[i : i + 120]}).encode()
        )
        for i in range(0, len(reports), 120)
    ]


def _send_all(central, work: list[tuple[str, bytes]], senders: int) -> tuple[int, float]:
    """Send every (token, body) with `senders` threads; (reports stored, seconds)."""
    pending, lock, stored = list(work), threading.Lock(), [0]

    def send() -> None:
        with httpx.Client(timeout=120) as http:
            while True:
                with lock:
                    if not pending:
                        return
                    token, body = pending.pop()
                answer = http.post(
                    central.url + "/api/v1/sync/reports",
                    content=body,
                    headers={"Authorization": f"Bearer {token}", "Content-Encoding": "gzip"},
                )
                if answer.status_code != 200:
                    raise SystemExit(f"central answered {answer.status_code}: {answer.text}")
                count = sum(a["status"] == "stored" for a in answer.json()["acknowledged"])
                with lock:
                    stored[0] += count

    threads = [threading.Thread(target=send) for _ in range(senders)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return stored[0], time.perf_counter() - started


def ingest_rate(telecenters: int, months: int, senders: int) -> None:
    os.environ.setdefault(
        "TEST_POSTGRES_URL",
        subprocess.run(
            [str(REPO / "scripts" / "test-postgres.sh")], capture_output=True, text=True, check=True
        )
        .stdout.strip()
        .splitlines()[-1],
    )
    url = pg.create_database("telecenter_bench_ingest")
    folder = Path(tempfile.mkdtemp(prefix="central-bench-"))
    central = LiveServer(instance=folder, role="central", database_url=url, workers=2)
    central.prepare(demo=False).start()
    try:
        tokens = {}
        for number in range(telecenters):
            code = f"{('SM', 'HU', 'UC')[number % 3]}-BENCH-{number:02d}"
            region = ("San Martín", "Huánuco", "Ucayali")[number % 3]
            added = central.cli(
                "central", "add-telecenter", code, "--name", code, "--region", region
            )
            tokens[code] = added.stdout.strip().splitlines()[-1]
        rng, history = random.Random(5), _months(months)
        first = [
            (tokens[code], body)
            for code in tokens
            for body in _bodies(code, history, "2026-11-01T00:00:00Z", "1", rng)
        ]
        count, elapsed = _send_all(central, first, senders)
        print(
            f"central first sync on PostgreSQL: {count} schema-2 reports in {elapsed:.1f} s "
            f"({count / elapsed:.0f} reports/s)"
        )
        resend = [
            (tokens[code], body)
            for code in tokens
            for body in _bodies(code, history, "2026-11-02T00:00:00Z", "2", rng)
        ]
        count, elapsed = _send_all(central, resend, senders)
        rate = count / elapsed
        print(
            f"central ingest on PostgreSQL after a rules change (gunicorn, 2 workers, "
            f"{senders} senders, {telecenters} telecenters x {months} months, 120 per request, "
            f"every month replaced): {rate:.0f} reports/s over {elapsed:.1f} s; "
            f"target >= {TARGET_INGEST_PER_SECOND}/s: {verdict(rate >= TARGET_INGEST_PER_SECOND)}"
        )
        _refresh_after(url)
    finally:
        central.stop()
        pg.drop_database(url)


def _refresh_after(url: str) -> None:
    """How long the first figures after the re-send wait for the rollups marked dirty."""
    engine = sa.create_engine(url)
    with Session(engine) as session:
        started = time.perf_counter()
        ingest.refresh_dirty(session)
        print(f"rollups refreshed before the next figures: {time.perf_counter() - started:.1f} s")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--telecenters", type=int, default=12)
    parser.add_argument("--history", type=int, default=120, help="months each telecenter re-sends")
    parser.add_argument("--senders", type=int, default=4)
    parser.add_argument("--ingest-only", action="store_true")
    args = parser.parse_args()
    if not args.ingest_only:
        with tempfile.TemporaryDirectory(prefix="site-bench-") as folder:
            app = build_site(Path(folder), args.people, args.months)
            items = [
                r for r in time_month_reports(app) if any(r.get(t) for t in month_report.TABLES)
            ]
            payload_sizes(items)
    ingest_rate(args.telecenters, args.history, args.senders)


if __name__ == "__main__":
    main()

"""Sync benchmark: payload size, month-report computation time, and central ingest rate.

    make bench-sync            (or: .venv/bin/python bench/sync_bench.py [--people 5000])

1. Builds a site (SQLite) with 5,000 participants and 3 years of sessions and attendance.
2. Times the computation of every month's report (what the sync job does each run).
3. Measures the gzip payload per telecenter-month.
4. Starts central with gunicorn on PostgreSQL (TEST_POSTGRES_URL, or the local server that
   scripts/test-postgres.sh starts) and measures how many month reports per second it ingests
   over HTTP from two concurrent senders.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from telecenter import create_app, month_report  # noqa: E402
from telecenter.extensions import db  # noqa: E402
from telecenter.sync.month_reports import monthly_reports  # noqa: E402
from tests import pg  # noqa: E402
from tests.live import LiveServer  # noqa: E402
from tests.sync.generate import populate  # noqa: E402


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
    timings = []
    with app.app_context():
        for _ in range(repeats):
            started = time.perf_counter()
            items = monthly_reports(
                db.session, telecenter="SM-BENCH-01", first="2025-01", last="2027-12"
            )
            timings.append(time.perf_counter() - started)
    best = min(timings)
    print(
        f"month reports for all {len(items)} months: best {best:.2f} s of {repeats} "
        f"({1000 * best / len(items):.0f} ms per month, computed together)"
    )
    return items


def payload_sizes(items: list[dict]) -> None:
    sizes = [len(gzip.compress(json.dumps(r, separators=(",", ":")).encode())) for r in items]
    raw = [len(json.dumps(r, separators=(",", ":")).encode()) for r in items]
    print(
        f"payload per telecenter-month (gzip): median {statistics.median(sizes):.0f} B, "
        f"max {max(sizes)} B (JSON before gzip: median {statistics.median(raw):.0f} B)"
    )
    batch = gzip.compress(json.dumps({"schema": 1, "reports": items[:12]}).encode())
    print(f"one request of 12 months: {len(batch)} B")


def ingest_rate(items: list[dict], seconds: float) -> None:
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
    central.prepare().start()
    try:
        senders = []
        for number in range(2):
            code = f"SM-BENCH-{number:02d}"
            token = (
                central.cli(
                    "central", "add-telecenter", code, "--name", code, "--region", "San Martín"
                )
                .stdout.strip()
                .splitlines()[-1]
            )
            senders.append((code, token))
        counts = [0, 0]
        deadline = time.monotonic() + seconds

        def send(index: int) -> None:
            code, token = senders[index]
            with httpx.Client(timeout=30) as http:
                version = 0
                while time.monotonic() < deadline:
                    version += 1
                    stamp = f"2027-01-01T00:00:{version % 60:02d}.{version:06d}Z"
                    batch = [dict(r, telecenter=code, generated_at=stamp) for r in items[:12]]
                    body = gzip.compress(
                        json.dumps({"schema": 1, "telecenter": code, "reports": batch}).encode()
                    )
                    answer = http.post(
                        central.url + "/api/v1/sync/reports",
                        content=body,
                        headers={"Authorization": f"Bearer {token}", "Content-Encoding": "gzip"},
                    )
                    answer.raise_for_status()
                    counts[index] += len(batch)

        threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        print(
            f"central ingest on PostgreSQL (gunicorn, 2 workers, 2 senders, batches of 12): "
            f"{sum(counts) / elapsed:.0f} reports/s over {elapsed:.0f} s"
        )
    finally:
        central.stop()
        pg.drop_database(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--ingest-seconds", type=float, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="site-bench-") as folder:
        app = build_site(Path(folder), args.people, args.months)
        items = [r for r in time_month_reports(app) if any(r[t] for t in month_report.TABLES)]
        payload_sizes(items)
        ingest_rate(items, args.ingest_seconds)


if __name__ == "__main__":
    main()

"""Central benchmark: 1,000 telecenters x 60 months of reports on PostgreSQL; dashboard and
API latency (median, p95) for typical queries.

    make bench-central        (or: .venv/bin/python bench/central_bench.py)

Reports are loaded straight into the fact tables with COPY (the ingest path is measured by
bench/sync_bench.py), then central runs under gunicorn and is queried over HTTP.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import sqlalchemy as sa

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy.orm import Session  # noqa: E402

from telecenter import month_report, vocabulary  # noqa: E402
from telecenter.central import ingest  # noqa: E402
from telecenter.central.ingest import rebuild_rollups  # noqa: E402
from telecenter.central.models import FACT_TABLES, ROLLUP_TABLES  # noqa: E402
from tests import pg  # noqa: E402
from tests.live import LiveServer  # noqa: E402

REGIONS = ("San Martín", "Huánuco", "Ucayali")
QUERIES = {
    "API: 12 months, totals": "from={a}&to={b}",
    "API: 12 months by region": "from={a}&to={b}&group_by=region",
    "API: 12 months by month and sex": "from={a}&to={b}&group_by=month,sex",
    "API: 60 months by telecenter": "from={first}&to={b}&group_by=telecenter",
    "API: region and women, by age band": "from={a}&to={b}&region=Huánuco&sex=female"
    "&group_by=age_band",
}


# Random counts for load only (not consistent figures: the demo is telecenter.demo_network).
def _report(rng: random.Random, code: str, month: str, size: int) -> dict:
    facts: dict[str, list] = {table: [] for table in month_report.TABLES}
    for activity in vocabulary.ACTIVITIES:
        category = rng.choice(vocabulary.CATEGORIES)
        held = rng.randint(1, 3 + size)
        facts["sessions"].append(
            {
                "activity": activity,
                "category": category,
                "sessions_held": held,
                "session_hours": 2.0 * held,
                "unregistered_viewers": rng.randint(0, 9) if activity == "teleconference" else 0,
            }
        )
        for sex in ("female", "male"):
            for band in ("18-29", "30-44", "45-59"):
                people = rng.randint(0, 2 + size)
                facts["attendance"].append(
                    {
                        "activity": activity,
                        "category": category,
                        "sex": sex,
                        "age_band": band,
                        "wfi": sex == "female" and band == "30-44",
                        "attendances": people * 2,
                        "hours": people * 4.0,
                        "participants": people,
                    }
                )
    for sex in ("female", "male"):
        for band in ("18-29", "30-44"):
            facts["registrations"].append(
                {"sex": sex, "age_band": band, "registrations": rng.randint(0, 4)}
            )
            facts["completions"].append(
                {
                    "category": "financial_literacy",
                    "sex": sex,
                    "age_band": band,
                    "completions": rng.randint(0, 3),
                }
            )
            reached = rng.randint(2, 6 + size)  # teleconference and trained are subsets
            for scope, people in (
                ("any", reached),
                ("activity:teleconference", rng.randint(0, reached)),
                ("trained", rng.randint(0, reached // 2)),
            ):
                facts["reach"].append(
                    {
                        "scope": scope,
                        "sex": sex,
                        "age_band": band,
                        "wfi": False,
                        "new_people": people,
                    }
                )
    facts["wfi_enrolments"].append({"age_band": "30-44", "enrolments": rng.randint(0, 5)})
    return {
        "schema": month_report.SCHEMA,
        "telecenter": code,
        "month": month,
        "generated_at": "2026-01-01T00:00:00Z",
        **facts,
    }


def months(count: int) -> list[str]:
    result, year, month = [], 2022, 1
    for _ in range(count):
        result.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return result


def load(url: str, telecenters: int, month_list: list[str]) -> int:
    """Telecenters, month reports and facts, with COPY. Returns the number of fact rows."""
    rng = random.Random(7)
    engine = sa.create_engine(url)
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = 0
    with engine.begin() as connection:
        facts = ", ".join(table.name for table in (*FACT_TABLES.values(), *ROLLUP_TABLES.values()))
        connection.exec_driver_sql(f"TRUNCATE {facts}, month_reports, telecenters CASCADE")
        raw = connection.connection.driver_connection
        with raw.cursor() as cursor:
            with cursor.copy(
                "COPY telecenters (id, code, name, region, province, district, "
                "created_at, last_heard_at) FROM STDIN"
            ) as copy:
                for number in range(1, telecenters + 1):
                    copy.write_row(
                        [
                            number,
                            f"TC-{number:04d}",
                            f"Telecentro {number}",
                            REGIONS[number % 3],
                            "",
                            "",
                            now,
                            now,
                        ]
                    )
            with cursor.copy(
                "COPY month_reports (id, telecenter_id, month, generated_at, "
                "received_at, digest) FROM STDIN"
            ) as copy:
                report_id = 0
                for number in range(1, telecenters + 1):
                    for month in month_list:
                        report_id += 1
                        copy.write_row([report_id, number, month, now, now, "bench"])
            for name, table in FACT_TABLES.items():
                columns = [c.name for c in table.c if c.name != "id"]
                with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                    report_id = 0
                    for number in range(1, telecenters + 1):
                        for month in month_list:
                            report_id += 1
                            report = _report(rng, f"TC-{number:04d}", month, number % 4)
                            for row in ingest.stored_rows({"schema": 1} | report, name):
                                copy.write_row(
                                    [report_id, number, month, *[row[c] for c in columns[3:]]]
                                )
                                rows += 1
    with Session(engine) as session:
        started = time.perf_counter()
        rebuild_rollups(session)
        session.commit()
        print(f"rollups per region built ({time.perf_counter() - started:.0f} s)")
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
    engine.dispose()
    return rows


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(client: httpx.Client, url: str, repeats: int) -> tuple[float, float]:
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        answer = client.get(url)
        answer.raise_for_status()
        timings.append(1000 * (time.perf_counter() - started))
    return statistics.median(timings), percentile(timings, 0.95)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--telecenters", type=int, default=1000)
    parser.add_argument("--months", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    os.environ.setdefault(
        "TEST_POSTGRES_URL",
        subprocess.run(
            [str(REPO / "scripts" / "test-postgres.sh")], capture_output=True, text=True, check=True
        )
        .stdout.strip()
        .splitlines()[-1],
    )
    url = pg.create_database("telecenter_bench_central")
    central = LiveServer(
        instance=Path(tempfile.mkdtemp(prefix="central-bench-")),
        role="central",
        database_url=url,
        workers=2,
    )
    try:
        central.prepare()
        month_list = months(args.months)
        started = time.perf_counter()
        rows = load(url, args.telecenters, month_list)
        print(
            f"loaded {args.telecenters} telecenters x {args.months} months = "
            f"{args.telecenters * args.months} reports, {rows} fact rows "
            f"({time.perf_counter() - started:.0f} s)"
        )
        central.start()
        key = (
            central.cli("central", "create-api-key", "--name", "bench")
            .stdout.strip()
            .splitlines()[-1]
        )
        a, b, first = month_list[-12], month_list[-1], month_list[0]
        with httpx.Client(timeout=120, headers={"Authorization": f"Bearer {key}"}) as client:
            for label, template in QUERIES.items():
                query = template.format(a=a, b=b, first=first)
                cold = measure(client, f"{central.url}/api/v1/participation?{query}", 1)[0]
                median, p95 = measure(
                    client, f"{central.url}/api/v1/participation?{query}", args.repeats
                )
                print(
                    f"{label}: first {cold:.0f} ms, then median {median:.0f} ms, p95 {p95:.0f} ms"
                )
        with httpx.Client(timeout=120) as staff:
            page = staff.get(central.url + "/sign-in").text
            token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
            staff.post(
                central.url + "/sign-in",
                data={"username": "oficina", "password": "demo-oficina-2026", "csrf_token": token},
            )
            for label, query in (
                ("dashboard: last 12 months", f"from={a}&to={b}"),
                ("dashboard: one region", f"from={a}&to={b}&region=Ucayali"),
            ):
                cold = measure(staff, f"{central.url}/central/?{query}", 1)[0]
                median, p95 = measure(staff, f"{central.url}/central/?{query}", args.repeats)
                print(
                    f"{label}: first {cold:.0f} ms, then median {median:.0f} ms, p95 {p95:.0f} ms"
                )
    finally:
        central.stop()
        pg.drop_database(url)


if __name__ == "__main__":
    main()

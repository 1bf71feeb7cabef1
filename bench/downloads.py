"""Course download benchmark: bytes on the wire across cuts, and throughput on a slow link.

    make bench-downloads       (or: .venv/bin/python bench/downloads.py [--megabytes 150])

1. A 150 MB pack (seven videos of random bytes) served by a small central on loopback
   (tests/sync/file_central.py: Range answered by Werkzeug's send_file), through a proxy that
   cuts the connection 10 times over the file, hanging 0.5 s before each cut. Prints the
   body bytes central sent against the file's size: what the cuts cost. Then the SHA-256
   check and the import (telecenter.courses.packs.import_pack), timed.
2. Throughput against a link throttled by the proxy (4 MB/s), with no limit set by the
   admin and then with a limit of 1,024 KB/s: how close the download comes to each.

Each figure is printed against its target (issue 22): the cuts cost at most one chunk each
(256 KiB), and the download uses at least 90 % of the link or of the limit, never more than
the limit.
"""

from __future__ import annotations

import argparse
import copy
import logging
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from telecenter import create_app  # noqa: E402
from telecenter.extensions import db  # noqa: E402
from telecenter.sync import client, downloads, network_settings  # noqa: E402
from telecenter.sync.models import CourseDownload, DownloadSettings  # noqa: E402
from tests.sync.central_events import RULES  # noqa: E402
from tests.sync.file_central import TOKEN, CuttingProxy, FileCentral, entry, pack_file  # noqa: E402

MB = 1024 * 1024
CUTS = 10
LINK = 4 * MB  # bytes per second through the throttled proxy
LIMIT_KBPS = 1024


def verdict(ok: bool) -> str:
    return "meets the target" if ok else "MISSES the target"


def build_site(folder: Path):
    from flask_migrate import upgrade

    app = create_app(
        {
            "SECRET_KEY": "bench" * 8,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/site.sqlite3",
        },
        instance_path=str(folder / "instance"),
    )
    with app.app_context():
        upgrade()
    return app


def offer(app, *entries: dict, version: str) -> None:
    answer = {"version": version, "counting_rules": copy.deepcopy(RULES), "courses": list(entries)}
    with app.app_context():
        network_settings.apply(db.session, answer)
        db.session.commit()


def settings(app, **values) -> None:
    with app.app_context():
        row = db.session.get(DownloadSettings, 1) or DownloadSettings(id=1)
        for name, value in values.items():
            setattr(row, name, value)
        db.session.add(row)
        db.session.commit()


def download(app, url: str) -> tuple[downloads.RunResult, float]:
    connection = client.Settings(
        central_url=url, token=TOKEN, telecenter="BENCH", instance_path=app.instance_path
    )
    options = downloads.Options(timeout=30, retry_pause=0)
    with app.app_context():
        started = time.perf_counter()
        result = downloads.run(db.session, connection, app.instance_path, options)
        return result, time.perf_counter() - started


def cuts(app, central: FileCentral, folder: Path, megabytes: int) -> bool:
    videos = max(1, round(megabytes / 21.5))
    pack = pack_file(folder / "big.zip", version=1, media_bytes=[megabytes * MB // videos] * videos)
    size = pack.stat().st_size
    central.add(pack)
    offer(app, entry(pack, number=1, version=1), version="r2-big")
    proxy = CuttingProxy(central.port, cut_every=size // (CUTS + 1) + 1, stall=0.5)
    result, seconds = download(app, proxy.url)
    proxy.close()
    overhead = proxy.body_bytes - size
    allowed = proxy.cuts * downloads.CHUNK
    ok = bool(result.installed) and overhead <= allowed
    print(f"1. a {size / MB:.1f} MB pack through {proxy.cuts} cuts (0.5 s hang before each)")
    print(f"   body bytes central sent: {proxy.body_bytes:,} for a file of {size:,}")
    print(
        f"   cost of the cuts: {overhead:,} bytes ({overhead / max(proxy.cuts, 1):,.0f} a cut), "
        f"allowed {allowed:,} (one 256 KiB chunk a cut): {verdict(ok)}"
    )
    print(
        f"   downloaded, verified and imported in {seconds:.1f} s "
        f"({'installed' if result.installed else 'NOT installed'})"
    )
    return ok


def throughput(app, central: FileCentral, folder: Path) -> bool:
    ok = True
    settings(app, auto_install=False)  # only the transfer is timed
    for number, (limit, expected) in enumerate(((0, LINK), (LIMIT_KBPS, LIMIT_KBPS * 1024)), 2):
        pack = pack_file(folder / f"slow-{number}.zip", version=number, media_bytes=[12 * MB])
        size = pack.stat().st_size
        central.add(pack)
        offer(app, entry(pack, number=number, version=number), version=f"r2-{number}")
        settings(app, limit_kbps=limit)
        proxy = CuttingProxy(central.port, rate=LINK)
        result, seconds = download(app, proxy.url)
        proxy.close()
        rate = size / seconds
        within = 0.9 * expected <= rate <= expected * 1.02 and len(result.verified) == 1
        ok = ok and within
        what = "no limit set" if not limit else f"a limit of {limit:,} KB/s"
        print(
            f"{number}. {size / MB:.1f} MB on a {LINK / MB:.0f} MB/s link, {what}: "
            f"{rate / MB:.2f} MB/s ({rate / expected:.0%} of {expected / MB:.2f} MB/s): "
            f"{verdict(within)}"
        )
    with app.app_context():
        states = sorted(row.state for row in db.session.query(CourseDownload))
    print(f"   entries: {', '.join(states)}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=150)
    args = parser.parse_args()
    for noisy in ("werkzeug", "httpx", "telecenter", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="bench-downloads-") as scratch:
        folder = Path(scratch)
        app = build_site(folder)
        central = FileCentral()
        try:
            ok = cuts(app, central, folder, args.megabytes)
            ok = throughput(app, central, folder) and ok
        finally:
            central.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

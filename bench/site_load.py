"""Site load benchmark: a full room of 40 residents on one telecenter PC.

    make bench-site       (or: .venv/bin/python bench/site_load.py [--seconds 90]
                                [--arrival 10] [--think 0.5 1.5] [--cpus 0])

Starts the site with gunicorn as `make run` does (gunicorn.conf.py: a worker a core, at most
2; production password hashing). 40 residents arrive spread over --arrival seconds; each signs
in with DNI and PIN, checks in at the kiosk, enrols, then opens home, the catalogue, the
course, a lesson and answers its quiz, over and over, waiting --think seconds before each
click. Prints requests per second, latency median / p95 / p99 per page, errors, the server's
CPU time per request and the peak memory (PSS, bench/processes.py) of its processes. Then 10
clients hammer one page to measure its rate. `--cpus 0` serves from CPU 0 alone (a one-core
PC); the simulated browsers run on the other CPUs.

`--arrival 0 --think 0.1 0.3` is the stress case: everyone signs in at the same instant and
clicks five times a second.

`--busy` runs the same room while an admin imports a 150 MB course pack (six 24 MB pictures;
`--imports N` for N in a row) and the site syncs again and again with a central that takes 5 s
to answer:
the room must see no error, and its p95 should stay within 1.5x of the plain room.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.processes import cpu_seconds, pss_mib, rss_mib  # noqa: E402
from tests.e2e.test_big_files_and_busy_site import SlowCentral, course_pack  # noqa: E402
from tests.live import BIN, LiveServer, add_residents  # noqa: E402

CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
RESIDENTS = 40


@dataclass(frozen=True)
class Pacing:
    """How fast the simulated people act."""

    #: Residents come in and sign in spread over this many seconds, not all in one instant.
    arrival: float = 10.0
    #: Seconds a person takes before each click. First-time users need several seconds to find
    #: a button and minutes to read a lesson, so 0.5-1.5 s is a room far busier than a real one.
    think: tuple[float, float] = (0.5, 1.5)


def prepare(instance: Path) -> tuple[int, int]:
    """40 residents with PINs, the starter courses, and a session open for check-in now."""
    from telecenter import create_app
    from telecenter.attendance import scheduling
    from telecenter.attendance.scheduling import SessionData
    from telecenter.clock import LIMA
    from telecenter.extensions import db

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance}/telecenter.sqlite3"},
        instance_path=str(instance),
    )
    with app.app_context():
        add_residents(
            db.session,
            RESIDENTS,
            given="Residente",
            today=datetime.now(LIMA).date(),
            pin_of=lambda _number: "5824",
        )
        now = datetime.now(LIMA)
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        (item,) = scheduling.create(
            db.session,
            SessionData(
                kind="class",
                title="Clase de carga",
                category="other",
                day=now.date(),
                start=max(now - timedelta(minutes=5), midnight).time(),
                end=min(now + timedelta(minutes=90), midnight.replace(hour=23, minute=59)).time(),
                checkin_before_minutes=30,
                checkin_after_minutes=240,
            ),
        )
        from telecenter.courses.models import Course

        course = db.session.scalars(db.select(Course).order_by(Course.id)).first()
        db.session.commit()
        return item.id, course.id


class Browser:
    """One simulated browser: an HTTP/1.1 connection (reopened when the server closes it), its
    cookies, and redirects followed. Plain http.client, so the load generator spends little of
    the cores it shares with the server."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def _send(self, method: str, path: str, body: str | None) -> http.client.HTTPResponse:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                return self.connection.getresponse()
            except (http.client.RemoteDisconnected, ConnectionError):
                # The server closed an idle kept-alive connection: a browser reconnects.
                self.connection.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def open(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        """The status and page at the end of any redirects; landing on the sign-in page
        unasked (the person was signed out) counts as status 401."""
        asked = path
        body = urllib.parse.urlencode(form) if form is not None else None
        while True:
            response = self._send(method, path, body)
            text = response.read().decode()
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, value = header.split(";", 1)[0].partition("=")
                if value and "max-age=0" not in header.lower():
                    self.cookies[name.strip()] = value
                else:
                    self.cookies.pop(name.strip(), None)
            if response.status not in (301, 302, 303):
                landed = urllib.parse.urlsplit(path).path
                signed_out = landed == "/sign-in" and not asked.startswith("/sign-in")
                return (401 if signed_out else response.status), text
            method, body = "GET", None
            # The query too: a quiz's answer redirects to ?attempt=N, where its result shows.
            path = (
                urllib.parse.urlsplit(response.headers["Location"])
                ._replace(scheme="", netloc="", fragment="")
                .geturl()
            )


class Recorder:
    def __init__(self):
        self.timings = defaultdict(list)
        self.errors = defaultdict(int)
        self.lock = threading.Lock()

    def call(
        self,
        page: str,
        browser: Browser,
        method: str,
        path: str,
        form: dict | None = None,
        expect: str | None = None,
    ) -> str:
        """One click, timed; an error is a 4xx/5xx (but 409, "already checked in"), being
        signed out, or a page without the words `expect` (a regular expression)."""
        started = time.perf_counter()
        try:
            status, text = browser.open(method, path, form)
            failed = (status >= 400 and status != 409) or bool(
                expect and not re.search(expect, text)
            )
        except (OSError, http.client.HTTPException):
            status, text, failed = 0, "", True
        elapsed = 1000 * (time.perf_counter() - started)
        with self.lock:
            self.timings[page].append(elapsed)
            if failed:
                self.errors[page] += 1
        return text


def csrf(page: str) -> str:
    match = CSRF.search(page)
    return match.group(1) if match else ""


def resident(
    number: int, port: int, ids, recorder: Recorder, until: float, kiosk_cookie: str, pacing: Pacing
) -> None:
    session_id, course_id = ids
    rng = random.Random(number)
    time.sleep(rng.uniform(0, pacing.arrival))  # people reach the room over a few minutes
    pc, kiosk = Browser(port), Browser(port)
    kiosk.cookies["kiosk"] = kiosk_cookie
    document = f"6{number:07d}"
    page = recorder.call("sign-in page", pc, "GET", "/sign-in")
    recorder.call(
        "sign in (PIN)",
        pc,
        "POST",
        "/sign-in/participant",
        {"identifier": document, "pin": "5824", "csrf_token": csrf(page)},
    )
    kiosk_page = recorder.call("kiosk", kiosk, "GET", "/kiosk/")
    recorder.call(
        "check in (kiosk)",
        kiosk,
        "POST",
        "/kiosk/check-in",
        {"csrf_token": csrf(kiosk_page), "session_id": str(session_id), "identifier": document},
        expect="asistencia quedó registrada",
    )
    course_page = recorder.call("course", pc, "GET", f"/courses/{course_id}")
    recorder.call(
        "enrol", pc, "POST", f"/courses/{course_id}/enrol", {"csrf_token": csrf(course_page)}
    )
    lesson_ids = [int(x) for x in re.findall(rf"/courses/{course_id}/lessons/(\d+)", course_page)]
    while time.perf_counter() < until:
        for page, path in (
            ("home", "/home"),
            ("catalogue", "/courses/"),
            ("course", f"/courses/{course_id}"),
        ):
            recorder.call(page, pc, "GET", path)
            time.sleep(rng.uniform(*pacing.think))
        lesson = rng.choice(lesson_ids)
        path = f"/courses/{course_id}/lessons/{lesson}"
        page = recorder.call("lesson", pc, "GET", path)
        questions = dict(re.findall(r'name="(q-\d+)" value="(\d+)"', page))
        time.sleep(rng.uniform(*pacing.think))
        if questions:
            recorder.call(
                "quiz answer",
                pc,
                "POST",
                path + "/quiz",
                {"csrf_token": csrf(page), **questions},
                expect="[Aa]probó",  # "¡Aprobó!" or "Todavía no aprobó"
            )
            time.sleep(rng.uniform(*pacing.think))


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report(recorder: Recorder, seconds: float) -> None:
    total = sum(len(v) for v in recorder.timings.values())
    errors = sum(recorder.errors.values())
    print(f"{total} requests in {seconds:.0f} s: {total / seconds:.1f} requests/s, {errors} errors")
    print(f"{'page':<20}{'n':>7}{'median':>10}{'p95':>8}{'p99':>8}  (ms){'errors':>8}")
    everything = []
    for page, values in sorted(recorder.timings.items()):
        everything += values
        print(
            f"{page:<20}{len(values):>7}{statistics.median(values):>10.0f}"
            f"{percentile(values, 0.95):>8.0f}{percentile(values, 0.99):>8.0f}"
            f"{recorder.errors[page]:>13}"
        )
    print(
        f"{'all pages':<20}{len(everything):>7}{statistics.median(everything):>10.0f}"
        f"{percentile(everything, 0.95):>8.0f}{percentile(everything, 0.99):>8.0f}"
    )


def single_page_rate(server: LiveServer, path: str, clients: int, seconds: float) -> None:
    counts, until = [0] * clients, time.perf_counter() + seconds

    def hammer(index):
        browser = Browser(server.port)
        while time.perf_counter() < until:
            status, _text = browser.open("GET", path)
            if status != 200:
                raise RuntimeError(f"{path} answered {status}")
            counts[index] += 1

    threads = [threading.Thread(target=hammer, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(
        f"single page {path} with {clients} concurrent clients: "
        f"{sum(counts) / seconds:.0f} requests/s"
    )


def open_kiosk(server: LiveServer) -> str:
    """The trainer signs in and turns the room's kiosk on; its cookie goes to every resident."""
    staff = Browser(server.port)
    page = staff.open("GET", "/sign-in")[1]
    staff.open(
        "POST",
        "/sign-in",
        {"username": "capacitador", "password": "demo-capacitador-2026", "csrf_token": csrf(page)},
    )
    home = staff.open("GET", "/home")[1]
    staff.open("POST", "/kiosk/open", {"csrf_token": csrf(home)})
    return staff.cookies["kiosk"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seconds", type=float, default=90, help="how long the room works, arrivals included"
    )
    parser.add_argument(
        "--arrival",
        type=float,
        default=Pacing.arrival,
        help="residents arrive spread over this many seconds",
    )
    parser.add_argument(
        "--think",
        type=float,
        nargs=2,
        default=Pacing.think,
        metavar=("MIN", "MAX"),
        help="seconds a person takes before a click",
    )
    parser.add_argument(
        "--busy",
        action="store_true",
        help="meanwhile, import a 150 MB pack and sync with a slow central",
    )
    parser.add_argument(
        "--imports",
        type=int,
        default=1,
        help="with --busy: how many 150 MB packs the admin imports in a row",
    )
    parser.add_argument(
        "--cpus",
        default="",
        help="pin the server to these CPUs (taskset, e.g. 0: a one-core PC) and this load "
        "generator to the others",
    )
    parser.add_argument(
        "--workers",
        type=int,
        help="gunicorn workers (default: as gunicorn.conf.py, one a core, 2 at most)",
    )
    args = parser.parse_args()
    pacing = Pacing(arrival=args.arrival, think=tuple(args.think))
    instance = Path(tempfile.mkdtemp(prefix="site-load-"))
    central = SlowCentral(delay=5) if args.busy else None
    server = LiveServer(
        instance=instance,
        workers=args.workers
        or min(2, len(parse_cpus(args.cpus) if args.cpus else os.sched_getaffinity(0))),
        extra_env={
            "PASSWORD_HASH_METHOD": "scrypt",
            "TELECENTER_CODE": "SM-CARGA-01",
            "CENTRAL_URL": central.url if central else "",
            "SYNC_TOKEN": "tcs_carga",
        },
        command_prefix=["taskset", "-c", args.cpus] if args.cpus else [],
    )
    if args.cpus:
        server_cpus = set(parse_cpus(args.cpus))
        os.sched_setaffinity(0, (os.sched_getaffinity(0) - server_cpus) or server_cpus)
    os.environ["TELECENTER_INSTANCE"] = str(instance)
    server.prepare()
    ids = prepare(instance)
    server.start()
    try:
        kiosk_cookie = open_kiosk(server)
        recorder = Recorder()
        busy = Busy(server, instance, args.imports) if args.busy else None
        cpu_before = cpu_seconds(server.process.pid)
        started = time.perf_counter()
        until = started + args.seconds
        threads = [
            threading.Thread(
                target=resident, args=(n, server.port, ids, recorder, until, kiosk_cookie, pacing)
            )
            for n in range(RESIDENTS)
        ]
        if busy:
            busy.start(until)
        for thread in threads:
            thread.start()
        peak = peak_rss = 0.0
        while any(t.is_alive() for t in threads):
            peak = max(peak, pss_mib(server.process.pid))
            peak_rss = max(peak_rss, rss_mib(server.process.pid))
            time.sleep(1)
        print(
            f"{RESIDENTS} residents arriving over {pacing.arrival:.0f} s, "
            f"{pacing.think[0]:g}-{pacing.think[1]:g} s before each click"
        )
        report(recorder, time.perf_counter() - started)
        served = sum(len(v) for v in recorder.timings.values())
        print(
            f"server CPU time: {1000 * (cpu_seconds(server.process.pid) - cpu_before) / served:.1f}"
            " ms a request (user + system, all its processes; what a busy machine moves least)"
        )
        if busy:
            busy.join()
            print(busy.summary(server))
        print(
            f"server memory (gunicorn master and workers, the scheduler in one): peak PSS "
            f"{peak:.0f} MiB (RSS, which counts the pages they share in each: {peak_rss:.0f} MiB)"
        )
        single_page_rate(server, "/sign-in", clients=10, seconds=15)
    finally:
        server.stop()
        if central:
            central.close()


def parse_cpus(text: str) -> list[int]:
    """taskset's list: "0", "0,1", "0-3"."""
    cpus = []
    for part in text.split(","):
        low, _, high = part.partition("-")
        cpus += range(int(low), int(high or low) + 1)
    return cpus


class Busy:
    """An admin importing a 150 MB pack (made before the room starts) while the site syncs
    again and again with a slow central, until the room ends."""

    def __init__(self, server: LiveServer, instance: Path, imports: int = 1):
        self.server, self.until = server, 0.0
        self.imports: list[tuple[int, float]] = []
        self.syncs: list[tuple[int, float]] = []
        folder = Path(tempfile.mkdtemp(prefix="packs-", dir=instance))
        self.packs = [
            course_pack(
                folder / f"v{version}.zip",
                pictures=6,
                picture_bytes=24 * 2**20,
                slug="carga",
                version=version,
            )
            for version in range(1, imports + 1)
        ]
        self.threads = [threading.Thread(target=self._import), threading.Thread(target=self._sync)]

    def start(self, until: float) -> None:
        self.until = until
        for thread in self.threads:
            thread.start()

    def _import(self):
        admin = Browser(self.server.port)
        page = admin.open("GET", "/sign-in")[1]
        admin.open(
            "POST",
            "/sign-in",
            {"username": "admin", "password": "demo-admin-2026", "csrf_token": csrf(page)},
        )
        time.sleep(10)  # once the room has arrived
        for pack in self.packs:
            if time.perf_counter() >= self.until:
                break
            started = time.perf_counter()
            status = upload(self.server, admin, "/courses/manage/import", pack)
            self.imports.append((status, time.perf_counter() - started))

    def _sync(self):
        """`telecenter sync` alongside the import, then every 20 s (each run is a new process,
        as from cron; the scheduler would run it in-process every 15 minutes)."""
        time.sleep(10)
        while time.perf_counter() < self.until:
            started = time.perf_counter()
            done = subprocess.run(
                [str(BIN / "telecenter"), "sync"],
                env=self.server.env(),
                capture_output=True,
                text=True,
                timeout=300,
            )
            self.syncs.append((done.returncode, time.perf_counter() - started))
            time.sleep(max(0.0, 20 - (time.perf_counter() - started)))

    def join(self):
        for thread in self.threads:
            thread.join()

    def summary(self, server: LiveServer) -> str:
        locked = server.log_path.read_text().count("database is locked")
        imported = sum(1 for status, _s in self.imports if status == 302)
        synced = sum(1 for code, _s in self.syncs if code == 0)
        return (
            f"meanwhile: {imported}/{len(self.imports)} imports of a 150 MB pack "
            f"(mean {statistics.mean(s for _c, s in self.imports or [(0, 0)]):.1f} s), "
            f"{synced}/{len(self.syncs)} syncs through a 5 s central, "
            f"{locked} 'database is locked' in the server log"
        )


def upload(server: LiveServer, browser: Browser, path: str, file: Path) -> int:
    """A multipart POST of a file from disk (http.client, streamed), with the page's token."""
    token = csrf(browser.open("GET", path)[1])
    boundary = "----telecenter-bench"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
        f'{token}\r\n--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="{file.name}"\r\nContent-Type: application/zip\r\n\r\n'
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
    connection.putrequest("POST", path)
    connection.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    connection.putheader("Content-Length", str(len(head) + file.stat().st_size + len(tail)))
    connection.putheader("Cookie", "; ".join(f"{k}={v}" for k, v in browser.cookies.items()))
    connection.endheaders()
    connection.send(head)
    with open(file, "rb") as stream:
        while chunk := stream.read(2**20):
            connection.send(chunk)
    connection.send(tail)
    status = connection.getresponse().status
    connection.close()
    return status


if __name__ == "__main__":
    main()

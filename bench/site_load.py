"""Site load benchmark: a full room of 40 residents on one telecenter PC.

    make bench-site           (or: .venv/bin/python bench/site_load.py [--seconds 60])

Starts the site with gunicorn as `make run` does (gunicorn.conf.py, 2 workers, production
password hashing), then 40 residents each sign in with DNI and PIN, open the catalogue, a
course, lessons, answer a lesson quiz, and check in at the kiosk, over and over for a fixed
time. Prints requests per second, latency median / p95 / p99 per page, errors, and the total
memory (RSS) of every server process. Then 10 clients hammer one page to measure its rate.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.live import LiveServer  # noqa: E402

CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
RESIDENTS = 40


def prepare(instance: Path) -> tuple[int, int]:
    """40 residents with PINs, the starter courses, and a session open for check-in now."""
    from telecenter import create_app
    from telecenter.attendance import scheduling
    from telecenter.attendance.scheduling import SessionData
    from telecenter.extensions import db
    from telecenter.lima_time import LIMA
    from telecenter.participants import resident_accounts, services

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance}/telecenter.sqlite3"},
                     instance_path=str(instance))
    with app.app_context():
        for number in range(RESIDENTS):
            person = services.register(
                db.session, services.ParticipantData(
                    given_names=f"Residente{number}", surnames="Carga", sex="female",
                    document_type="dni", document_number=f"6{number:07d}", birth_year=1990,
                    district_ubigeo="220901"),
                services.ConsentData(given=True), actor=None,
                today=datetime.now(LIMA).date(), confirm_not_duplicate=True)
            resident_accounts.set_pin(db.session, person, "5824", actor=None)
        now = datetime.now(LIMA)
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        (item,) = scheduling.create(db.session, SessionData(
            kind="class", title="Clase de carga", category="other", day=now.date(),
            start=max(now - timedelta(minutes=5), midnight).time(),
            end=min(now + timedelta(minutes=90), midnight.replace(hour=23, minute=59)).time(),
            checkin_before_minutes=30, checkin_after_minutes=240))
        from telecenter.courses.models import Course

        course = db.session.scalars(db.select(Course).order_by(Course.id)).first()
        db.session.commit()
        return item.id, course.id


class Recorder:
    def __init__(self):
        self.timings = defaultdict(list)
        self.errors = defaultdict(int)
        self.lock = threading.Lock()

    def call(self, page: str, method, url: str, **kwargs):
        started = time.perf_counter()
        try:
            answer = method(url, timeout=30, **kwargs)
            failed = answer.status_code >= 400 and answer.status_code != 409
        except requests.RequestException:
            answer, failed = None, True
        elapsed = 1000 * (time.perf_counter() - started)
        with self.lock:
            self.timings[page].append(elapsed)
            if failed:
                self.errors[page] += 1
        return answer


def resident(number: int, server: LiveServer, ids, recorder: Recorder, until: float,
             kiosk_cookie: str) -> None:
    session_id, course_id = ids
    pc = requests.Session()
    page = recorder.call("sign-in page", pc.get, server.url + "/sign-in")
    token = CSRF.search(page.text).group(1)
    recorder.call("sign in (PIN)", pc.post, server.url + "/sign-in/participant",
                  data={"identifier": f"6{number:07d}", "pin": "5824", "csrf_token": token})
    course_page = recorder.call("course", pc.get, f"{server.url}/courses/{course_id}")
    token = CSRF.search(course_page.text).group(1)
    recorder.call("enrol", pc.post, f"{server.url}/courses/{course_id}/enrol",
                  data={"csrf_token": token})
    lesson_ids = [int(x) for x in re.findall(rf"/courses/{course_id}/lessons/(\d+)",
                                             course_page.text)]
    kiosk = requests.Session()
    kiosk.cookies.set("kiosk", kiosk_cookie)
    kiosk_page = recorder.call("kiosk", kiosk.get, server.url + "/kiosk/")
    recorder.call("check in (kiosk)", kiosk.post, server.url + "/kiosk/check-in", data={
        "csrf_token": CSRF.search(kiosk_page.text).group(1), "session_id": str(session_id),
        "identifier": f"6{number:07d}"})
    rng = random.Random(number)  # noqa: S311 - which page a simulated person opens
    while time.perf_counter() < until:
        recorder.call("home", pc.get, server.url + "/home")
        recorder.call("catalogue", pc.get, server.url + "/courses/")
        recorder.call("course", pc.get, f"{server.url}/courses/{course_id}")
        lesson = rng.choice(lesson_ids)
        page = recorder.call("lesson", pc.get,
                             f"{server.url}/courses/{course_id}/lessons/{lesson}")
        questions = dict(re.findall(r'name="(q-\d+)" value="(\d+)"', page.text)) if page else {}
        if questions:
            recorder.call("quiz answer", pc.post,
                          f"{server.url}/courses/{course_id}/lessons/{lesson}/quiz",
                          data={"csrf_token": CSRF.search(page.text).group(1), **questions})
        time.sleep(rng.uniform(0.5, 1.5))  # a person reads before the next click


def rss_mb(root_pid: int) -> float:
    """Resident memory of a process and all its descendants, from /proc."""
    children = defaultdict(list)
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text().rsplit(")", 1)[1].split()
            children[int(fields[1])].append(int(status.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    total, stack = 0, [root_pid]
    while stack:
        pid = stack.pop()
        stack += children.get(pid, [])
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def report(recorder: Recorder, seconds: float) -> None:
    total = sum(len(v) for v in recorder.timings.values())
    errors = sum(recorder.errors.values())
    print(f"{total} requests in {seconds:.0f} s: {total / seconds:.1f} requests/s, "
          f"{errors} errors")
    print(f"{'page':<20}{'n':>7}{'median':>10}{'p95':>8}{'p99':>8}  (ms){'errors':>8}")
    everything = []
    for page, values in sorted(recorder.timings.items()):
        everything += values
        print(f"{page:<20}{len(values):>7}{statistics.median(values):>10.0f}"
              f"{percentile(values, 0.95):>8.0f}{percentile(values, 0.99):>8.0f}"
              f"{recorder.errors[page]:>13}")
    print(f"{'all pages':<20}{len(everything):>7}{statistics.median(everything):>10.0f}"
          f"{percentile(everything, 0.95):>8.0f}{percentile(everything, 0.99):>8.0f}")


def single_page_rate(server: LiveServer, path: str, clients: int, seconds: float) -> None:
    counts, until = [0] * clients, time.perf_counter() + seconds

    def hammer(index):
        with requests.Session() as http:
            while time.perf_counter() < until:
                http.get(server.url + path, timeout=30).raise_for_status()
                counts[index] += 1

    threads = [threading.Thread(target=hammer, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f"single page {path} with {clients} concurrent clients: "
          f"{sum(counts) / seconds:.0f} requests/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    instance = Path(tempfile.mkdtemp(prefix="site-load-"))
    server = LiveServer(instance=instance, workers=2, extra_env={"PASSWORD_HASH_METHOD":
                                                                 "scrypt"})
    os.environ["TELECENTER_INSTANCE"] = str(instance)
    server.prepare()
    ids = prepare(instance)
    server.start()
    try:
        staff = requests.Session()
        token = CSRF.search(staff.get(server.url + "/sign-in").text).group(1)
        staff.post(server.url + "/sign-in", data={"username": "capacitador",
                                                  "password": "demo-capacitador-2026",
                                                  "csrf_token": token})
        token = CSRF.search(staff.get(server.url + "/home").text).group(1)
        staff.post(server.url + "/kiosk/open", data={"csrf_token": token})
        kiosk_cookie = staff.cookies.get("kiosk")
        recorder = Recorder()
        started = time.perf_counter()
        until = started + args.seconds
        threads = [threading.Thread(target=resident, args=(n, server, ids, recorder, until,
                                                           kiosk_cookie))
                   for n in range(RESIDENTS)]
        for thread in threads:
            thread.start()
        peak = 0.0
        while any(t.is_alive() for t in threads):
            peak = max(peak, rss_mb(server.process.pid))
            time.sleep(1)
        report(recorder, time.perf_counter() - started)
        print(f"server memory (RSS, gunicorn master and workers): peak {peak:.0f} MB")
        single_page_rate(server, "/sign-in", clients=10, seconds=15)
    finally:
        server.stop()


if __name__ == "__main__":
    main()

"""Memory over many requests: the PSS of `make run`'s whole process tree every 1,000 requests.

    .venv/bin/python bench/memory_soak.py [--requests 10000] [--clients 10]

Starts this checkout's `make run` on a throwaway instance with the demo (as
bench/versus_kolibri.py does), signs --clients browsers in as the demo resident (DNI and PIN),
and has them open her home page, the catalogue, a course and the sign-in page (without her
cookies) in turn. Memory that grows from one thousand to the next is a leak; flat is the target.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.site_load import Browser, csrf  # noqa: E402
from bench.versus_kolibri import telecenter  # noqa: E402

RESIDENT = {"identifier": "10117410", "pin": "4821"}  # the demo's María


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10000)
    parser.add_argument("--clients", type=int, default=10)
    args = parser.parse_args()
    server = telecenter(Path(tempfile.mkdtemp(prefix="memory-soak-")), [])
    server.start()
    try:
        browsers = []
        for _ in range(args.clients):
            browser = Browser(server.port)
            page = browser.open("GET", "/sign-in")[1]
            status, _home = browser.open(
                "POST", "/sign-in/participant", {**RESIDENT, "csrf_token": csrf(page)}
            )
            assert status == 200, "the demo resident could not sign in"
            browsers.append(browser)
        course = re.search(r'href="(/courses/\d+)"', browsers[0].open("GET", "/courses/")[1])
        pages = ["/home", "/courses/", course.group(1) if course else "/courses/", None]
        print(f"{args.clients} signed in: {server.pss():.1f} MiB PSS", flush=True)
        done, errors, lock = [0], [0], threading.Lock()

        def client(browser: Browser) -> None:
            anonymous = Browser(server.port)
            turn = 0
            while True:
                with lock:
                    if done[0] >= args.requests:
                        return
                    done[0] += 1
                    report = done[0] % 1000 == 0
                path = pages[turn % len(pages)]
                status, _page = (anonymous if path is None else browser).open(
                    "GET", path or "/sign-in"
                )
                turn += 1
                with lock:
                    errors[0] += status != 200
                if report:
                    print(f"{done[0]:>6} requests: {server.pss():.1f} MiB PSS", flush=True)

        threads = [threading.Thread(target=client, args=(b,)) for b in browsers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        print(f"errors: {errors[0]}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()

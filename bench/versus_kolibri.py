"""Telecenter beside Kolibri 0.19.5 (the offline learning server a telecenter would otherwise
install): the same measures by the same client, rounds A B A B.

    make bench-kolibri    (or: .venv/bin/python bench/versus_kolibri.py [--rounds 2]
                                [--requests 1200] [--clients 10] [--cpus 0])

Kolibri is installed from PyPI once, into a venv of its own outside the checkout
($KOLIBRI_VENV, default ~/.cache/telecenter-bench/kolibri-venv), and provisioned on loopback in
a throwaway KOLIBRI_HOME (`kolibri manage provisiondevice --noinput`). Telecenter is this
checkout's `make run` on a throwaway instance: a first run (migrations, demo data) before the
rounds, so that every round is a second run, as Kolibri's are starts of an installed server.

Each round starts the server, times how long its sign-in page takes to answer 200, waits
--settle seconds and reads the PSS of the server's whole process tree (idle), has --clients
clients fetch the sign-in page --requests times (a new connection each time; requests per
second and p95), reads the PSS again (after traffic) and stops the server. Then the page
weight: the sign-in page and the styles, scripts, icons and pictures its HTML references, each
gzipped as a server would send it. The last lines are the ratios Telecenter / Kolibri of the
medians over the rounds. --cpus 0 pins both servers to that CPU (taskset), as on a one-core
PC. Not part of `make test`: it downloads Kolibri the first time.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import http.client
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.processes import pss_mib  # noqa: E402

KOLIBRI_VERSION = "0.19.5"
DEFAULT_KOLIBRI_VENV = Path.home() / ".cache" / "telecenter-bench" / "kolibri-venv"
ASSET = re.compile(
    r"<(?:link[^>]*\bhref|script[^>]*\bsrc|img[^>]*\bsrc)=\"(/[^\"#]+)\"", re.IGNORECASE
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def kolibri_venv() -> Path:
    """Kolibri's own venv, created and filled from PyPI the first time."""
    venv = Path(os.environ.get("KOLIBRI_VENV", DEFAULT_KOLIBRI_VENV))
    kolibri = venv / "bin" / "kolibri"
    if not kolibri.exists():
        print(f"installing Kolibri {KOLIBRI_VERSION} into {venv} (once)", flush=True)
        venv.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "pip"), "install", "-q"]
        subprocess.run([*pip, "--upgrade", "pip"], check=True)
        subprocess.run([*pip, f"kolibri=={KOLIBRI_VERSION}"], check=True)
    return venv


@dataclass
class Server:
    name: str
    command: list[str]
    env: dict[str, str]
    port: int
    #: Polled until it answers 200 (redirects followed), then fetched for the traffic.
    sign_in: str
    log: Path
    process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 300) -> float:
        """Seconds from starting the command to the sign-in page answering 200."""
        started = time.perf_counter()
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                self.command,
                env=self.env,
                cwd=REPO,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        while time.perf_counter() - started < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited; see {self.log}")
            try:
                # An http:// address on loopback, built here.
                with urllib.request.urlopen(self.base + self.sign_in, timeout=5) as answer:  # noqa: S310
                    if answer.status == 200:
                        self.sign_in = urllib.parse.urlsplit(answer.url).path
                        return time.perf_counter() - started
            except OSError:
                pass
            time.sleep(0.05)
        raise TimeoutError(f"{self.name} did not answer within {timeout} s")

    def pss(self) -> float:
        assert self.process is not None
        return pss_mib(self.process.pid)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        # Whatever the server left in its process group (make's children) goes too.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)


def telecenter(workdir: Path, pin: list[str]) -> Server:
    instance = workdir / "telecenter-instance"
    venv = REPO / ".venv"
    port = free_port()
    env = {
        **os.environ,
        "TELECENTER_INSTANCE": str(instance),
        "PORT": str(port),
        # This checkout's code, also where .venv is another checkout's (a worktree).
        "PYTHONPATH": str(REPO),
    }
    # `make run` as a person types it; the venv is installed already (make bench-kolibri).
    command = ["make", "-s", "-o", f"{venv}/.installed", "-o", f"{venv}/.installed-test", "run"]
    return Server("Telecenter", pin + command, env, port, "/sign-in", workdir / "telecenter.log")


def kolibri(workdir: Path, pin: list[str]) -> Server:
    venv = kolibri_venv()
    home = workdir / "kolibri-home"
    env = {**os.environ, "KOLIBRI_HOME": str(home)}
    env.pop("PYTHONPATH", None)
    binary = str(venv / "bin" / "kolibri")
    log = workdir / "kolibri.log"
    with open(log, "ab") as out:
        subprocess.run(
            [
                binary,
                "manage",
                "provisiondevice",
                "--facility",
                "Telecentro",
                "--superusername",
                "admin",
                "--superuserpassword",
                "bench-admin-2026",
                "--preset",
                "nonformal",
                "--language_id",
                "es-419",
                "--noinput",
            ],
            env=env,
            check=True,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    port, zip_port = free_port(), free_port()
    command = [binary, "start", "--foreground", "--port", str(port), "--zip-port", str(zip_port)]
    return Server("Kolibri", pin + command, env, port, "/", log)


def traffic(server: Server, requests: int, clients: int) -> tuple[float, float, int]:
    """Requests per second, p95 in ms and errors for `requests` fetches of the sign-in page."""
    left = [requests]
    lock = threading.Lock()
    timings: list[float] = []
    errors = [0]

    def client() -> None:
        while True:
            with lock:
                if left[0] == 0:
                    return
                left[0] -= 1
            started = time.perf_counter()
            try:
                connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
                connection.request("GET", server.sign_in)
                answer = connection.getresponse()
                answer.read()
                connection.close()
                failed = answer.status != 200
            except (OSError, http.client.HTTPException):
                failed = True
            with lock:
                timings.append(1000 * (time.perf_counter() - started))
                errors[0] += failed

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    ordered = sorted(timings)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return requests / elapsed, p95, errors[0]


def page_weight(server: Server) -> tuple[int, int, int]:
    """Bytes of the sign-in page with what its HTML references, gzipped (level 6) and raw,
    and how many files that is."""

    def fetch(path: str) -> bytes:
        with urllib.request.urlopen(server.base + path, timeout=30) as answer:  # noqa: S310
            return answer.read()

    page = fetch(server.sign_in)
    files = [page] + [fetch(path) for path in dict.fromkeys(ASSET.findall(page.decode()))]
    return sum(len(gzip.compress(f, 6)) for f in files), sum(len(f) for f in files), len(files)


@dataclass
class Figures:
    start: list[float] = field(default_factory=list)
    idle: list[float] = field(default_factory=list)
    after: list[float] = field(default_factory=list)
    rate: list[float] = field(default_factory=list)
    p95: list[float] = field(default_factory=list)
    errors: int = 0
    weight: tuple[int, int, int] = (0, 0, 0)


def one_round(server: Server, figures: Figures, args: argparse.Namespace) -> None:
    try:
        figures.start.append(server.start())
        time.sleep(args.settle)
        figures.idle.append(server.pss())
        rate, p95, errors = traffic(server, args.requests, args.clients)
        figures.rate.append(rate)
        figures.p95.append(p95)
        figures.errors += errors
        time.sleep(2)
        figures.after.append(server.pss())
        if figures.weight == (0, 0, 0):
            figures.weight = page_weight(server)
    finally:
        server.stop()
    print(
        f"  {server.name:<11} start {figures.start[-1]:5.2f} s   idle {figures.idle[-1]:6.1f} MiB"
        f"   {args.requests} requests: {figures.rate[-1]:6.1f}/s, p95 {figures.p95[-1]:6.0f} ms,"
        f" {errors} errors   after {figures.after[-1]:6.1f} MiB",
        flush=True,
    )


def venv_megabytes(venv: Path) -> float:
    out = subprocess.run(["du", "-sbL", str(venv)], capture_output=True, text=True).stdout
    return int(out.split()[0]) / 1e6 if out else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2, help="rounds A B (default 2)")
    parser.add_argument("--requests", type=int, default=1200, help="sign-in pages per round")
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--settle", type=float, default=10, help="seconds before idle memory")
    parser.add_argument("--cpus", default="", help="pin both servers to these CPUs (taskset)")
    args = parser.parse_args()
    pin = ["taskset", "-c", args.cpus] if args.cpus else []
    workdir = Path(tempfile.mkdtemp(prefix="versus-kolibri-"))
    ours, theirs = telecenter(workdir, pin), kolibri(workdir, pin)
    first = ours.start()
    ours.stop()
    print(f"Telecenter first `make run` (migrations, demo data): {first:.1f} s; logs in {workdir}")
    figures = {ours.name: Figures(), theirs.name: Figures()}
    for number in range(1, args.rounds + 1):
        print(f"round {number}", flush=True)
        for server in (ours, theirs):
            one_round(server, figures[server.name], args)
    a, b = figures[ours.name], figures[theirs.name]
    print(f"\n{'':<34}{'Telecenter':>14}{'Kolibri':>14}{'T / K':>9}")

    def line(label: str, x: float, y: float, unit: str = "", digits: int = 1) -> None:
        ratio = x / y if y else float("nan")
        print(f"{label:<34}{x:>12.{digits}f}{unit:>2}{y:>12.{digits}f}{unit:>2}{ratio:>9.2f}")

    median = statistics.median
    line("start to sign-in page 200 (s)", median(a.start), median(b.start), digits=2)
    line("idle PSS, process tree (MiB)", median(a.idle), median(b.idle))
    line(f"PSS after {args.requests} requests (MiB)", median(a.after), median(b.after))
    line(f"sign-in, {args.clients} clients (req/s)", median(a.rate), median(b.rate))
    line("sign-in p95 (ms)", median(a.p95), median(b.p95), digits=0)
    line("page + assets, gzip (KB)", a.weight[0] / 1000, b.weight[0] / 1000)
    line("page + assets, raw (KB)", a.weight[1] / 1000, b.weight[1] / 1000)
    line(
        "installed venv (MB)",
        venv_megabytes(REPO / ".venv"),
        venv_megabytes(kolibri_venv()),
        digits=0,
    )
    print(
        f"errors: Telecenter {a.errors}, Kolibri {b.errors}; files per page: "
        f"{a.weight[2]} / {b.weight[2]}; Telecenter's venv holds the test tools too"
    )


if __name__ == "__main__":
    main()

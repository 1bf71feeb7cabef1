"""Real server processes for end-to-end and browser tests: gunicorn on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

BIN = Path(sys.executable).parent


def listener(port: int = 0) -> socket.socket:
    """A listening socket on 127.0.0.1 (any free port by default), held by the caller, so
    that no other process can take the port between choosing it and serving on it."""
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen(128)
    return server


@dataclass
class LiveServer:
    """A migrated, seeded instance served by gunicorn with several workers."""

    instance: Path
    role: str = "site"
    database_url: str | None = None
    workers: int = 2
    extra_env: dict[str, str] = field(default_factory=dict)
    port: int = 0  # chosen when first started, then kept across restarts
    #: Put before gunicorn's command (the benchmarks' `taskset -c 0`: one core).
    command_prefix: list[str] = field(default_factory=list)
    process: subprocess.Popen | None = None
    log_path: Path | None = None
    server_socket: socket.socket | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "TELECENTER_INSTANCE": str(self.instance),
            "TELECENTER_ROLE": self.role,
            "SECRET_KEY": "live-test-secret-key",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:2000",
            "STRICT_WRITES": "1",
            **self.extra_env,
        }
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        return env

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(BIN / "telecenter"), *args],
            env=self.env(),
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def prepare(self, *, demo: bool = True) -> LiveServer:
        self.instance.mkdir(parents=True, exist_ok=True)
        self.cli("init", "--no-admin")
        if demo:
            self.cli("seed-demo", "--small")
        return self

    def start(self) -> LiveServer:
        """Serve on a socket this process opened and hands to gunicorn (no port race)."""
        repo = Path(__file__).resolve().parent.parent
        self.log_path = self.instance / "gunicorn.log"
        self.server_socket = listener(self.port)
        self.port = self.server_socket.getsockname()[1]
        fd = self.server_socket.fileno()
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [
                    *self.command_prefix,
                    str(BIN / "gunicorn"),
                    "--bind",
                    f"fd://{fd}",
                    "--workers",
                    str(self.workers),
                    "wsgi:app",
                ],
                cwd=repo,
                env=self.env(),
                stdout=log,
                stderr=log,
                start_new_session=True,
                pass_fds=(fd,),
            )
        self.wait_until_healthy()
        return self

    def wait_until_healthy(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process and self.process.poll() is not None:
                raise RuntimeError("gunicorn exited: " + self.log_path.read_text())
            try:
                if requests.get(self.url + "/healthz", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"{self.url} did not become healthy")

    def kill(self) -> None:
        """SIGKILL gunicorn and its workers at once, as a power cut would."""
        import signal

        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self._close_socket()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._close_socket()

    def _close_socket(self) -> None:
        """Connections are refused while the server is down, as with a real outage."""
        if self.server_socket is not None:
            self.server_socket.close()
            self.server_socket = None


def add_residents(session, count: int, *, given: str, today, pin_of) -> list[str]:
    """Register `count` women with DNIs 6000000N and the PIN `pin_of(N)`; their documents.
    For servers tests and benchmarks fill before they start (the caller commits)."""
    from telecenter.participants import resident_accounts, services

    documents = []
    for number in range(count):
        person = services.register(
            session,
            services.ParticipantData(
                given_names=f"{given}{number}",
                surnames="Prueba",
                sex="female",
                document_type="dni",
                document_number=f"6{number:07d}",
                birth_year=1990,
                district_ubigeo="220901",
            ),
            services.ConsentData(given=True),
            actor=None,
            today=today,
            confirm_not_duplicate=True,
        )
        resident_accounts.set_pin(session, person, pin_of(number), actor=None)
        documents.append(f"6{number:07d}")
    return documents

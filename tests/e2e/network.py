"""A central and one site on gunicorn, the site's clock fixed, and a trainer who types forms.

The site runs with its clock fixed by libfaketime (Debian package libfaketime, installed by
.ci/run): the clock starts at the given moment when the process starts and runs on; forked
workers keep their parent's clock. So the figures a test types in do not depend on the day the
suite runs.
"""

from __future__ import annotations

import contextlib
import glob
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from tests import pg
from tests.e2e.conftest import CSRF, staff_session
from tests.live import BIN, LiveServer

FAKETIME_LIBRARY = next(iter(sorted(glob.glob("/usr/lib/*/faketime/libfaketime.so.1"))), "")
TRAINER = ("capacitadora", "clave-de-prueba-1")


def fixed_clock(moment: str) -> dict[str, str]:
    """Environment that starts a process's clock at `moment` (UTC, "YYYY-MM-DD HH:MM:SS")."""
    assert FAKETIME_LIBRARY, "libfaketime is missing: apt-get install libfaketime"
    return {"LD_PRELOAD": FAKETIME_LIBRARY, "FAKETIME": f"@{moment}", "FAKETIME_DONT_RESET": "1"}


def sync(site: LiveServer) -> None:
    """One `telecenter sync` run at a site, as its scheduler would run it."""
    done = subprocess.run(
        [str(BIN / "telecenter"), "sync"],
        env=site.env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@dataclass
class Network:
    central: LiveServer
    site: LiveServer
    api_key: str

    def sync(self) -> None:
        sync(self.site)


@dataclass
class Sites:
    """A central and several sites, each site with a trainer account (TRAINER)."""

    central: LiveServer
    sites: dict[str, LiveServer]
    api_key: str


CENTRAL_ADMIN = ("coordinadora", "clave-de-central-1")


@contextlib.contextmanager
def network(tmp_path_factory, name: str, code: str, *, site_clock: str) -> Iterator[Network]:
    """Central (PostgreSQL) and a site (SQLite) that knows it, with a trainer account."""
    with sites(tmp_path_factory, name, {code: "San Martín"}, site_clock=site_clock) as net:
        yield Network(net.central, net.sites[code], net.api_key)


@contextlib.contextmanager
def sites(
    tmp_path_factory,
    name: str,
    regions: dict[str, str],
    *,
    site_clock: str,
    central_clock: str | None = None,
) -> Iterator[Sites]:
    """Central (PostgreSQL, with a central admin CENTRAL_ADMIN; its clock fixed too when
    `central_clock` is given) and one site (SQLite) per telecenter code in `regions`
    ({code: region}), each registered at central."""
    url = pg.create_database(f"telecenter_e2e_{name}")
    central = (
        LiveServer(
            instance=tmp_path_factory.mktemp(f"{name}-central"),
            role="central",
            database_url=url,
            extra_env=fixed_clock(central_clock) if central_clock else {},
        )
        .prepare(demo=False)
        .start()
    )
    started: dict[str, LiveServer] = {}
    try:
        _user(central, CENTRAL_ADMIN, "Coordinadora", "central_admin")
        api_key = _last_line(central.cli("central", "create-api-key", "--name", "prueba"))
        for code, region in regions.items():
            token = _last_line(
                central.cli("central", "add-telecenter", code, "--name", code, "--region", region)
            )
            site = LiveServer(
                instance=tmp_path_factory.mktemp(f"{name}-{code}"),
                extra_env={
                    **fixed_clock(site_clock),
                    "TELECENTER_CODE": code,
                    "CENTRAL_URL": central.url,
                    "SYNC_TOKEN": token,
                },
            ).prepare(demo=False)
            _user(site, TRAINER, "Capacitadora", "trainer")
            started[code] = site.start()
        yield Sites(central, started, api_key)
    finally:
        for site in started.values():
            site.stop()
        central.stop()
        pg.drop_database(url)


def _user(server: LiveServer, account: tuple[str, str], name: str, role: str) -> None:
    username, password = account
    server.cli(
        "create-user",
        "--username",
        username,
        "--name",
        name,
        "--role",
        role,
        "--password",
        password,
    )


def _last_line(done) -> str:
    return done.stdout.strip().splitlines()[-1]


class Trainer:
    """A signed-in browser session that posts forms with their CSRF token."""

    def __init__(self, site: LiveServer):
        self.url = site.url
        self.http = staff_session(site, *TRAINER)
        self.token = CSRF.search(
            self.http.get(self.url + "/participants/new", timeout=10).text
        ).group(1)

    def post(self, path: str, data: dict) -> str:
        """Post a form; return where the site sent the browser (a form error fails here)."""
        answer = self.http.post(
            self.url + path,
            data={"csrf_token": self.token, **data},
            allow_redirects=False,
            timeout=20,
        )
        assert answer.status_code == 302, (path, answer.status_code, answer.text[:2000])
        return answer.headers["Location"]


def created_id(location: str) -> int:
    """The id in the address the site redirected to after creating something."""
    return int(re.search(r"/(\d+)(?:/|$)", location).group(1))


def register(trainer: Trainer, given: str, surname: str, sex: str, birth: date) -> int:
    """A person registered on the full form, with consent; her id."""
    return created_id(
        trainer.post(
            "/participants/new",
            {
                "given_names": given,
                "surnames": surname,
                "sex": sex,
                "birth_date": birth.isoformat(),
                "document_type": "none",
                "document_number": "",
                "district_ubigeo": "220901",
                "community": "Pucayacu",
                "consent": "y",
            },
        )
    )

"""Demo data for trying the system: `telecenter seed-demo`. Idempotent.

The demo passwords are public (README); `make run` is for trying, not for production.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from telecenter.auth import services as accounts
from telecenter.auth.roles import ADMIN, CENTRAL_ADMIN, CENTRAL_STAFF, RESIDENT, TRAINER


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    display_name: str
    role: str


SITE_ACCOUNTS = (
    DemoAccount("admin", "demo-admin-2026", "Rosa Admin Demo", ADMIN),
    DemoAccount("capacitador", "demo-capacitador-2026", "Julio Capacitador Demo", TRAINER),
    DemoAccount("residente", "demo-residente-2026", "María Residente Demo", RESIDENT),
)
CENTRAL_ACCOUNTS = (
    DemoAccount("central", "demo-central-2026", "Ana Central Demo", CENTRAL_ADMIN),
    DemoAccount("oficina", "demo-oficina-2026", "Luis Oficina Demo", CENTRAL_STAFF),
)


def demo_accounts(server_role: str) -> tuple[DemoAccount, ...]:
    return CENTRAL_ACCOUNTS if server_role == "central" else SITE_ACCOUNTS


def seed_demo(session: Session, *, server_role: str) -> tuple[DemoAccount, ...]:
    """Create the demo accounts that are missing; return all of them."""
    wanted = demo_accounts(server_role)
    for account in wanted:
        if accounts.find_user(session, account.username) is None:
            accounts.create_user(session, username=account.username, password=account.password,
                                 display_name=account.display_name, role=account.role)
    return wanted

"""A link is shown exactly when its page would open: the menu and the home tiles of every role
on both servers, against what each page answers that person (templates use can_open)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import sign_in

SITE_PAGES = [
    "/courses/",
    "/sessions/",
    "/participants/",
    "/programme/",
    "/admin/accounts/",
    "/admin/audit/",
    "/admin/sync/",
    "/admin/backups/",
]
CENTRAL_PAGES = ["/central/", "/central/telecenters", "/central/targets", "/admin/accounts/"]


def _links(html: str) -> set[str]:
    return set(re.findall(r'href="(/[^"?#]*)', html))


def _check(client, role: str, pages: list[str]) -> None:
    home = client.get("/home")
    assert home.status_code == 200
    shown = _links(home.get_data(as_text=True))
    for path in pages:
        opens = client.get(path).status_code == 200
        assert (path in shown) == opens, f"{role}: {path} shown={path in shown} opens={opens}"


@pytest.mark.parametrize("role", ["resident", "trainer", "admin"])
def test_site_menu_and_tiles_show_exactly_the_pages_that_open(signed_in, role):
    _check(signed_in(role), role, SITE_PAGES)


@pytest.mark.parametrize("role", ["central_staff", "central_admin"])
def test_central_menu_shows_exactly_the_pages_that_open(make_app, make_user, role):
    client = make_app("central").test_client()
    username, password = make_user(role)
    assert sign_in(client, username, password).status_code == 302
    _check(client, role, CENTRAL_PAGES)

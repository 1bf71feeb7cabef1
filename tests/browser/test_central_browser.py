"""A central office staff member filters by region, sees the chart and the table, and
downloads a CSV whose numbers match the API."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from telecenter.demo import CENTRAL_ACCOUNTS
from tests.live import LiveServer

STAFF = next(account for account in CENTRAL_ACCOUNTS if account.role == "central_staff")


@pytest.fixture(scope="module")
def live_central(tmp_path_factory):
    server = LiveServer(instance=tmp_path_factory.mktemp("central-browser"), role="central")
    server.prepare().start()
    yield server
    server.stop()


def test_staff_filters_by_region_and_downloads_matching_csv(page, live_central):
    page.goto(live_central.url + "/sign-in")
    page.get_by_label("Usuario").fill(STAFF.username)
    page.get_by_label("Contraseña").fill(STAFF.password)
    page.get_by_role("button", name="Ingresar").click()
    page.get_by_role("link", name="Ver la participación").click()
    expect(page.locator("svg.chart").first).to_be_visible()

    page.get_by_label("Región", exact=True).select_option("Huánuco")
    page.get_by_role("button", name="Ver", exact=True).click()
    expect(page.get_by_text("cuenta en ambos", exact=False)).to_be_visible()
    table = page.locator("section[data-breakdown=telecenter] tbody tr")
    expect(table).to_have_count(2)  # the two telecenters of Huánuco
    expect(page.locator("svg.chart title", has_text="Asistencias por mes")).to_have_count(1)

    with page.expect_download() as download_info:
        page.locator("section[data-breakdown=telecenter]").get_by_role(
            "link", name="Descargar CSV"
        ).click()
    text = Path(download_info.value.path()).read_text(encoding="utf-8-sig")  # BOM: for Excel
    lines = list(csv.reader(io.StringIO(text, newline="")))
    header = lines[0]  # the dashboard's words; what the figures cover follows an empty line
    downloaded = [dict(zip(header, line, strict=True)) for line in lines[1 : lines.index([])]]
    query = page.url.split("?", 1)[1]
    api = page.request.get(
        f"{live_central.url}/api/v1/participation?{query}&group_by=telecenter"
    ).json()
    assert [r["Telecentro"] for r in downloaded] == [r["telecenter"] for r in api["rows"]]
    for from_file, from_api in zip(downloaded, api["rows"], strict=True):
        assert int(from_file["Asistencias"]) == from_api["attendances"]
        assert int(from_file["Personas alcanzadas"]) == from_api["reached"]
    shown = [
        int(cell.inner_text())
        for cell in page.locator(
            "section[data-breakdown=telecenter] td[data-measure=attendances]"
        ).all()
    ]
    assert shown == [r["attendances"] for r in api["rows"]]

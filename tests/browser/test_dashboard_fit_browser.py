"""Central's dashboard fits a 1366x768 laptop and a 390 px phone (issue 20): the headline
figures without scrolling, every table inside its box or scrolling in a labelled region of
its own, chart text of at least 12 px as drawn, and no sideways scroll of the page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from telecenter.demo import CENTRAL_ACCOUNTS
from tests.live import LiveServer

STAFF = next(account for account in CENTRAL_ACCOUNTS if account.role == "central_staff")
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}

#: Each table's box: whether the table overflows it, and whether the box is a labelled,
#: focusable region that scrolls sideways (the only way a wide table may be shown).
TABLE_BOXES = """() => [...document.querySelectorAll("main table")].map((table) => {
  const box = table.parentElement;
  const label = document.getElementById(box.getAttribute("aria-labelledby") || "");
  return {
    overflows: box.scrollWidth > box.clientWidth + 1,
    scrolls: ["auto", "scroll"].includes(getComputedStyle(box).overflowX),
    region: box.getAttribute("role") === "region" && box.getAttribute("tabindex") === "0"
      && !!label && label.textContent.trim().length > 0,
    inside_main: box.getBoundingClientRect().right
      <= document.querySelector("main").getBoundingClientRect().right + 1,
  };
})"""

#: Every chart text as drawn: computed font size times the SVG's scale on screen, and the
#: height of its box (texts hidden on purpose, such as minor month names, are skipped).
CHART_TEXTS = """() => [...document.querySelectorAll("svg.chart text")]
  .filter((text) => text.getClientRects().length > 0)
  .map((text) => ({
    text: text.textContent,
    size: parseFloat(getComputedStyle(text).fontSize) * text.ownerSVGElement.getScreenCTM().a,
    height: text.getBoundingClientRect().height,
  }))"""

SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture(scope="module")
def live_central(tmp_path_factory):
    server = LiveServer(instance=tmp_path_factory.mktemp("dashboard-fit"), role="central")
    server.prepare().start()
    yield server
    server.stop()


def _dashboard(browser, live_central, viewport):
    context = browser.new_context(locale="es-PE", viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(live_central.url + "/sign-in")
    page.get_by_label("Usuario").fill(STAFF.username)
    page.get_by_label("Contraseña").fill(STAFF.password)
    page.get_by_label("Contraseña").press("Enter")
    page.wait_for_url("**/home")
    page.goto(live_central.url + "/central/")
    return context, page


def _open_each_breakdown(page):
    """Yields after opening each breakdown table in turn (one is open at a time)."""
    summaries = page.locator(".breakdown-panel > summary")
    assert summaries.count() == 6
    for index in range(summaries.count()):
        panel = page.locator(".breakdown-panel").nth(index)
        if panel.get_attribute("open") is None:
            summaries.nth(index).click()
        expect(panel.locator("table")).to_be_visible()
        yield panel


def _assert_tables_fit(page, *, must_fit: bool):
    for box in page.evaluate(TABLE_BOXES):
        assert box["region"], box  # labelled and reachable by keyboard, wide or not
        assert box["inside_main"], box
        if must_fit:
            assert not box["overflows"], box
        else:
            assert box["scrolls"] or not box["overflows"], box


def test_laptop_shows_the_headline_first_and_every_table_fits(browser, live_central):
    context, page = _dashboard(browser, live_central, LAPTOP)
    try:
        assert page.evaluate("() => window.scrollY") == 0
        headline = page.locator("section[aria-labelledby=headline] ul.headline")
        box = headline.bounding_box()
        assert box is not None
        assert box["y"] >= 0
        assert box["y"] + box["height"] <= LAPTOP["height"], box
        expect(page.locator("li[data-measure=hours]")).to_contain_text("Horas de participación")

        texts = page.evaluate(CHART_TEXTS)
        assert len(texts) > 10  # titles, names, values and scale of the three charts
        for text in texts:
            assert text["size"] >= 12, text
            assert text["height"] >= 12, text

        _assert_tables_fit(page, must_fit=True)
        for _panel in _open_each_breakdown(page):
            _assert_tables_fit(page, must_fit=True)
            assert page.evaluate(SIDEWAYS) <= 0
    finally:
        context.close()


def test_phone_scrolls_tables_inside_their_regions_never_the_page(browser, live_central):
    context, page = _dashboard(browser, live_central, PHONE)
    try:
        filters = page.locator("details.filters")
        expect(filters).not_to_have_attribute("open", "")  # folded: the figures come first
        expect(filters.locator("summary")).to_contain_text("toda la red")
        assert page.evaluate(SIDEWAYS) <= 0
        for text in page.evaluate(CHART_TEXTS):
            assert text["size"] >= 12, text

        widest = 0
        for panel in _open_each_breakdown(page):
            _assert_tables_fit(page, must_fit=False)
            assert page.evaluate(SIDEWAYS) <= 0
            region = panel.locator("[role=region]")
            widest = max(widest, region.evaluate("(box) => box.scrollWidth - box.clientWidth"))
        assert widest > 0  # the ten columns do not fit a phone: they scroll in their region

        filters.locator("summary").click()
        expect(page.get_by_label("Región", exact=True)).to_be_visible()
        assert page.evaluate(SIDEWAYS) <= 0
    finally:
        context.close()

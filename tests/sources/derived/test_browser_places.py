"""In headless Chromium, at desktop and phone width: Alice's places page, the detection settings
with their preview, a day of stays and trips worked out from her points, and her places on the map."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.sources.derived.test_places_pages import _week

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 390])
def test_alice_reads_her_places_settings_and_day(alice, chromium, live_url, sign_in, tmp_path, width):
    _week(alice)
    context = chromium.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" and "Failed to load resource" not in message.text else None)
    sign_in(page, alice)

    page.goto(f"{live_url}/lake/places/")
    expect(page.locator("table.places tbody tr")).to_have_count(2)
    expect(page.locator("table.places")).to_contain_text("Home")
    page.fill("table.places tbody tr:first-child input[name=name]", "Flat")
    page.click("table.places tbody tr:first-child button:text('Save')")
    expect(page.locator("table.places")).to_contain_text("Flat")
    page.screenshot(path=str(tmp_path / f"places-{width}.png"), full_page=True)

    page.goto(f"{live_url}/lake/places/settings/")
    expect(page.locator("main")).to_contain_text("3 stays and 2 trips")
    page.screenshot(path=str(tmp_path / f"settings-{width}.png"), full_page=True)

    page.goto(f"{live_url}/lake/day/{dt.date(2024, 3, 13).isoformat()}/")
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("worked out from your points")
    expect(timeline).to_contain_text("Flat")
    expect(timeline).to_contain_text("(+1 day)")
    page.screenshot(path=str(tmp_path / f"day-{width}.png"), full_page=True)

    page.goto(f"{live_url}/lake/map/")
    expect(page.locator("#map path.source-marker-significant_places")).to_have_count(2, timeout=15000)
    page.screenshot(path=str(tmp_path / f"map-{width}.png"))
    context.close()
    assert errors == []

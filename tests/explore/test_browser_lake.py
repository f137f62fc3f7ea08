"""In headless Chromium: Alice signs in, sees her points on the map, her day's
visits, finds a place and downloads an export; Bob, signed in next, sees none of it."""

import json
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_alice_explores_her_lake_and_bob_sees_none_of_it(lake_people, page, chromium, live_url, sign_in, tmp_path):
    sign_in(page, lake_people.alice)
    assert page.locator("#contents").inner_text().count("Café") == 0  # counts, not content, on the overview
    assert "60" in page.locator("#contents").inner_text()
    page.screenshot(path=str(tmp_path / "home.png"), full_page=True)

    page.goto(f"{live_url}/lake/map/")
    # The first answer frames the data, which asks again for the new viewport
    # (the status reads "Loading…" in between), so wait for the settled text.
    expect(page.locator("#map-status")).to_have_text(re.compile(r"^60 points in view"), timeout=15000)
    assert int(page.locator("#map").get_attribute("data-features")) > 0
    # Points are drawn on Leaflet's canvas renderer.
    assert page.locator("#map canvas").count() >= 1
    page.screenshot(path=str(tmp_path / "map.png"))

    page.goto(f"{live_url}/lake/day/2024-05-14/")
    timeline = page.locator("#timeline").inner_text()
    assert "Café de Flore" in timeline and "09:00–11:00" in timeline
    page.wait_for_selector("#day-map .leaflet-overlay-pane canvas, #day-map .leaflet-overlay-pane svg")
    page.screenshot(path=str(tmp_path / "day.png"), full_page=True)

    page.goto(f"{live_url}/lake/search/")
    page.fill("#id_q", "Bûcherie")
    page.click("form[role=search] button[type=submit]")
    page.wait_for_selector("#results")
    page.screenshot(path=str(tmp_path / "search.png"), full_page=True)
    page.click("#results a")
    page.wait_for_url(re.compile(r".*/lake/day/2024-05-15/$"))
    assert "Shakespeare and Company" in page.locator("#timeline").inner_text()

    page.goto(f"{live_url}/lake/stats/")
    assert "Café de Flore" in page.locator("#top-places").inner_text()
    # Chart.js sized its canvas: the script ran under the CSP.
    expect(page.locator("#chart-distance")).to_have_attribute("style", re.compile("width"))
    page.screenshot(path=str(tmp_path / "stats.png"), full_page=True)

    page.goto(f"{live_url}/lake/delete/")
    page.screenshot(path=str(tmp_path / "delete.png"), full_page=True)

    page.goto(f"{live_url}/lake/export/")
    page.screenshot(path=str(tmp_path / "export.png"), full_page=True)
    page.select_option("#id_format", "ndjson")
    with page.expect_download() as info:
        page.click("#export-form button[type=submit]")
    saved = tmp_path / "export.ndjson"
    info.value.save_as(saved)
    lines = saved.read_text().splitlines()
    assert len(lines) == 64 and "Café de Flore" in saved.read_text()

    bob_context = chromium.new_context(viewport={"width": 1280, "height": 860})
    try:
        bob = bob_context.new_page()
        sign_in(bob, lake_people.bob)
        paris = "2.2,48.8,2.5,48.95"
        data = json.loads(bob.goto(f"{live_url}/lake/map/data?bbox={paris}&zoom=16").text())
        assert data["features"] == []
        bob.goto(f"{live_url}/lake/day/2024-05-14/")
        assert "Café" not in bob.content() and "Brandenburger Tor Kiosk" in bob.content()
        bob.goto(f"{live_url}/lake/search/?q=flore")
        assert "0 results" in bob.locator("main").inner_text()
        with bob.expect_download() as info:
            bob.goto(f"{live_url}/lake/export/")
            bob.select_option("#id_format", "ndjson")
            bob.click("#export-form button[type=submit]")
        bobs = tmp_path / "bob.ndjson"
        info.value.save_as(bobs)
        assert "Café" not in bobs.read_text() and len(bobs.read_text().splitlines()) == 64
    finally:
        bob_context.close()

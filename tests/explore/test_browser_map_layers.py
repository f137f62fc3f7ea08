"""In headless Chromium: the map draws Alice's saved places as a layer of their own, listed in the
layers control and the legend, titles as text; clicking one opens the day it was saved."""

import re

import pytest
from playwright.sync_api import expect

from tests.explore.test_map_layers import ALICES, BOBS, add_saved_places

pytestmark = pytest.mark.browser
MARKERS = "#map path.source-marker-saved_places"


@pytest.fixture
def with_places(lake_people):
    add_saved_places(lake_people.alice.pk, ALICES)
    add_saved_places(lake_people.bob.pk, BOBS)
    return lake_people


def open_map(page, live_url):
    page.goto(f"{live_url}/lake/map/")
    expect(page.locator("#map-status")).to_contain_text("points in view", timeout=15000)
    expect(page.locator(MARKERS)).to_have_count(len(ALICES), timeout=15000)


def test_the_map_draws_her_saved_places_and_a_click_opens_the_day(with_places, page, live_url, sign_in,
                                                                   tmp_path):
    # Script errors and CSP refusals; the map tiles' origin is not reachable from the tests.
    errors = []
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" and "Failed to load resource" not in message.text else None)
    sign_in(page, with_places.alice)
    open_map(page, live_url)

    control = page.locator(".leaflet-control-layers").inner_text()
    assert "Saved places" in control and "Location history" in control
    assert page.locator(".leaflet-control-layers input[type=checkbox]:checked").count() == 2
    legend = page.locator("#map-legend").inner_text()
    assert "Saved places (3)" in legend and "Click a marker or a line to open its day." in legend
    # The first answer frames the data and asks again for the new viewport: wait for that one.
    expect(page.locator("#map-status")).to_contain_text("60 points in view", timeout=15000)
    assert page.locator("#map img[src='x']").count() == 0  # a hostile title stays text
    page.screenshot(path=str(tmp_path / "map-1280.png"))

    eiffel = page.locator(MARKERS).nth(_index_of(page, "Tour Eiffel"))
    eiffel.hover()
    expect(page.locator(".leaflet-tooltip")).to_contain_text("Tour Eiffel")
    expect(page.locator(".leaflet-tooltip")).to_contain_text("Click to open 2024-05-14")
    page.screenshot(path=str(tmp_path / "map-tooltip.png"))

    # Turning the layer off in the control removes its markers.
    page.locator(".leaflet-control-layers label", has_text="Saved places").locator("input").uncheck()
    expect(page.locator(MARKERS)).to_have_count(0)
    page.locator(".leaflet-control-layers label", has_text="Saved places").locator("input").check()
    expect(page.locator(MARKERS)).to_have_count(len(ALICES))

    # A refused request reads as the form's sentence, not as its JSON.
    page.fill("#f-start", "2024-06-01")
    page.fill("#f-end", "2024-05-01")
    page.click("#map-filters button[type=submit]")
    expect(page.locator("#map-status")).to_contain_text(
        "Could not load the map data: The end date is before the start date.")
    assert "{" not in page.locator("#map-status").inner_text()
    expect(page.locator("#map-status")).to_have_class(re.compile("error"))
    page.screenshot(path=str(tmp_path / "map-refused.png"))

    page.locator(MARKERS).nth(_index_of(page, "Tour Eiffel")).click()
    page.wait_for_url(re.compile(r".*/lake/day/2024-05-14/$"))
    assert "Tour Eiffel" in page.locator("#timeline").inner_text()
    assert errors == []


def test_on_a_phone_the_control_folds_and_the_markers_still_show(with_places, chromium, live_url, sign_in,
                                                                 tmp_path):
    context = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        phone = context.new_page()
        sign_in(phone, with_places.alice)
        open_map(phone, live_url)
        assert phone.locator(".leaflet-control-layers-expanded").count() == 0
        assert "Saved places (3)" in phone.locator("#map-legend").inner_text()
        phone.screenshot(path=str(tmp_path / "map-390.png"), full_page=True)
    finally:
        context.close()


def test_layers_that_cannot_load_are_a_sentence_and_the_points_still_draw(with_places, page, live_url, sign_in,
                                                                          tmp_path):
    sign_in(page, with_places.alice)
    page.route("**/lake/map/layers", lambda route: route.fulfill(status=503, body="<h1>Down</h1>"))
    page.goto(f"{live_url}/lake/map/")
    expect(page.locator("#map-status")).to_contain_text(
        "Could not load the saved places and other layers: The server answered 503.", timeout=15000)
    expect(page.locator("#map-status")).to_contain_text("points in view")
    expect(page.locator("#map-status")).to_have_class(re.compile("warn"))
    assert page.locator(MARKERS).count() == 0
    # The legend still explains the points, and names no layer it could not load.
    legend = page.locator("#map-legend").inner_text()
    assert "Location history" in legend and "Saved places" not in legend
    page.screenshot(path=str(tmp_path / "map-no-layers.png"))


def test_bob_sees_his_saved_place_not_hers(with_places, page, live_url, sign_in):
    sign_in(page, with_places.bob)
    page.goto(f"{live_url}/lake/map/")
    expect(page.locator(MARKERS)).to_have_count(len(BOBS), timeout=15000)
    assert "Saved places (1)" in page.locator("#map-legend").inner_text()


def _index_of(page, title: str) -> int:
    """Which marker is the place of `title`: markers are drawn in the layer's order, as the endpoint sends."""
    titles = [marker[2] for marker in page.evaluate(
        "fetch('/lake/map/layers').then(r => r.json()).then(b => b.layers[0].markers)")]
    return titles.index(title)

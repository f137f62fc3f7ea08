"""In headless Chromium: with the tile server unreachable or unset, the map and the day page paint the
offline base (Natural Earth countries, served by the lake itself) under the data and say so in a
sentence; the sources' lines (trips) draw over it and a click opens their day."""

import json
import re

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from console.signin import PREFIX
from core.testing import running_console

pytestmark = pytest.mark.browser
COUNTRIES = "#map .leaflet-offlineBase-pane path"


def _console(child_env, tile_url):
    cache.delete_pattern(f"{PREFIX}*")
    return running_console(dict(child_env, WHITENOISE_USE_FINDERS="true", DEBUG="false", MAP_TILE_URL=tile_url))


@pytest.fixture
def unreachable_tiles(lake_people, committed, child_env):
    # Port 9 (discard) on loopback refuses at once: a tile server that is down.
    with _console(child_env, "http://127.0.0.1:9/{z}/{x}/{y}.png") as (url, _):
        yield url


@pytest.fixture
def no_tiles(lake_people, committed, child_env):
    with _console(child_env, "") as (url, _):
        yield url


def _sign_in(page, url, user):
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", f"{user.username}-pass-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")


def _painted(page, selector) -> int:
    """How many of the paths are drawn: more than Leaflet's "M0 0" for a shape out of view."""
    return page.evaluate("s => [...document.querySelectorAll(s)].filter(p => (p.getAttribute('d') || '')"
                         ".length > 8).length", selector)


def test_with_the_tiles_unreachable_the_map_paints_the_countries_under_her_points(
        unreachable_tiles, lake_people, page, tmp_path):
    errors = []
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" and "Failed to load resource" not in message.text else None)
    _sign_in(page, unreachable_tiles, lake_people.alice)
    page.goto(f"{unreachable_tiles}/lake/map/")
    status = page.locator("#map-status")
    expect(status).to_contain_text("The map tiles could not be reached: showing the offline map of countries.",
                                   timeout=15000)
    expect(status).to_contain_text("points in view", timeout=15000)
    # Natural Earth 1:50m has 241 countries; each is one SVG path with real outline data.
    expect(page.locator("#map")).to_have_attribute("data-offline-base", "241")
    assert page.locator(COUNTRIES).count() >= 200
    # Leaflet leaves the countries outside the view as "M0 0"; those in it have real outlines.
    assert _painted(page, COUNTRIES) >= 1
    # Out to the whole world: most countries are in view and outlined.
    zoom_out = page.locator(".leaflet-control-zoom-out")
    while "leaflet-disabled" not in (zoom_out.get_attribute("class") or ""):
        zoom_out.click()
        page.wait_for_timeout(300)  # a click during the zoom animation is ignored
    page.wait_for_function("s => [...document.querySelectorAll(s)].filter(p => p.getAttribute('d').length > 40)"
                           ".length >= 150", arg=COUNTRIES)
    # Her points still draw, above the base, on the points' canvas.
    assert page.locator("#map canvas").count() >= 1
    assert "Natural Earth" in page.locator(".leaflet-control-attribution").inner_text()
    assert page.locator("#map.map-offline").count() == 1
    page.screenshot(path=str(tmp_path / "offline-1280.png"))
    assert errors == []


def test_on_a_phone_the_offline_map_paints_too(unreachable_tiles, lake_people, chromium, tmp_path):
    context = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        phone = context.new_page()
        _sign_in(phone, unreachable_tiles, lake_people.alice)
        phone.goto(f"{unreachable_tiles}/lake/map/")
        expect(phone.locator("#map")).to_have_attribute("data-offline-base", "241", timeout=15000)
        expect(phone.locator("#map-status")).to_contain_text("points in view", timeout=15000)
        phone.screenshot(path=str(tmp_path / "offline-390.png"), full_page=True)
    finally:
        context.close()


def test_with_no_tile_server_configured_the_map_and_the_day_use_the_offline_base(no_tiles, lake_people, page,
                                                                                  tmp_path):
    _sign_in(page, no_tiles, lake_people.alice)
    page.goto(f"{no_tiles}/lake/map/")
    expect(page.locator("#map-status")).to_contain_text(
        "No tile server is configured: showing the offline map of countries.", timeout=15000)
    expect(page.locator("#map")).to_have_attribute("data-offline-base", "241")
    assert page.locator("#map .leaflet-tile-pane img").count() == 0  # nothing asked of a tile server
    # With no layer of any source, the legend still says how the points are drawn.
    expect(page.locator("#map-legend")).to_contain_text("Location history")
    expect(page.locator("#map-legend")).to_contain_text("bigger circle, more points")
    page.screenshot(path=str(tmp_path / "offline-map-legend.png"))

    page.goto(f"{no_tiles}/lake/day/")
    expect(page.locator("#day-map")).to_have_attribute("data-offline-base", "241", timeout=15000)
    assert _painted(page, "#day-map .leaflet-offlineBase-pane path") >= 1
    page.screenshot(path=str(tmp_path / "offline-day.png"))


TRIPS = {"layers": [{
    "name": "trips", "label": "Trips", "truncated": False, "max_markers": 2000,
    "markers": [[48.8566, 2.3522, "Stay: <b>Paris</b>", "2024-05-14"]],
    "lines": [[[[48.8566, 2.3522], [49.2, 3.0], [50.8503, 4.3517]], "Train to Brussels <i>", "2024-05-14"],
              [[[50.8503, 4.3517], [51.2, 4.4]], "A line without a day", None]],
}]}


def test_a_layers_lines_draw_over_the_offline_base_and_a_click_opens_their_day(no_tiles, lake_people, page,
                                                                               tmp_path):
    _sign_in(page, no_tiles, lake_people.alice)
    page.route("**/lake/map/layers", lambda route: route.fulfill(
        status=200, content_type="application/json", body=json.dumps(TRIPS)))
    page.goto(f"{no_tiles}/lake/map/")
    lines = page.locator("#map path.source-line-trips")
    expect(lines).to_have_count(2, timeout=15000)
    legend = page.locator("#map-legend").inner_text()
    assert "Trips (3)" in legend and "Click a marker or a line to open its day." in legend
    assert page.locator("#map b, #map i").count() == 0  # labels stay text
    page.screenshot(path=str(tmp_path / "lines-1280.png"))
    # The SVG lets the mouse through off the strokes: aim at a point on the line itself.
    x, y = page.evaluate("""() => {
        const path = document.querySelector('#map path.source-line-trips');
        const at = path.getPointAtLength(path.getTotalLength() / 4);
        const m = path.getScreenCTM();
        return [at.x * m.a + at.y * m.c + m.e, at.x * m.b + at.y * m.d + m.f];
    }""")
    page.mouse.move(x, y)
    expect(page.locator(".leaflet-tooltip")).to_contain_text("Train to Brussels <i>")
    page.mouse.click(x, y)
    page.wait_for_url(re.compile(r".*/lake/day/2024-05-14/$"))


def _import(user, path):
    from imports.actions import create_run  # noqa: PLC0415 - the pipeline, for this one test's data
    from imports.models import ImportRun  # noqa: PLC0415
    from imports.pipeline import process_run  # noqa: PLC0415
    from tests.imports.conftest import raw_file  # noqa: PLC0415

    run = create_run(user, [raw_file(path)], source=ImportRun.Source.COMMAND, enqueue=False)
    process_run(run.pk)


def test_her_photos_layer_draws_over_the_offline_base(no_tiles, lake_people, page, tmp_path):
    from tests.imports.conftest import make_zip  # noqa: PLC0415
    from tests.sources.photos.test_import import EIFFEL, PHOTO, YEAR  # noqa: PLC0415

    _import(lake_people.alice, make_zip(tmp_path / "photos.zip", {f"{YEAR}/IMG_1.JPG.json": EIFFEL,
                                                                   f"{YEAR}/IMG_1.JPG": PHOTO}))
    _sign_in(page, no_tiles, lake_people.alice)
    page.goto(f"{no_tiles}/lake/map/")
    expect(page.locator("#map path.source-marker-photos")).to_have_count(1, timeout=15000)
    expect(page.locator("#map")).to_have_attribute("data-offline-base", "241")
    assert "Photos (1)" in page.locator("#map-legend").inner_text()
    page.screenshot(path=str(tmp_path / "photos-offline.png"))


TOKYO_DAY = "2024-05-20"


def _add_tokyo(user_id, n=12):
    import datetime as dt  # noqa: PLC0415

    from django.db import connections  # noqa: PLC0415

    start = dt.datetime(2024, 5, 20, 1, tzinfo=dt.UTC)
    rows = [(user_id, start + dt.timedelta(minutes=10 * i), 356762000 + i * 500, 1396503000 + i * 500)
            for i in range(n)]
    with connections["owner"].cursor() as cursor:
        cursor.executemany(
            "INSERT INTO timeseries.location_point (user_id, recorded_at, lat_e7, lng_e7, source, platform, "
            "activity_type, product) VALUES (%s, %s, %s, %s, 'GPS', '', '', 'location.records')", rows)
    return n


def test_the_first_view_frames_all_her_data_and_a_filter_reframes_on_what_it_keeps(no_tiles, lake_people, page,
                                                                                 tmp_path):
    tokyo = _add_tokyo(lake_people.alice.pk)
    _sign_in(page, no_tiles, lake_people.alice)
    page.goto(f"{no_tiles}/lake/map/")
    status = page.locator("#map-status")
    # Paris and Tokyo both in the first frame: every one of her points is in view.
    expect(status).to_contain_text(f"{60 + tokyo} points in view", timeout=15000)

    page.fill("#f-start", "2024-05-14")
    page.fill("#f-end", "2024-05-14")
    page.click("#map-filters button[type=submit]")
    expect(status).to_contain_text("30 points in view", timeout=15000)  # framed on that Paris day

    # Tokyo's day lies outside the Paris view: the filter moves the view there.
    page.fill("#f-start", TOKYO_DAY)
    page.fill("#f-end", TOKYO_DAY)
    page.click("#map-filters button[type=submit]")
    expect(status).to_contain_text(f"{tokyo} points in view", timeout=15000)
    assert "No points in this view" not in status.inner_text()
    page.screenshot(path=str(tmp_path / "reframed-tokyo.png"))

"""In headless Chromium: a photo's own page, opened from its day and from the map's photo layer,
shows what its own sidecar says, its albums and where each copy of its file sits; Bob gets a 404."""

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from tests.imports.conftest import make_zip
from tests.sources.photos.test_import import BEACH, PART_1, PART_2, TRIP, YEAR

pytestmark = pytest.mark.browser
PHOTO_PAGE = f"/lake/item/photos/{quote(f'{YEAR}/IMG_1.JPG.json')}"


@pytest.fixture
def photos(import_files, alice, tmp_path):
    run = import_files(make_zip(tmp_path / "takeout-20240101T000000Z-001.zip", PART_1),
                       make_zip(tmp_path / "takeout-20240101T000000Z-002.zip", PART_2))
    assert run.status == "succeeded"
    return run


def script_errors(page) -> list:
    errors = []
    # The map tiles' origin is not reachable from the tests.
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" and "Failed to load resource" not in message.text else None)
    return errors


def test_the_day_links_a_photo_to_its_page_which_shows_its_metadata_albums_and_files(
        photos, alice, page, live_url, sign_in, tmp_path):
    errors = script_errors(page)
    sign_in(page, alice)
    page.goto(f"{live_url}/lake/day/2023-10-06/")
    page.locator("#timeline a.event-title", has_text="IMG_1.JPG").click()
    page.wait_for_url(re.compile(r".*/lake/item/photos/Takeout/.*IMG_1\.JPG\.json$"))

    expect(page.locator("h1")).to_have_text("IMG_1.JPG")
    facts = page.locator(".facts").inner_text()
    for text in ("Eiffel tower at dawn", "6 Oct 2023, 06:38:51 UTC", "48.858374, 2.291901", "66 m", "Ann",
                 "La plage, Trip", "★ Favourite", "Android phone", f"{YEAR}/IMG_1.JPG.json"):
        assert text in facts, text
    files = [cell.inner_text().split("\n")[0] for cell in page.locator(".item-files td:first-child").all()]
    rows = [row.inner_text() for row in page.locator(".item-files tbody tr").all()]
    # The year folder's file in part 2, the Plage copy (no sidecar of its own, the same bytes), the Trip
    # album's in part 1; not the numbered IMG_1(1).JPG nor the edited copy: they are other photos.
    assert files == [f"{YEAR}/IMG_1.JPG", f"{BEACH}/IMG_1.JPG", f"{TRIP}/IMG_1.JPG"]
    assert "takeout-20240101T000000Z-002.zip" in rows[0] and "part 2" in rows[0]
    assert "without a metadata file of its own" in rows[1]
    assert "takeout-20240101T000000Z-001.zip" in rows[2] and "part 1" in rows[2]
    expect(page.locator("#item-map path.leaflet-interactive")).to_have_count(1)
    page.screenshot(path=str(tmp_path / "photo-1280.png"), full_page=True)

    page.locator("a", has_text="its day").click()
    page.wait_for_url(re.compile(r".*/lake/day/2023-10-06/$"))
    page.locator("#timeline a.event-title", has_text="VID_2.MP4").click()
    expect(page.locator("h1")).to_have_text("VID_2.MP4")
    assert "none stated" in page.locator(".facts").inner_text()
    expect(page.locator(".card", has_text="Place").last).to_contain_text("states no position")
    assert page.locator("#item-map").count() == 0
    assert errors == []


def test_the_map_photo_layer_opens_the_photo_page(photos, alice, page, live_url, sign_in):
    errors = script_errors(page)
    sign_in(page, alice)
    page.goto(f"{live_url}/lake/map/")
    marker = page.locator("#map path.source-marker-photos")
    expect(marker).to_have_count(1, timeout=15000)
    marker.hover()
    expect(page.locator(".leaflet-tooltip")).to_contain_text("Click to open it (2023-10-06)")
    marker.click()
    page.wait_for_url(re.compile(r".*/lake/item/photos/Takeout/.*IMG_1\.JPG\.json$"))
    expect(page.locator("h1")).to_have_text("IMG_1.JPG")
    assert errors == []


def test_on_a_phone_the_page_reads_in_one_column(photos, alice, chromium, live_url, sign_in, tmp_path):
    context = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        phone = context.new_page()
        sign_in(phone, alice)
        phone.goto(live_url + PHOTO_PAGE)
        expect(phone.locator("h1")).to_have_text("IMG_1.JPG")
        # Nothing wider than the screen: long member paths wrap.
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        phone.screenshot(path=str(tmp_path / "photo-390.png"), full_page=True)
    finally:
        context.close()


def test_bob_cannot_open_alices_photo(photos, bob, page, live_url, sign_in):
    sign_in(page, bob)
    assert page.goto(live_url + PHOTO_PAGE).status == 404
    assert page.goto(f"{live_url}/lake/item/nosuchsource/x").status == 404
    assert page.goto(f"{live_url}/lake/item/mail/x").status == 404  # a source without item pages

"""In headless Chromium: a place name full of markup is shown as the text it is.

Takeout content is the user's, but it came from elsewhere (a shared place, a
synced calendar): where it meets the DOM it must be text, never HTML.
"""

import datetime as dt

import pytest
from django.db import connections
from playwright.sync_api import expect

from core.maintenance import ensure_partitions_for
from sources.location.tables import PLACE_VISIT

pytestmark = pytest.mark.browser

DAY = dt.date(2024, 6, 1)
HOSTILE = ('<img src="x" onerror="window.__pwned=1">'
           '<svg onload="window.__pwned=2"></svg>'
           '<a href="javascript:window.__pwned=3">click</a> & <b>bold</b>')


def _only_visit(user_id, name):
    """One visit and nothing else on DAY, so the day map centres on its marker."""
    start = dt.datetime.combine(DAY, dt.time(10), tzinfo=dt.UTC)
    ensure_partitions_for(PLACE_VISIT, start, start + dt.timedelta(hours=2))
    with connections["owner"].cursor() as cursor:
        cursor.execute(
            "INSERT INTO timeseries.place_visit (user_id, started_at, ended_at, utc_offset_minutes, lat_e7, lng_e7, "
            "place_id, name, address, semantic_type, product, import_run_id, is_child) "
            "VALUES (%s, %s, %s, 0, 488566000, 23522000, 'place-x', %s, %s, 'TYPE_CAFE', 'location.semantic', 1, "
            "false)",
            [user_id, start, start + dt.timedelta(hours=1), name, name],
        )


def test_a_hostile_place_name_is_tooltip_text_and_creates_no_element(page, live_url, sign_in, committed, make_user):
    alice = make_user("alice", "user")
    _only_visit(alice.pk, HOSTILE)
    sign_in(page, alice)
    page.goto(f"{live_url}/lake/day/{DAY.isoformat()}/")
    assert HOSTILE in page.locator("#timeline").inner_text()
    page.wait_for_selector("#day-map .leaflet-overlay-pane canvas")
    box = page.locator("#day-map").bounding_box()
    # One point's bounds: the map is centred on the only marker; hovering it opens the tooltip.
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    tooltip = page.locator("#day-map .leaflet-tooltip")
    for _attempt in range(20):
        # Leaflet's canvas renderer throttles hover tests to one per 32 ms: leave, then arrive slowly.
        page.mouse.move(x - 40, y)
        page.wait_for_timeout(100)
        page.mouse.move(x, y, steps=5)
        page.wait_for_timeout(100)
        if tooltip.count():
            break
    expect(tooltip).to_be_visible(timeout=2000)
    assert tooltip.inner_text() == HOSTILE
    assert tooltip.locator("img, svg, a, b").count() == 0
    assert page.locator('img[src="x"], svg[onload], a[href^="javascript:"]').count() == 0
    assert page.evaluate("window.__pwned") is None


def test_a_hostile_place_name_is_text_on_search_and_stats(page, live_url, sign_in, committed, make_user):
    from sources.location import analytics

    alice = make_user("alice", "user")
    _only_visit(alice.pk, HOSTILE)
    analytics.refresh()
    sign_in(page, alice)
    page.goto(f"{live_url}/lake/search/?q=click")
    assert HOSTILE in page.locator("#results").inner_text()
    page.goto(f"{live_url}/lake/stats/")
    assert HOSTILE in page.locator("#top-places").inner_text()
    assert page.locator('img[src="x"], svg[onload], a[href^="javascript:"]').count() == 0
    assert page.evaluate("window.__pwned") is None

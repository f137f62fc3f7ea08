"""In headless Chromium: the search page's "exact words / meaning" toggle, results grouped by day,
and "more like this", at desktop width and on a 390 px phone."""

import re

import pytest

from vectors import indexing

pytestmark = pytest.mark.browser


@pytest.fixture
def embedded_lake(import_files, lake_zip, alice):
    import_files(lake_zip())
    indexing.embed_rows(alice.pk, pause=0)
    return alice


def test_meaning_finds_the_cafe_for_coffee_and_more_like_this_follows(embedded_lake, chromium, live_url, sign_in,
                                                                     page, tmp_path):
    sign_in(page, embedded_lake)

    page.goto(f"{live_url}/lake/search/?q=coffee")
    assert page.locator("#id_mode_0").is_checked()  # exact words unless asked
    assert "Nothing matches" in page.locator("main").inner_text()

    page.check("#id_mode_1")
    page.click("form[role=search] button[type=submit]")
    page.wait_for_selector("#results .result-day")
    assert page.locator("#id_mode_1").is_checked()
    first_day = page.locator("#results .result-day").first
    assert first_day.inner_text() == "Wednesday 1 May 2019"
    assert page.locator("#results li").first.inner_text().startswith("Café Central")
    page.screenshot(path=str(tmp_path / "search-meaning.png"), full_page=True)

    page.locator("#results li").first.locator("a.like").click()
    page.wait_for_url(re.compile(r".*like=\d+.*"))
    heading = page.locator("main h2").inner_text()
    assert re.match(r"More like “Café Central”: \d+ results?", heading)
    assert "Café Central" not in page.locator("#results").inner_text()
    page.screenshot(path=str(tmp_path / "search-like.png"), full_page=True)

    phone = chromium.new_context(viewport={"width": 390, "height": 844})
    try:
        small = phone.new_page()
        sign_in(small, embedded_lake)
        small.goto(f"{live_url}/lake/search/?q=Kaffee&mode=meaning")
        small.wait_for_selector("#results .result-day")
        assert small.locator("#results li").first.inner_text().startswith("Café Central")
        # Nothing wider than the phone: the toggle and the filters wrap.
        assert small.evaluate("document.documentElement.scrollWidth") <= 390
        small.screenshot(path=str(tmp_path / "search-phone.png"), full_page=True)
    finally:
        phone.close()

"""At phone size (390×844) every page fits the screen: the navigation folds
into a menu, and wide tables scroll inside their card instead of widening the page.

Alice (a user with data), Otto (ops) and Dana (admin) each visit their pages.
"""

import pytest

from tests.explore.conftest import DAY

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}

PAGES = {
    "alice": ["/", "/lake/map/", f"/lake/day/{DAY.isoformat()}/", "/lake/day/", "/lake/search/?q=paris",
              "/lake/stats/", "/lake/devices/", "/lake/devices/<first>/", "/lake/export/", "/lake/delete/",
              "/uploads/", "/imports/", "/sql/", "/ops/", "/lake/no-such-page/"],
    "otto": ["/", "/ops/", "/ops/partitions/", "/ops/partitions/timeseries.location_point/", "/ops/vacuum/",
             "/ops/cache/", "/ops/queues/", "/ops/storage/", "/ops/activity/", "/ops/sql-access/", "/ops/extensions/",
             "/ops/actions/partitions-ahead/"],
    "dana": ["/", "/lifecycle/", "/lifecycle/policies/new/", "/lifecycle/plan/", "/audit/"],
}

# Which elements stick out past the right edge of the screen (the first few, for the message).
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 1 && !el.closest(".scrolls")) {
      out.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
               (el.className && typeof el.className === "string" ? "." + el.className.split(" ").join(".") : "") +
               " right=" + Math.round(box.right));
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, width: width, out: out.slice(0, 8)};
}"""


@pytest.fixture
def phone(chromium):
    context = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    page = context.new_page()
    yield page
    context.close()


def _assert_fits(page, path):
    result = page.evaluate(OVERFLOW)
    assert result["scrollWidth"] <= result["width"], f"{path}: {result}"


def test_every_page_fits_a_phone_screen(lake_people, make_user, phone, live_url, sign_in, tmp_path):
    people = {"alice": lake_people.alice, "otto": make_user("otto", "ops"), "dana": make_user("dana", "admin")}
    phone.goto(f"{live_url}/accounts/login/")
    _assert_fits(phone, "/accounts/login/")
    problems = []
    for name, paths in PAGES.items():
        phone.context.clear_cookies()
        sign_in(phone, people[name])
        for path in paths:
            if path == "/lake/devices/<first>/":
                path = phone.locator("main table a").first.get_attribute("href")
            phone.goto(f"{live_url}{path}")
            phone.wait_for_load_state("load")
            result = phone.evaluate(OVERFLOW)
            if result["scrollWidth"] > result["width"]:
                problems.append(f"{name} {path}: {result}")
                phone.screenshot(path=str(tmp_path / (name + path.replace("/", "_").replace("?", "_") + ".png")),
                                 full_page=True)
    assert not problems, "\n".join(problems)


def test_the_navigation_is_a_menu_on_a_phone(lake_people, phone, live_url, sign_in, tmp_path):
    sign_in(phone, lake_people.alice)
    nav = phone.locator("header nav")
    toggle = phone.locator("header .menu-toggle")
    assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    assert not nav.is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert nav.is_visible()
    header = phone.locator("header").bounding_box()
    links = nav.locator("a")
    assert links.count() >= 8
    for i in range(links.count()):
        box = links.nth(i).bounding_box()
        # Each link is on the screen and on the dark bar, where its light text is readable.
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], links.nth(i).inner_text()
        assert header["y"] <= box["y"] and box["y"] + box["height"] <= header["y"] + header["height"]
    phone.screenshot(path=str(tmp_path / "menu.png"))
    links.filter(has_text="Stats").click()
    phone.wait_for_url(f"{live_url}/lake/stats/")
    assert not phone.locator("header nav").is_visible()  # closed again on the next page
    _assert_fits(phone, "/lake/stats/")


def test_the_navigation_stays_a_bar_on_a_desktop(lake_people, page, live_url, sign_in):
    sign_in(page, lake_people.alice)
    assert page.locator("header nav").is_visible()
    assert not page.locator("header .menu-toggle").is_visible()

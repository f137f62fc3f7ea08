"""The ops pages in headless Chromium: they render under the CSP, with their charts drawn."""

import datetime as dt

import django_rq
import pytest
from django.core.cache import cache
from django.utils import timezone
from rq import Worker

from monitoring import snapshot

pytestmark = pytest.mark.browser

# Is any pixel of the chart painted? (a blank canvas is all transparent)
PAINTED = """(canvas) => {
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) return true; }
  return false;
}"""


def _keep_error(problems, message):
    # The browser's own request for /favicon.ico is no fault of these pages.
    if message.type == "error" and "favicon" not in message.location.get("url", ""):
        problems.append(f"{message.text} {message.location.get('url', '')}")


@pytest.fixture
def samples(committed):
    now = timezone.now()
    for minutes in (15, 10, 5):
        snapshot.take_sample(now=now - dt.timedelta(minutes=minutes))


@pytest.mark.parametrize("path, charts", [("/ops/", 4), ("/ops/cache/", 2), ("/ops/queues/", 2),
                                          ("/ops/storage/", 2)])
def test_otto_sees_the_trend_charts_drawn(page, live_url, sign_in, make_user, samples, path, charts, tmp_path):
    problems = []
    page.on("console", lambda message: _keep_error(problems, message))
    page.on("pageerror", lambda error: problems.append(str(error)))
    sign_in(page, make_user("otto", "ops"))
    page.goto(f"{live_url}{path}")
    canvases = page.locator("canvas[data-series]")
    assert canvases.count() == charts
    page.wait_for_function("() => [...document.querySelectorAll('canvas[data-series]')].every((c) => c.chart)")
    for i in range(charts):
        assert canvases.nth(i).evaluate(PAINTED), f"chart {i} on {path} is blank"
    page.screenshot(path=str(tmp_path / "ops.png"), full_page=True)
    assert problems == []


@pytest.mark.parametrize("path", ["/ops/partitions/", "/ops/partitions/timeseries.location_point/", "/ops/vacuum/",
                                  "/ops/activity/", "/ops/extensions/"])
def test_the_table_pages_render_without_script_or_policy_errors(page, live_url, sign_in, make_user, path, tmp_path):
    problems = []
    page.on("console", lambda message: _keep_error(problems, message))
    sign_in(page, make_user("otto", "ops"))
    page.goto(f"{live_url}{path}")
    assert page.locator("nav[aria-label=Health] a[aria-current=page]").count() == 1
    assert page.locator("h1").count() == 1
    page.screenshot(path=str(tmp_path / "ops.png"), full_page=True)
    assert problems == []


def test_the_overview_leads_with_what_is_wrong(page, live_url, sign_in, make_user):
    # Workers left registered by earlier tests (and a cached reading) would
    # make "no worker" depend on test order; start from none.
    connection = django_rq.get_connection("default")
    for worker in Worker.all(connection=connection):
        worker.register_death()
    cache.clear()
    sign_in(page, make_user("otto", "ops"))
    page.goto(f"{live_url}/ops/")
    first_alert = page.locator("section.alert").first
    # No worker runs beside the test server: the most urgent thing comes first, with its fix.
    assert "critical" in first_alert.locator(".state").first.inner_text()
    assert "What to do:" in first_alert.inner_text()

"""The outcome page in headless Chromium: it follows the job under the CSP and shows how it ended."""

import pytest

pytestmark = pytest.mark.browser


def test_otto_confirms_an_action_and_watches_it_finish_without_reloading(page, live_url, sign_in, make_user,
                                                                         run_worker, tmp_path):
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    sign_in(page, make_user("otto", "ops"))
    page.goto(f"{live_url}/ops/actions/analyze-parents/?next=/ops/partitions/")
    page.click("text=Yes, analyze partitioned parents")
    page.wait_for_url(f"{live_url}/ops/actions/jobs/**")
    assert "Waiting for a worker" in page.locator("#action-outcome").inner_text()

    assert run_worker("maintenance").returncode == 0
    page.locator("#action-outcome").filter(has_text="Finished").wait_for(timeout=15_000)
    assert "Analyzed" in page.locator("#action-outcome").inner_text()
    page.screenshot(path=str(tmp_path / "outcome.png"), full_page=True)
    assert [p for p in problems if "Content Security Policy" in p or "Refused" in p] == []
    page.click("#action-outcome >> text=Back")
    page.wait_for_url(f"{live_url}/ops/partitions/")

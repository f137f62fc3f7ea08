"""In headless Chromium: a signed-out visitor following a link is asked to sign
in and lands where the link pointed; a forbidden page says which role it needs."""

import pytest

pytestmark = pytest.mark.browser


def test_a_link_to_an_ops_page_signs_in_and_lands_there(page, live_url, make_user, tmp_path):
    make_user("otto", "ops")
    page.goto(f"{live_url}/ops/")
    assert page.url == f"{live_url}/accounts/login/?next=/ops/"
    assert "Sign in to see that page" in page.locator("main").inner_text()
    page.fill("#id_username", "otto")
    page.fill("#id_password", "otto-pass-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_url}/ops/")
    assert page.locator("h1").count() >= 1


def test_a_user_on_an_ops_page_reads_which_role_it_needs(page, live_url, sign_in, make_user, tmp_path):
    sign_in(page, make_user("alice", "user"))
    response = page.goto(f"{live_url}/ops/")
    assert response.status == 403
    text = page.locator("main").inner_text()
    assert "This page needs the ops role." in text and "Ask an administrator" in text
    # The console's stylesheet applies: the message sits in a card, not on a bare page.
    assert page.locator("main .card").evaluate("e => getComputedStyle(e).borderRadius") == "8px"
    page.screenshot(path=str(tmp_path / "403.png"))
    page.goto(f"{live_url}/lake/nothing-here/")
    assert "There is nothing at this address" in page.locator("main").inner_text()

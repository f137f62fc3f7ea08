"""A person signs in with a real browser and sees their persona's navigation."""

import pytest

pytestmark = pytest.mark.browser


def test_alice_signs_in_and_sees_her_lake(page, live_url, sign_in, make_user, tmp_path):
    alice = make_user("alice", "user")
    sign_in(page, alice)
    assert page.locator("h1").inner_text() == "Welcome, alice"
    nav = page.locator("header nav").inner_text()
    assert "My lake" in nav and "Health" not in nav
    page.screenshot(path=str(tmp_path / "home.png"))
    page.click("text=Sign out")
    page.wait_for_url(f"{live_url}/accounts/login/")


def test_a_wrong_password_says_so(page, live_url, make_user):
    make_user("bob", "user")
    page.goto(f"{live_url}/accounts/login/")
    page.fill("#id_username", "bob")
    page.fill("#id_password", "nope")
    page.click("button[type=submit]")
    assert "didn't match" in page.locator("[role=alert]").inner_text()

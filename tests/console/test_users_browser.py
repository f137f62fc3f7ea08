"""The Users page in headless Chromium: an admin lands on her pages, adds a person, hands over the password."""

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.browser


def test_dana_lands_on_her_pages_and_adds_a_person_from_the_users_page(page, live_url, sign_in, make_user,
                                                                       tmp_path):
    dana = make_user("dana", "admin")
    sign_in(page, dana)
    assert "Users" in page.locator("#role-pages").inner_text()
    page.screenshot(path=str(tmp_path / "admin-home.png"), full_page=True)

    page.click("header nav >> text=Users")
    page.fill("#id_username", "erin")
    page.check("input[name=personas][value=user]")
    page.screenshot(path=str(tmp_path / "users.png"), full_page=True)
    page.click("text=Create account")
    password = page.locator("#new-password").inner_text()
    assert get_user_model().objects.get(username="erin").check_password(password)
    page.screenshot(path=str(tmp_path / "password.png"), full_page=True)

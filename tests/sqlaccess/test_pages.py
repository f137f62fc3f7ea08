"""The "SQL access" page, the ops view, and how both look on a desktop and a phone."""

import re

import pytest
from django.urls import reverse

from sqlaccess.models import SqlLogin
from tests.sqlaccess.conftest import connect

PHONE = {"width": 390, "height": 844}
PASSWORD = re.compile(r"password=(\S+)")


def test_creating_a_login_shows_the_password_once(lake, client):
    alice, _ = lake
    client.force_login(alice)
    page = client.get(reverse("sqlaccess:page"))
    assert page.status_code == 200 and b"Create my login" in page.content
    assert b"timeseries.location_point" in page.content  # the generated reference
    assert b"ATTACH" in page.content and b"psql" in page.content
    created = client.post(reverse("sqlaccess:page"), {"action": "create"})
    assert created.status_code == 200 and "no-store" in created["Cache-Control"]
    dsn = created.context["granted"].dsn
    with connect(dsn) as conn:
        assert conn.execute("SELECT count(*) FROM user_data.device").fetchone()[0] == 1
    again = client.get(reverse("sqlaccess:page"))
    password = PASSWORD.search(dsn).group(1)
    assert password.encode() not in again.content and b"New password" in again.content
    rotated = client.post(reverse("sqlaccess:page"), {"action": "rotate"})
    assert rotated.context["granted"].rotated and rotated.context["granted"].password != password
    revoked = client.post(reverse("sqlaccess:page"), {"action": "revoke"})
    assert revoked.status_code == 302
    assert not SqlLogin.objects.using("owner").filter(user_id=alice.pk).exists()
    assert client.post(reverse("sqlaccess:page"), {"action": "nonsense"}).status_code == 400


def test_ops_see_every_login_and_users_do_not(lake, client, make_user):
    alice, bob = lake
    client.force_login(alice)
    client.post(reverse("sqlaccess:page"), {"action": "create"})
    assert client.get(reverse("monitoring:sql_access")).status_code == 403
    client.force_login(make_user("otto", "ops"))
    page = client.get(reverse("monitoring:sql_access"))
    assert page.status_code == 200
    assert page.context["logins"][0]["username"] == "alice" and len(page.context["logins"]) == 1
    # Ops have no lake of their own, hence no SQL access page.
    assert client.get(reverse("sqlaccess:page")).status_code == 403


@pytest.mark.browser
def test_the_page_reads_well_on_a_desktop_and_a_phone(lake, chromium, live_url, sign_in, tmp_path):
    alice, _ = lake
    for name, viewport in (("desktop", {"width": 1280, "height": 860}), ("phone", PHONE)):
        context = chromium.new_context(viewport=viewport)
        page = context.new_page()
        sign_in(page, alice)
        page.goto(f"{live_url}/sql/")
        if name == "desktop":
            page.get_by_role("button", name="Create my login").click()
        else:
            page.get_by_role("button", name="New password").click()
        page.wait_for_load_state("load")
        dsn = page.locator("pre.dsn").inner_text()
        assert "password=" in dsn
        with connect(dsn) as conn:
            assert conn.execute("SELECT user_data.current_user_id()").fetchone()[0] == alice.pk
        width = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert width[0] <= width[1], f"{name}: the page is wider than the screen {width}"
        page.screenshot(path=str(tmp_path / f"sql-access-{name}.png"), full_page=True)
        page.screenshot(path=str(tmp_path / f"sql-access-{name}-first-screen.png"))
        context.close()

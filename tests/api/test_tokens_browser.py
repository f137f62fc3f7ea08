"""The tokens page in a real browser: a new token is shown once and works; revoking ends it.

Screenshots at desktop and phone width go to the test's tmp dir (SCREENSHOTS=dir keeps them).
"""

import os
import re
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect


@pytest.fixture
def alice(committed, make_user):
    return make_user("alice", "user")


def _shot(page, tmp_path, name):
    folder = Path(os.environ.get("SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def test_alice_creates_a_token_sees_it_once_uses_it_and_revokes_it(page, sign_in, live_url, alice, tmp_path,
                                                                   chromium):
    sign_in(page, alice)
    page.click("nav >> text=API")
    page.wait_for_url(f"{live_url}/developer/tokens/")
    page.fill("#id_name", "phone")
    page.check("input[value='read:location']")
    page.check("input[value='write:ingest']")
    page.fill("#id_expires_days", "30")
    page.click("button:has-text('Create token')")
    expect(page.locator("#token-value")).to_contain_text("dpl_")  # the answer to the POST has arrived
    token = page.inner_text("#token-value").strip()
    assert token.startswith("dpl_")
    _shot(page, tmp_path, "tokens-desktop")
    phone = chromium.new_context(viewport={"width": 390, "height": 844}, storage_state=page.context.storage_state())
    small = phone.new_page()
    small.goto(f"{live_url}/developer/tokens/")
    _shot(small, tmp_path, "tokens-phone")
    small.goto(f"{live_url}/developer/")
    _shot(small, tmp_path, "docs-phone")
    phone.close()

    headers = {"Authorization": f"Bearer {token}"}
    assert requests.get(f"{live_url}/api/v1/location/points", headers=headers, timeout=10).status_code == 200
    page.reload()
    assert page.locator("#token-value").count() == 0, "shown once: a reload does not show it again"
    assert token[:12] in page.inner_text("table")
    page.click(f"form[action$='{token[:12]}/revoke'] button")
    # Wait for the answer: until it arrives the page still shows the earlier flash.
    expect(page.locator(".flash")).to_contain_text("revoked")
    assert requests.get(f"{live_url}/api/v1/location/points", headers=headers, timeout=10).status_code == 401

    page.goto(f"{live_url}/developer/")
    _shot(page, tmp_path, "docs-desktop")
    assert "/api/v1/location/points" in page.inner_text("main")
    page.click("text=OpenAPI 3.1 document")
    page.wait_for_url("**/api/v1/openapi.json")
    # Retried until the document has rendered: a loaded URL can still show an empty page.
    expect(page.locator("body")).to_contain_text(re.compile(r'"openapi":\s*"3\.1\.0"'))
    page.goto(f"{live_url}/api/v1/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=15000)
    _shot(page, tmp_path, "swagger-desktop")

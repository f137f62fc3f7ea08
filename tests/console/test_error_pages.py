"""Signed out, forbidden, missing, broken: each answer is a console page (or a
JSON body for a script) that says what is needed or what to do.

Charlie is signed out; Alice is a user, Otto is ops, Dana is an admin.
"""

import pytest
from django.test import Client, RequestFactory

BROWSER = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
PAGES = ["/lake/map/", "/imports/", "/lifecycle/", "/ops/", "/audit/", "/lake/search/", "/uploads/"]


@pytest.mark.parametrize("path", PAGES)
def test_a_signed_out_visitor_is_sent_to_sign_in_and_back(db, path):
    response = Client().get(path, **BROWSER)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


def test_signing_in_from_the_redirect_lands_on_the_page_asked_for(alice):
    client = Client()
    login = client.get("/accounts/login/?next=/lake/map/", **BROWSER)
    assert "Sign in to see that page" in login.content.decode()
    response = client.post("/accounts/login/", {"username": "alice", "password": "alice-pass-123",
                                                "next": "/lake/map/"})
    assert response.status_code == 302 and response["Location"] == "/lake/map/"


@pytest.mark.parametrize("path", ["/lake/map/data?bbox=0,0,1,1&zoom=3", "/imports/runs/1/status",
                                  "/uploads/batches/1/"])
def test_a_signed_out_script_gets_a_401_json_body(db, path):
    response = Client().get(path, HTTP_ACCEPT="*/*")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert "Sign in" in response.json()["error"]


def test_a_signed_out_upload_page_script_gets_a_401_json_body(db):
    response = Client(enforce_csrf_checks=False).post("/uploads/batches/", "{}", content_type="application/json",
                                                      HTTP_ACCEPT="application/json")
    assert response.status_code == 401 and "Sign in" in response.json()["error"]


@pytest.mark.parametrize(("path", "role"), [("/ops/", "ops"), ("/ops/vacuum/", "ops"), ("/lifecycle/", "admin"),
                                            ("/audit/", "admin")])
def test_a_forbidden_page_names_the_role_it_needs(alice, path, role):
    client = Client()
    client.force_login(alice)
    response = client.get(path, **BROWSER)
    assert response.status_code == 403
    html = response.content.decode()
    assert '<header class="topbar">' in html and "My lake" in html  # the base template, with her navigation
    assert f"needs the <strong>{role}</strong> role" in html
    assert "You are signed in as alice (user)." in html
    assert "Ask an administrator" in html


def test_a_forbidden_page_for_ops_names_the_user_role(otto):
    client = Client()
    client.force_login(otto)
    response = client.get("/lake/map/", **BROWSER)
    assert response.status_code == 403
    assert "needs the <strong>user</strong> role" in response.content.decode()
    assert "You are signed in as otto (ops)." in response.content.decode()


def test_a_forbidden_data_endpoint_answers_json(otto):
    client = Client()
    client.force_login(otto)
    response = client.get("/lake/map/data", {"bbox": "0,0,1,1", "zoom": "3"}, HTTP_ACCEPT="*/*")
    assert response.status_code == 403
    assert "user role" in response.json()["error"]


def test_a_missing_page_says_what_to_do(alice):
    client = Client()
    client.force_login(alice)
    response = client.get("/lake/no-such-page/", **BROWSER)
    assert response.status_code == 404
    html = response.content.decode()
    assert '<header class="topbar">' in html and "There is nothing at this address" in html
    assert 'href="/"' in html


def test_the_server_error_page_renders_without_a_request_context(db):
    """The 500 page must not need the database or a session: it is what shows when they fail."""
    from django.urls import get_resolver

    from console import errors

    assert get_resolver().resolve_error_handler(500) is errors.server_error
    response = errors.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert '<header class="topbar">' in html and "Something went wrong on the server" in html
    assert "Try again in a minute" in html


def test_an_expired_form_says_to_reload_in_the_console_page(db):
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "a", "password": "b"},
                                                     **BROWSER)
    assert response.status_code == 403
    html = response.content.decode()
    assert '<header class="topbar">' in html and "reload the page" in html


def test_a_script_without_a_csrf_token_gets_json(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post("/uploads/batches/", "{}", content_type="application/json",
                           HTTP_ACCEPT="application/json")
    assert response.status_code == 403 and "X-CSRFToken" in response.json()["error"]

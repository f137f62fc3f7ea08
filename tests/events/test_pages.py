"""The webhook pages: register, see the secret, rotate, disable/enable, delivery log with replay.
Alice's endpoints are hers: Bob gets 404 for each of them."""

import pytest
from django.urls import reverse

from audit.models import Event
from core.rls import user_scope
from events import outbox
from events.delivery import dispatch
from events.models import WebhookDelivery, WebhookEndpoint


@pytest.fixture
def signed_in(client, alice):
    client.force_login(alice)
    return client


def register(client, url="https://hooks.example.org/lake", **extra):
    return client.post(reverse("events:webhooks"), {"url": url, "description": "my script", **extra})


def only_endpoint(user) -> WebhookEndpoint:
    with user_scope(user.pk):
        return WebhookEndpoint.objects.get()


def test_alice_registers_a_webhook_and_sees_its_secret(signed_in, alice, settings):
    settings.EVENTS_WEBHOOK_ALLOW_PRIVATE = True  # example.org resolves nowhere here; loopback stands in
    response = register(signed_in, event_types=["import.finished", "data.deleted"])
    endpoint = only_endpoint(alice)
    assert response.status_code == 302 and response["Location"] == reverse("events:endpoint", args=[endpoint.pk])
    page = signed_in.get(response["Location"]).content.decode()
    assert endpoint.secret.startswith("whsec_") and endpoint.secret in page
    assert endpoint.event_types == ["data.deleted", "import.finished"]
    assert Event.objects.filter(action="webhook.created", actor_id=alice.pk).count() == 1
    listing = signed_in.get(reverse("events:webhooks")).content.decode()
    assert "https://hooks.example.org/lake" in listing and "Enabled" in listing


def test_a_bad_or_repeated_url_is_refused_with_a_reason(signed_in, alice, settings):
    settings.EVENTS_WEBHOOK_ALLOW_PRIVATE = False
    response = register(signed_in, url="ftp://example.org/x")
    assert response.status_code == 400 and "http:// or https://" in response.content.decode()
    response = register(signed_in, url="http://127.0.0.1:8000/steal")
    assert response.status_code == 400 and "will not send to this URL" in response.content.decode()
    settings.EVENTS_WEBHOOK_ALLOW_PRIVATE = True
    assert register(signed_in).status_code == 302
    response = register(signed_in)
    assert response.status_code == 400 and "registered already" in response.content.decode()


def test_rotate_disable_enable_and_delete(signed_in, alice, settings):
    settings.EVENTS_WEBHOOK_ALLOW_PRIVATE = True
    register(signed_in)
    endpoint = only_endpoint(alice)
    old = endpoint.secret
    signed_in.post(reverse("events:endpoint_action", args=[endpoint.pk, "rotate"]))
    rotated = only_endpoint(alice)
    assert rotated.secret != old and rotated.previous_secret == old and rotated.previous_secret_expires_at
    signed_in.post(reverse("events:endpoint_action", args=[endpoint.pk, "disable"]))
    assert only_endpoint(alice).enabled is False
    signed_in.post(reverse("events:endpoint_action", args=[endpoint.pk, "enable"]))
    assert only_endpoint(alice).enabled is True
    assert signed_in.post(reverse("events:endpoint_action", args=[endpoint.pk, "shred"])).status_code == 405
    signed_in.post(reverse("events:endpoint_action", args=[endpoint.pk, "delete"]))
    with user_scope(alice.pk):
        assert not WebhookEndpoint.objects.exists()


def test_the_delivery_log_lists_attempts_and_replays_one(signed_in, alice, settings, receiver):
    register(signed_in, url=receiver.url)
    endpoint = only_endpoint(alice)
    receiver.status = 500
    with user_scope(alice.pk):
        outbox.record(alice.pk, outbox.DATA_DELETED, {"scope": "range"})
    dispatch.dispatch_user(alice.pk)
    page = signed_in.get(reverse("events:endpoint", args=[endpoint.pk])).content.decode()
    assert "data.deleted" in page and "HTTP 500" in page and "Retrying" in page
    with user_scope(alice.pk):
        delivery = WebhookDelivery.objects.get()
    response = signed_in.post(reverse("events:replay", args=[endpoint.pk, delivery.pk]))
    assert response.status_code == 302
    with user_scope(alice.pk):
        delivery.refresh_from_db()
    assert (delivery.status, delivery.step) == ("pending", 0)


def test_bob_gets_404_for_alices_webhook(client, alice, bob, settings):
    settings.EVENTS_WEBHOOK_ALLOW_PRIVATE = True
    client.force_login(alice)
    register(client)
    endpoint = only_endpoint(alice)
    client.force_login(bob)
    assert client.get(reverse("events:endpoint", args=[endpoint.pk])).status_code == 404
    for action in ("rotate", "disable", "delete"):
        assert client.post(reverse("events:endpoint_action", args=[endpoint.pk, action])).status_code == 404
    assert client.post(reverse("events:replay", args=[endpoint.pk, 1])).status_code == 404
    assert "hooks.example.org" not in client.get(reverse("events:webhooks")).content.decode()
    assert only_endpoint(alice).secret == endpoint.secret


@pytest.fixture
def private_ok_for_children(monkeypatch):
    # The live server is a child process: it reads the setting from its environment.
    monkeypatch.setenv("EVENTS_WEBHOOK_ALLOW_PRIVATE", "true")


def test_the_browser_pages_read_well_on_desktop_and_phone(private_ok_for_children, live_url, sign_in, page, alice,
                                                         tmp_path):
    sign_in(page, alice)
    page.goto(f"{live_url}/events/webhooks/")
    page.fill("#id_url", "https://hooks.example.org/lake/a-rather-long-path/that-must-wrap-on-a-phone")
    page.fill("#id_description", "Home automation")
    page.check("input[value='import.finished']")
    page.click("text=Add webhook")
    page.wait_for_selector("#secret")
    assert page.inner_text("#secret").startswith("whsec_")
    with user_scope(alice.pk):
        outbox.record(alice.pk, outbox.IMPORT_FINISHED, {"import_run_id": 1, "status": "succeeded"})
    dispatch.dispatch_user(alice.pk)  # the host does not resolve here: a failed attempt for the log
    page.reload()
    assert "Retrying" in page.inner_text("#deliveries")
    page.screenshot(path=str(tmp_path / "endpoint-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(tmp_path / "endpoint-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.goto(f"{live_url}/events/webhooks/")
    page.screenshot(path=str(tmp_path / "list-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1280, "height": 860})
    page.screenshot(path=str(tmp_path / "list-desktop.png"), full_page=True)

"""Each persona sees its own navigation and pages; everything else is 403 or 404."""

import pytest
from django.urls import reverse

from core.rls import user_scope
from explore.queries import KINDS
from sources.location.models import Device

pytestmark = pytest.mark.django_db(databases=["default", "owner"])

PAGES = {
    "lake:devices": "user",
    "events:webhooks": "user",
    "audit:events": "admin",
    "monitoring:overview": "ops",
    "monitoring:extensions": "ops",
}


def nav_labels(response):
    return [item["label"] for item in response.context["nav_items"]]


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_each_persona_sees_only_its_navigation(client, alice, dana, otto):
    expected = {
        alice: ["My lake", "Devices"],
        dana: ["Audit log"],
        otto: ["Health", "Extensions"],
    }
    for user, labels in expected.items():
        client.force_login(user)
        response = client.get(reverse("home"))
        # Apps may add entries; these must be there and nothing of another persona.
        assert [label for label in nav_labels(response) if label in sum(expected.values(), [])] == labels


@pytest.mark.parametrize("page,persona", sorted(PAGES.items()))
def test_pages_are_forbidden_to_other_personas(client, alice, dana, otto, page, persona):
    people = {"user": alice, "admin": dana, "ops": otto}
    for name, user in people.items():
        client.force_login(user)
        status = client.get(reverse(page)).status_code
        assert status == (200 if name == persona else 403), (name, page)


def test_a_request_from_bob_for_alices_device_is_a_404(client, alice, bob):
    with user_scope(alice.pk):
        device = Device.objects.create(user=alice, device_tag=7, name="Alice's phone")
    client.force_login(bob)
    assert client.get(reverse("lake:device", args=[device.pk])).status_code == 404
    assert client.post(reverse("lake:device", args=[device.pk]), {"name": "mine"}).status_code == 404
    client.force_login(alice)
    response = client.get(reverse("lake:device", args=[device.pk]))
    assert response.status_code == 200
    assert "Alice&#x27;s phone" in response.content.decode()


def test_bob_sees_none_of_alices_devices_in_his_list(client, alice, bob):
    with user_scope(alice.pk):
        Device.objects.create(user=alice, device_tag=7, name="Alice's phone")
    client.force_login(bob)
    response = client.get(reverse("lake:devices"))
    assert "Alice" not in response.content.decode()
    assert list(response.context["devices"]) == []


def test_renaming_a_device_is_audited(client, alice):
    from audit.models import Event

    with user_scope(alice.pk):
        device = Device.objects.create(user=alice, device_tag=7, name="phone")
    client.force_login(alice)
    response = client.post(reverse("lake:device", args=[device.pk]), {"name": "Pixel 8"})
    assert response.status_code == 302
    event = Event.objects.get(action="device.renamed")
    assert (event.actor_username, event.details) == ("alice", {"from": "phone", "to": "Pixel 8"})


def test_the_home_page_counts_only_the_users_rows(client, alice, charlie):
    client.force_login(charlie)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    # One row per dataset of every source, all empty for charlie (alice's rows are not his).
    counts = response.context["counts"]
    assert len(counts) == len(KINDS) and {row["n"] for row in counts} == {0}


def test_pages_carry_a_content_security_policy(client, alice):
    client.force_login(alice)
    policy = client.get(reverse("home"))["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "object-src 'none'" in policy


def test_sign_in_and_out(client, alice):
    response = client.post(reverse("login"), {"username": "alice", "password": "alice-pass-123"})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302

"""Admins manage people in the console: create, personas, password reset, deactivate, storage used.

Dana is an administrator, Alice and Bob use the lake, Otto is ops. Only Dana
may open the Users page; every change she makes is audited.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from audit.models import Event
from core.rls import user_scope
from imports.models import ImportFile, ImportRun

User = get_user_model()


# Committed, not in a test transaction: the storage read and the audit log go
# through the owner connection, which must see the same rows.
@pytest.fixture
def alice(committed, make_user):
    return make_user("alice", "user")


@pytest.fixture
def bob(committed, make_user):
    return make_user("bob", "user")


@pytest.fixture
def dana(committed, make_user):
    return make_user("dana", "admin")


@pytest.fixture
def otto(committed, make_user):
    return make_user("otto", "ops")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def personas_of(user) -> set[str]:
    return set(User.objects.get(pk=user.pk).groups.values_list("name", flat=True))


def test_only_admins_open_the_users_page(alice, otto, dana):
    assert signed_in(alice).get(reverse("people:list")).status_code == 403
    assert signed_in(otto).get(reverse("people:list")).status_code == 403
    response = signed_in(dana).get(reverse("people:list"))
    assert response.status_code == 200
    assert "Users" in [item["label"] for item in response.context["nav_items"]]


def test_the_list_shows_each_persons_roles_and_storage_used(dana, alice, bob):
    with user_scope(alice.pk):
        run = ImportRun.objects.create(user=alice)
        ImportFile.objects.create(user=alice, run=run, part=1, original_name="t.zip", sha256="0" * 64,
                                  size=3 * 1024 * 1024, path="/nowhere")

    page = signed_in(dana).get(reverse("people:list")).content.decode()

    row = re.search(r'<tr id="person-alice">(.*?)</tr>', page, re.S).group(1)
    assert "3.0\xa0MB" in row and "user" in row
    bob_row = re.search(r'<tr id="person-bob">(.*?)</tr>', page, re.S).group(1)
    assert "0\xa0bytes" in bob_row
    # Each role is explained in one line where it is chosen.
    assert "Uploads Takeout exports and sees only their own lake." in page
    assert Event.objects.using("owner").filter(action="maintenance.people.storage_read",
                                               actor_id=dana.pk).exists()


def test_dana_creates_an_account_with_roles_and_a_one_time_password(dana):
    response = signed_in(dana).post(reverse("people:list"), {"username": "erin", "email": "erin@example.org",
                                                              "personas": ["user", "ops"]})

    assert response.status_code == 200
    html = response.content.decode()
    password = re.search(r'<code id="new-password">([^<]+)</code>', html).group(1)
    erin = User.objects.get(username="erin")
    assert erin.check_password(password) and erin.email == "erin@example.org"
    assert personas_of(erin) == {"user", "ops"}
    assert Client().login(username="erin", password=password)
    event = Event.objects.using("owner").get(action="people.created", actor_id=dana.pk)
    assert event.actor_id == dana.pk and event.details == {"username": "erin", "personas": ["ops", "user"]}
    assert password not in str(event.details)


def test_a_taken_username_is_refused_with_a_sentence_and_nothing_changes(dana, alice):
    response = signed_in(dana).post(reverse("people:list"), {"username": "alice", "personas": ["admin"]})

    assert response.status_code == 400
    assert "That username is taken." in response.content.decode()
    assert personas_of(alice) == {"user"}


def test_dana_sets_roles_resets_a_password_and_deactivates(dana, alice):
    client = signed_in(dana)
    detail = reverse("people:detail", args=[alice.pk])

    client.post(detail, {"action": "personas", "personas": ["user", "admin"]})
    assert personas_of(alice) == {"user", "admin"}

    reset = client.post(detail, {"action": "reset_password"}).content.decode()
    password = re.search(r'<code id="new-password">([^<]+)</code>', reset).group(1)
    assert not Client().login(username="alice", password="alice-pass-123")
    assert Client().login(username="alice", password=password)

    alices_browser = signed_in(alice)
    client.post(detail, {"action": "deactivate"})
    assert not User.objects.get(pk=alice.pk).is_active
    # Her open session ends with it: the next request is sent to sign in.
    assert alices_browser.get(reverse("home")).status_code == 302
    client.post(detail, {"action": "activate"})
    assert User.objects.get(pk=alice.pk).is_active

    actions = list(Event.objects.using("owner").filter(target=f"user:{alice.pk}", action__startswith="people.")
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["people.personas_set", "people.password_reset", "people.deactivated", "people.activated"]


def test_dana_cannot_lock_herself_out(dana):
    client = signed_in(dana)
    detail = reverse("people:detail", args=[dana.pk])

    response = client.post(detail, {"action": "deactivate"})
    assert response.status_code == 400 and "You cannot deactivate your own account" in response.content.decode()
    response = client.post(detail, {"action": "personas", "personas": ["user"]})
    assert response.status_code == 400 and "keep the admin role" in response.content.decode()
    assert User.objects.get(pk=dana.pk).is_active and personas_of(dana) == {"admin"}


def test_admins_and_ops_land_on_their_pages_not_a_blank_welcome(dana, otto):
    admin_home = signed_in(dana).get(reverse("home")).content.decode()
    assert reverse("people:list") in admin_home and reverse("audit:events") in admin_home
    assert "Manage people" in admin_home
    ops_home = signed_in(otto).get(reverse("home")).content.decode()
    assert reverse("monitoring:overview") in ops_home and "Health" in ops_home
    assert reverse("people:list") not in ops_home


def test_a_person_replaces_the_one_time_password_with_their_own(dana):
    created = signed_in(dana).post(reverse("people:list"), {"username": "erin", "personas": ["user"]})
    one_time = re.search(r'<code id="new-password">([^<]+)</code>', created.content.decode()).group(1)
    erin = Client()
    assert erin.login(username="erin", password=one_time)
    assert reverse("password_change") in erin.get(reverse("home")).content.decode()

    response = erin.post(reverse("password_change"), {"old_password": one_time, "new_password1": "harbour-lantern-42",
                                                      "new_password2": "harbour-lantern-42"})

    assert response.status_code == 302 and response.url == reverse("password_change_done")
    assert Client().login(username="erin", password="harbour-lantern-42")
    assert not Client().login(username="erin", password=one_time)

"""Sign-in is throttled per account and per address, and every sign-in,
failed sign-in and sign-out is in the audit log.

Alice signs in from home (192.0.2.10); Mallory guesses from 198.51.100.x.
The counters live in the real Redis; the locks are short in these tests
(the window is shortened, not faked) so that one test can wait one out.
"""

import time

import pytest
from django.core.cache import cache
from django.test import Client

from audit.models import Event
from console import signin

HOME, MALLORY = "192.0.2.10", "198.51.100.7"


@pytest.fixture(autouse=True)
def clean_counters():
    cache.delete_pattern(f"{signin.PREFIX}*")
    yield
    cache.delete_pattern(f"{signin.PREFIX}*")


def _try(address, username, password):
    client = Client(REMOTE_ADDR=address)
    response = client.post("/accounts/login/", {"username": username, "password": password})
    return client, response


def _signed_in(client):
    return "_auth_user_id" in client.session


def test_thirty_wrong_passwords_then_the_right_one_does_not_sign_in(alice):
    for _ in range(30):
        _client, response = _try(MALLORY, "alice", "guess")
        assert response.status_code == 200
    client, response = _try(MALLORY, "alice", "alice-pass-123")
    assert not _signed_in(client)
    assert "Too many failed sign-ins" in response.content.decode()
    # Only the guesses before the lock cost a password hash and an audit row.
    failed = Event.objects.filter(action="auth.sign_in_failed")
    assert failed.count() == signin.PAIR_LIMIT
    assert set(failed.values_list("remote_addr", flat=True)) == {MALLORY}
    assert failed.first().details["username"] == "alice"
    assert Event.objects.filter(action="auth.sign_in_locked").count() == 1


def test_a_wrong_password_says_so_until_the_limit(alice):
    _client, response = _try(MALLORY, "alice", "guess")
    assert "Your username and password didn&#x27;t match." in response.content.decode()


def test_the_lock_ends_by_itself(alice, monkeypatch):
    monkeypatch.setattr(signin, "WINDOW_SECONDS", 2)
    for _ in range(signin.PAIR_LIMIT):
        _try(MALLORY, "alice", "guess")
    client, _ = _try(MALLORY, "alice", "alice-pass-123")
    assert not _signed_in(client)
    time.sleep(2.5)
    client, _ = _try(MALLORY, "alice", "alice-pass-123")
    assert _signed_in(client)


def test_guesses_from_many_addresses_do_not_lock_alice_out_at_home(alice):
    client, _ = _try(HOME, "alice", "alice-pass-123")
    assert _signed_in(client)
    client.post("/accounts/logout/")
    for i in range(signin.ACCOUNT_LIMIT + 5):
        _try(f"198.51.100.{i + 20}", "alice", "guess")
    # The account is locked for addresses it never signed in from...
    stranger, response = _try("203.0.113.50", "alice", "alice-pass-123")
    assert not _signed_in(stranger) and "Too many failed sign-ins" in response.content.decode()
    # ...but not at home, where she signed in before.
    client, _ = _try(HOME, "alice", "alice-pass-123")
    assert _signed_in(client)


def test_one_address_guessing_many_accounts_is_locked(alice, bob):
    for i in range(signin.ADDRESS_LIMIT):
        _try(MALLORY, f"nobody-{i}", "guess")
    client, response = _try(MALLORY, "bob", "bob-pass-123")
    assert not _signed_in(client) and "Too many failed sign-ins" in response.content.decode()
    # Alice elsewhere is untouched.
    client, _ = _try(HOME, "alice", "alice-pass-123")
    assert _signed_in(client)


def test_the_admin_sign_in_is_throttled_too(db, make_user):
    make_user("root", "admin")
    for _ in range(signin.PAIR_LIMIT):
        Client(REMOTE_ADDR=MALLORY).post("/admin/login/", {"username": "root", "password": "guess"})
    assert Event.objects.filter(action="auth.sign_in_failed", target="account:root").count() == signin.PAIR_LIMIT
    # Counted across both forms: the console's sign-in is locked for that pair now.
    _client, response = _try(MALLORY, "root", "root-pass-123")
    assert "Too many failed sign-ins" in response.content.decode()


def test_sign_in_and_sign_out_are_audited(alice):
    client, _ = _try(HOME, "alice", "alice-pass-123")
    assert _signed_in(client)
    client.post("/accounts/logout/")
    signed_in = Event.objects.get(action="auth.signed_in")
    signed_out = Event.objects.get(action="auth.signed_out")
    assert (signed_in.actor_id, signed_in.actor_username, signed_in.remote_addr) == (alice.pk, "alice", HOME)
    assert (signed_out.actor_id, signed_out.remote_addr) == (alice.pk, HOME)


def test_with_redis_down_people_can_still_sign_in_and_failures_are_still_audited(alice, settings):
    """The counters are a brake, not a gate: an unreachable Redis (here a port nobody
    listens on) must not make sign-in a 500 and keep ops from reaching the health page."""
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:9/0",
                                   "OPTIONS": {**settings.CACHES["default"]["OPTIONS"],
                                               "SOCKET_CONNECT_TIMEOUT": 1}}}
    _client, response = _try(MALLORY, "alice", "guess")
    assert response.status_code == 200
    assert Event.objects.filter(action="auth.sign_in_failed").count() == 1
    client, response = _try(HOME, "alice", "alice-pass-123")
    assert response.status_code == 302 and _signed_in(client)

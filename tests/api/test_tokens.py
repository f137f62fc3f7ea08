"""Tokens: scopes, revocation, expiry, rate limits, the audit trail, the command, and RLS underneath."""

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import override_settings
from django.utils import timezone

from api import tokens
from api.models import ApiToken
from audit.models import Event
from core.rls import user_scope

in_db = pytest.mark.django_db(databases=["default", "owner"])
POINTS = "/api/v1/location/points"


def _get(client, token, path=POINTS):
    return client.get(path, HTTP_AUTHORIZATION=f"Bearer {token}")


@in_db
def test_only_the_hash_is_stored_and_the_prefix_shows(alice, token_for):
    token = token_for(alice)
    with user_scope(alice.pk):
        row = ApiToken.objects.get(user=alice)
    assert token.startswith(row.prefix + "_") and len(row.prefix) == 12
    assert row.digest == tokens.digest(token) and token not in row.digest
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM user_data.api_token WHERE digest = %s", [row.digest])
        assert cursor.fetchone()[0] == 0, "outside her scope the table shows nothing"


@in_db
@pytest.mark.parametrize("header", ["", "Bearer", "Basic YWxpY2U6eA==", "Bearer dpl_nothing_here"])
def test_no_or_unknown_token_is_401(client, alice, header):
    answer = client.get(POINTS, **({"HTTP_AUTHORIZATION": header} if header else {}))
    assert answer.status_code == 401
    assert answer["Content-Type"] == "application/problem+json"
    assert answer["WWW-Authenticate"].startswith("Bearer")


@in_db
def test_a_revoked_token_is_401(client, alice, token_for):
    token = token_for(alice)
    assert _get(client, token).status_code == 200
    tokens.revoke_token(alice, token[:12])
    answer = _get(client, token)
    assert answer.status_code == 401 and "revoked" in answer.json()["detail"]


@in_db
def test_an_expired_token_is_401(client, alice, token_for):
    token = token_for(alice, expires_days=1)
    with user_scope(alice.pk):
        ApiToken.objects.filter(user=alice).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    answer = _get(client, token)
    assert answer.status_code == 401 and "expired" in answer.json()["detail"]


@in_db
def test_a_token_without_the_scope_is_403_naming_it(client, alice, token_for):
    token = token_for(alice, "read:youtube")
    assert _get(client, token, "/api/v1/youtube/comments").status_code == 200
    answer = _get(client, token)
    assert answer.status_code == 403
    assert answer.json()["scope"] == "read:location"
    ingest = client.post("/api/v1/ingest/overland", {"locations": []}, content_type="application/json",
                         HTTP_AUTHORIZATION=f"Bearer {token}")
    assert ingest.status_code == 403 and ingest.json()["scope"] == "write:ingest"


@in_db
def test_past_the_rate_limit_it_is_429_with_retry_after(client, alice, token_for):
    token = token_for(alice)
    with override_settings(API_RATE_LIMIT_PER_MINUTE=3):
        codes = [_get(client, token).status_code for _ in range(4)]
        assert codes[:3] == [200, 200, 200]
        answer = _get(client, token)
    assert answer.status_code == 429
    assert 1 <= int(answer["Retry-After"]) <= 60
    assert answer["Content-Type"] == "application/problem+json"


@in_db
def test_create_first_use_and_revoke_are_audited_and_use_is_recorded(client, alice, token_for):
    token = token_for(alice)
    _get(client, token)
    _get(client, token)
    tokens.revoke_token(alice, token[:12])
    actions = list(Event.objects.filter(target=f"api_token:{token[:12]}")
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["api_token.created", "api_token.first_used", "api_token.revoked"]
    with user_scope(alice.pk):
        row = ApiToken.objects.get(user=alice)
    assert row.last_used_at is not None and row.last_used_ip == "127.0.0.1"


@in_db
def test_a_request_runs_as_the_app_role_in_her_scope(client, alice, token_for, monkeypatch):
    """Raw SQL a request issues runs as the app role (no BYPASSRLS) with app.user_id set to her."""
    from api import queries

    seen = {}
    real_page = queries.page

    def spy(*args, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user, user_data.current_user_id(), "
                           "(SELECT rolbypassrls FROM pg_roles WHERE rolname = current_user)")
            seen["row"] = cursor.fetchone()
        return real_page(*args, **kwargs)

    monkeypatch.setattr(queries, "page", spy)
    assert _get(client, token_for(alice)).status_code == 200
    role, user_id, bypass = seen["row"]
    from django.conf import settings

    assert role == settings.DB_APP_ROLE and user_id == alice.pk and bypass is False


def test_the_command_creates_lists_and_revokes(committed, make_user, capsys, client):
    """Committed: `revoke PREFIX` finds the owner on the owner connection, which sees only committed rows."""
    make_user("alice", "user")
    call_command("api_token", "create", "--user", "alice", "--scopes", "read:all,write:ingest", "--expires-days",
                 "30", "--json")
    created = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert set(created) == {"user", "token", "prefix", "scopes"}
    assert created["user"] == "alice" and created["scopes"] == ["read:all", "write:ingest"]
    assert _get(client, created["token"]).status_code == 200
    call_command("api_token", "list", "--user", "alice")
    assert created["prefix"] in capsys.readouterr().out
    call_command("api_token", "revoke", created["prefix"])
    assert "revoked" in capsys.readouterr().out
    assert _get(client, created["token"]).status_code == 401


@in_db
def test_the_command_refuses_an_unknown_scope(alice):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="unknown scope read:everything"):
        call_command("api_token", "create", "--user", "alice", "--scopes", "read:everything")


@in_db
def test_unknown_paths_and_methods_under_api_are_problems_not_html(client, alice, token_for):
    missing = client.get("/api/v1/no/such/thing")
    assert missing.status_code == 404 and missing["Content-Type"] == "application/problem+json"
    wrong = client.put(POINTS, HTTP_AUTHORIZATION=f"Bearer {token_for(alice)}")
    assert wrong.status_code == 405 and wrong["Content-Type"] == "application/problem+json"

"""The command, "delete everything", the quota check and the daily session counts, with real logins."""

import datetime as dt
import io
import json

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from psycopg import errors

from audit.models import Event
from core.bootstrap import admin_connect
from core.rls import user_scope
from explore import deletion
from sqlaccess import actions
from sqlaccess.models import SqlLogin
from sqlaccess.upkeep import check_all
from tests.sqlaccess.conftest import connect, our_roles


def run(*args) -> str:
    out = io.StringIO()
    call_command("sql_access", *args, stdout=out)
    return out.getvalue()


def events(user, prefix="sqlaccess."):
    return list(Event.objects.using("owner").filter(target=f"user:{user.pk}", action__startswith=prefix)
                .order_by("id"))


def schema_exists(name: str) -> bool:
    with admin_connect() as admin:
        return admin.execute("SELECT count(*) FROM pg_namespace WHERE nspname = %s", [name]).fetchone()[0] == 1


def test_the_command_grants_lists_and_revokes(lake):
    alice, _ = lake
    answer = json.loads(run("grant", "--user", "alice", "--json").strip().splitlines()[-1])
    assert set(answer) == {"user", "role", "dsn"} and answer["user"] == "alice"
    with connect(answer["dsn"]) as conn:
        assert conn.execute("SELECT count(*) FROM user_data.device").fetchone()[0] == 1
    again = json.loads(run("grant", "--user", "alice", "--json").strip().splitlines()[-1])
    assert again["role"] == answer["role"] and again["dsn"] != answer["dsn"]  # a new password
    listing = run("list")
    assert "alice" in listing and answer["role"] in listing
    assert "revoked" in run("revoke", "--user", "alice")
    assert our_roles() == [] and "alice" not in run("list")
    assert [e.action for e in events(alice)] == ["sqlaccess.created", "sqlaccess.rotated", "sqlaccess.revoked"]
    with pytest.raises(CommandError, match="no user named"):
        run("grant", "--user", "nobody")


def test_deleting_everything_drops_her_login_and_workspace(lake):
    alice, bob = lake
    hers, his = actions.grant_login(alice), actions.grant_login(bob)
    session = connect(hers.dsn)
    session.execute("CREATE MATERIALIZED VIEW my_notes AS SELECT * FROM user_data.keep_note")
    with user_scope(alice.pk):
        result = deletion.delete_everything(alice)
    assert any("sql access: login and workspace dropped" in note for note in result.notes)
    with pytest.raises(psycopg.OperationalError):
        session.execute("SELECT 1")
    session.close()
    assert not schema_exists(hers.workspace) and schema_exists(his.workspace)
    assert our_roles() == [his.role]
    assert not SqlLogin.objects.using("owner").filter(user_id=alice.pk).exists()
    revoked = [e for e in events(alice) if e.action == "sqlaccess.revoked"]
    assert len(revoked) == 1 and revoked[0].details["reason"] == "delete everything"
    with connect(his.dsn) as conn:  # Bob's login is untouched
        assert conn.execute("SELECT count(*) FROM user_data.keep_note").fetchone()[0] == 1


def test_the_quota_check_warns_then_takes_create_away_and_gives_it_back(lake, settings):
    alice, _ = lake
    settings.SQL_ACCESS_WORKSPACE_QUOTA_MB, settings.SQL_ACCESS_WORKSPACE_WARN = 1, 0.2
    granted = actions.grant_login(alice)
    with connect(granted.dsn) as conn:
        # About 0.3 MB: past the 20 % warning, under the quota.
        conn.execute("CREATE TABLE pad AS SELECT repeat('x', 900) AS filler FROM generate_series(1, 300)")
        check_all()
        assert SqlLogin.objects.using("owner").get(user_id=alice.pk).quota_state == "warned"
        conn.execute("INSERT INTO pad SELECT repeat('x', 900) FROM generate_series(1, 1450)")
        summary = check_all()
        assert summary["blocked"] == [granted.role]
        login = SqlLogin.objects.using("owner").get(user_id=alice.pk)
        assert login.quota_state == "blocked" and login.workspace_bytes > 2**20
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute("CREATE TABLE more (x int)")
        assert conn.execute("SELECT count(*) FROM pad").fetchone()[0] == 1750  # still hers to read
        conn.execute("DROP TABLE pad")
        assert check_all()["unblocked"] == [granted.role]
        conn.execute("CREATE TABLE more (x int)")
    assert [e.action for e in events(alice, "sqlaccess.quota")] == [
        "sqlaccess.quota_warned", "sqlaccess.quota_blocked", "sqlaccess.quota_ok"]


def test_sessions_are_counted_per_day_in_the_audit_log(lake):
    alice, _ = lake
    granted = actions.grant_login(alice)
    with connect(granted.dsn), connect(granted.dsn):
        assert check_all()["sessions_seen"] == 2
        check_all()  # the same two sessions, seen again
    tomorrow = timezone.now() + dt.timedelta(days=1)
    assert check_all(now=tomorrow)["days_audited"] == 1
    counted = [e for e in events(alice) if e.action == "sqlaccess.connections"]
    assert [(e.details["day"], e.details["sessions"]) for e in counted] == [(timezone.now().date().isoformat(), 2)]
    assert check_all(now=tomorrow)["days_audited"] == 0  # once per day


def test_deactivating_the_account_suspends_the_login_and_reactivating_resumes_it(lake, make_user):
    from console.people import set_active

    alice, _ = lake
    dana = make_user("dana", "admin")
    granted = actions.grant_login(alice)
    session = connect(granted.dsn)
    set_active(dana, alice, False)
    with pytest.raises(psycopg.OperationalError):
        session.execute("SELECT 1")
    session.close()
    with pytest.raises(psycopg.OperationalError):
        connect(granted.dsn)
    assert schema_exists(granted.workspace)
    set_active(dana, alice, True)
    with connect(granted.dsn) as conn:
        assert conn.execute("SELECT count(*) FROM user_data.device").fetchone()[0] == 1
    assert [e.action for e in events(alice)][-2:] == ["sqlaccess.suspended", "sqlaccess.resumed"]

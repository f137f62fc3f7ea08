"""The Activity page states each session's state and how long it has been in it, and ops can
cancel or terminate one: confirmed, audited, run by a real worker."""

import re
import time

import psycopg
import pytest
from django.db import connections

from audit.models import Event
from monitoring import snapshot


@pytest.fixture
def app_session(django_db_setup):
    """Sessions of the app role (not a superuser, whose backends may not be signalled)."""
    opened = []

    def open_one(application):
        params = connections["default"].get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        params["application_name"] = application
        conn = psycopg.connect(**params, autocommit=True)
        opened.append(conn)
        return conn

    yield open_one
    for conn in opened:
        conn.close()


def row_of(page: str, pid: int) -> str:
    return re.search(rf'<tr[^>]*>\s*<td class="num">{pid}</td>(.*?)</tr>', page, re.S).group(1)


def test_idle_sessions_say_idle_and_for_how_long_not_query_for(client, committed, make_user, app_session):
    idle = app_session("resting-client")
    idle.execute("SELECT 1")
    waiting = app_session("forgotten-transaction")
    waiting.execute("BEGIN")
    waiting.execute("SELECT txid_current()")
    time.sleep(1.1)
    snapshot.forget()
    client.force_login(make_user("otto", "ops"))

    page = client.get("/ops/activity/").content.decode()

    resting = row_of(page, idle.info.backend_pid)
    assert ">idle<" in resting and re.search(r"idle for \d+ s", resting) and "query for" not in resting.lower()
    stuck = row_of(page, waiting.info.backend_pid)
    assert "idle in transaction" in stuck and re.search(r"transaction open \d+ s", stuck)
    assert "Terminate…" in stuck and "Cancel query…" not in stuck  # nothing runs there to cancel


def test_ops_terminate_a_session_idle_in_transaction(client, committed, make_user, app_session, run_worker):
    waiting = app_session("forgotten-transaction")
    waiting.execute("BEGIN")
    waiting.execute("SELECT txid_current()")
    pid = waiting.info.backend_pid
    client.force_login(make_user("otto", "ops"))

    confirm = client.get(f"/ops/actions/terminate-session/?target={pid}").content.decode()
    assert "Yes, terminate a session" in confirm
    outcome = client.post("/ops/actions/terminate-session/", {"target": str(pid), "confirm": "yes"})["Location"]
    assert run_worker("maintenance").returncode == 0

    assert f"Session {pid} was terminated" in client.get(outcome).content.decode()
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
        assert cursor.fetchone()[0] == 0
    assert Event.objects.using("owner").filter(action="ops.terminate-session", target=str(pid)).exists()


def test_a_pid_that_is_no_session_of_this_database_is_refused(client, committed, make_user):
    client.force_login(make_user("otto", "ops"))
    response = client.post("/ops/actions/cancel-session/", {"target": "999999", "confirm": "yes"}, follow=True)
    assert "there is no session 999999 on this database" in response.content.decode()
    response = client.post("/ops/actions/cancel-session/", {"target": "1; DROP", "confirm": "yes"}, follow=True)
    assert "“1; DROP” is not a process id" in response.content.decode()

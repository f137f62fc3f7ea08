"""GET /api/v1/events with an API token: the `events` scope, her events only, resumed by Last-Event-ID."""

import pytest

from tests.events.test_sse import frames, record

pytestmark = pytest.mark.django_db(databases=["default", "owner"])


def test_a_token_with_the_events_scope_streams_her_events_from_last_event_id(client, alice, bob, token_for,
                                                                            bearer, settings):
    settings.EVENTS_SSE_MAX_SECONDS = 0
    record(alice, 3)
    record(bob, 5)
    response = client.get("/api/v1/events", headers={**bearer(token_for(alice, "events")), "Last-Event-ID": "1"})
    assert response.status_code == 200 and response["Content-Type"] == "text/event-stream"
    got = frames(chunk.decode() for chunk in response.streaming_content)
    assert [f["id"] for f in got[1:]] == ["2", "3"]


def test_a_token_without_the_events_scope_is_refused_naming_it(client, alice, token_for, bearer):
    response = client.get("/api/v1/events", headers=bearer(token_for(alice, "read:all")))
    assert response.status_code == 403 and response["Content-Type"] == "application/problem+json"
    assert "events" in response.json()["detail"]


def test_an_unknown_token_is_a_401_problem(client, bearer):
    response = client.get("/api/v1/events", headers=bearer("dpl_nothing0_secret"))
    assert response.status_code == 401 and response["Content-Type"] == "application/problem+json"

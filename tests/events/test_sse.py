"""SSE: the user's outbox as text/event-stream, with `id:` lines, heartbeats, and Last-Event-ID resume."""

import json

import pytest
from django.urls import reverse

from core.rls import user_scope
from events import outbox, sse


def record(user, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        with user_scope(user.pk):
            outbox.record(user.pk, outbox.DATA_DELETED, {"n": i})


def frames(chunks) -> list[dict]:
    """Parse SSE frames (one or more per chunk) into dicts of their fields; comments as {"comment": ...}."""
    parsed = []
    for block in "".join(chunks).split("\n\n"):
        if not block:
            continue
        frame = {}
        for line in block.split("\n"):
            field, _, value = line.partition(": ") if not line.startswith(":") else ("comment", "", line[2:])
            frame[field] = value
        parsed.append(frame)
    return parsed


class FakeTime:
    """The stream's clock and wait: waiting moves time on, nothing sleeps."""

    def __init__(self):
        self.now = 0.0
        self.waits = []

    def clock(self):
        return self.now

    def wait(self, timeout):
        self.waits.append(timeout)
        self.now += timeout


def test_the_stream_sends_her_events_in_order_with_their_seq_as_id(alice, bob):
    record(alice, 3)
    record(bob, 2)
    time = FakeTime()
    got = frames(sse.stream(alice.pk, None, max_seconds=0, wait=time.wait, clock=time.clock))
    assert got[0] == {"retry": "3000"}
    events = got[1:]
    assert [e["id"] for e in events] == ["1", "2", "3"]
    assert {e["event"] for e in events} == {"data.deleted"}
    assert [json.loads(e["data"])["data"]["n"] for e in events] == [0, 1, 2]  # none of Bob's


def test_it_resumes_after_the_last_event_id_and_reads_on_as_events_commit(alice):
    record(alice, 4)
    time = FakeTime()
    produced = sse.stream(alice.pk, "2", heartbeat_s=10, max_seconds=60, wait=time.wait, clock=time.clock)
    assert next(produced) == "retry: 3000\n\n"
    assert [f["id"] for f in frames([next(produced), next(produced)])] == ["3", "4"]
    # Nothing new: the next frame is a heartbeat, ten (fake) seconds on.
    assert next(produced) == ": heartbeat\n\n" and time.now == pytest.approx(10)
    record(alice, 1, start=4)
    assert frames([next(produced)])[0]["id"] == "5"


@pytest.mark.parametrize("bad", ["", "abc", "-5", None])
def test_a_malformed_last_event_id_starts_from_the_beginning(alice, bad):
    record(alice, 2)
    time = FakeTime()
    got = frames(sse.stream(alice.pk, bad, max_seconds=0, wait=time.wait, clock=time.clock))
    assert [f["id"] for f in got[1:]] == ["1", "2"]


def test_a_stream_ends_after_its_time_so_the_client_reconnects(alice):
    time = FakeTime()
    got = frames(sse.stream(alice.pk, None, heartbeat_s=15, max_seconds=40, wait=time.wait, clock=time.clock))
    assert got == [{"retry": "3000"}, {"comment": "heartbeat"}, {"comment": "heartbeat"}]
    assert time.now == pytest.approx(40)


def test_the_view_streams_from_last_event_id_for_a_signed_in_person(client, alice, bob, settings):
    settings.EVENTS_SSE_MAX_SECONDS = 0
    record(alice, 3)
    record(bob, 5)
    client.force_login(alice)
    response = client.get(reverse("api_events"), headers={"Last-Event-ID": "1"})
    assert response.status_code == 200 and response["Content-Type"] == "text/event-stream"
    assert response["Cache-Control"] == "no-cache"
    got = frames(chunk.decode() for chunk in response.streaming_content)
    assert [f["id"] for f in got[1:]] == ["2", "3"]


def test_the_view_refuses_anyone_not_signed_in_with_a_problem(client, otto):
    response = client.get(reverse("api_events"))
    assert response.status_code == 401 and response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 401
    client.force_login(otto)  # ops sees counts, never a user's events
    assert client.get(reverse("api_events")).status_code == 401

"""Server-sent events: the user's outbox as a `text/event-stream`, resumable by Last-Event-ID.

Each event's `id:` is its seq, the user's commit-ordered counter (events.outbox),
so a client that reconnects with the last id it saw gets exactly what came
after, from the outbox itself: nothing is lost while it was away. The
generator opens the user scope only for each short read, never across a
wait, so an idle stream holds no transaction. Between reads it waits on the
user's Redis stream (XREAD BLOCK), a hint that new events committed, or a
timeout, whichever comes first; then it reads the outbox again.
"""

import json
import logging
import time
from collections.abc import Callable, Iterator

import django_rq

from core.rls import user_scope
from events.models import OutboxEvent
from events.outbox import QUEUE, stream_key

log = logging.getLogger(__name__)

HEARTBEAT_S = 15.0
# How long a reconnecting EventSource waits (the `retry:` field).
RETRY_MS = 3000
BATCH = 500


def parse_last_event_id(value) -> int:
    """The seq to resume after: 0 (from the beginning) for a missing or malformed id."""
    try:
        seq = int(str(value).strip())
    except (TypeError, ValueError):
        return 0
    return max(seq, 0)


def format_event(event: OutboxEvent) -> str:
    data = json.dumps({"id": event.public_id, "seq": event.seq, "type": event.type,
                       "timestamp": event.occurred_at.isoformat(), "data": event.data},
                      separators=(",", ":"), default=str)
    return f"id: {event.seq}\nevent: {event.type}\ndata: {data}\n\n"


def redis_waiter(user_id: int) -> Callable[[float], None]:
    """Block until the user's stream grows or `timeout` passes (a Redis outage degrades to sleeping)."""
    connection = django_rq.get_connection(QUEUE)
    key = stream_key(user_id)
    state = {"last": "$"}

    def wait(timeout: float) -> None:
        try:
            found = connection.xread({key: state["last"]}, block=max(1, int(timeout * 1000)), count=100)
            if found:
                state["last"] = found[0][1][-1][0]
        except Exception:  # noqa: BLE001 - the outbox is the truth; the stream only wakes us early
            log.warning("the event stream of user %s is unreachable; polling instead", user_id, exc_info=True)
            time.sleep(timeout)

    return wait


def stream(user_id: int, last_event_id=None, *, heartbeat_s: float = HEARTBEAT_S, max_seconds: float | None = None,
           wait: Callable[[float], None] | None = None, clock: Callable[[], float] = time.monotonic) -> Iterator[str]:
    """Yield SSE frames: the events after `last_event_id`, then new ones as they commit, with heartbeats.

    Ends after `max_seconds` (the client reconnects with its Last-Event-ID),
    so a long-lived stream never pins a server thread for ever.
    """
    cursor = parse_last_event_id(last_event_id)
    wait = wait or redis_waiter(user_id)
    started = last_frame = clock()
    yield f"retry: {RETRY_MS}\n\n"
    while True:
        with user_scope(user_id):
            events = list(OutboxEvent.objects.filter(seq__gt=cursor).order_by("seq")[:BATCH])
        for event in events:
            cursor = event.seq
            yield format_event(event)
        if events:
            last_frame = clock()
            if len(events) == BATCH:
                continue  # a backlog: read on before waiting
        if max_seconds is not None and clock() - started >= max_seconds:
            return
        if clock() - last_frame >= heartbeat_s:
            yield ": heartbeat\n\n"
            last_frame = clock()
        remaining = heartbeat_s - (clock() - last_frame)
        if max_seconds is not None:
            remaining = min(remaining, max_seconds - (clock() - started))
        wait(max(remaining, 0.05))

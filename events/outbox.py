"""Writing change events: one call, in the transaction of the change it reports.

This is the low half of the `events` room (see docs/ARCHITECTURE.md): it
imports only the platform, so imports, deletion and lifecycle can call it.
Delivery (webhooks, SSE) lives in `events.delivery`, above them.

Order. `id` is a bigserial drawn at INSERT, and two transactions may commit
in the other order than they drew their ids: a reader that had seen id 11
would never look back for id 10. So each event also gets `seq`, the user's
own counter, drawn by an UPDATE of her row in user_data.event_sequence. The
row lock is held until the writer commits or rolls back, so two writers for
the same user pass that point one after the other, the second only once the
first has ended, and (READ COMMITTED re-reads the locked row) it draws the
next number: seq order is commit order for each user, and a reader that saw
seq n will see every seq below n that ever commits. A rolled-back writer
leaves no gap; the counter survives deleting her events, so seq never runs
backwards. Callers record last in their transaction, so the lock is held for
the commit alone.

After the commit (never before, and never per row) the user's Redis stream
gets the events (XADD, bounded MAXLEN) and the dispatcher a wake-up job.
Both are hints: the outbox is the truth, and the scheduler's periodic
dispatch and the SSE reader find anything a lost hint missed.
"""

import json
import logging

import django_rq
from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from events.models import OutboxEvent, WebhookDelivery

log = logging.getLogger(__name__)

# The job the wake-up enqueues, by name: events.delivery imports this module, never the reverse.
DISPATCH_JOB = "events.delivery.jobs.dispatch_user"
QUEUE = "default"

# What the lake reports. A type is "<noun>.<past participle>", as Standard Webhooks suggests.
ROWS_ADDED = "dataset.rows_added"
IMPORT_FINISHED = "import.finished"
DATA_DELETED = "data.deleted"
DATA_ARCHIVED = "data.archived"
DATA_RESTORED = "data.restored"
TYPES = (ROWS_ADDED, IMPORT_FINISHED, DATA_DELETED, DATA_ARCHIVED, DATA_RESTORED)


def stream_key(user_id: int) -> str:
    return f"events:user:{int(user_id)}"


def record(user_id: int, type: str, data: dict, *, import_run_id: int | None = None,
           using: str = "default") -> OutboxEvent:
    """Append one event for `user_id` in the caller's transaction (it must be in one).

    Called in a user scope (the policy's WITH CHECK admits only her rows) or
    on the owner connection (lifecycle). Rolls back with the caller.
    """
    if type not in TYPES:
        raise ValueError(f"unknown event type {type!r}")
    connection = connections[using]
    if not connection.in_atomic_block:
        raise RuntimeError("events.outbox.record joins the caller's transaction; call it inside one")
    with connection.cursor() as cursor:
        # The row lock taken here is what orders her events; it ends with the caller's transaction.
        cursor.execute(
            "INSERT INTO user_data.event_sequence AS s (user_id, last_seq) VALUES (%s, 1) "
            "ON CONFLICT (user_id) DO UPDATE SET last_seq = s.last_seq + 1 RETURNING last_seq",
            [user_id])
        seq = cursor.fetchone()[0]
    event = OutboxEvent(user_id=user_id, seq=seq, type=type, data=data, occurred_at=timezone.now(),
                        import_run_id=import_run_id)
    event.save(using=using, force_insert=True)
    transaction.on_commit(lambda: after_commit(event), using=using)
    return event


def after_commit(event: OutboxEvent) -> None:
    """The hints: the user's Redis stream, then a dispatcher wake-up. Failures only log."""
    try:
        connection = django_rq.get_connection(QUEUE)
        connection.xadd(stream_key(event.user_id), {
            "seq": event.seq, "id": event.public_id, "type": event.type,
            "occurred_at": event.occurred_at.isoformat(), "data": _json(event.data),
        }, maxlen=settings.EVENTS_STREAM_MAXLEN, approximate=False)
        wake_dispatcher(event.user_id, connection=connection)
    except Exception:
        log.warning("could not publish event %s of user %s (the periodic dispatch will deliver it)",
                    event.seq, event.user_id, exc_info=True)


def wake_dispatcher(user_id: int, *, connection=None) -> None:
    """Enqueue the user's dispatch unless one is already waiting (it will see this event too)."""
    connection = connection or django_rq.get_connection(QUEUE)
    job_id = f"events-dispatch-{int(user_id)}"
    try:
        if Job.fetch(job_id, connection=connection).get_status(refresh=False) == JobStatus.QUEUED:
            return
    except NoSuchJobError:
        pass
    django_rq.get_queue(QUEUE).enqueue(DISPATCH_JOB, int(user_id), job_id=job_id)


def forget_user_events(user) -> list[tuple[str, object]]:
    """For "delete everything": her events and their deliveries (her endpoints stay, and hear of it)."""
    return [("webhook_delivery", WebhookDelivery.objects.filter(user=user)),
            ("event_outbox", OutboxEvent.objects.filter(user=user))]


def _json(data) -> str:
    return json.dumps(data, separators=(",", ":"), default=str)

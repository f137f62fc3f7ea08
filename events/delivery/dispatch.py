"""The dispatcher: outbox events to webhook deliveries, and deliveries to HTTP requests.

Each user's work runs under her user scope and one session advisory lock
(one dispatcher per user at a time, so her deliveries leave in commit
order). A delivery is claimed with a lease committed before the request
goes out: a dispatcher killed mid-request loses the lease when it ends and
the next one sends the same message again, same `webhook-id` and body, so
receivers that deduplicate by id see it once. That is the promise:
at least once, never lost, first attempts in commit order.

Retries follow Svix's ladder (LADDER); only a 2xx within TIMEOUT counts. An
endpoint that has failed without a success for DISABLE_AFTER is disabled,
with an audit row and a notice on its owner's pages. Time comes in as `now`
so tests walk the ladder without sleeping.
"""

import datetime as dt
import ipaddress
import json
import logging
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db import connections
from django.db.models import Q
from django.utils import timezone

from audit.actions import record_event
from core import locks
from core.rls import maintenance_scope, user_scope
from events.delivery import notices, signing
from events.models import OutboxEvent, WebhookDelivery, WebhookEndpoint

log = logging.getLogger(__name__)

# Seconds before each attempt, counted from the one before: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
LADDER = (0, 5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600)
TIMEOUT = dt.timedelta(seconds=15)
DISABLE_AFTER = dt.timedelta(days=5)
# Longer than any request may take, so a live dispatcher never loses its claim.
LEASE = dt.timedelta(seconds=60)
FAN_OUT_BATCH = 1000
# Attempts per dispatch job, so one slow endpoint cannot hold a worker for ever; the rest waits for the next.
MAX_ATTEMPTS_PER_RUN = 200


def lock_name(user_id: int) -> str:
    return f"events.dispatch:{int(user_id)}"


@dataclass
class Outcome:
    status_code: int | None
    ms: int
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300 and not self.error


def body_of(event: OutboxEvent) -> str:
    """The message, byte for byte the same on every attempt and replay (the signature covers it)."""
    return json.dumps({"id": event.public_id, "seq": event.seq, "type": event.type,
                       "timestamp": event.occurred_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
                       "data": event.data}, separators=(",", ":"), sort_keys=True, default=str)


def signing_secrets(endpoint: WebhookEndpoint, now: dt.datetime) -> list[str]:
    valid = [endpoint.secret]
    if endpoint.previous_secret and endpoint.previous_secret_expires_at and endpoint.previous_secret_expires_at > now:
        valid.append(endpoint.previous_secret)
    return valid


def refused_address(url: str) -> str:
    """Why the lake will not post to `url` (a loopback, private or link-local address), or ''.

    Checked at every attempt, not only at registration: DNS may change.
    """
    if settings.EVENTS_WEBHOOK_ALLOW_PRIVATE:
        return ""
    host = urlsplit(url).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError as error:
        return f"the host {host} does not resolve ({error})"
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global:
            return f"{host} resolves to {ip}, an address inside this network; webhooks go to public hosts only"
    return ""


def post(url: str, body: str, headers: dict) -> Outcome:
    """One HTTP attempt. No redirects (a 3xx is a failure); only a 2xx within TIMEOUT counts."""
    started = time.monotonic()
    limit = TIMEOUT.total_seconds()
    try:
        with requests.post(url, data=body.encode(), headers=headers, timeout=(min(5.0, limit), limit),
                           allow_redirects=False, stream=True) as response:
            ms = int((time.monotonic() - started) * 1000)
            error = "" if ms <= limit * 1000 else f"answered after {ms} ms, more than {int(limit)} s"
            return Outcome(response.status_code, ms, error)
    except requests.RequestException as error:
        return Outcome(None, int((time.monotonic() - started) * 1000), f"{type(error).__name__}: {error}"[:500])


# --- fan-out -------------------------------------------------------------------------


def fan_out(user_id: int, *, now: dt.datetime) -> int:
    """Deliveries for the events each enabled endpoint has not seen; returns how many were made."""
    made = 0
    with user_scope(user_id):
        for endpoint in WebhookEndpoint.objects.select_for_update().filter(enabled=True):
            events = list(OutboxEvent.objects.filter(seq__gt=endpoint.cursor_seq).order_by("seq")[:FAN_OUT_BATCH])
            if not events:
                continue
            created = WebhookDelivery.objects.bulk_create(
                [WebhookDelivery(user_id=user_id, endpoint=endpoint, event=event, seq=event.seq, next_attempt_at=now)
                 for event in events if endpoint.wants(event.type)],
                ignore_conflicts=True)
            made += len(created)
            endpoint.cursor_seq = events[-1].seq
            endpoint.save(update_fields=["cursor_seq"])
    return made


# --- attempts --------------------------------------------------------------------------


def claim(user_id: int, *, now: dt.datetime) -> WebhookDelivery | None:
    """The user's next due delivery, leased to this dispatcher (committed before it is sent)."""
    with user_scope(user_id):
        # A subquery rather than a join: FOR UPDATE then locks the delivery row alone.
        enabled = WebhookEndpoint.objects.filter(enabled=True).values("id")
        delivery = (WebhookDelivery.objects.select_for_update(skip_locked=True)
                    .filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now, endpoint_id__in=enabled)
                    .filter(Q(lease_until__isnull=True) | Q(lease_until__lte=now))
                    .order_by("next_attempt_at", "seq", "id").first())
        if delivery is None:
            return None
        delivery.lease_until = now + LEASE
        delivery.save(update_fields=["lease_until"])
        delivery.endpoint = WebhookEndpoint.objects.get(pk=delivery.endpoint_id)
        delivery.event = OutboxEvent.objects.get(pk=delivery.event_id)
    return delivery


def attempt(delivery: WebhookDelivery, *, now: dt.datetime, send=post) -> Outcome:
    endpoint, event = delivery.endpoint, delivery.event
    body = body_of(event)
    refused = refused_address(endpoint.url)
    if refused:
        outcome = Outcome(None, 0, refused)
    else:
        outcome = send(endpoint.url, body, signing.headers(signing_secrets(endpoint, now), event.public_id, now, body))
    settle(delivery, outcome, now=now)
    return outcome


def settle(delivery: WebhookDelivery, outcome: Outcome, *, now: dt.datetime) -> None:
    """Record the attempt; on failure schedule the next rung, or give up; disable a long-failing endpoint."""
    with user_scope(delivery.user_id):
        delivery.attempts = [*delivery.attempts, {"at": now.isoformat(), "status_code": outcome.status_code,
                                                  "ms": outcome.ms, "error": outcome.error}]
        delivery.lease_until = None
        delivery.step += 1
        endpoint = WebhookEndpoint.objects.select_for_update().filter(pk=delivery.endpoint_id).first()
        if endpoint is None:
            return  # deleted while the request was out; its deliveries went with it
        if outcome.ok:
            delivery.status = WebhookDelivery.Status.SUCCEEDED
            if endpoint.failing_since is not None:
                endpoint.failing_since = None
                endpoint.save(update_fields=["failing_since"])
        else:
            if delivery.step >= len(LADDER):
                delivery.status = WebhookDelivery.Status.FAILED
            else:
                delivery.next_attempt_at = now + dt.timedelta(seconds=LADDER[delivery.step])
            if endpoint.failing_since is None:
                endpoint.failing_since = now
                endpoint.save(update_fields=["failing_since"])
            elif endpoint.enabled and now - endpoint.failing_since >= DISABLE_AFTER:
                disable(endpoint, now=now, reason=(
                    f"Every delivery since {endpoint.failing_since:%Y-%m-%d %H:%M} UTC failed (last: "
                    f"{outcome.error or f'HTTP {outcome.status_code}'}); after five days of failures the "
                    f"endpoint was disabled. Fix the receiver, then enable it again: waiting events are kept."))
        delivery.save(update_fields=["attempts", "lease_until", "step", "status", "next_attempt_at"])


def disable(endpoint: WebhookEndpoint, *, now: dt.datetime, reason: str) -> None:
    endpoint.enabled, endpoint.disabled_at, endpoint.disabled_reason = False, now, reason
    endpoint.save(update_fields=["enabled", "disabled_at", "disabled_reason"])
    notices.refresh(endpoint.user_id)
    record_event("webhook.disabled", target=f"webhook:{endpoint.pk}",
                 details={"user_id": endpoint.user_id, "url": endpoint.url,
                          "failing_since": endpoint.failing_since.isoformat()})


# --- the jobs' bodies ----------------------------------------------------------------------


def dispatch_user(user_id: int, *, now=None, send=post, clock=None) -> dict:
    """Deliver everything of the user's that is due. Returns counts; 'busy' if another dispatcher has her.

    `clock` (a callable returning an aware datetime) lets tests move time during the run; `now` fixes it.
    """
    clock = clock or ((lambda: now) if now is not None else timezone.now)
    with connections["default"].cursor() as cursor:
        if not locks.try_lock(cursor, lock_name(user_id)):
            return {"user": user_id, "busy": True}
    counts = {"user": user_id, "fanned_out": 0, "succeeded": 0, "failed": 0}
    try:
        counts["fanned_out"] += fan_out(user_id, now=clock())
        for _ in range(MAX_ATTEMPTS_PER_RUN):
            delivery = claim(user_id, now=clock())
            if delivery is None:
                # Events committed while we were sending: take them in this run too.
                if not (made := fan_out(user_id, now=clock())):
                    break
                counts["fanned_out"] += made
                continue
            outcome = attempt(delivery, now=clock(), send=send)
            counts["succeeded" if outcome.ok else "failed"] += 1
    finally:
        with connections["default"].cursor() as cursor:
            locks.unlock(cursor, lock_name(user_id))
    return counts


def users_with_webhooks() -> list[int]:
    # A narrow SECURITY DEFINER function: outside any user scope row-level security shows no endpoints.
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT user_id FROM user_data.webhook_users()")
        return [row[0] for row in cursor.fetchall()]


def dispatch_all(*, now=None) -> dict:
    """The scheduler's safety net: every user with an enabled endpoint, whatever hint was lost."""
    results = [dispatch_user(user_id, now=now) for user_id in users_with_webhooks()]
    return {"users": len(results), "succeeded": sum(r.get("succeeded", 0) for r in results),
            "failed": sum(r.get("failed", 0) for r in results)}


def prune(*, now=None, keep=None) -> dict:
    """Forget events older than EVENTS_RETENTION_DAYS that no delivery still waits to send.

    Readers that come back later than that resume from the oldest event kept
    (seq does not restart: the counter stays). Runs past row-level security,
    audited, because it spans every user.
    """
    keep = keep or dt.timedelta(days=settings.EVENTS_RETENTION_DAYS)
    cutoff = (now or timezone.now()) - keep
    with maintenance_scope("events.prune", details={"before": cutoff.isoformat()}) as connection, \
            connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM user_data.event_outbox e WHERE e.occurred_at < %s AND NOT EXISTS ("
            " SELECT FROM user_data.webhook_delivery d WHERE d.event_id = e.id AND d.status = 'pending')",
            [cutoff])
        return {"pruned": cursor.rowcount}

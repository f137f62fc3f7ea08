"""Webhooks: signed per Standard Webhooks, delivered in commit order, retried on the Svix ladder
with time injected (never slept), disabled after five days of failure; a dispatcher SIGKILLed
mid-delivery loses nothing and the receiver deduplicates the repeat by webhook-id."""

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time

import django_rq
import psutil
import pytest
from django.core.cache import cache
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from core import locks
from core.rls import user_scope
from events import outbox
from events.delivery import actions, dispatch
from events.delivery.notices import disabled_urls
from events.models import OutboxEvent, WebhookDelivery, WebhookEndpoint
from tests.conftest import ROOT


def record(user, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        with user_scope(user.pk):
            outbox.record(user.pk, outbox.DATA_DELETED, {"n": i})


def endpoint_for(user, url, **kwargs) -> WebhookEndpoint:
    with user_scope(user.pk):
        return actions.create_endpoint(user, url, event_types=kwargs.pop("event_types", []), **kwargs)


def deliveries(user) -> list[WebhookDelivery]:
    with user_scope(user.pk):
        return list(WebhookDelivery.objects.order_by("seq"))


def test_deliveries_are_signed_and_arrive_in_commit_order(alice, bob, receiver):
    endpoint = endpoint_for(alice, receiver.url)
    bobs = endpoint_for(bob, receiver.url + "?bob")
    receiver.secrets = [endpoint.secret, bobs.secret]
    record(alice, 5)
    record(bob, 2)

    assert dispatch.dispatch_user(alice.pk)["succeeded"] == 5
    assert [r["body"]["seq"] for r in receiver.received] == [1, 2, 3, 4, 5]
    assert all(r["verified"] for r in receiver.received) and receiver.bad_signatures == 0
    first = receiver.received[0]
    assert first["headers"]["webhook-id"] == first["body"]["id"] and first["body"]["id"].startswith("evt_")
    assert first["headers"]["webhook-signature"].startswith("v1,")
    assert first["body"]["type"] == "data.deleted" and first["body"]["data"] == {"n": 0}
    assert {d.status for d in deliveries(alice)} == {"succeeded"}
    # Bob's events went to Bob's endpoint only.
    assert all(r["body"]["data"]["n"] < 5 for r in receiver.received)
    assert dispatch.dispatch_user(bob.pk)["succeeded"] == 2
    assert [r["body"]["seq"] for r in receiver.received[5:]] == [1, 2]  # his own numbering


def test_an_endpoint_hears_only_the_types_it_asked_for_and_only_from_when_it_was_made(alice, receiver):
    record(alice, 2)  # before the endpoint: not sent
    endpoint = endpoint_for(alice, receiver.url, event_types=[outbox.IMPORT_FINISHED])
    receiver.secrets = [endpoint.secret]
    record(alice, 2, start=2)
    with user_scope(alice.pk):
        outbox.record(alice.pk, outbox.IMPORT_FINISHED, {"import_run_id": 9})
    dispatch.dispatch_user(alice.pk)
    assert [(r["body"]["seq"], r["body"]["type"]) for r in receiver.received] == [(5, "import.finished")]


def test_after_a_rotation_both_secrets_sign_until_the_old_one_expires(alice, receiver):
    endpoint = endpoint_for(alice, receiver.url)
    old = endpoint.secret
    with user_scope(alice.pk):
        actions.rotate_secret(endpoint)
    receiver.secrets = [old]  # a receiver not yet switched
    record(alice, 1)
    dispatch.dispatch_user(alice.pk)
    receiver.secrets = [endpoint.secret]  # one that has switched
    record(alice, 1, start=1)
    dispatch.dispatch_user(alice.pk)
    assert [r["verified"] for r in receiver.received] == [True, True]
    assert len(receiver.received[0]["headers"]["webhook-signature"].split(" ")) == 2

    receiver.secrets = [old]
    record(alice, 1, start=2)
    dispatch.dispatch_user(alice.pk, now=timezone.now() + actions.PREVIOUS_SECRET_VALID + dt.timedelta(seconds=1))
    assert receiver.received[-1]["verified"] is False  # the old secret no longer signs
    assert len(receiver.received[-1]["headers"]["webhook-signature"].split(" ")) == 1


def test_a_failing_endpoint_follows_the_ladder_and_is_disabled_after_five_days(alice, receiver, client):
    endpoint = endpoint_for(alice, receiver.url)
    receiver.secrets, receiver.status = [endpoint.secret], 503
    t0 = timezone.now()
    record(alice, 1)
    now = t0
    tries = []
    for _ in dispatch.LADDER:
        if tries:  # a retry is not due a moment before its time; it is at its time
            assert dispatch.dispatch_user(alice.pk, now=now - dt.timedelta(milliseconds=1))["failed"] == 0
        result = dispatch.dispatch_user(alice.pk, now=now)
        assert result["failed"] == 1, (len(tries), result)
        tries.append(now)
        delivery = deliveries(alice)[0]
        if delivery.status == "pending":
            now = delivery.next_attempt_at
    assert [round((b - a).total_seconds()) for a, b in zip(tries, tries[1:], strict=False)] == list(dispatch.LADDER[1:])
    assert (delivery.status, delivery.step, len(delivery.attempts)) == ("failed", 8, 8)
    assert delivery.attempts[-1]["status_code"] == 503
    assert dispatch.dispatch_user(alice.pk, now=now + dt.timedelta(days=1))["failed"] == 0  # the ladder is over
    with user_scope(alice.pk):
        endpoint.refresh_from_db()
    assert endpoint.enabled and endpoint.failing_since == t0  # 27.6 hours of failure: not yet five days

    # More events keep failing; the first failure past five days since the last success disables it.
    record(alice, 1, start=1)
    assert dispatch.dispatch_user(alice.pk, now=t0 + dt.timedelta(days=3))["failed"] == 1
    record(alice, 1, start=2)
    # The first failure then disables it, and the other due delivery is not even tried.
    assert dispatch.dispatch_user(alice.pk, now=t0 + dt.timedelta(days=5, seconds=1))["failed"] == 1
    with user_scope(alice.pk):
        endpoint.refresh_from_db()
    assert not endpoint.enabled and "five days" in endpoint.disabled_reason
    assert Event.objects.filter(action="webhook.disabled", target=f"webhook:{endpoint.pk}").count() == 1
    # Nothing more is sent to it, and she is told on her pages.
    assert dispatch.dispatch_user(alice.pk, now=t0 + dt.timedelta(days=6))["failed"] == 0
    assert disabled_urls(alice.pk) == [receiver.url]
    client.force_login(alice)
    page = client.get(reverse("lake:devices")).content.decode()
    assert 'id="webhook-notice"' in page and receiver.url in page

    # Enabled again, with a receiver that works: the waiting deliveries go out, the notice goes.
    receiver.status = 200
    with user_scope(alice.pk):
        actions.enable(endpoint)
        WebhookDelivery.objects.filter(status="pending").update(next_attempt_at=timezone.now())
    assert dispatch.dispatch_user(alice.pk)["succeeded"] >= 1
    assert disabled_urls(alice.pk) == []
    cache.clear()


def test_only_a_2xx_within_the_time_limit_counts(alice, receiver, monkeypatch):
    endpoint = endpoint_for(alice, receiver.url)
    receiver.secrets = [endpoint.secret]
    monkeypatch.setattr(dispatch, "TIMEOUT", dt.timedelta(seconds=0.3))
    receiver.hold = threading.Event()  # answers only once released: later than the limit
    record(alice, 1)
    threading.Timer(1.0, receiver.hold.set).start()
    assert dispatch.dispatch_user(alice.pk)["failed"] == 1
    assert "Timeout" in deliveries(alice)[0].attempts[-1]["error"]
    receiver.hold = None
    receiver.status = 302  # a redirect is not followed, and is not a success
    replayed = deliveries(alice)[0]
    with user_scope(alice.pk):
        actions.replay(replayed)
    assert dispatch.dispatch_user(alice.pk)["failed"] == 1
    assert deliveries(alice)[0].attempts[-1]["status_code"] == 302


def test_private_addresses_are_refused_unless_allowed(alice, receiver, settings):
    settings.EVENTS_WEBHOOK_ALLOW_PRIVATE = False
    endpoint_for(alice, receiver.url)
    record(alice, 1)
    assert dispatch.dispatch_user(alice.pk)["failed"] == 1
    assert receiver.received == []
    assert "inside this network" in deliveries(alice)[0].attempts[-1]["error"]


def test_a_replay_sends_the_same_message_again(alice, receiver):
    endpoint = endpoint_for(alice, receiver.url)
    receiver.secrets = [endpoint.secret]
    record(alice, 1)
    dispatch.dispatch_user(alice.pk)
    with user_scope(alice.pk):
        actions.replay(deliveries(alice)[0])
    dispatch.dispatch_user(alice.pk)
    first, again = receiver.received
    assert first["headers"]["webhook-id"] == again["headers"]["webhook-id"] and first["body"] == again["body"]
    assert len(receiver.accepted) == 1  # deduplicated by the receiver
    assert len(deliveries(alice)[0].attempts) == 2


def test_the_periodic_dispatch_finds_every_user_with_an_endpoint(alice, bob, receiver):
    endpoint_for(alice, receiver.url)
    endpoint_for(bob, receiver.url)
    record(alice, 2)
    record(bob, 1)
    assert dispatch.users_with_webhooks() == sorted([alice.pk, bob.pk])
    assert dispatch.dispatch_all()["failed"] == 3  # no secrets given to the receiver: 401, retried later
    assert len(receiver.received) == 3


@pytest.fixture
def default_queue(child_env):
    queue = django_rq.get_queue("default")
    queue.empty()
    yield queue
    queue.empty()


def test_a_dispatcher_killed_mid_delivery_loses_no_event_and_the_receiver_dedupes(
        alice, receiver, child_env, default_queue):
    endpoint = endpoint_for(alice, receiver.url)
    receiver.secrets = [endpoint.secret]
    # The receiver takes event 2 in (processes it) but has not answered when the worker dies.
    receiver.hold, receiver.hold_seq = threading.Event(), 2
    record(alice, 3)  # each commit enqueues the wake-up job
    assert default_queue.count >= 1

    env = dict(child_env, EVENTS_WEBHOOK_ALLOW_PRIVATE="true")
    worker = subprocess.Popen([sys.executable, str(ROOT / "manage.py"), "rqworker", "default"], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert receiver.wait_for(lambda r: any(m["body"]["seq"] == 2 for m in r.received), timeout=90)
    finally:
        for process in [*psutil.Process(worker.pid).children(recursive=True), worker]:
            os.kill(process.pid, signal.SIGKILL)
        worker.wait(timeout=20)
    receiver.hold.set()
    states = {d.seq: d.status for d in deliveries(alice)}
    assert states == {1: "succeeded", 2: "pending", 3: "pending"}

    # The dead session's lock goes with it; once its lease has run out the delivery is sent again.
    deadline = time.monotonic() + 20
    with connections["default"].cursor() as cursor:
        while locks.held_elsewhere(cursor, dispatch.lock_name(alice.pk)) and time.monotonic() < deadline:
            time.sleep(0.1)
    assert dispatch.dispatch_user(alice.pk)["succeeded"] == 1  # event 3; event 2 is still leased
    result = dispatch.dispatch_user(alice.pk, now=timezone.now() + dispatch.LEASE)
    assert result["succeeded"] == 1

    assert {d.status for d in deliveries(alice)} == {"succeeded"}
    assert sorted(m["body"]["seq"] for m in receiver.received) == [1, 2, 2, 3]  # at least once
    assert sorted(m["seq"] for m in receiver.accepted.values()) == [1, 2, 3]  # once each, by webhook-id
    default_queue.empty()


def test_the_scheduler_runs_the_dispatcher_every_minute(django_db_setup):
    from rq.cron import CronScheduler

    scheduler = CronScheduler(connection=django_rq.get_connection("default"))
    scheduler.load_config_from_file("datalake.cron")
    jobs = {job.func_name: job for job in scheduler.get_jobs()}
    assert (jobs["events.delivery.jobs.dispatch_all"].queue_name, jobs["events.delivery.jobs.dispatch_all"].interval) \
        == ("default", 60)


def test_old_events_are_pruned_unless_a_delivery_still_waits_for_them(alice, bob, receiver):
    endpoint_for(alice, receiver.url)
    record(alice, 2)
    record(bob, 1)
    receiver.status = 503
    dispatch.dispatch_user(alice.pk)  # alice's two fail and stay pending
    with user_scope(alice.pk):
        WebhookDelivery.objects.filter(seq=1).update(status="failed")
    later = timezone.now() + dt.timedelta(days=31)
    assert dispatch.prune(now=later) == {"pruned": 2}  # alice's seq 1 (given up) and bob's only event
    with user_scope(alice.pk):
        assert list(OutboxEvent.objects.values_list("seq", flat=True)) == [2]
    with user_scope(bob.pk):
        assert not OutboxEvent.objects.exists()
    assert Event.objects.filter(action="maintenance.events.prune").count() == 1

"""Personas on committed data (the pipeline, RQ workers and other threads must see it), and a
real webhook receiver on 127.0.0.1 that verifies Standard Webhooks signatures."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connections
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from core.rls import user_scope
from events.models import OutboxEvent


@pytest.fixture
def alice(committed, make_user):
    return make_user("alice", "user")


@pytest.fixture
def bob(committed, make_user):
    return make_user("bob", "user")


@pytest.fixture(autouse=True)
def _private_webhooks_allowed(settings):
    # The receivers of these tests listen on loopback, which production refuses.
    settings.EVENTS_WEBHOOK_ALLOW_PRIVATE = True


def events_of(user) -> list[OutboxEvent]:
    with user_scope(user.pk):
        return list(OutboxEvent.objects.order_by("seq"))


class Receiver:
    """What a careful receiver does: verify the signature, deduplicate by webhook-id, answer 2xx.

    `status` is what it answers; `hold` (a threading.Event) keeps a request
    waiting before it answers, as a slow receiver does; `hold_seq` limits that to one event.
    """

    def __init__(self):
        self.secrets: list[str] = []
        self.status = 204
        self.hold: threading.Event | None = None
        self.hold_seq: int | None = None
        self.received: list[dict] = []  # every request, duplicates and bad signatures included
        self.accepted: dict[str, dict] = {}  # by webhook-id: what was processed, once
        self.bad_signatures = 0
        self.arrived = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_port}/hook"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                headers = {k.lower(): v for k, v in self.headers.items()}
                verified = False
                for secret in receiver.secrets:
                    try:
                        Webhook(secret).verify(body, headers)
                        verified = True
                        break
                    except WebhookVerificationError:
                        continue
                message = json.loads(body)
                with receiver.arrived:
                    receiver.received.append({"headers": headers, "body": message, "verified": verified})
                    if not verified:
                        receiver.bad_signatures += 1
                    else:
                        receiver.accepted.setdefault(headers["webhook-id"], message)
                    receiver.arrived.notify_all()
                if receiver.hold is not None and receiver.hold_seq in (None, message["seq"]):
                    receiver.hold.wait(60)
                # A broken receiver (5xx) fails whatever it was sent; a working one refuses bad signatures.
                self.send_response(receiver.status if verified or receiver.status >= 500 else 401)
                self.send_header("Content-Length", "0")
                self.end_headers()

        return Handler

    def wait_for(self, predicate, timeout: float = 60) -> bool:
        with self.arrived:
            return self.arrived.wait_for(lambda: predicate(self), timeout)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        if self.hold is not None:
            self.hold.set()
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


def outbox_count(user) -> int:
    with user_scope(user.pk), connections["default"].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM user_data.event_outbox")
        return cursor.fetchone()[0]

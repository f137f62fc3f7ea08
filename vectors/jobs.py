"""RQ jobs of semantic search, on the low-priority "vectors" queue, and the backfill's progress.

Workers take "vectors" after every other queue (manage.py serve lists it
last), so embedding runs when imports and maintenance have nothing waiting.
"""

import json
import logging
import time

import django_rq
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from rq import Queue

from vectors import embedders, indexing

log = logging.getLogger(__name__)

QUEUE = "vectors"
IMPORTS = "imports"
IMPORTING_KEY = "vectors:importing"
PROGRESS_KEY = "vectors:backfill"
# A run's job waiting in the queue: members committing meanwhile add none (that job embeds their rows too).
WAITING_KEY = "vectors:waiting:run:{}"


def _redis():
    return django_rq.get_connection(QUEUE)


def note_importing() -> None:
    """An import is reading a member now (the pipeline says so about once a second)."""
    _redis().set(IMPORTING_KEY, "1", ex=10)


def importing() -> bool:
    """Whether an import is running or waiting: embedding then takes a smaller share of the machine."""
    connection = _redis()
    return bool(connection.exists(IMPORTING_KEY)) or Queue(IMPORTS, connection=connection).count > 0


def yield_to_imports(worked: float) -> float:
    """Seconds to pause after a batch that took `worked`: the duty cycle of settings, lower while importing."""
    duty = settings.EMBEDDING_DUTY_WHILE_IMPORTING if importing() else settings.EMBEDDING_DUTY
    return worked * (1 / duty - 1)


def embed_run(user_id: int, run_id: int) -> dict:
    _redis().delete(WAITING_KEY.format(run_id))
    return indexing.embed_rows(user_id, run_id=run_id, pause=yield_to_imports)


def enqueue_run(user_id: int, run_id: int) -> None:
    """Embed run `run_id`'s new rows once the caller's transaction (a member's) commits."""
    def enqueue():
        try:
            if _redis().set(WAITING_KEY.format(run_id), "1", nx=True, ex=6 * 3600):
                django_rq.get_queue(QUEUE).enqueue(embed_run, user_id, run_id)
        except Exception:
            # Vectors are derived: a queue that is away must not fail the import; the backfill catches up.
            log.warning("could not enqueue embedding of import run %s", run_id, exc_info=True)
    transaction.on_commit(enqueue)


def _publish(state: dict) -> None:
    _redis().set(PROGRESS_KEY, json.dumps(state), ex=7 * 86400)


def backfill(user_id: int | None = None, model: str | None = None) -> dict:
    """Embed every row without a vector of `model`, for one user or everyone; progress for the Queues page."""
    model = model or embedders.current_name()
    users = [user_id] if user_id is not None else list(
        get_user_model().objects.order_by("pk").values_list("pk", flat=True))
    totals = [indexing.pending_rows(user, model) for user in users]
    state = {"state": "running", "model": model, "users": len(users), "rows_total": sum(t for t, _ in totals),
             "already": sum(d for _, d in totals), "rows": 0, "embedded": 0, "started": time.time(),
             "at": time.time()}
    _publish(state)
    try:
        for user in users:
            base_rows, base_embedded = state["rows"], state["embedded"]

            def progress(done, base_rows=base_rows, base_embedded=base_embedded):
                state.update(rows=base_rows + done["rows"], embedded=base_embedded + done["embedded"],
                             at=time.time())
                _publish(state)
            indexing.embed_rows(user, model=model, progress=progress, pause=yield_to_imports)
    except Exception as error:
        state.update(state="failed", error=f"{type(error).__name__}: {error}", at=time.time())
        _publish(state)
        raise
    state.update(state="finished", at=time.time())
    _publish(state)
    return state


def enqueue_backfill(user_id: int | None = None, model: str | None = None):
    _publish({"state": "queued", "model": model or embedders.current_name(), "rows": 0, "embedded": 0,
              "rows_total": None, "at": time.time()})
    return django_rq.get_queue(QUEUE).enqueue(backfill, user_id, model, job_timeout=24 * 3600)


def catch_up() -> None:
    """Embed what has no vector yet (rows restored from an archive), on the queue; never fails the caller."""
    try:
        enqueue_backfill()
    except Exception:
        log.warning("could not enqueue the embedding backfill", exc_info=True)


def backfill_progress() -> dict | None:
    """The last backfill's state, for the ops Queues page: state, model, rows read of rows_total, embedded."""
    try:
        raw = _redis().get(PROGRESS_KEY)
    except Exception:  # noqa: BLE001 - an ops page shows Redis being away elsewhere; here it just has no line
        return None
    return json.loads(raw) if raw else None

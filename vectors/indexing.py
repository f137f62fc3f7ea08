"""Embedding the lake's rows: after an import member commits, and as a backfill.

Idempotent and resumable: rows are read in key order, one batch per
transaction, and a row already embedded with the current model is skipped, so
a job killed halfway, or run twice, ends with each row embedded once. Between
batches the job pauses (`pause`: seconds, or a function of the seconds the
batch took; vectors.jobs passes one that yields to a running import) so an
import beside it keeps the machine.
"""

import logging
import time
from collections.abc import Callable

from django.conf import settings

from core.rls import user_scope
from vectors import documents, embedders, store
from vectors.models import Embedding

log = logging.getLogger(__name__)


def embed_rows(user_id: int, *, run_id: int | None = None, model: str | None = None,
               batch_rows: int | None = None, pause: float | Callable[[float], float] | None = None,
               progress: Callable[[dict], None] | None = None) -> dict:
    """Embed the user's rows (only import run `run_id`'s, if given) that have no vector of `model` yet.

    Returns {"rows": read, "embedded": stored, "seconds": ...}.
    """
    model = model or embedders.current_name()
    embedder = embedders.load(model)
    batch_rows = batch_rows or settings.EMBEDDING_BATCH_ROWS
    if pause is None:  # the duty cycle of settings, without asking whether an import runs
        pause = lambda worked: worked * (1 / settings.EMBEDDING_DUTY - 1)  # noqa: E731
    started = time.monotonic()
    totals = {"rows": 0, "embedded": 0}
    for _source, dataset in documents.embedded_datasets():
        fields = documents.columns(dataset)
        last = None
        while True:
            began = time.monotonic()
            with user_scope(user_id):
                rows = dataset.model.objects.all()
                if run_id is not None:
                    rows = rows.filter(import_run_id=run_id)
                if last is not None:
                    rows = rows.filter(pk__gt=last)
                page = list(rows.order_by("pk").values(*fields)[:batch_rows])
                if not page:
                    break
                last = page[-1]["pk"]
                found = [doc for values in page if (doc := documents.document(dataset, values)) is not None]
                there = store.existing_keys(user_id, model, dataset.name, [doc.row_key for doc in found])
                new = [doc for doc in found if doc.row_key not in there]
                if new:
                    vectors = embedder.documents([doc.content for doc in new])
                    totals["embedded"] += store.insert(user_id, model, new, vectors)
                totals["rows"] += len(page)
            if progress is not None:
                progress({**totals, "dataset": dataset.name})
            if len(page) < batch_rows:
                break
            wait = pause(time.monotonic() - began) if callable(pause) else pause
            if wait:
                time.sleep(wait)
    totals["seconds"] = round(time.monotonic() - started, 3)
    return totals


def pending_rows(user_id: int, model: str | None = None) -> tuple[int, int]:
    """(rows with words, of which embedded with `model`) for one user: what a backfill has left."""
    model = model or embedders.current_name()
    with user_scope(user_id):
        total = sum(dataset.model.objects.count() for _source, dataset in documents.embedded_datasets())
        done = Embedding.objects.filter(model=model).count()
    return total, done


# --- Removing vectors with their rows -------------------------------------------------
# Each runs in the caller's transaction, so the vectors go exactly when the rows do.

def forget_run(run_id: int) -> int:
    """The vectors of import run `run_id`'s rows (in the caller's user scope)."""
    return Embedding.objects.filter(import_run_id=run_id).delete()[0]


def forget_range(lower, upper) -> int:
    """The vectors of rows whose time falls in [lower, upper) (UTC; in the caller's user scope)."""
    return Embedding.objects.filter(at__gte=lower, at__lt=upper).delete()[0]


def forget_all() -> int:
    """Every vector the caller's user scope sees."""
    return Embedding.objects.all().delete()[0]


def forget_period(cursor, dataset: str, lower, upper) -> int:
    """Every user's vectors of `dataset`'s rows in [lower, upper): a month archived, on the owner's cursor."""
    cursor.execute("DELETE FROM vectors.embedding WHERE dataset = %s AND at >= %s AND at < %s",
                   [dataset, lower, upper])
    return cursor.rowcount

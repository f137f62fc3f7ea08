"""RQ jobs of the derived data. Thin wrappers: the work lives in sources.derived.actions."""

import django_rq
from django.db import transaction
from rq import get_current_job

from sources.derived import actions


def enrich_changed(user_id: int) -> dict:
    """Rebuild only the days whose points changed (after an import, a live batch or a deletion)."""
    return actions.enrich(user_id)


def enrich_run(user_id: int, run_id: int) -> dict:
    """Rebuild the days an import run brought points for: seconds, whatever the size of the lake."""
    return actions.enrich_run(user_id, run_id)


def rebuild(user_id: int) -> dict:
    """The full rebuild, as a maintenance job whose progress (0..1) is in its meta["progress"]."""
    job = get_current_job()

    def progress(fraction: float) -> None:
        if job is not None:
            job.meta["progress"] = round(fraction, 3)
            job.save_meta()

    result = actions.enrich(user_id, rebuild=True, progress=progress)
    progress(1.0)
    return result


def enqueue_enrich(user_id: int | None = None) -> None:
    """Enrich the user's changed days on the "maintenance" queue once the caller's transaction commits."""
    if user_id is not None:
        transaction.on_commit(lambda: django_rq.get_queue("maintenance").enqueue(enrich_changed, user_id))


def enqueue_run(*, run_id: int, user_id: int) -> None:
    """A finished import run's days, on the "maintenance" queue once the run's transaction commits."""
    transaction.on_commit(lambda: django_rq.get_queue("maintenance").enqueue(enrich_run, user_id, run_id))


def enqueue_rebuild(user_id: int):
    return django_rq.get_queue("maintenance").enqueue(rebuild, user_id, job_timeout=6 * 3600)

"""RQ jobs of the import pipeline. Small wrappers: the work lives in imports.pipeline and actions."""

import datetime as dt
import logging

import django_rq
from django.utils import timezone
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from core.rls import user_scope
from imports import liveness
from imports.actions import QUEUE, requeue_run
from imports.models import ImportRun
from imports.pipeline import process_run as process
from imports.pipeline import record_finished

log = logging.getLogger(__name__)

# A worker refreshes the heartbeat with every committed member; the advisory
# lock, not this age, is what proves it dead (a single 1 GB member commits once).
STALE_AFTER = dt.timedelta(seconds=90)
# django-rq enqueues right after the commit; give that a moment before calling a job missing.
QUEUED_GRACE = dt.timedelta(seconds=30)
MAX_ATTEMPTS = 5
_WAITING = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.DEFERRED, JobStatus.SCHEDULED}


def process_run(run_id: int):
    run = process(run_id)
    return {"run": run_id, "status": run.status if run else "not claimed"}


def _job_is_waiting(job_id: str) -> bool:
    if not job_id:
        return False
    try:
        job = Job.fetch(job_id, connection=django_rq.get_connection(QUEUE))
    except NoSuchJobError:
        return False
    return job.get_status(refresh=False) in _WAITING


def _give_up(row: dict) -> None:
    with user_scope(row["user_id"]):
        given_up = ImportRun.objects.filter(pk=row["id"], status=row["status"]).update(
            status=ImportRun.Status.FAILED, stage=ImportRun.Stage.FINISHED, finished_at=timezone.now(),
            error=f"The import was interrupted {row['attempts'] + 1} times and was given up. Members "
                  f"imported before that are kept; start a new import to retry the rest.",
        )
        if given_up:
            record_finished(ImportRun.objects.get(pk=row["id"]))


def reconcile(*, now=None, stale_after: dt.timedelta = STALE_AFTER, queued_grace: dt.timedelta = QUEUED_GRACE):
    """Re-enqueue queued runs whose job never reached Redis (or vanished from it) and
    running runs whose worker died. Idempotent: a run is repaired only if no live
    job or worker has it, and the repair is a conditional UPDATE."""
    now = now or timezone.now()
    repaired = []
    for row in liveness.open_runs():
        if row["status"] == ImportRun.Status.QUEUED:
            if now - row["created_at"] < queued_grace or _job_is_waiting(row["job_id"]):
                continue
            reason = "its job was missing from the queue"
        else:
            if row["heartbeat_at"] and now - row["heartbeat_at"] < stale_after:
                continue
            if liveness.is_held_elsewhere(row["id"]):
                continue  # a live worker, busy inside a long member
            reason = "its worker stopped"
        if row["attempts"] + 1 >= MAX_ATTEMPTS:
            _give_up(row)
            continue
        with user_scope(row["user_id"]):
            run = ImportRun.objects.get(pk=row["id"])
        if requeue_run(run, reason=reason):
            log.warning("import run %s re-enqueued: %s", run.pk, reason)
            repaired.append(run.pk)
    return {"requeued": repaired}

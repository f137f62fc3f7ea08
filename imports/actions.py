"""State changes on import runs. Each owns its transaction, audit row and job."""

from dataclasses import dataclass
from pathlib import Path

import django_rq
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from audit.actions import record_event
from core.rls import user_scope
from imports.models import ImportFile, ImportRun
from imports.progress import progress_key

QUEUE = "imports"
# Enqueued by name: imports.jobs imports this module, never the reverse.
PROCESS_RUN_JOB = "imports.jobs.process_run"


@dataclass(frozen=True)
class RawFile:
    """A complete file in the raw store, as the upload (or the command) hands it over."""

    path: Path
    original_name: str
    sha256: str
    size: int


def job_id_for(run: ImportRun) -> str:
    # Deterministic, so the reconciler can ask Redis whether this attempt's job exists.
    return f"import-run-{run.pk}-{run.attempts}"


def enqueue_run(run: ImportRun) -> None:
    """Queue `run` for a worker when the current transaction commits."""
    run.job_id = job_id_for(run)
    run.save(update_fields=["job_id"])
    django_rq.get_queue(QUEUE).enqueue(PROCESS_RUN_JOB, run.pk, job_id=run.job_id)


def create_run(user, files: list[RawFile], source: str = ImportRun.Source.UPLOAD, *, request=None,
               enqueue: bool = True) -> ImportRun:
    """Record an import of `files` (in this order: the parts of one export) and queue it.

    The run, its files and the audit event commit together; the job reaches
    Redis only after that commit (django-rq's on-commit mode), and if Redis is
    down then, the reconciler enqueues it later. `enqueue=False` is for the
    management command, which runs the pipeline itself.
    """
    if not files:
        raise ValueError("an import needs at least one file")
    with user_scope(user.pk):
        run = ImportRun.objects.create(user=user, source=source)
        ImportFile.objects.bulk_create(
            ImportFile(user=user, run=run, part=part, original_name=raw.original_name[:500],
                       sha256=raw.sha256, size=raw.size, path=str(raw.path))
            for part, raw in enumerate(files, start=1)
        )
        record_event(
            "import.created",
            actor=user,
            request=request,
            target=f"import_run:{run.pk}",
            details={"source": source, "files": [{"name": f.original_name, "sha256": f.sha256, "size": f.size}
                                                 for f in files]},
        )
        if enqueue:
            enqueue_run(run)
    return run


def mark_runs_deleted(user, run_ids: list[int] | None = None) -> int:
    """Note on finished runs that the rows they added were deleted (all of `user`'s runs when
    `run_ids` is None). Called inside the deletion's transaction, so both commit together.

    A run still on its way is left alone: it keeps adding rows after the deletion.
    """
    runs = ImportRun.objects.filter(user=user, status__in=ImportRun.FINAL, deleted_at__isnull=True)
    if run_ids is not None:
        runs = runs.filter(pk__in=run_ids)
    return runs.update(deleted_at=timezone.now())


def requeue_run(run: ImportRun, *, reason: str) -> bool:
    """Put an abandoned run back in the queue (the reconciler's repair), if it still is `run`'s state.

    Conditional on the status and attempts read before, so two reconcilers
    running at once enqueue it only once.
    """
    with user_scope(run.user_id):
        updated = ImportRun.objects.filter(pk=run.pk, status=run.status, attempts=run.attempts).update(
            status=ImportRun.Status.QUEUED, stage=ImportRun.Stage.WAITING, attempts=run.attempts + 1,
            claimed_by="",
        )
        if not updated:
            return False
        run.refresh_from_db()
        record_event("import.requeued", actor=None, target=f"import_run:{run.pk}",
                     details={"reason": reason, "attempt": run.attempts})
        enqueue_run(run)
    return True


def forget_user_imports(user) -> list:
    """Delete-everything's share of the imports: the person's runs, as (name, queryset) to delete.

    Their files and members go with them (ON DELETE CASCADE): file and member
    names, hashes, rejection samples with raw coordinates. Deleted first, so a
    member in flight either committed before (and its rows are deleted too) or
    fails to settle against a run that is gone, rolling its rows back.
    """
    runs = ImportRun.objects.filter(user=user)
    keys = [progress_key(pk) for pk in runs.values_list("pk", flat=True)]
    # The live progress line names the member being read.
    transaction.on_commit(lambda: cache.delete_many(keys))
    return [("import_run", runs)]


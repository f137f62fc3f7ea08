"""Recording a maintenance run, failed or not: one context manager beside MaintenanceRun."""

import logging
from contextlib import contextmanager

from django.db import transaction
from django.utils import timezone

from core.models import MaintenanceRun

log = logging.getLogger(__name__)


@contextmanager
def recorded_run(kind: str, *, details: dict | None = None):
    """A MaintenanceRun row for the block: created first, finished with its outcome however the block ends.

    The row is written on the owner connection in transactions of its own, so
    a failed block still leaves its record (and its error) for the ops pages.
    The block may set `run.details`. Exceptions propagate after recording.
    """
    run = MaintenanceRun.objects.using("owner").create(kind=kind, details=details or {})
    try:
        yield run
    except Exception as error:
        log.exception("maintenance run %s failed", kind)
        run.outcome, run.error = MaintenanceRun.Outcome.FAILED, f"{type(error).__name__}: {error}"[:2000]
        raise
    else:
        run.outcome = MaintenanceRun.Outcome.OK
    finally:
        run.finished_at = timezone.now()
        with transaction.atomic(using="owner"):
            run.save(using="owner", update_fields=["outcome", "error", "finished_at", "details"])

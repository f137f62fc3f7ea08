"""Raw uploads have a lifecycle too: kept RAW_RETENTION_DAYS after a successful import, then deleted.

A raw file is content-addressed per person (DATA_DIR/raw/user=<id>/<sha[:2]>/<sha>,
encrypted under that person's data key), so several of her imports may share
it: it goes only when every import that used it succeeded and finished before
the cut-off. A failed or partial import keeps its file,
so it can be retried; files no import refers to are the uploads app's
business (incomplete uploads expire there).
"""

import datetime as dt
import logging
from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.actions import record_event
from core.rls import maintenance_scope
from imports.models import ImportFile, ImportRun
from lifecycle.models import LifecycleRun
from vault import rawstore

log = logging.getLogger(__name__)


def expired_raw_files(cursor_now=None) -> list[Path]:
    now = cursor_now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.RAW_RETENTION_DAYS)
    raw_root = rawstore.root().resolve()
    uses = defaultdict(list)
    # Import files are per-user rows under row-level security: read them as the owner, audited.
    with maintenance_scope("lifecycle.raw_scan", target=str(raw_root)):
        for path, status, finished_at in ImportFile.objects.using("owner").values_list(
                "path", "run__status", "run__finished_at"):
            uses[rawstore.resolve(path)].append((status, finished_at))
    return sorted(
        path for path, found in uses.items()
        if rawstore.contains(path)
        and all(status == ImportRun.Status.SUCCEEDED and finished and finished <= cutoff for status, finished in found)
    )


def delete_expired_raw_files(*, now=None, actor=None) -> LifecycleRun:
    run = LifecycleRun.objects.using("owner").create(kind=LifecycleRun.Kind.RAW_CLEANUP)
    deleted, freed, error = [], 0, ""
    try:
        for path in expired_raw_files(now):
            size = rawstore.delete(path)
            if size:
                deleted.append(path.name)
                freed += size
    except Exception as exc:
        log.exception("raw clean-up failed")
        error = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        run.outcome = LifecycleRun.Outcome.FAILED if error else LifecycleRun.Outcome.OK
        run.error, run.bytes, run.finished_at = error, freed, timezone.now()
        run.details = {"deleted": len(deleted), "retention_days": settings.RAW_RETENTION_DAYS}
        with transaction.atomic(using="owner"):
            run.save(using="owner")
            record_event("lifecycle.raw_deleted", actor=actor, target=f"run:{run.pk}",
                         details={"files": deleted[:200], "count": len(deleted), "bytes": freed}, using="owner")
    return run

"""Partition maintenance: premake ahead, empty the default partitions, record the run."""

import logging

from django.db import connections, transaction
from django.utils import timezone

from lake import partitions
from lake.models import MaintenanceRun
from lake.rls import maintenance_scope

log = logging.getLogger(__name__)


def run_partition_maintenance(*, actor=None, now=None) -> MaintenanceRun:
    """Premake each partitioned table's months ahead and drain its default partition.

    Runs as the owner role (DDL, and rows of every user in the default
    partitions), through the audited maintenance scope. The run is recorded
    whether it succeeds or fails.
    """
    now = now or timezone.now()
    run = MaintenanceRun.objects.using("owner").create(kind="partitions")
    details = {}
    try:
        scope = maintenance_scope("partitions", actor=actor, target="all partitioned tables")
        with scope as connection, connection.cursor() as cursor:
            for table in partitions.REGISTRY.values():
                created = partitions.ensure_ahead(cursor, table, now)
                drained = partitions.drain_default(cursor, table)
                details[table.label] = {"created": created, "months_drained": drained}
    except Exception as error:
        log.exception("partition maintenance failed")
        run.outcome, run.error = MaintenanceRun.Outcome.FAILED, f"{type(error).__name__}: {error}"
        raise
    else:
        run.outcome = MaintenanceRun.Outcome.OK
    finally:
        run.finished_at, run.details = timezone.now(), details
        with transaction.atomic(using="owner"):
            run.save(using="owner", update_fields=["outcome", "error", "finished_at", "details"])
    return run


def ensure_partitions_for(table: partitions.PartitionedTable, start, end) -> int:
    """Create the partitions a load from `start` to `end` needs, before it runs.

    Called by loaders running as the app role, which may not create tables:
    this goes through the owner connection.
    """
    with transaction.atomic(using="owner"), connections["owner"].cursor() as cursor:
        return partitions.ensure_covering(cursor, table, start, end)

"""Partition maintenance: premake ahead, empty the default partitions, record the run."""

import logging

from django.db import connections, transaction
from django.utils import timezone

from core import partitions
from core.models import MaintenanceRun
from core.rls import maintenance_scope
from core.runs import recorded_run

log = logging.getLogger(__name__)


def run_partition_maintenance(*, actor=None, now=None) -> MaintenanceRun:
    """Premake each partitioned table's months ahead and drain its default partition.

    Runs as the owner role (DDL, and rows of every user in the default
    partitions), through the audited maintenance scope. The run is recorded
    whether it succeeds or fails.
    """
    now = now or timezone.now()
    with recorded_run("partitions") as run:
        details = run.details
        scope = maintenance_scope("partitions", actor=actor, target="all partitioned tables")
        with scope as connection, connection.cursor() as cursor:
            for table in partitions.REGISTRY.values():
                created = partitions.ensure_ahead(cursor, table, now)
                drained = partitions.drain_default(cursor, table)
                details[table.label] = {"created": created, "months_drained": drained}
    return run


def ensure_partitions_for(table: partitions.PartitionedTable, start, end) -> int:
    """Create the partitions a load from `start` to `end` needs, before it runs.

    Called by loaders running as the app role, which may not create tables:
    this goes through the owner connection.
    """
    with transaction.atomic(using="owner"), connections["owner"].cursor() as cursor:
        return partitions.ensure_covering(cursor, table, start, end)

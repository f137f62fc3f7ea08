"""RQ jobs of the platform. Small wrappers: the work lives in domain functions."""

from core.maintenance import run_partition_maintenance


def partition_maintenance():
    run = run_partition_maintenance()
    return {"run": run.pk, "details": run.details}

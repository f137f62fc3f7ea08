"""RQ jobs of the lake app. Small wrappers: the work lives in domain functions."""

from lake.maintenance import run_partition_maintenance


def partition_maintenance():
    run = run_partition_maintenance()
    return {"run": run.pk, "details": run.details}


def refresh_analytics(user_id=None):
    from lake.analytics import refresh

    return {"ms": refresh(user_id)}

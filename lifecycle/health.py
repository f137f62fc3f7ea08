"""What the ops overview needs from the lifecycle: did recent runs fail, repeatedly?

The ops overview's "Lifecycle runs" check (monitoring/checks.py) reads this
through the health snapshot; no queries of user data, only the run records in ops.
"""

from lifecycle.models import ArchivedPartition, LifecycleRun

REPEATED = 3


def lifecycle_status(using: str = "default") -> dict:
    """state "crit" after REPEATED failed runs in a row, "warn" after one, else "ok"."""
    runs = list(LifecycleRun.objects.using(using).exclude(outcome__in=[LifecycleRun.Outcome.RUNNING,
                                                                       LifecycleRun.Outcome.SKIPPED])
                .filter(kind=LifecycleRun.Kind.ARCHIVE).order_by("-started_at", "-id")[:REPEATED])
    failures = 0
    for run in runs:
        if run.outcome != LifecycleRun.Outcome.FAILED:
            break
        failures += 1
    state = "crit" if failures >= REPEATED else "warn" if failures else "ok"
    stuck = ArchivedPartition.objects.using(using).filter(
        state__in=[ArchivedPartition.State.EXPORTING, ArchivedPartition.State.VERIFIED]).count()
    return {
        "state": state,
        "consecutive_failures": failures,
        "last_run": runs[0].started_at if runs else None,
        "last_error": runs[0].error if runs and failures else "",
        "partitions_in_flight": stuck,
    }

"""RQ jobs of the monitoring app: the sampler and the maintenance actions. Thin wrappers."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from lake.models import MaintenanceRun


def sample_health():
    from monitoring.history import sample_and_prune

    return sample_and_prune()


def analyze_parents():
    """Scheduled daily: autovacuum never analyzes a partitioned parent."""
    return _recorded("analyze-parents", "", lambda: {"analyzed": _maintenance().analyze_parents()})


def _maintenance():
    from monitoring import maintenance

    return maintenance


def _recorded(kind: str, target: str, work) -> dict:
    """Run `work` and keep a MaintenanceRun of it, failed or not (ops see when it last ran)."""
    run = MaintenanceRun.objects.using("owner").create(kind=kind, details={"target": target})
    try:
        details = work() or {}
    except Exception as error:
        run.outcome, run.error = MaintenanceRun.Outcome.FAILED, f"{type(error).__name__}: {error}"[:2000]
        raise
    else:
        run.outcome, run.details = MaintenanceRun.Outcome.OK, {"target": target, **details}
    finally:
        run.finished_at = timezone.now()
        with transaction.atomic(using="owner"):
            run.save(using="owner", update_fields=["outcome", "error", "finished_at", "details"])
    return run.details


def run_action(action: str, target: str, actor_id: int | None) -> dict:
    from monitoring.actions import Action, parse_requeue_target

    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    action = Action(action)
    maintenance = _maintenance()
    if action == Action.PARTITIONS_AHEAD:
        from lake.maintenance import run_partition_maintenance

        run = run_partition_maintenance(actor=actor)
        result = {"run": run.pk, "details": run.details}
    elif action == Action.VACUUM:
        result = _recorded("vacuum", target, lambda: maintenance.vacuum_analyze(target))
    elif action == Action.ANALYZE_PARENTS:
        result = analyze_parents()
    elif action == Action.REFRESH_VIEWS:
        from lake.analytics import refresh

        result = {"ms": refresh(actor=actor)}
    elif action in (Action.CANCEL_SESSION, Action.TERMINATE_SESSION):
        terminate = action == Action.TERMINATE_SESSION
        result = _recorded(action.value, target,
                           lambda: {"signalled": maintenance.signal_session(int(target), terminate=terminate)})
    else:
        queue_name, job_id = parse_requeue_target(target)
        result = _recorded("requeue", target, lambda: {"requeued": _requeue(queue_name, job_id)})
    from monitoring.snapshot import forget

    forget()  # the next page shows the effect, not a cached reading from before
    return result


def _requeue(queue_name: str, job_id: str | None) -> list[str]:
    import django_rq
    from rq.registry import FailedJobRegistry

    registry = FailedJobRegistry(queue=django_rq.get_queue(queue_name))
    ids = [job_id] if job_id else registry.get_job_ids(cleanup=False)
    for one in ids:
        registry.requeue(one)
    return ids

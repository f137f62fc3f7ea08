"""RQ jobs of the monitoring app: the sampler and the maintenance actions. Thin wrappers."""

import django_rq
from django.contrib.auth import get_user_model
from rq.registry import FailedJobRegistry

from core.maintenance import run_partition_maintenance
from core.runs import recorded_run
from monitoring import maintenance
from monitoring.actions import Action, parse_requeue_target
from monitoring.snapshot import forget, sample_and_prune
from sources import registry


def sample_health():
    return sample_and_prune()


def analyze_parents():
    """Scheduled daily: autovacuum never analyzes a partitioned parent."""
    return _recorded("analyze-parents", "", lambda: {"analyzed": maintenance.analyze_parents()})


def _recorded(kind: str, target: str, work) -> dict:
    """Run `work` and keep a MaintenanceRun of it, failed or not (ops see when it last ran)."""
    with recorded_run(kind, details={"target": target}) as run:
        run.details = {"target": target, **(work() or {})}
    return run.details


def run_action(action: str, target: str, actor_id: int | None) -> dict:
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    action = Action(action)
    if action == Action.PARTITIONS_AHEAD:
        run = run_partition_maintenance(actor=actor)
        result = {"run": run.pk, "details": run.details}
    elif action == Action.VACUUM:
        result = _recorded("vacuum", target, lambda: maintenance.vacuum_analyze(target))
    elif action == Action.ANALYZE_PARENTS:
        result = analyze_parents()
    elif action == Action.REFRESH_VIEWS:
        result = {"ms": registry.refresh_derived(actor=actor)}
    elif action in (Action.CANCEL_SESSION, Action.TERMINATE_SESSION):
        terminate = action == Action.TERMINATE_SESSION
        result = _recorded(action.value, target,
                           lambda: {"signalled": maintenance.signal_session(int(target), terminate=terminate)})
    else:
        queue_name, job_id = parse_requeue_target(target)
        result = _recorded("requeue", target, lambda: {"requeued": _requeue(queue_name, job_id)})
    forget()  # the next page shows the effect, not a cached reading from before
    return result


def _requeue(queue_name: str, job_id: str | None) -> list[str]:
    registry = FailedJobRegistry(queue=django_rq.get_queue(queue_name))
    ids = [job_id] if job_id else registry.get_job_ids(cleanup=False)
    for one in ids:
        registry.requeue(one)
    return ids

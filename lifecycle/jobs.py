"""RQ jobs of the lifecycle (queue "maintenance"). Small wrappers: the work lives in archive.lifecycle."""

from django.contrib.auth import get_user_model

from lifecycle import lifecycle
from lifecycle.raw import delete_expired_raw_files


def _actor(actor_id):
    return get_user_model().objects.using("owner").filter(pk=actor_id).first() if actor_id else None


def lifecycle_run(policy_name=None, actor_id=None, scheduled=False):
    run = lifecycle.run_lifecycle(policy_name=policy_name, actor=_actor(actor_id), scheduled=scheduled)
    if run is None:
        return {"run": None, "outcome": "nothing due"}
    return {"run": run.pk, "outcome": run.outcome, "archived": run.partitions_archived}


def scheduled_lifecycle_run():
    """The cron entry: each enabled policy runs when its schedule says it is due."""
    return lifecycle_run(scheduled=True)


def lifecycle_restore(archive_id, actor_id=None):
    record = lifecycle.restore_archive(archive_id, actor=_actor(actor_id))
    return {"archive": record.pk, "state": record.state}


def raw_cleanup():
    run = delete_expired_raw_files()
    return {"run": run.pk, "outcome": run.outcome, "deleted": run.details.get("deleted", 0)}

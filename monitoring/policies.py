"""Lifecycle policies as the health pages see them: how long each table keeps its partitions.

The one place that knows the archive app's model (`archive.Policy`: `table`,
`enabled`, `archive_after_days`, `schedule`). Without that app, or with a
model of another shape, every table shows "no policy" instead of failing.
"""

import datetime as dt
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import FieldError

_SCHEDULES = {"hourly": dt.timedelta(hours=1), "daily": dt.timedelta(days=1), "weekly": dt.timedelta(weeks=1)}


@dataclass(frozen=True)
class Retention:
    name: str
    keep: dt.timedelta  # partitions whose upper bound is older than this should have left
    interval: dt.timedelta  # how often the policy runs: the grace before a lag is late
    # When the policy was made: nothing was due under it before, so a lag counts from here at the
    # earliest, and its first scheduled run (one interval later) is the first chance to catch up.
    since: dt.datetime | None = None


def due_at(policy: Retention, partition_upper: dt.datetime) -> dt.datetime:
    """When a partition ending at `partition_upper` became due to leave under `policy`."""
    due = partition_upper + policy.keep
    return max(due, policy.since) if policy.since else due


def lag_state(lag: dt.timedelta | None, policy: Retention, width: dt.timedelta | None) -> str:
    """ok/warn/crit for a retention lag: late after one interval (its run was due), critical a
    partition's width after that. The check and the Partitions page both use this, so they agree."""
    if lag is None:
        return "ok"
    width = width or dt.timedelta(days=31)
    return "crit" if lag > policy.interval + width else "warn" if lag > policy.interval else "ok"


def retention_policies() -> dict[str, Retention]:
    """{"schema.table": Retention} for every enabled policy (one query)."""
    try:
        policy = apps.get_model("archive", "Policy")
    except LookupError:
        return {}
    try:
        rows = list(policy.objects.filter(enabled=True).values_list("name", "table", "archive_after_days",
                                                                     "schedule", "created_at"))
    except FieldError:
        # A model of another shape (the archive app changed): no policy, not a broken page.
        return {}
    return {table: Retention(name, dt.timedelta(days=days), _SCHEDULES.get(schedule, dt.timedelta(days=1)), since)
            for name, table, days, schedule, since in rows}

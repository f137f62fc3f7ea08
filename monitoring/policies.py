"""Lifecycle policies as the health pages see them: how long each table keeps its partitions."""

import datetime as dt
from dataclasses import dataclass

from lifecycle.models import Policy


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
    rows = Policy.objects.filter(enabled=True).values_list("name", "table", "archive_after_days", "schedule",
                                                           "created_at")
    return {table: Retention(name, dt.timedelta(days=days), Policy.Schedule(schedule).interval, since)
            for name, table, days, schedule, since in rows}

"""Lifecycle policies as the health pages see them: how long each table keeps its partitions."""

import datetime as dt
from dataclasses import dataclass

from lifecycle.models import Policy


@dataclass(frozen=True)
class Retention:
    name: str
    keep: dt.timedelta  # partitions whose upper bound is older than this should have left
    interval: dt.timedelta  # how often the policy runs: the grace before a lag is late


def retention_policies() -> dict[str, Retention]:
    """{"schema.table": Retention} for every enabled policy (one query)."""
    rows = Policy.objects.filter(enabled=True).values_list("name", "table", "archive_after_days", "schedule")
    return {table: Retention(name, dt.timedelta(days=days), Policy.Schedule(schedule).interval)
            for name, table, days, schedule in rows}

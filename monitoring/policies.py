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


def retention_policies() -> dict[str, Retention]:
    """{"schema.table": Retention} for every enabled policy (one query)."""
    try:
        policy = apps.get_model("archive", "Policy")
    except LookupError:
        return {}
    try:
        rows = list(policy.objects.filter(enabled=True).values_list("name", "table", "archive_after_days",
                                                                     "schedule"))
    except FieldError:
        # A model of another shape (the archive app changed): no policy, not a broken page.
        return {}
    return {table: Retention(name, dt.timedelta(days=days), _SCHEDULES.get(schedule, dt.timedelta(days=1)))
            for name, table, days, schedule in rows}

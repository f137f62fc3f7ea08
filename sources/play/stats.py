"""Google Play's section of the stats page: plain GROUP BY queries under the user's scope."""

from django.db.models import Count
from django.db.models.functions import TruncMonth, TruncWeek

from sources.base import StatsTable
from sources.play.models import PlayEvent
from sources.play.timeline import LABELS

_TRUNC = {"week": TruncWeek, "month": TruncMonth}


def stats(grain: str) -> list[StatsTable]:
    trunc = _TRUNC.get(grain, TruncMonth)
    installs = (PlayEvent.objects.filter(kind=PlayEvent.Kind.INSTALL).order_by().annotate(period=trunc("at"))
                .values_list("period").annotate(events=Count("*")).order_by("period"))
    tables = []
    per_period = [(period.date(), count) for period, count in installs]
    if per_period:
        tables.append(StatsTable(f"Apps installed per {grain}", (grain.capitalize(), "Installs"), per_period))
    kinds = (PlayEvent.objects.order_by().values_list("kind").annotate(events=Count("*")).order_by("-events", "kind"))
    per_kind = [(LABELS.get(kind, kind), count) for kind, count in kinds]
    if per_kind:
        tables.append(StatsTable("Google Play events", ("Kind", "Events"), per_kind))
    return tables

"""Saved places' section of the stats page: plain GROUP BY queries under the user's scope."""

from django.db.models import Count
from django.db.models.functions import TruncMonth, TruncWeek

from sources.base import StatsTable
from sources.places.models import SavedPlace
from sources.places.timeline import KIND_LABELS

_TRUNC = {"week": TruncWeek, "month": TruncMonth}


def stats(grain: str) -> list[StatsTable]:
    lists = (SavedPlace.objects.order_by().values_list("kind", "list_name").annotate(places=Count("*"))
             .order_by("-places", "kind", "list_name"))
    tables = []
    per_list = [(list_name or KIND_LABELS.get(kind, kind), places) for kind, list_name, places in lists]
    if per_list:
        tables.append(StatsTable("Saved places per list", ("List", "Places"), per_list))
    trunc = _TRUNC.get(grain, TruncMonth)
    periods = (SavedPlace.objects.filter(saved_at__isnull=False).order_by()
               .annotate(period=trunc("saved_at")).values_list("period").annotate(places=Count("*"))
               .order_by("period"))
    per_period = [(period.date(), places) for period, places in periods]
    if per_period:
        tables.append(StatsTable(f"Places saved per {grain}", (grain.capitalize(), "Places"), per_period,
                                 note="Starred places only: labels and lists state no save date."))
    return tables

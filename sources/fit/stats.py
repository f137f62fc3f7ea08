"""Google Fit's section of the stats page: sessions per period and activity; steps per period."""

import datetime as dt

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth, TruncWeek

from sources.base import StatsTable
from sources.fit.models import FitDaily, FitSession

_TRUNC = {"week": TruncWeek, "month": TruncMonth}


def stats(grain: str = "month") -> list[StatsTable]:
    trunc = _TRUNC.get(grain, TruncMonth)
    grain = grain if grain in _TRUNC else "month"
    tables = []
    per_activity = (FitSession.objects.order_by().values_list("activity").annotate(n=Count("*"))
                    .order_by("-n", "activity"))
    if rows := [(activity or "other", n) for activity, n in per_activity]:
        tables.append(StatsTable("Workouts per activity", ("Activity", "Sessions"), rows))
    steps = (FitDaily.objects.filter(span=FitDaily.Span.DAY).order_by()
             .annotate(period=trunc("started_at", tzinfo=dt.UTC)).values_list("period")
             .annotate(steps=Sum("steps")).order_by("period"))
    if rows := [(period.date().isoformat(), total or 0) for period, total in steps]:
        tables.append(StatsTable(f"Steps per {grain}", (grain.capitalize(), "Steps"), rows))
    return tables

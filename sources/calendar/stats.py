"""Calendar's section of the stats page: events per calendar, and per period of their start."""

from django.db.models import Count
from django.db.models.functions import TruncMonth, TruncWeek

from sources.base import StatsTable
from sources.calendar.models import CalendarEvent

_TRUNC = {"week": TruncWeek, "month": TruncMonth}


def stats(grain: str) -> list[StatsTable]:
    tables = []
    per_calendar = list(CalendarEvent.objects.order_by().values_list("calendar").annotate(events=Count("*"))
                        .order_by("-events", "calendar"))
    if per_calendar:
        tables.append(StatsTable("Events per calendar", ("Calendar", "Events"), per_calendar))
    trunc = _TRUNC.get(grain, TruncMonth)
    periods = (CalendarEvent.objects.order_by().annotate(period=trunc("starts_at")).values_list("period")
               .annotate(events=Count("*")).order_by("period"))
    per_period = [(period.date(), events) for period, events in periods]
    if per_period:
        tables.append(StatsTable(f"Events per {grain}", (grain.capitalize(), "Events"), per_period,
                                 note="A series counts once, in the period it starts (UTC)."))
    return tables

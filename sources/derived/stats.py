"""The derived data's section of the stats page: distance and time moving per mode and period,
countries and cities per year, new places per month. Local days throughout (the one rule)."""

from django.db.models import Count, Sum
from django.db.models.functions import ExtractYear, TruncMonth, TruncWeek

from sources.base import StatsTable
from sources.derived.labels import MODE_LABELS
from sources.derived.models import SignificantPlace, Stay, Trip

_TRUNC = {"week": TruncWeek, "month": TruncMonth}


def stats(grain: str) -> list[StatsTable]:
    trunc = _TRUNC.get(grain, TruncMonth)
    tables = []
    moving = (Trip.objects.order_by().annotate(period=trunc("local_start_day")).values_list("period", "mode")
              .annotate(km=Sum("distance_m"), seconds=Sum("seconds")).order_by("period", "mode"))
    rows = [(period, MODE_LABELS.get(mode, mode), round(seconds / 3600, 1), round(km / 1000, 1))
            for period, mode, km, seconds in moving]
    if rows:
        tables.append(StatsTable(f"Distance per {grain} and way of moving", (grain.capitalize(), "Mode", "Hours moving",
                                                                           "km"), rows,
                                 note="From the trips worked out from your points; periods by local day."))
    years = (Stay.objects.order_by().annotate(year=ExtractYear("local_start_day")).values_list("year")
             .annotate(countries=Count("country_code", distinct=True), cities=Count("city", distinct=True))
             .order_by("year"))
    rows = [(year, countries, cities) for year, countries, cities in years]
    if rows:
        tables.append(StatsTable("Countries and cities visited per year", ("Year", "Countries", "Cities"), rows,
                                 note="Names from an offline gazetteer, the nearest town of each stay."))
    new = (SignificantPlace.objects.order_by().filter(merged_into_id__isnull=True, first_seen_at__isnull=False)
           .annotate(month=TruncMonth("first_seen_at")).values_list("month").annotate(n=Count("*")).order_by("month"))
    rows = [(month.date(), n) for month, n in new]
    if rows:
        tables.append(StatsTable("New places per month", ("Month", "New places"), rows))
    return tables

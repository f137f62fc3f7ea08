"""Google Photos' section of the stats page: plain GROUP BY queries under the user's scope."""

from django.db.models import Count, Value
from django.db.models.functions import Coalesce, NullIf, TruncMonth, TruncWeek

from sources.base import StatsTable
from sources.photos.models import PhotoMedia, PhotoSidecar

_TRUNC = {"week": TruncWeek, "month": TruncMonth}
# One photo's sidecars in its year folder and its albums share its link (else each counts).
_PHOTOS = Count(Coalesce(NullIf("url", Value("")), "path"), distinct=True)


def stats(grain: str) -> list[StatsTable]:
    tables = []
    trunc = _TRUNC.get(grain, TruncMonth)
    periods = (PhotoSidecar.objects.filter(taken_at__isnull=False).order_by()
               .annotate(period=trunc("taken_at")).values_list("period").annotate(photos=_PHOTOS)
               .order_by("period"))
    per_period = [(period.date(), photos) for period, photos in periods]
    if per_period:
        tables.append(StatsTable(f"Photos taken per {grain}", (grain.capitalize(), "Photos"), per_period,
                                 note="Counted by each photo's own sidecar (its Google Photos link)."))
    kinds = PhotoMedia.objects.order_by().values_list("kind").annotate(files=Count("*")).order_by("-files", "kind")
    if kinds:
        tables.append(StatsTable("Media files per kind", ("Kind", "Files"), list(kinds)))
    return tables

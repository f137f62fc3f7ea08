"""Full-text search over what the lake holds in words (place names and addresses now).

A generated tsvector column `search` on timeseries.place_visit with a GIN
index, created on the partitioned parent by migration location.0002 (so partitions
made later get both through `LIKE ... INCLUDING ALL`). The ORM does not know
the column; queries reach it through `matching()`.

The 'simple' configuration: place names and addresses come in every
language, and stemming them with one language's rules would mangle the rest.
"""


from sources.localtime import local
from sources.location.models import PlaceVisit
from sources.textsearch import matching


def search(text: str, *, product: str = "", start=None, end=None, limit: int = 200) -> list[dict]:
    """Visits whose name or address match `text`, best first; `start`/`end` bound the UTC window."""
    visits = matching(PlaceVisit.objects.all(), text)
    if product:
        visits = visits.filter(product=product)
    if start:
        visits = visits.filter(started_at__gte=start)
    if end:
        visits = visits.filter(started_at__lt=end)
    results = []
    for visit in visits.order_by("-rank", "-started_at")[:limit]:
        when = local(visit.started_at, visit.utc_offset_minutes)
        results.append({"kind": "Place visit", "title": visit.name or visit.place_id or "Unnamed place",
                        "detail": visit.address, "when": when, "day": when.date(), "product": visit.product,
                        "rank": visit.rank})
    return results


def search_products() -> list[str]:
    """Products that have something to search (place visits)."""
    return list(PlaceVisit.objects.order_by().values_list("product", flat=True).distinct())

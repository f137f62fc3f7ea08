"""Full-text search over page visits: their titles and hosts.

A generated tsvector column `search` on timeseries.browser_visit with a GIN
index, created on the partitioned parent by migration chrome.0001 (partitions
made later inherit both). The ORM does not know the column; queries reach it
through `matching()`. The 'simple' configuration, as page titles come in
every language.
"""

from django.db.models import BooleanField, FloatField
from django.db.models.expressions import RawSQL

from sources.chrome.models import BrowserVisit
from sources.chrome.timeline import link
from sources.localtime import local

CONFIG = "simple"


def matching(queryset, text: str):
    """Visits matching `text` in web-search syntax ("a phrase", or, -word), with a `rank`."""
    query = f"websearch_to_tsquery('{CONFIG}', %s)"
    return queryset.alias(
        hit=RawSQL(f"search @@ {query}", [text], output_field=BooleanField()),  # noqa: S611 - text is bound
    ).filter(hit=True).annotate(
        rank=RawSQL(f"ts_rank(search, {query})", [text], output_field=FloatField()),  # noqa: S611 - text is bound
    )


def search(text: str, *, product: str = "", start=None, end=None, limit: int = 200) -> list[dict]:
    """Visits whose title or host match `text`, best first; `start`/`end` bound the UTC window."""
    visits = matching(BrowserVisit.objects.all(), text)
    if product:
        visits = visits.filter(product=product)
    if start:
        visits = visits.filter(visited_at__gte=start)
    if end:
        visits = visits.filter(visited_at__lt=end)
    results = []
    for visit in visits.order_by("-rank", "-visited_at")[:limit]:
        when = local(visit.visited_at, None)
        results.append({"kind": "Page visit", "title": visit.title or visit.host or visit.url,
                        "detail": visit.host, "when": when, "day": when.date(), "product": visit.product,
                        "rank": visit.rank, "url": link(visit.url)})
    return results


def search_products() -> list[str]:
    """Products that have something to search (page visits)."""
    return list(BrowserVisit.objects.order_by().values_list("product", flat=True).distinct())

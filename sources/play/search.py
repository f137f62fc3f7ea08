"""Full-text search over Google Play titles.

A generated tsvector column `search` (title and document type) with a GIN
index on the partitioned parent timeseries.play_event, made by migration
play.0001; the ORM does not know it, so queries reach it through `matching()`.
The 'simple' configuration: app titles come in every language.
"""


from sources.localtime import local
from sources.play.models import PlayEvent
from sources.play.timeline import LABELS, detail_of
from sources.textsearch import matching


def search(text: str, *, product: str = "", start=None, end=None, limit: int = 200) -> list[dict]:
    """Play events whose title matches `text`, best first; `start`/`end` bound the UTC window."""
    events = matching(PlayEvent.objects.all(), text)
    if product:
        events = events.filter(product=product)
    if start:
        events = events.filter(at__gte=start)
    if end:
        events = events.filter(at__lt=end)
    results = []
    for event in events.order_by("-rank", "-at")[:limit]:
        when = local(event.at, None)
        results.append({"kind": LABELS.get(event.kind, event.kind), "title": event.title, "detail": detail_of(event),
                        "when": when, "day": when.date(), "product": event.product, "rank": event.rank, "url": ""})
    return results


def search_products() -> list[str]:
    return list(PlayEvent.objects.order_by().values_list("product", flat=True).distinct())

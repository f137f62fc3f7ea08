"""Full-text search over calendar events: titles, places, calendar names and descriptions.

A generated, weighted tsvector `search` on user_data.calendar_event with a GIN
index (migration 0001), unknown to the ORM: queries reach it through RawSQL.
"""

from django.db.models import BooleanField, FloatField
from django.db.models.expressions import RawSQL

from sources.calendar.models import CalendarEvent
from sources.calendar.timeline import _local_start

CONFIG = "simple"


def search(text: str, *, product: str = "", start=None, end=None, limit: int = 200) -> list[dict]:
    query = f"websearch_to_tsquery('{CONFIG}', %s)"
    events = CalendarEvent.objects.alias(
        hit=RawSQL(f"search @@ {query}", [text], output_field=BooleanField()),  # noqa: S611 - text is bound
    ).filter(hit=True).annotate(
        rank=RawSQL(f"ts_rank(search, {query})", [text], output_field=FloatField()),  # noqa: S611 - text is bound
    )
    if product:
        events = events.filter(product=product)
    if start:
        events = events.filter(starts_at__gte=start)
    if end:
        events = events.filter(starts_at__lt=end)
    results = []
    for event in events.order_by("-rank", "starts_at", "uid")[:limit]:
        when = _local_start(event, event.starts_at).replace(tzinfo=None)
        detail = " · ".join(part for part in (event.location, event.calendar,
                                              "Repeats" if event.rrule or event.rdates else "") if part)
        results.append({"kind": "Calendar event", "title": event.summary or "(No title)", "detail": detail,
                        "when": when, "day": when.date(), "product": event.product, "rank": event.rank, "url": ""})
    return results


def search_products() -> list[str]:
    return list(CalendarEvent.objects.order_by().values_list("product", flat=True).distinct())

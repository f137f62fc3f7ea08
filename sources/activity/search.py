"""Full-text search over My Activity: titles, queries, channels, hosts, place names, AI prompts.

The generated column `search` (migration activity/0001) holds the words in the
'simple' configuration, weighted by where they stand, plus the subject stemmed
in the export's language where the HTML showed it. A query is matched in
'simple' and, OR'd, in the stemmed form of every language the person's
exports are in — so "watching" finds "Watched", "Suchen" finds "gesucht"
only where German exports exist, and nothing is lost to a wrong stemmer.
"""


from sources.activity.models import ActivityEvent
from sources.activity.timeline import safe_link
from sources.localtime import local
from sources.textsearch import matching

CONFIGS = {"en": "english", "de": "german", "fr": "french", "es": "spanish", "it": "italian", "nl": "dutch",
           "pt": "portuguese"}


def _query_sql(languages) -> str:
    parts = ["websearch_to_tsquery('simple', %s)"]
    parts += [f"websearch_to_tsquery('{CONFIGS[code]}', %s)" for code in sorted(languages) if code in CONFIGS]
    return "(" + " || ".join(parts) + ")"


def search(text: str, *, product: str = "", start=None, end=None, limit: int = 200) -> list[dict]:
    languages = set(ActivityEvent.objects.order_by().values_list("language", flat=True).distinct()) - {""}
    events = matching(ActivityEvent.objects.all(), text, _query_sql(languages))
    if product:
        events = events.filter(service=product)
    if start:
        events = events.filter(at__gte=start)
    if end:
        events = events.filter(at__lt=end)
    results = []
    for event in events.order_by("-rank", "-at")[:limit]:
        when = local(event.at, event.utc_offset_minutes)
        results.append({"kind": event.service, "title": event.title,
                        "detail": event.channel or event.host or event.location_name, "when": when,
                        "day": when.date(), "product": event.service, "rank": event.rank,
                        "url": safe_link(event.url)})
    return results


def search_products() -> list[str]:
    """The services (Search, YouTube, Maps, …) that have entries: the search page's product filter."""
    return list(ActivityEvent.objects.order_by().values_list("service", flat=True).distinct())

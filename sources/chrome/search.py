"""Full-text search over page visits (titles and hosts) and bookmarks (titles and the URL's host).

Generated tsvector columns `search` with GIN indexes: on timeseries.browser_visit
by migration chrome.0001 (on the partitioned parent, so partitions made later
inherit both), on user_data.bookmark by chrome.0002. The ORM does not know the
columns; queries reach them through `matching()`. The 'simple' configuration,
as page titles come in every language.
"""


from sources.chrome.models import Bookmark, BrowserVisit
from sources.chrome.parsers import host_of
from sources.chrome.timeline import link
from sources.localtime import local
from sources.textsearch import matching, within


def search(text: str, *, product: str = "", start=None, end=None, limit: int = 200) -> list[dict]:
    """Visits and bookmarks matching `text`, best first; `start`/`end` bound the UTC window.

    A bookmark without an ADD_DATE is found too, with no day ("day" and "when"
    None: the search page shows it without a day link); a time window leaves it out.
    """
    results = []
    visits = within(matching(BrowserVisit.objects.all(), text), "visited_at", product, start, end)
    for visit in visits.order_by("-rank", "-visited_at")[:limit]:
        when = local(visit.visited_at, None)
        results.append({"kind": "Page visit", "title": visit.title or visit.host or visit.url,
                        "detail": visit.host, "when": when, "day": when.date(), "product": visit.product,
                        "rank": visit.rank, "url": link(visit.url)})
    marks = within(matching(Bookmark.objects.all(), text), "added_at", product, start, end)
    for mark in marks.order_by("-rank", "url_key", "folder")[:limit]:
        when = local(mark.added_at, None)
        detail = " · ".join(part for part in (host_of(mark.url), mark.folder) if part)
        results.append({"kind": "Bookmark", "title": mark.title or mark.url, "detail": detail, "when": when,
                        "day": when.date() if when else None, "product": mark.product, "rank": mark.rank,
                        "url": link(mark.url)})
    results.sort(key=lambda hit: -hit["rank"])
    return results[:limit]


def search_products() -> list[str]:
    """Products that have something to search (page visits, bookmarks)."""
    visits = BrowserVisit.objects.order_by().values_list("product", flat=True).distinct()
    marks = Bookmark.objects.order_by().values_list("product", flat=True).distinct()
    return sorted(set(visits) | set(marks))

"""How Chrome appears on a local day's page: a "Page visit" entry per visit, a "Bookmark" per bookmark added.

Chrome states no local offset, so visits are placed in UTC (as
`sources.localtime.local` does for any source without one): a local day is a
UTC day, which lets every query here use the tables' time indexes directly.
"""

import datetime as dt
import heapq

from django.db.models import Max, Min

from sources.base import DayPart
from sources.chrome.models import Bookmark, BrowserVisit
from sources.localtime import local, offset_label

SOURCE_NAME = "chrome"
# A day of tab-hoarding runs to thousands of visits; past this the page says how many more.
MAX_ENTRIES = 2000


def link(url: str) -> str:
    """The URL if it may be rendered as a link (http or https), else ""."""
    return url if url.lower().startswith(("http://", "https://")) else ""


def utc_day(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    return start, start + dt.timedelta(days=1)


def _visit_entry(visited_at, url, host, title, transition) -> dict:
    return {"kind": "event", "start": local(visited_at, None), "tz": offset_label(None), "source": SOURCE_NAME,
            "label": "Page visit", "title": title or host or url, "url": link(url),
            "detail": " · ".join(part for part in (host, transition.lower()) if part)}


def _bookmark_entry(added_at, url, title, folder) -> dict:
    return {"kind": "event", "start": local(added_at, None), "tz": offset_label(None), "source": SOURCE_NAME,
            "label": "Bookmark", "title": title or url, "url": link(url), "detail": folder}


def day_part(day: dt.date, start: dt.datetime, end: dt.datetime) -> DayPart:
    """The visits and bookmarks of local `day`; `start`..`end` is the UTC window around it.

    At most MAX_ENTRIES entries, the last one carrying "more": how many of the
    day's visits and bookmarks were left out.
    """
    first, last = utc_day(day)
    first, last = max(first, start), min(last, end)
    visits = BrowserVisit.objects.filter(visited_at__gte=first, visited_at__lt=last).order_by("visited_at")
    marks = Bookmark.objects.filter(added_at__gte=first, added_at__lt=last).order_by("added_at", "url_key", "folder")
    found = (
        [_visit_entry(*row) for row in visits.values_list(
            "visited_at", "url", "host", "title", "page_transition")[:MAX_ENTRIES].iterator(2000)],
        [_bookmark_entry(*row) for row in marks.values_list("added_at", "url", "title", "folder")[:MAX_ENTRIES]],
    )
    entries = list(heapq.merge(*found, key=lambda entry: entry["start"]))[:MAX_ENTRIES]
    if len(entries) == MAX_ENTRIES and entries:
        # Only counted when a cap may have bitten: a usual day costs no extra queries.
        more = visits.count() + marks.count() - len(entries)
        if more:
            entries[-1]["more"] = more
    return DayPart(entries)


def neighbour_day(before: dt.date | None = None, after: dt.date | None = None) -> dt.date | None:
    """The nearest local day before `before` (or after `after`) with a visit or a dated bookmark.

    One max/min per table below/above the edge: the visits' primary key
    (user_id, visited_at, …) and the bookmarks' (user_id, added_at) index answer each with one probe.
    """
    if before is not None:
        edge = utc_day(before)[0]
        found = [BrowserVisit.objects.filter(visited_at__lt=edge).aggregate(at=Max("visited_at"))["at"],
                 Bookmark.objects.filter(added_at__lt=edge).aggregate(at=Max("added_at"))["at"]]
        pick = max
    elif after is not None:
        edge = utc_day(after)[1]
        found = [BrowserVisit.objects.filter(visited_at__gte=edge).aggregate(at=Min("visited_at"))["at"],
                 Bookmark.objects.filter(added_at__gte=edge).aggregate(at=Min("added_at"))["at"]]
        pick = min
    else:
        return None
    found = [when for when in found if when is not None]
    return local(pick(found), None).date() if found else None

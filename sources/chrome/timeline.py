"""How Chrome appears on a local day's page: one "Page visit" entry per visit.

Chrome states no local offset, so visits are placed in UTC (as
`sources.localtime.local` does for any source without one).
"""

import datetime as dt

from sources.base import DayPart
from sources.chrome.models import BrowserVisit
from sources.localtime import local, offset_label

SOURCE_NAME = "chrome"


def link(url: str) -> str:
    """The URL if it may be rendered as a link (http or https), else ""."""
    return url if url.lower().startswith(("http://", "https://")) else ""


def day_part(day: dt.date, start: dt.datetime, end: dt.datetime) -> DayPart:
    """The visits of local `day`; `start`..`end` is the UTC window around it."""
    entries = []
    visits = BrowserVisit.objects.filter(visited_at__gte=start, visited_at__lt=end).order_by("visited_at").values_list(
        "visited_at", "url", "host", "title", "page_transition")
    for visited_at, url, host, title, transition in visits.iterator(2000):
        when = local(visited_at, None)
        if when.date() != day:
            continue
        entries.append({"kind": "event", "start": when, "tz": offset_label(None), "source": SOURCE_NAME,
                        "label": "Page visit", "title": title or host or url, "url": link(url),
                        "detail": " · ".join(part for part in (host, transition.lower()) if part)})
    return DayPart(entries)

"""Chrome, declared once: formats, tables, loading, day timeline, search, stats and exports."""

from operator import attrgetter

from sources.base import Dataset, Source
from sources.chrome import exports, records, search, stats, timeline
from sources.chrome.detect import detect
from sources.chrome.models import Bookmark, BrowserVisit
from sources.chrome.parsers import FORMATS
from sources.chrome.tables import LOAD_BOOKMARKS, LOAD_VISITS

SOURCE = Source(
    name=timeline.SOURCE_NAME,
    label="Chrome",
    formats=FORMATS,
    datasets=(
        Dataset("browser_visit", "Page visits", BrowserVisit, "visited_at", text=("title", "host")),
        Dataset("bookmark", "Bookmarks", Bookmark, "added_at", text=("title", "folder")),
    ),
    routes={
        records.BrowserVisit: (LOAD_VISITS, attrgetter(*LOAD_VISITS.columns)),
        records.Bookmark: (LOAD_BOOKMARKS, attrgetter(*LOAD_BOOKMARKS.columns)),
    },
    day=timeline.day_part,
    neighbour_day=timeline.neighbour_day,
    search=search.search,
    search_products=search.search_products,
    exports=exports.WRITERS,
    detect=detect,
    stats=stats.stats,
)

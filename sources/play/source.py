"""Google Play, declared once: formats, table, loading, day timeline, search, export and stats."""

from operator import attrgetter

from sources.base import Dataset, Source
from sources.play import exports, records, search, stats, timeline
from sources.play.detect import detect
from sources.play.models import PlayEvent
from sources.play.parsers import FORMATS
from sources.play.tables import LOAD_EVENTS

SOURCE = Source(
    name="play",
    label="Google Play",
    formats=FORMATS,
    datasets=(Dataset("play_event", "Google Play events", PlayEvent, "at", text=("title", "document_type")),),
    routes={records.PlayEvent: (LOAD_EVENTS, attrgetter(*LOAD_EVENTS.columns))},
    day=timeline.day_part,
    search=search.search,
    search_products=search.search_products,
    exports=exports.WRITERS,
    detect=detect,
    stats=stats.stats,
    neighbour_day=timeline.neighbour_day,
)

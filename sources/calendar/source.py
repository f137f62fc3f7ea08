"""Calendar, declared once: format, table, loading, day timeline, search, export, stats."""

from operator import attrgetter

from sources.base import Dataset, Source
from sources.calendar import exports, records, search, stats, timeline
from sources.calendar.detect import detect
from sources.calendar.models import CalendarEvent
from sources.calendar.parsers import FORMATS
from sources.calendar.tables import LOAD_EVENTS

SOURCE = Source(
    name="calendar",
    label="Calendar",
    formats=FORMATS,
    datasets=(Dataset("calendar_event", "Calendar events", CalendarEvent, "starts_at",
                      text=("summary", "location", "description")),),
    routes={records.CalendarEvent: (LOAD_EVENTS, attrgetter(*LOAD_EVENTS.columns))},
    day=timeline.day_part,
    search=search.search,
    search_products=search.search_products,
    exports=exports.WRITERS,
    detect=detect,
    stats=stats.stats,
    neighbour_day=timeline.neighbour_day,
    product_labels={"calendar.ics": "Calendar (.ics)"},
)

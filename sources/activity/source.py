"""My Activity, declared once: every product folder's entries, JSON or HTML, in one table."""

from sources.activity import analytics, exports, jobs, search, timeline
from sources.activity.detect import detect
from sources.activity.models import ActivityEvent
from sources.activity.parsers import FORMATS
from sources.activity.records import ActivityEvent as Event
from sources.activity.tables import LOAD_EVENTS
from sources.base import Dataset, Source


def _row(event: Event) -> tuple:
    values = [getattr(event, column) for column in LOAD_EVENTS.columns]
    # jsonb columns: lists, which psycopg dumps as JSON arrays (tuples it would not).
    values[LOAD_EVENTS.columns.index("details")] = list(event.details)
    values[LOAD_EVENTS.columns.index("products")] = list(event.products)
    return tuple(values)


SOURCE = Source(
    name="activity",
    label="My Activity",
    formats=FORMATS,
    datasets=(Dataset("activity_event", "My Activity entries", ActivityEvent, "at"),),
    routes={Event: (LOAD_EVENTS, _row)},
    detect=detect,
    day=timeline.day_part,
    neighbour_day=timeline.neighbour_day,
    search=search.search,
    search_products=search.search_products,
    on_change=jobs.enqueue_refresh,
    refresh=analytics.refresh,
    stats=analytics.stats,
    exports=exports.WRITERS,
)

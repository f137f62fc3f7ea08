"""My Activity, declared once: every product folder's entries, JSON or HTML, in one table."""

import dataclasses

from sources.activity import analytics, exports, jobs, search, timeline
from sources.activity.detect import detect
from sources.activity.models import ActivityEvent
from sources.activity.parsers import FORMATS
from sources.activity.records import ActivityEvent as Event
from sources.activity.tables import LOAD_EVENTS
from sources.base import Dataset, Source

TITLE_LIMIT = ActivityEvent._meta.get_field("title").max_length


def _keep_long_titles(parse):
    """A Gemini prompt can run far past the title column: keep its start as the title and the
    whole prompt at the head of the description (unbounded), rather than refuse the entry."""

    def parse_bounded(stream):
        for item in parse(stream):
            if isinstance(item, Event) and (len(item.title) > TITLE_LIMIT or len(item.subject) > TITLE_LIMIT):
                whole = item.title
                item = dataclasses.replace(
                    item, title=_cut(whole), subject=_cut(item.subject),
                    description=whole + ("\n\n" + item.description if item.description else ""))
            yield item

    return parse_bounded


def _cut(text: str) -> str:
    return text if len(text) <= TITLE_LIMIT else text[:TITLE_LIMIT - 1] + "…"


def _row(event: Event) -> tuple:
    values = [getattr(event, column) for column in LOAD_EVENTS.columns]
    # jsonb columns: lists, which psycopg dumps as JSON arrays (tuples it would not).
    values[LOAD_EVENTS.columns.index("details")] = list(event.details)
    values[LOAD_EVENTS.columns.index("products")] = list(event.products)
    return tuple(values)


SOURCE = Source(
    name="activity",
    label="My Activity",
    formats={product: _keep_long_titles(parse) for product, parse in FORMATS.items()},
    datasets=(Dataset("activity_event", "My Activity entries", ActivityEvent, "at",
                      text=("title", "channel", "location_name", "description")),),
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

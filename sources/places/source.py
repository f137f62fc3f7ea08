"""Saved places, declared once: formats, table, loading, day timeline, map, search, export, stats."""

from operator import attrgetter

from sources.base import Dataset, Source
from sources.places import exports, records, search, stats, timeline
from sources.places.detect import detect
from sources.places.models import SavedPlace
from sources.places.parsers import FORMATS
from sources.places.tables import LOAD_PLACES

SOURCE = Source(
    name="places",
    label="Saved places",
    formats=FORMATS,
    datasets=(Dataset("saved_place", "Saved places", SavedPlace, "saved_at", text=("title", "address", "note")),),
    routes={records.SavedPlace: (LOAD_PLACES, attrgetter(*LOAD_PLACES.columns))},
    day=timeline.day_part,
    search=search.search,
    search_products=search.search_products,
    exports=exports.WRITERS,
    detect=detect,
    stats=stats.stats,
    neighbour_day=timeline.neighbour_day,
    map_layers=timeline.map_layers,
)

"""Location history, declared once: formats, tables, loading, day timeline and search."""

from operator import attrgetter

from core.loading import text_limits
from sources.base import Collected, Dataset, Source
from sources.location import analytics, exports, jobs, records, search, timeline
from sources.location.detect import detect
from sources.location.devices import upsert_devices
from sources.location.models import ActivitySegment, Device, LocationPoint, PlaceVisit
from sources.location.parsers import FORMATS
from sources.location.tables import LOAD_POINTS, LOAD_SEGMENTS, LOAD_VISITS
from sources.location.tracks import FORMATS as TRACK_FORMATS

_SEGMENT_ROW = attrgetter(*LOAD_SEGMENTS.columns[:-1])


def _segment_row(segment: records.ActivitySegment) -> tuple:
    return (*_SEGMENT_ROW(segment), [list(p) for p in segment.waypoints])


def _store_devices(devices: list[records.Device], *, user_id: int) -> int:
    return upsert_devices([(d.device_tag, d.name, d.platform) for d in devices], user_id=user_id)


SOURCE = Source(
    name="location",
    label="Location history",
    # Google's own formats, then the files people bring from other apps (sources/location/tracks.py).
    formats=FORMATS | TRACK_FORMATS,
    datasets=(
        Dataset("location_point", "Location points", LocationPoint, "recorded_at"),
        Dataset("place_visit", "Place visits", PlaceVisit, "started_at", text=("name", "address")),
        Dataset("activity_segment", "Activity segments", ActivitySegment, "started_at"),
        # Named by Settings.json, kept until everything is deleted: not a run's rows.
        Dataset("device", "Devices", Device, None, by_run=False),
    ),
    routes={
        records.LocationPoint: (LOAD_POINTS, attrgetter(*LOAD_POINTS.columns)),
        records.PlaceVisit: (LOAD_VISITS, attrgetter(*LOAD_VISITS.columns)),
        records.ActivitySegment: (LOAD_SEGMENTS, _segment_row),
    },
    collected={records.Device: Collected(key=attrgetter("device_tag"), store=_store_devices,
                                         text_limits=text_limits(Device, ("name", "platform")))},
    day=timeline.day_part,
    neighbour_day=timeline.neighbour_day,
    search=search.search,
    search_products=search.search_products,
    on_change=jobs.enqueue_refresh,
    refresh=analytics.refresh,
    exports=exports.WRITERS,
    detect=detect,
    product_labels={
        "location.records": "Location history: Records.json", "location.legacy": "Location history (oldest format)",
        "location.semantic": "Semantic Location History", "location.settings": "Location history settings",
        "location.timeline_edits": "Timeline Edits", "location.android": "Timeline from an Android phone",
        "location.ios": "Timeline from an iPhone",
        # Not Takeout: live positions a phone app posts to the API (api/ingest.py).
        "owntracks": "Live locations from OwnTracks", "overland": "Live locations from Overland",
        "location.gpx": "GPX track", "location.kml": "KML (Google Earth)", "location.geojson": "GeoJSON track",
        "location.owntracks": "OwnTracks Recorder", "location.csv": "CSV of positions",
    },
)

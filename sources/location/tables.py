"""Location history's tables: declared to the platform's partition registry, and as load targets."""

from core.loading import Target
from core.partitions import PartitionedTable, register
from sources.location.models import ActivitySegment, LocationPoint, PlaceVisit

LOCATION_POINT = register(PartitionedTable("timeseries", "location_point", "recorded_at"))
PLACE_VISIT = register(PartitionedTable("timeseries", "place_visit", "started_at"))
ACTIVITY_SEGMENT = register(PartitionedTable("timeseries", "activity_segment", "started_at"))

LOAD_POINTS = Target(
    LOCATION_POINT,
    ("recorded_at", "utc_offset_minutes", "lat_e7", "lng_e7", "accuracy_m", "altitude_m", "vertical_accuracy_m",
     "velocity_mps", "heading_deg", "source", "device_tag", "platform", "activity_type", "activity_confidence"),
    LocationPoint,
    fill={"source": "coalesce(source, '')", "platform": "coalesce(platform, '')",
          "activity_type": "coalesce(activity_type, '')"},
    # A handful of tags per batch; Settings.json, if present, names them.
    after_batch=("INSERT INTO user_data.device (user_id, device_tag, name, platform)"
                 " SELECT DISTINCT ON (device_tag) %(user)s, device_tag, '', coalesce(platform, '')"
                 " FROM {stage} WHERE device_tag IS NOT NULL ON CONFLICT (user_id, device_tag) DO NOTHING"),
)
LOAD_VISITS = Target(
    PLACE_VISIT,
    ("started_at", "ended_at", "utc_offset_minutes", "lat_e7", "lng_e7", "place_id", "name", "address",
     "semantic_type", "confidence", "is_child"),
    PlaceVisit,
    fill={"place_id": "coalesce(place_id, '')", "name": "coalesce(name, '')", "address": "coalesce(address, '')",
          "semantic_type": "coalesce(semantic_type, '')", "is_child": "coalesce(is_child, false)"},
)
LOAD_SEGMENTS = Target(
    ACTIVITY_SEGMENT,
    ("started_at", "ended_at", "utc_offset_minutes", "start_lat_e7", "start_lng_e7", "end_lat_e7", "end_lng_e7",
     "distance_m", "activity_type", "confidence", "waypoints"),
    ActivitySegment,
    fill={"ended_at": "coalesce(ended_at, started_at)", "activity_type": "coalesce(activity_type, 'UNKNOWN')",
          "waypoints": "coalesce(waypoints, '[]'::jsonb)"},
)

"""My Activity's table, declared to the platform's partition registry and as a load target."""

from core.loading import Target
from core.partitions import PartitionedTable, register
from sources.activity.models import ActivityEvent

ACTIVITY_EVENT = register(PartitionedTable("timeseries", "activity_event", "at"))

LOAD_EVENTS = Target(
    ACTIVITY_EVENT,
    ("at", "micros", "item_key", "zone_known", "utc_offset_minutes", "zone", "service", "action", "title", "subject",
     "url", "host", "channel", "channel_url", "description", "details", "products", "location_name", "location_url",
     "location_source", "lat_e7", "lng_e7", "language", "removed"),
    ActivityEvent,
)

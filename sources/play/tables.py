"""Google Play's table: declared to the platform's partition registry, and as a load target."""

from core.loading import Target
from core.partitions import PartitionedTable, register
from sources.play.models import PlayEvent

PLAY_EVENT = register(PartitionedTable("timeseries", "play_event", "at"))

LOAD_EVENTS = Target(
    PLAY_EVENT,
    ("at", "kind", "item_key", "title", "document_type", "device", "price", "extra"),
    PlayEvent,
    fill={"document_type": "coalesce(document_type, '')", "device": "coalesce(device, '')",
          "price": "coalesce(price, '')", "extra": "coalesce(extra, '{}'::jsonb)"},
)

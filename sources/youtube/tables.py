"""YouTube's tables: the partitioned one declared to the platform, and both as load targets."""

from core.loading import PlainTable, Target
from core.partitions import PartitionedTable, register
from sources.youtube.models import YoutubeComment, YoutubeItem

YOUTUBE_COMMENT = register(PartitionedTable("timeseries", "youtube_comment", "created_at"))
YOUTUBE_ITEM = PlainTable("user_data", "youtube_item", "added_at")

LOAD_COMMENTS = Target(
    YOUTUBE_COMMENT,
    ("created_at", "comment_id", "kind", "channel_id", "video_id", "post_id", "parent_id", "price", "text"),
    YoutubeComment,
)
LOAD_ITEMS = Target(
    YOUTUBE_ITEM,
    ("kind", "item_id", "title", "url", "added_at", "extra"),
    YoutubeItem,
    fill={"extra": "coalesce(extra, '{}'::jsonb)"},
)

"""YouTube (not watch/search history, which is My Activity), declared once."""

from operator import attrgetter

from sources.base import Dataset, Source
from sources.youtube import exports, records, search, stats, timeline
from sources.youtube.detect import detect
from sources.youtube.models import YoutubeComment, YoutubeItem
from sources.youtube.parsers import FORMATS
from sources.youtube.tables import LOAD_COMMENTS, LOAD_ITEMS

SOURCE = Source(
    name="youtube",
    label="YouTube",
    formats=FORMATS,
    datasets=(
        Dataset("youtube_comment", "YouTube comments and live chats", YoutubeComment, "created_at", text=("text",)),
        # Placed in time by when it was added; subscriptions have no date (null).
        Dataset("youtube_item", "YouTube subscriptions, playlists and likes", YoutubeItem, "added_at", text=("title",)),
    ),
    routes={
        records.Comment: (LOAD_COMMENTS, attrgetter(*LOAD_COMMENTS.columns)),
        records.Item: (LOAD_ITEMS, attrgetter(*LOAD_ITEMS.columns)),
    },
    day=timeline.day_part,
    neighbour_day=timeline.neighbour_day,
    search=search.search,
    search_products=search.search_products,
    exports=exports.WRITERS,
    detect=detect,
    stats=stats.stats,
)

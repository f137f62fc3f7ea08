"""Location stats: the materialized views of migration location/0002, refreshed through sources.summaries."""

from sources import summaries
from sources.summaries import Summary, last_refreshed  # noqa: F401 - the stats pages' "refreshed at"

# What each view holds; their SQL (and unique keys, which REFRESH CONCURRENTLY
# needs) is in migration location/0002_search_map_analytics, frozen there.
SUMMARIES = (
    Summary("activity_periods"),  # distance and time per activity type per week and month (stats charts)
    Summary("top_places"),  # places visited most (top-level visits only)
    Summary("daily"),  # points, visits and segments per local day (points chart, overview heatmap)
)


def refresh(user_id: int | None = None, *, actor=None) -> dict:
    return summaries.refresh("location", SUMMARIES, user_id, actor=actor)

"""Chrome's tables: the visits declared to the platform's partition registry, and both as load targets."""

from core.loading import PlainTable, Target
from core.partitions import PartitionedTable, register
from sources.chrome.models import Bookmark, BrowserVisit

BROWSER_VISIT = register(PartitionedTable("timeseries", "browser_visit", "visited_at"))
BOOKMARK = PlainTable("user_data", "bookmark", "added_at")

LOAD_VISITS = Target(
    BROWSER_VISIT,
    ("visited_at", "url_key", "url", "host", "title", "page_transition", "page_transition_qualifier", "client_id"),
    BrowserVisit,
    fill={"title": "coalesce(title, '')", "page_transition": "coalesce(page_transition, '')",
          "page_transition_qualifier": "coalesce(page_transition_qualifier, '')",
          "client_id": "coalesce(client_id, '')"},
)
LOAD_BOOKMARKS = Target(
    BOOKMARK,
    ("url_key", "url", "folder", "title", "added_at"),
    Bookmark,
    fill={"title": "coalesce(title, '')"},
)

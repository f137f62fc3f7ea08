"""Chrome's per-user tables: page visits (time series) and bookmarks (saved things).

Both are keyed on ``url_key``, the MD5 of the URL as a uuid, rather than on the
URL itself: URLs run to thousands of characters and would bloat the key index
(and may exceed a btree entry's size).
"""

from django.conf import settings
from django.db import models

from core.schemas import qualified


class BrowserVisit(models.Model):
    """One page visit from ``History.json``'s ``Browser History``."""

    pk = models.CompositePrimaryKey("user_id", "visited_at", "url_key")
    # No index of its own: the primary key leads with this column.
    # No foreign key: one per row cost every insert a probe of auth_user; deleting a
    # user goes through the delete-everything path instead (explore/apps.py).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, related_name="+", db_index=False,
                             db_constraint=False)
    visited_at = models.DateTimeField()
    url_key = models.UUIDField()
    url = models.CharField(max_length=4096)
    # Lower-case, without "www.": what the top-hosts stats group by.
    host = models.CharField(max_length=255, blank=True)
    title = models.TextField(blank=True)
    page_transition = models.CharField(max_length=64, blank=True)
    page_transition_qualifier = models.CharField(max_length=64, blank=True)
    client_id = models.CharField(max_length=128, blank=True)
    product = models.CharField(max_length=48)
    import_run_id = models.BigIntegerField(null=True)
    # The table also has `search`, a generated tsvector (title and host) with a
    # GIN index, made by migration 0001 and unknown to the ORM on purpose (as
    # for location's place_visit): see sources/chrome/search.py.

    class Meta:
        db_table = qualified("timeseries", "browser_visit")
        indexes = [
            # Deleting or reporting one import run's rows.
            models.Index(fields=["user", "import_run_id"], name="browser_visit_run_idx"),
        ]

    def __str__(self):
        return f"{self.visited_at:%Y-%m-%d %H:%M:%S} {self.host or self.url[:60]}"


class Bookmark(models.Model):
    """A bookmark of ``Bookmarks.html``; the same URL in two folders is two bookmarks."""

    pk = models.CompositePrimaryKey("user_id", "url_key", "folder")
    # No index of its own: the primary key leads with this column.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DB_CASCADE, related_name="+", db_index=False)
    url_key = models.UUIDField()
    url = models.CharField(max_length=4096)
    title = models.TextField(blank=True)
    # "Bookmarks bar/News"; "" at the top level. Bounded so the key stays
    # within a btree entry (500 characters are at most 2,000 bytes).
    folder = models.CharField(max_length=500, blank=True)
    added_at = models.DateTimeField(null=True)
    product = models.CharField(max_length=48)
    import_run_id = models.BigIntegerField(null=True)
    # The table also has `search`, a generated tsvector (title and the URL's
    # host) with a GIN index, made by migration 0002 and unknown to the ORM.

    class Meta:
        db_table = qualified("user_data", "bookmark")
        indexes = [
            models.Index(fields=["user", "import_run_id"], name="bookmark_run_idx"),
            # The day page: bookmarks added on a day, and the nearest day with one.
            models.Index(fields=["user", "added_at"], name="bookmark_added_idx"),
        ]

    def __str__(self):
        return self.title or self.url[:60]

"""YouTube's per-user tables: what a person wrote (timeseries) and what they keep (user_data).

Both carry `user_id` under FORCE'd row-level security, and natural keys as
primary keys, so a re-import or an overlapping export adds nothing.
"""

from django.conf import settings
from django.db import models

from core.schemas import qualified


class YoutubeComment(models.Model):
    """A comment on a video or post, or a live chat message (comments.csv, live chats.csv)."""

    class Kind(models.TextChoices):
        COMMENT = "comment"
        LIVE_CHAT = "live_chat"

    # Partitioned by month on created_at, which every unique key must contain.
    pk = models.CompositePrimaryKey("user_id", "created_at", "comment_id")
    # No index of its own: the primary key leads with this column.
    # No foreign key: one per row cost every insert a probe of auth_user; deleting a
    # user goes through the delete-everything path instead (explore/apps.py).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, related_name="+", db_index=False,
                             db_constraint=False)
    created_at = models.DateTimeField()
    comment_id = models.CharField(max_length=128)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    channel_id = models.CharField(max_length=64, blank=True)
    video_id = models.CharField(max_length=64, blank=True)
    post_id = models.CharField(max_length=128, blank=True)
    parent_id = models.CharField(max_length=128, blank=True)
    # As written ("0", "€2.00"): Super Chat amounts come in the buyer's currency.
    price = models.CharField(max_length=64, blank=True)
    text = models.TextField(blank=True)
    product = models.CharField(max_length=48)
    import_run_id = models.BigIntegerField(null=True)
    # The table also has `search`, a generated tsvector with a GIN index made by
    # migration 0001, unknown to the ORM on purpose (see sources/location/models.py).

    class Meta:
        db_table = qualified("timeseries", "youtube_comment")
        indexes = [
            # Deleting or reporting one import run's rows.
            models.Index(fields=["user", "import_run_id"], name="youtube_comment_run_idx"),
        ]

    def __str__(self):
        return f"{self.kind} {self.comment_id} at {self.created_at:%Y-%m-%d %H:%M}"


class YoutubeItem(models.Model):
    """A subscription, playlist, playlist entry or liked video (subscriptions.csv, playlists/...)."""

    class Kind(models.TextChoices):
        SUBSCRIPTION = "subscription"
        PLAYLIST = "playlist"
        PLAYLIST_VIDEO = "playlist_video"
        LIKE = "like"

    pk = models.CompositePrimaryKey("user_id", "kind", "item_id")
    # No index of its own: the primary key leads with this column.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DB_CASCADE, related_name="+", db_index=False)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # Channel id, playlist id, liked video id, or a playlist entry's key (sources/youtube/parsers.py).
    item_id = models.CharField(max_length=256)
    title = models.CharField(max_length=1000, blank=True)
    url = models.CharField(max_length=2000, blank=True)
    # When it was created or added; null where the export does not say (subscriptions.csv).
    added_at = models.DateTimeField(null=True)
    extra = models.JSONField(default=dict)
    product = models.CharField(max_length=48)
    import_run_id = models.BigIntegerField(null=True)
    # Also `search`, a generated tsvector over the title with a GIN index (migration 0001).

    class Meta:
        db_table = qualified("user_data", "youtube_item")
        indexes = [
            models.Index(fields=["user", "import_run_id"], name="youtube_item_run_idx"),
        ]

    def __str__(self):
        return f"{self.kind} {self.item_id}"

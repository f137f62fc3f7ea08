"""YouTube's section of the stats page: comments per period, and what is kept by kind.

Plain GROUP BY queries under the user's scope (row-level security picks the
rows): the tables are small next to location history's.
"""

import datetime as dt

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth, TruncWeek

from sources.base import StatsTable
from sources.youtube.models import YoutubeComment, YoutubeItem

_TRUNC = {"week": TruncWeek, "month": TruncMonth}
ITEM_KINDS = {"subscription": "Subscriptions", "playlist": "Playlists", "playlist_video": "Playlist videos",
              "like": "Liked videos"}


def stats(grain: str = "month") -> list[StatsTable]:
    trunc = _TRUNC.get(grain, TruncMonth)
    # UTC periods, as the day page places these rows (the export states no offset).
    per_period = (YoutubeComment.objects.annotate(period=trunc("created_at", tzinfo=dt.UTC))
                  .values("period").order_by("period")
                  .annotate(chats=Count("comment_id", filter=Q(kind=YoutubeComment.Kind.LIVE_CHAT)), total=Count("*")))
    periods = [(row["period"].date().isoformat(), row["chats"], row["total"]) for row in per_period]
    kept = dict(YoutubeItem.objects.values_list("kind").order_by("kind").annotate(n=Count("*")))
    tables = [StatsTable(f"YouTube comments and live chats per {grain if grain in _TRUNC else 'month'}",
                         ("Period", "Live chats", "Comments and chats"), periods)]
    if kept:  # nothing kept: no table of zeros
        tables.append(StatsTable("YouTube library", ("Kind", "Count"),
                                 [(label, kept.get(kind, 0)) for kind, label in ITEM_KINDS.items()],
                                 note=f"{kept.get('subscription', 0)} channel subscriptions."))
    return tables

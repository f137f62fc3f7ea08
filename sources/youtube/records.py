"""What the YouTube parsers yield: plain values, no Django, no database.

Watch and search history are My Activity files (sources/activity); this
family holds what a person wrote (comments, live chat messages) and what they
keep (subscriptions, playlists and their videos, liked videos).

Text fields are "" rather than None when the file leaves them empty: the
table's columns are NOT NULL and blank, and "" is what the export shows.
"""

from dataclasses import dataclass, field
from datetime import datetime

COMMENT = "comment"
LIVE_CHAT = "live_chat"

SUBSCRIPTION = "subscription"
PLAYLIST = "playlist"
PLAYLIST_VIDEO = "playlist_video"
LIKE = "like"


@dataclass(frozen=True, slots=True)
class Comment:
    """A comment (on a video or a post) or a live chat message; `kind` says which."""

    created_at: datetime  # aware UTC
    comment_id: str
    kind: str  # COMMENT | LIVE_CHAT
    channel_id: str = ""
    video_id: str = ""
    post_id: str = ""
    parent_id: str = ""
    price: str = ""
    text: str = ""  # plain text: the JSON segments some exports write are joined


@dataclass(frozen=True, slots=True)
class Item:
    """Something kept: a subscribed channel, a playlist, a video in a playlist, a liked video.

    `item_id` is unique per kind: the channel id, the playlist id, the liked
    video's id, or for a playlist's video the playlist and video ids (see
    parsers.py for the one format that names no playlist).
    """

    kind: str  # SUBSCRIPTION | PLAYLIST | PLAYLIST_VIDEO | LIKE
    item_id: str
    title: str = ""
    url: str = ""
    added_at: datetime | None = None
    extra: dict = field(default_factory=dict)

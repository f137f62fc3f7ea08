"""YouTube's signatures: which of its formats a member's head holds. Pure.

Its CSVs are told apart by their header row (read by name: the column order
changed between export versions), its older JSON by the API resource kinds
(``"youtube#playlistItem"``). Folder and file names are localized and are not
looked at, except to tell the liked-videos list from any other playlist: the
two CSVs have the same columns and nothing inside says which is which.
"""

import csv

from sources.detect import Head
from sources.youtube.parsers import header_key

_COMMENTS = {"comment id", "comment create timestamp"}
_LIVE_CHATS = {"live chat id", "live chat create timestamp"}
_SUBSCRIPTIONS = {"channel id", "channel url", "channel title"}
_PLAYLIST_VIDEOS = {"video id", "playlist video creation timestamp"}
_PLAYLIST_MARKERS = {"playlist title (original)", "playlist create timestamp", "playlist visibility"}
# The liked-videos list as Takeout names it ("Liked videos-videos.csv").
_LIKED_NAMES = ("liked videos", "likes-", "likes.")
_RESOURCE_KINDS = (b'"youtube#playlistItem"', b'"youtube#subscription"')


def detect(head: Head) -> str | None:
    if head.kind == "json":
        return _detect_json(head)
    if head.kind != "text":
        return None
    columns = _header(head.first_line)
    if columns >= _COMMENTS:
        return "youtube.comments"
    if columns >= _LIVE_CHATS:
        return "youtube.live_chats"
    if columns >= _SUBSCRIPTIONS:
        return "youtube.subscriptions"
    if "playlist id" in columns and columns & _PLAYLIST_MARKERS:
        return "youtube.playlists"
    if columns >= _PLAYLIST_VIDEOS:
        return "youtube.likes" if head.basename.startswith(_LIKED_NAMES) else "youtube.playlist_videos"
    return None


def _detect_json(head: Head) -> str | None:
    if not head.is_array or not {"kind", "snippet"} <= head.record_keys("item"):
        return None
    return "youtube.resources" if any(kind in head.data for kind in _RESOURCE_KINDS) else None


def _header(line: str) -> set[str]:
    if "," not in line:
        return set()
    try:
        names = next(csv.reader([line]), [])
    except csv.Error:
        return set()
    return {header_key(name) for name in names}

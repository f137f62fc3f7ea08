"""YouTube's files are named by content: header rows and API resource kinds, any folder language."""

import pytest

from sources.registry import detect
from tests.sources.youtube.test_parsers import (
    COMMENTS_NEW,
    COMMENTS_OLD,
    LIVE_CHATS_NEW,
    LIVE_CHATS_OLD,
    PLAYLIST_VIDEOS,
    PLAYLISTS,
    PLAYLISTS_OLD,
    SUBSCRIPTIONS,
)

Y = "Takeout/YouTube and YouTube Music"
DE = "Takeout/YouTube und YouTube Music"
LIKES_JSON = (b'[ {\n  "kind" : "youtube#playlistItem",\n  "etag" : "abc",\n  "snippet" : {\n'
              b'    "publishedAt" : "2017-03-01T10:00:00.000Z",\n    "playlistId" : "LLxyz"')
SUBSCRIPTIONS_JSON = b'[{"kind": "youtube#subscription", "snippet": {"title": "A", "resourceId": {"channelId": "U"}}}]'
MY_ACTIVITY = b'[{"header": "YouTube", "title": "Watched a video", "titleUrl": "https://www.youtube.com/watch?v=x",' \
              b' "time": "2024-01-01T00:00:00.000Z", "products": ["YouTube"]}]'


@pytest.mark.parametrize(("name", "head", "expected"), [
    (f"{Y}/comments/comments.csv", COMMENTS_OLD, "youtube.comments"),
    (f"{DE}/Kommentare/Kommentare.csv", COMMENTS_NEW, "youtube.comments"),
    (f"{Y}/live chats/live chats.csv", LIVE_CHATS_OLD, "youtube.live_chats"),
    (f"{DE}/Livechats/Livechats.csv", LIVE_CHATS_NEW, "youtube.live_chats"),
    (f"{Y}/subscriptions/subscriptions.csv", SUBSCRIPTIONS, "youtube.subscriptions"),
    (f"{DE}/Abos/Abos.csv", SUBSCRIPTIONS, "youtube.subscriptions"),
    (f"{Y}/playlists/playlists.csv", PLAYLISTS, "youtube.playlists"),
    (f"{Y}/playlists/playlists.csv", PLAYLISTS_OLD, "youtube.playlists"),
    (f"{Y}/playlists/Cooking-videos.csv", PLAYLIST_VIDEOS, "youtube.playlist_videos"),
    (f"{DE}/Playlists/Kochen-Videos.csv", PLAYLIST_VIDEOS, "youtube.playlist_videos"),
    # Same columns as any playlist: only the name says it is the liked-videos list.
    (f"{Y}/playlists/Liked videos-videos.csv", PLAYLIST_VIDEOS, "youtube.likes"),
    (f"{Y}/playlists/Likes.json", LIKES_JSON, "youtube.resources"),
    (f"{DE}/Playlists/Mag ich.json", LIKES_JSON, "youtube.resources"),
    (f"{Y}/subscriptions/subscriptions.json", SUBSCRIPTIONS_JSON, "youtube.resources"),
])
def test_youtube_files_are_named_by_content(name, head, expected):
    data = head.encode() if isinstance(head, str) else head
    assert detect(name, data) == expected


@pytest.mark.parametrize(("name", "head"), [
    # Watch history is My Activity's (sources/activity), in any folder.
    (f"{Y}/history/watch-history.json", MY_ACTIVITY),
    (f"{Y}/history/watch-history.html", b"<html><body><div class='outer-cell'>Watched"),
    # Other CSVs of Takeout, and text that is not CSV.
    ("Takeout/Saved/Favourite places.csv", b"Title,Note,URL,Comment\nCafe,,https://maps.google.com/x,\n"),
    (f"{Y}/channels/channel.csv", b"Channel ID,Channel Title (Original),Channel Visibility\nUC,Me,Public\n"),
    ("notes.txt", b"Comment ID and Comment Create Timestamp are column names\n"),
    ("records.json", b'{"locations": [{"latitudeE7": 1, "longitudeE7": 2, "timestamp": "2020-01-01T00:00:00Z"}]}'),
    ("resources.json", b'[{"kind": "something#else", "snippet": {}}]'),
])
def test_other_files_are_not_claimed(name, head):
    assert not (detect(name, head) or "").startswith("youtube.")


def test_location_files_stay_location():
    assert detect("Takeout/Location History/Records.json",
                  b'{"locations": [{"latitudeE7": 1, "timestamp": "2020-01-01T00:00:00Z"}]}') == "location.records"

"""The YouTube parsers against fixtures of ours written from the documented shapes, and bad input."""

import io
import json
from datetime import UTC, datetime

import pytest

from sources.records import Rejection
from sources.sanitize import BAD_CSV, BAD_JSON, MALFORMED_RECORD, TEXT_TOO_LONG, TIMESTAMP_MALFORMED
from sources.youtube import parsers
from sources.youtube.parsers import (
    FORMATS,
    MISSING_ID,
    WRONG_COLUMN_COUNT,
    parse_comments,
    parse_liked_videos,
    parse_live_chats,
    parse_playlist_videos,
    parse_playlists,
    parse_resources,
    parse_subscriptions,
    plain_text,
    watch_url,
)
from sources.youtube.records import Comment, Item

# Before June 2024: the comment id first.
COMMENTS_OLD = (
    "Comment ID,Channel ID,Comment Create Timestamp,Price,Parent Comment ID,Post ID,Video ID,Comment Text\r\n"
    'UgzA1,UCme,2023-01-02T10:00:00.123+00:00,0,,,dQw4w9WgXcQ,"{""text"":""Hi""},{""text"":"" there""}"\r\n'
    'UgzA2,UCme,2023-03-04T11:30:00+00:00,0,UgzA1,,dQw4w9WgXcQ,"plain, with a comma"\r\n'
    'UgzA3,UCme,2023-05-06T12:00:00Z,,,UgkxPost1,,"{""takeoutSegments"":[{""text"":""on a ""},'
    '{""text"":""post""}]}"\r\n'
)
# After June 2024: the same columns, reordered (and no trailing line break).
COMMENTS_NEW = (
    "\ufeffChannel ID,Comment Create Timestamp,Price,Comment ID,Parent Comment ID,Post ID,Video ID,Comment Text\n"
    'UCme,2024-07-01T08:00:00.5+00:00,0,UgzB1,,,abcdefghijk,"=HYPERLINK(""http://evil"")"\n'
    'UCme,2024-08-01T09:15:00+00:00,0,UgzB2,,,abcdefghijk,"<script>alert(1)</script>"'
)
LIVE_CHATS_OLD = (
    "Live Chat ID,Channel ID,Live Chat Create Timestamp,Price,Video ID,Live Chat Text\n"
    'LCC1,UCme,2022-02-02T20:00:00+00:00,0,live0000001,"{""text"":""gg""}"\n'
    "LCC2,UCme,2022-02-02T20:05:00+00:00,€2.00,live0000001,thanks\n"
)
LIVE_CHATS_NEW = (
    "Channel ID,Live Chat Create Timestamp,Price,Live Chat ID,Video ID,Live Chat Text\n"
    "UCme,2024-09-09T09:09:09+00:00,0,LCC3,live0000002,hello\n"
)
SUBSCRIPTIONS = (
    "Channel Id,Channel Url,Channel Title\n"
    "UCaaa,http://www.youtube.com/channel/UCaaa,First channel\n"
    "UCbbb,http://www.youtube.com/channel/UCbbb,Zweiter Kanal – ünïcode\n"
    "UCccc,javascript:alert(1),<b>Bold</b>\n"
)
PLAYLISTS = (
    "Playlist ID,Add new videos to top,Playlist Title (Original),Playlist Title (Original Language),"
    "Playlist Create Timestamp,Playlist Update Timestamp,Playlist Video Order,Playlist Visibility\n"
    "PLaaaa1111,False,Cooking,,2020-01-01T00:00:00+00:00,2021-01-01T00:00:00+00:00,Manual,Private\n"
    "PLbbbb2222,True,Music,en,2020-06-01T12:00:00+00:00,,Date added (newest),Public\n"
)
# An older version: fewer columns, in another order.
PLAYLISTS_OLD = (
    "Playlist Title (Original),Playlist ID,Playlist Visibility,Playlist Create Timestamp\n"
    "Old list,PLcccc3333,Unlisted,2019-05-05T05:05:05+00:00\n"
)
PLAYLIST_VIDEOS = (
    "Video ID,Playlist Video Creation Timestamp\n"
    "abcdefghijk,2021-02-03T04:05:06+00:00\n"
    "bcdefghijkl,2021-02-04T04:05:06+00:00\n"
)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def parse(parser, data: bytes | str) -> list:
    if isinstance(data, str):
        data = data.encode()
    return list(parser(io.BytesIO(data)))


def taken(items) -> list:
    return [item for item in items if not isinstance(item, Rejection)]


def reasons(items) -> list[str]:
    return [item.reason for item in items if isinstance(item, Rejection)]


def test_comments_before_june_2024():
    items = parse(parse_comments, COMMENTS_OLD)
    assert reasons(items) == []
    assert len(items) == 3
    first, reply, on_post = items
    assert first == Comment(utc(2023, 1, 2, 10, 0, 0, 123000), "UgzA1", "comment", channel_id="UCme",
                            video_id="dQw4w9WgXcQ", price="0", text="Hi there")
    assert reply.parent_id == "UgzA1"
    assert reply.text == "plain, with a comma"
    assert on_post.created_at == utc(2023, 5, 6, 12)
    assert (on_post.post_id, on_post.video_id, on_post.text) == ("UgkxPost1", "", "on a post")


def test_comments_after_june_2024_read_by_header_name():
    items = parse(parse_comments, COMMENTS_NEW)
    assert reasons(items) == []
    assert [c.comment_id for c in items] == ["UgzB1", "UgzB2"]
    assert items[0].created_at == utc(2024, 7, 1, 8, 0, 0, 500000)
    assert items[-1].created_at == utc(2024, 8, 1, 9, 15)
    # Stored as written: the CSV export neutralizes formulas, pages escape HTML.
    assert items[0].text == '=HYPERLINK("http://evil")'
    assert items[1].text == "<script>alert(1)</script>"
    assert items[1].video_id == "abcdefghijk"


@pytest.mark.parametrize("data", [LIVE_CHATS_OLD, LIVE_CHATS_NEW])
def test_live_chats_in_either_order(data):
    items = parse(parse_live_chats, data)
    assert reasons(items) == []
    assert {c.kind for c in items} == {"live_chat"}
    assert all(c.video_id.startswith("live") for c in items)


def test_live_chat_fields():
    first, second = parse(parse_live_chats, LIVE_CHATS_OLD)
    assert (first.comment_id, first.created_at, first.text) == ("LCC1", utc(2022, 2, 2, 20), "gg")
    assert (second.price, second.text) == ("€2.00", "thanks")


def test_subscriptions():
    items = parse(parse_subscriptions, SUBSCRIPTIONS)
    assert reasons(items) == []
    assert [i.item_id for i in items] == ["UCaaa", "UCbbb", "UCccc"]
    assert items[0] == Item("subscription", "UCaaa", title="First channel",
                            url="http://www.youtube.com/channel/UCaaa")
    assert items[1].title == "Zweiter Kanal – ünïcode"
    assert (items[2].title, items[2].url) == ("<b>Bold</b>", "javascript:alert(1)")
    assert all(i.added_at is None for i in items)


def test_playlists_keep_the_other_columns_as_extra():
    cooking, music = parse(parse_playlists, PLAYLISTS)
    assert cooking.item_id == "PLaaaa1111"
    assert cooking.title == "Cooking"
    assert cooking.added_at == utc(2020, 1, 1)
    assert cooking.url == "https://www.youtube.com/playlist?list=PLaaaa1111"
    assert cooking.extra == {"add new videos to top": "False", "playlist update timestamp": "2021-01-01T00:00:00+00:00",
                             "playlist video order": "Manual", "playlist visibility": "Private"}
    assert music.extra["playlist title (original language)"] == "en"


def test_playlists_of_an_older_version():
    (old,) = parse(parse_playlists, PLAYLISTS_OLD)
    assert (old.item_id, old.title, old.added_at) == ("PLcccc3333", "Old list", utc(2019, 5, 5, 5, 5, 5))
    assert old.extra == {"playlist visibility": "Unlisted"}


def test_an_over_long_playlist_setting_is_rejected():
    data = PLAYLISTS.replace("Manual,Private", "Manual," + "P" * 1001)
    items = parse(parse_playlists, data)
    assert reasons(items) == [TEXT_TOO_LONG]
    assert [i.item_id for i in taken(items)] == ["PLbbbb2222"]


def test_playlist_videos_and_likes():
    videos = parse(parse_playlist_videos, PLAYLIST_VIDEOS)
    assert [v.kind for v in videos] == ["playlist_video", "playlist_video"]
    assert videos[0].item_id == "abcdefghijk@2021-02-03T04:05:06+00:00"
    assert videos[0].url == "https://www.youtube.com/watch?v=abcdefghijk"
    likes = parse(parse_liked_videos, PLAYLIST_VIDEOS)
    assert [(v.kind, v.item_id, v.added_at) for v in likes] == [
        ("like", "abcdefghijk", utc(2021, 2, 3, 4, 5, 6)), ("like", "bcdefghijkl", utc(2021, 2, 4, 4, 5, 6))]


def test_resources_json_likes_playlists_and_subscriptions():
    data = json.dumps([
        {"kind": "youtube#playlistItem", "etag": "x", "snippet": {
            "publishedAt": "2017-03-01T10:00:00.000Z", "title": "Liked one", "playlistId": "LLabc",
            "resourceId": {"kind": "youtube#video", "videoId": "abcdefghijk"}},
         "contentDetails": {"videoId": "abcdefghijk"}},
        {"kind": "youtube#playlistItem", "snippet": {
            "publishedAt": "2017-04-01T10:00:00.000Z", "title": "In a list", "playlistId": "PLxyz",
            "resourceId": {"videoId": "bcdefghijkl"}}},
        {"kind": "youtube#subscription", "snippet": {
            "publishedAt": "2016-01-01T00:00:00.000Z", "title": "A channel", "resourceId": {"channelId": "UCzz"}}},
        {"kind": "youtube#video", "snippet": {}},
        {"kind": "youtube#playlistItem", "snippet": {"playlistId": "PLxyz", "resourceId": {}}},
        ["not", "an", "object"],
    ]).encode()
    items = parse(parse_resources, data)
    like, entry, channel = taken(items)
    assert (like.kind, like.item_id, like.added_at, like.title) == ("like", "abcdefghijk", utc(2017, 3, 1, 10),
                                                                     "Liked one")
    assert (entry.kind, entry.item_id) == ("playlist_video", "PLxyz/bcdefghijkl")
    assert (channel.kind, channel.item_id, channel.url) == ("subscription", "UCzz",
                                                            "https://www.youtube.com/channel/UCzz")
    assert reasons(items) == ["unsupported_record", MISSING_ID, MALFORMED_RECORD]


def test_resources_truncated_json_is_bad_json_after_what_came_before():
    data = b'[{"kind": "youtube#subscription", "snippet": {"title": "A", "resourceId": {"channelId": "UC1"}}}, {"ki'
    items = parse(parse_resources, data)
    assert [i.item_id for i in taken(items)] == ["UC1"]
    assert reasons(items) == [BAD_JSON]


# --- bad input ----------------------------------------------------------------------

HEADER = "Comment ID,Channel ID,Comment Create Timestamp,Price,Parent Comment ID,Post ID,Video ID,Comment Text\n"


def test_bad_rows_are_rejected_with_reasons_and_the_rest_imported():
    data = HEADER + (
        "ok1,UC,2023-01-01T00:00:00+00:00,0,,,vid00000001,fine\n"
        "short,UC,2023-01-01T00:00:00+00:00\n"
        "badtime,UC,yesterday,0,,,vid00000001,x\n"
        "future,UC,9999-01-01T00:00:00+00:00,0,,,vid00000001,x\n"
        ",UC,2023-01-01T00:00:00+00:00,0,,,vid00000001,no id\n"
        "notime,UC,,0,,,vid00000001,x\n"
        "toomany,UC,2023-01-01T00:00:00+00:00,0,,,vid00000001,x,extra\n"
        "\n"
        "ok2,UC,2023-02-01T00:00:00+00:00,0,,,vid00000001,\"=1+1\"\n"
    )
    items = parse(parse_comments, data)
    assert [c.comment_id for c in taken(items)] == ["ok1", "ok2"]
    assert reasons(items) == [WRONG_COLUMN_COUNT, TIMESTAMP_MALFORMED, "timestamp_implausible", MISSING_ID,
                              "missing_timestamp", WRONG_COLUMN_COUNT]
    short = items[1]
    assert short.detail == "Row 3 has 3 cells; the header names 8."
    assert "short" in short.sample


def test_not_utf8_is_bad_csv():
    data = (HEADER + "ok1,UC,2023-01-01T00:00:00+00:00,0,,,vid00000001,caf").encode() + b"\xe9 cr\xe8me\n"
    items = parse(parse_comments, data)
    assert reasons(items)[-1] == BAD_CSV
    assert "not UTF-8" in items[-1].detail


def test_not_utf8_far_into_the_file_is_bad_csv():
    rows = "".join(f"id{i},UC,2023-01-01T00:00:00+00:00,0,,,vid00000001,text {i}\n" for i in range(5000))
    data = (HEADER + rows).encode() + "latin1,UC,2023-01-01T00:00:00+00:00,0,,,v,d\xe9j\xe0\n".encode("latin-1")
    items = parse(parse_comments, data)
    # Text is decoded a chunk at a time: the rows of the chunk with the bad byte
    # never arrive, and the pipeline keeps none of the member anyway.
    assert 4000 < len(taken(items)) < 5000
    assert reasons(items) == [BAD_CSV]


def test_truncated_inside_a_quoted_cell_is_bad_csv():
    data = HEADER + 'ok1,UC,2023-01-01T00:00:00+00:00,0,,,vid00000001,fine\nok2,UC,2023-01-01T00:00:00+00:00,0,,,v,"cut'
    items = parse(parse_comments, data)
    assert reasons(items) == [BAD_CSV]
    assert "quoted" in items[-1].detail


def test_last_row_breaking_off_is_bad_csv():
    data = HEADER + "ok1,UC,2023-01-01T00:00:00+00:00,0,,,vid00000001,fine\nok2,UC,2023-01-0"
    items = parse(parse_comments, data)
    assert reasons(items) == [BAD_CSV]
    assert "breaks off" in items[-1].detail


def test_header_without_required_columns_is_bad_csv():
    items = parse(parse_comments, "Channel ID,Video ID\nUC,v\n")
    assert reasons(items) == [BAD_CSV]
    assert "comment id" in items[0].detail


@pytest.mark.parametrize("data", [b"", b"\n\n", b"\xff\xfe\x00\x00garbage"])
def test_empty_or_binary_is_one_bad_csv(data):
    assert reasons(parse(parse_comments, data)) == [BAD_CSV]


def test_a_huge_cell_is_rejected_without_holding_it(monkeypatch):
    # 3 MB in one quoted cell over one line: longer than any line is read.
    huge = "x" * (3 * 1024 * 1024)
    data = HEADER + f"big,UC,2023-01-01T00:00:00+00:00,0,,,v,\"{huge}\"\nok,UC,2023-01-01T00:00:00+00:00,0,,,v,y\n"
    items = parse(parse_comments, data)
    assert reasons(items) == [TEXT_TOO_LONG]
    assert [c.comment_id for c in taken(items)] == ["ok"]


def test_a_long_multiline_cell_hits_the_field_limit():
    lines = "\n".join("y" * 1000 for _ in range(300))  # 300 kB over 300 lines, each short
    data = HEADER + f"big,UC,2023-01-01T00:00:00+00:00,0,,,v,\"{lines}\"\nok,UC,2023-01-01T00:00:00+00:00,0,,,v,y\n"
    items = parse(parse_comments, data)
    assert TEXT_TOO_LONG in reasons(items)
    assert [c.comment_id for c in taken(items)] == ["ok"]


def test_text_over_the_lake_bound_is_rejected():
    data = HEADER + f"big,UC,2023-01-01T00:00:00+00:00,0,,,v,{'z' * (parsers.MAX_TEXT_CHARS + 1)}\n"
    assert reasons(parse(parse_comments, data)) == [TEXT_TOO_LONG]


def test_control_characters_are_removed_from_text():
    data = HEADER + "c1,UC,2023-01-01T00:00:00+00:00,0,,,v,a\x00b\x07c\n"
    (comment,) = parse(parse_comments, data)
    assert comment.text == "abc"


@pytest.mark.parametrize(("cell", "text"), [
    ('{"text":"Hi"},{"text":" there"}', "Hi there"),
    ('{"takeoutSegments":[{"text":"a"},{"text":"b","link":{"url":"x"}}]}', "ab"),
    ('{"text":"@you","mention":{"channelId":"UC"}},{"text":" hi"}', "@you hi"),
    ("{not json", "{not json"),
    ('{"other":1}', '{"other":1}'),
    ('{"text":5}', '{"text":5}'),
    ("[" * 5000, "[" * 5000),
    ("{" + '"a":[' * 3000, "{" + '"a":[' * 3000),
    ("just text", "just text"),
])
def test_plain_text(cell, text):
    assert plain_text(cell) == text


def test_watch_url_only_for_video_ids():
    assert watch_url("dQw4w9WgXcQ") == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    assert watch_url("javascript:x") == ""
    assert watch_url("") == ""


def test_formats_name_every_parser():
    assert set(FORMATS) == {"youtube.comments", "youtube.live_chats", "youtube.subscriptions", "youtube.playlists",
                            "youtube.playlist_videos", "youtube.likes", "youtube.resources"}


@pytest.mark.parametrize("parser", list(FORMATS.values()))
@pytest.mark.parametrize("data", [b"", b"\x00\x01\x02", b'"unterminated', b"a,b\n\"x", "\u00e9".encode("latin-1"),
                                  b"[" * 100_000, b"{}"])
def test_every_parser_survives_garbage(parser, data):
    items = parse(parser, data)
    assert all(isinstance(item, Rejection) for item in items)
    assert items or parser is parse_resources  # a JSON object holds no array of resources


class _Endless(io.RawIOBase):
    """A non-seekable stream: `head`, then `size` bytes of "x" made as they are read, then `tail`."""

    def __init__(self, head: bytes, size: int, tail: bytes):
        self._head, self._left, self._tail = head, size, tail

    def readable(self):
        return True

    def readinto(self, buffer):
        if self._head:
            data, self._head = self._head[: len(buffer)], self._head[len(buffer):]
        elif self._left:
            data = b"x" * min(len(buffer), self._left)
            self._left -= len(data)
        else:
            data, self._tail = self._tail[: len(buffer)], self._tail[len(buffer):]
        buffer[: len(data)] = data
        return len(data)


def test_a_400_mb_cell_costs_no_memory():
    import tracemalloc

    head = (HEADER + 'big,UC,2023-01-01T00:00:00+00:00,0,,,v,"').encode()
    tail = b'"\nok,UC,2023-01-01T00:00:00+00:00,0,,,v,after\n'
    stream = io.BufferedReader(_Endless(head, 400 * 1024 * 1024, tail), buffer_size=1 << 20)
    tracemalloc.start()
    try:
        items = list(parse_comments(stream))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert reasons(items) == [TEXT_TOO_LONG]
    assert [c.text for c in taken(items)] == ["after"]
    assert peak < 32 * 1024 * 1024

"""Streaming parsers for YouTube's own Takeout files (not watch/search history: sources/activity).

Most are CSV. Their columns moved between export versions (comments and live
chats were reordered in June 2024) and differ by product, so every parser
reads columns by their header name, never by position. Some cells hold JSON
(a comment's text as ``{"text":"Hi"},{"text":" there"}`` segments, or
``{"takeoutSegments":[...]}``): such a cell becomes its plain text; any other
cell is kept verbatim, formula-looking text included (the CSV export
neutralizes it, see sources/export.py).

Contract, as for every parser here:

* a row that cannot be taken becomes a ``Rejection`` with a reason code and
  parsing goes on with the next row: a wrong number of cells, a bad
  timestamp, a missing id, a cell or line longer than the bounds below;
* a document that cannot be read as a whole ends with one
  ``Rejection(BAD_CSV)`` (bytes that are not UTF-8, a header that lacks the
  columns its format needs, a last row that breaks off) or
  ``Rejection(BAD_JSON)``: the pipeline then keeps nothing of the member;
* memory stays flat: CSV is read line by line with every line bounded, JSON
  through ijson behind ``SafeJSONStream``.
"""

import contextlib
import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from datetime import datetime

import ijson

from sources.records import Rejection
from sources.sanitize import (
    BAD_CSV,
    BAD_JSON,
    MALFORMED_RECORD,
    TEXT_TOO_LONG,
    UNSUPPORTED_RECORD,
    RecordRejected,
    SafeJSONStream,
    Window,
    clean_text,
    instant_from_iso,
    plausible_window,
    sample_of,
)
from sources.youtube.records import (
    COMMENT,
    LIKE,
    LIVE_CHAT,
    PLAYLIST,
    PLAYLIST_VIDEO,
    SUBSCRIPTION,
    Comment,
    Item,
)

type Parsed = Comment | Item | Rejection

WRONG_COLUMN_COUNT = "wrong_column_count"
MISSING_ID = "missing_id"

# No cell Google writes comes near these (a comment holds at most 10,000
# characters, JSON segments roughly double that). csv's limit is process-wide;
# raising it from the default 128 KiB loosens nothing another parser relies on.
MAX_CELL_CHARS = 256 * 1024
# A physical line is read at most this far: a 400 MB line (one cell, or a
# binary file that happens to look like text) never sits in memory whole.
MAX_LINE_CHARS = 1024 * 1024
MAX_TEXT_CHARS = 20_000
# A playlist's settings (visibility, video order, ...) are a word or a timestamp.
MAX_EXTRA_CHARS = 1_000
csv.field_size_limit(MAX_CELL_CHARS)

_LINE_ENDS = ("\n", "\r")
_VIDEO_ID = re.compile(r"[A-Za-z0-9_-]{11}")
_PLAYLIST_ID = re.compile(r"[A-Za-z0-9_-]{2,64}")
# Parsing JSON is bounded by the cell, but depth would raise RecursionError anyway.
_JSON_ERRORS = (ijson.JSONError, ValueError, RecursionError, UnicodeError, OverflowError)


def watch_url(video_id: str) -> str:
    """The video's page, or "" for an id that is not a YouTube video id."""
    return f"https://www.youtube.com/watch?v={video_id}" if _VIDEO_ID.fullmatch(video_id or "") else ""


def header_key(name: str) -> str:
    """A column's name as matched: case and spacing vary between export versions ("Channel Id")."""
    return " ".join(name.split()).casefold()


# --- CSV reading ----------------------------------------------------------------


class _LineTooLong(Exception):
    def __init__(self, length: int):
        super().__init__(length)
        self.length = length


class _Lines:
    """The physical lines of a text stream, for csv.reader, none longer than MAX_LINE_CHARS.

    An over-long line is read to its end in bounded pieces and dropped, and
    ``__next__`` raises ``_LineTooLong``: csv.reader passes the exception on
    and, called again, starts a fresh row at the next line. A class rather
    than a generator, because a generator that raised is finished.
    """

    def __init__(self, text: io.TextIOBase):
        self._text = text
        self.ended = False  # the stream is exhausted
        self.complete = True  # the last line handed out ended with a line break

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self._text.readline(MAX_LINE_CHARS + 1)
        if not line:
            self.ended = True
            raise StopIteration
        if len(line) > MAX_LINE_CHARS and not line.endswith(_LINE_ENDS):
            length = len(line)
            while more := self._text.readline(MAX_LINE_CHARS):
                length += len(more)
                if more.endswith(_LINE_ENDS):
                    break
            raise _LineTooLong(length)
        self.complete = line.endswith(_LINE_ENDS)
        return line


def _text_stream(stream) -> io.TextIOWrapper:
    if isinstance(stream, io.RawIOBase):
        stream = io.BufferedReader(stream)
    # utf-8-sig drops the byte-order mark Google writes before the header.
    return io.TextIOWrapper(stream, encoding="utf-8-sig", errors="strict", newline="")


def csv_rows(stream, required: tuple[str, ...]) -> Iterator[dict[str, str] | Rejection]:
    """The rows of a CSV as {header_key: cell}, and a Rejection for each row that is not one.

    `required` are header keys the format cannot do without: a header that
    lacks one is a BAD_CSV (the detector would not have named this format).
    """
    text = _text_stream(stream)
    lines = _Lines(text)
    reader = csv.reader(lines, strict=True)
    try:
        header = yield from _header(reader, required)
        if header is None:
            return
        while True:
            row = yield from _next_row(reader, lines, len(header))
            if row is None:
                return
            if row:
                yield dict(zip(header, row, strict=True))
    finally:
        # The caller owns the binary stream: closing the wrapper must not close it.
        with contextlib.suppress(ValueError):
            text.detach()


def _header(reader, required: tuple[str, ...]):
    try:
        names = next(reader, None)
    except UnicodeDecodeError as exc:
        yield _not_utf8(exc)
        return None
    except (csv.Error, _LineTooLong):
        names = None
    if not names:
        yield Rejection(BAD_CSV, "The file has no CSV header row.", "")
        return None
    header = [header_key(name) for name in names]
    missing = [name for name in required if name not in header]
    if missing:
        yield Rejection(BAD_CSV, f"The header row lacks the column(s) {', '.join(missing)}.", sample_of(names))
        return None
    return header


def _next_row(reader, lines: _Lines, width: int):
    """The next row with `width` cells; [] for a blank line; None at the end (or when the document breaks).

    Rejections for rows that cannot be taken are yielded on the way.
    """
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return None
        except UnicodeDecodeError as exc:
            yield _not_utf8(exc)
            return None
        except _LineTooLong as exc:
            yield Rejection(TEXT_TOO_LONG, f"A line of {exc.length:,} characters is longer than the "
                                           f"{MAX_LINE_CHARS:,} this importer reads.", "")
            continue
        except csv.Error as exc:
            if lines.ended:
                yield Rejection(BAD_CSV, f"The file ends inside a quoted cell ({exc}).", "")
                return None
            if "field larger than field limit" in str(exc):
                yield Rejection(TEXT_TOO_LONG, f"Row {reader.line_num} has a cell longer than "
                                               f"{MAX_CELL_CHARS:,} characters.", "")
            else:
                yield Rejection(MALFORMED_RECORD, f"Row {reader.line_num} is not well-formed CSV ({exc}).", "")
            continue
        if not row:
            return []
        if len(row) == width:
            return row
        if not lines.complete:
            yield Rejection(BAD_CSV, f"The last row breaks off after {len(row)} of {width} cells.", sample_of(row))
            return None
        yield Rejection(WRONG_COLUMN_COUNT, f"Row {reader.line_num} has {len(row)} cells; the header names {width}.",
                        sample_of(row))


def _not_utf8(exc: UnicodeDecodeError) -> Rejection:
    return Rejection(BAD_CSV, f"The file is not UTF-8 text ({exc.reason} at byte {exc.start} of a chunk).", "")


def _parse_csv(stream, required: tuple[str, ...], build: Callable[[dict, Window], Parsed]) -> Iterator[Parsed]:
    window = plausible_window()
    for row in csv_rows(stream, required):
        if isinstance(row, Rejection):
            yield row
            continue
        try:
            yield build(row, window)
        except RecordRejected as exc:
            yield Rejection(exc.reason, exc.detail, sample_of(row))


# --- cells ------------------------------------------------------------------------


def _cell(row: dict, key: str) -> str:
    return (clean_text(row.get(key), MAX_CELL_CHARS) or "").strip()


def _required_id(row: dict, key: str) -> str:
    value = _cell(row, key)
    if not value:
        raise RecordRejected(MISSING_ID, f"The row has no {key}.")
    return value


def _instant(row: dict, key: str, window: Window, *, required: bool = True) -> datetime | None:
    text = _cell(row, key)
    if not text and not required:
        return None
    # Some versions write "2019-01-01 12:00:00 UTC".
    if text.endswith(" UTC"):
        text = text[:-4] + "Z"
    return instant_from_iso(text or None, window)[0]


def plain_text(cell: str) -> str:
    """A cell's text: JSON text segments joined, anything else verbatim.

    Takeout writes ``{"text":"Hi "},{"text":"there"}`` (objects separated by
    commas, no brackets), or ``{"takeoutSegments":[{"text":"Hi"}]}``; a
    segment may carry a mention or link besides its text. Text that merely
    starts with a brace, or JSON of another shape, is kept as written.
    """
    stripped = cell.strip()
    if not stripped.startswith("{"):
        return cell
    try:
        parts = json.loads(f"[{stripped}]")
    except _JSON_ERRORS:
        return cell
    segments = []
    for part in parts:
        if not isinstance(part, dict):
            return cell
        inner = part.get("takeoutSegments")
        if isinstance(inner, list):
            segments += inner
        elif "text" in part:
            segments.append(part)
        else:
            return cell
    texts = [segment.get("text") for segment in segments if isinstance(segment, dict)]
    if not texts or not all(isinstance(value, str) for value in texts):
        return cell
    return "".join(texts)


def _bounded_text(cell: str) -> str:
    text = plain_text(cell)
    if len(text) > MAX_TEXT_CHARS:
        raise RecordRejected(TEXT_TOO_LONG, f"The text is {len(text):,} characters long; the lake keeps at most "
                                            f"{MAX_TEXT_CHARS:,}.")
    return clean_text(text, MAX_TEXT_CHARS) or ""


# --- comments and live chats ----------------------------------------------------------

_COMMENT_REQUIRED = ("comment id", "comment create timestamp")
_LIVE_CHAT_REQUIRED = ("live chat id", "live chat create timestamp")


def _comment(row: dict, window: Window) -> Comment:
    return Comment(
        created_at=_instant(row, "comment create timestamp", window),
        comment_id=_required_id(row, "comment id"),
        kind=COMMENT,
        channel_id=_cell(row, "channel id"),
        video_id=_cell(row, "video id"),
        post_id=_cell(row, "post id"),
        parent_id=_cell(row, "parent comment id"),
        price=_cell(row, "price"),
        text=_bounded_text(row.get("comment text") or ""),
    )


def _live_chat(row: dict, window: Window) -> Comment:
    return Comment(
        created_at=_instant(row, "live chat create timestamp", window),
        comment_id=_required_id(row, "live chat id"),
        kind=LIVE_CHAT,
        channel_id=_cell(row, "channel id"),
        video_id=_cell(row, "video id"),
        price=_cell(row, "price"),
        text=_bounded_text(row.get("live chat text") or ""),
    )


def parse_comments(stream) -> Iterator[Parsed]:
    """``comments/comments.csv``, either column order."""
    return _parse_csv(stream, _COMMENT_REQUIRED, _comment)


def parse_live_chats(stream) -> Iterator[Parsed]:
    """``live chats/live chats.csv``, either column order."""
    return _parse_csv(stream, _LIVE_CHAT_REQUIRED, _live_chat)


# --- subscriptions and playlists ----------------------------------------------------------

_SUBSCRIPTION_REQUIRED = ("channel id",)
_PLAYLIST_REQUIRED = ("playlist id",)
_PLAYLIST_VIDEO_REQUIRED = ("video id",)
_PLAYLIST_TITLES = ("playlist title (original)", "playlist title", "title")
_PLAYLIST_CREATED = ("playlist create timestamp", "playlist creation timestamp")
_PLAYLIST_VIDEO_ADDED = "playlist video creation timestamp"


def _subscription(row: dict, window: Window) -> Item:
    return Item(SUBSCRIPTION, _required_id(row, "channel id"), title=_cell(row, "channel title"),
                url=_cell(row, "channel url"))


def _playlist(row: dict, window: Window) -> Item:
    playlist_id = _required_id(row, "playlist id")
    title_key = next((key for key in _PLAYLIST_TITLES if key in row), "")
    created_key = next((key for key in _PLAYLIST_CREATED if key in row), "")
    added_at = _instant(row, created_key, window, required=False) if created_key else None
    # Visibility, video order, update time, title language, ...: what this
    # export version has, by its own column names.
    extra = {key: value for key in row if key not in ("playlist id", title_key, created_key)
             and (value := _cell(row, key))}
    if any(len(value) > MAX_EXTRA_CHARS for value in extra.values()):
        raise RecordRejected(TEXT_TOO_LONG, f"A playlist setting is longer than {MAX_EXTRA_CHARS:,} characters.")
    url = f"https://www.youtube.com/playlist?list={playlist_id}" if _PLAYLIST_ID.fullmatch(playlist_id) else ""
    return Item(PLAYLIST, playlist_id, title=_cell(row, title_key), url=url, added_at=added_at, extra=extra)


def _playlist_video(kind: str) -> Callable[[dict, Window], Item]:
    def build(row: dict, window: Window) -> Item:
        video_id = _required_id(row, "video id")
        added_at = _instant(row, _PLAYLIST_VIDEO_ADDED, window, required=False)
        # This CSV names no playlist (only its file name does, which parsers are
        # not given): the time the video was added tells one playlist's entry
        # from another's, and stays the same in every re-export.
        item_id = video_id if kind == LIKE else f"{video_id}@{added_at.isoformat() if added_at else ''}"
        return Item(kind, item_id, url=watch_url(video_id), added_at=added_at, extra={"video_id": video_id})

    return build


def parse_subscriptions(stream) -> Iterator[Parsed]:
    """``subscriptions/subscriptions.csv``: ``Channel Id,Channel Url,Channel Title``."""
    return _parse_csv(stream, _SUBSCRIPTION_REQUIRED, _subscription)


def parse_playlists(stream) -> Iterator[Parsed]:
    """``playlists/playlists.csv``: one row per playlist, columns by export version."""
    return _parse_csv(stream, _PLAYLIST_REQUIRED, _playlist)


def parse_playlist_videos(stream) -> Iterator[Parsed]:
    """``playlists/<title>-videos.csv``: ``Video ID,Playlist Video Creation Timestamp``."""
    return _parse_csv(stream, _PLAYLIST_VIDEO_REQUIRED, _playlist_video(PLAYLIST_VIDEO))


def parse_liked_videos(stream) -> Iterator[Parsed]:
    """The liked-videos playlist in the same CSV shape (``Liked videos-videos.csv``)."""
    return _parse_csv(stream, _PLAYLIST_VIDEO_REQUIRED, _playlist_video(LIKE))


# --- older JSON exports: YouTube Data API resources -------------------------------------------


def parse_resources(stream) -> Iterator[Parsed]:
    """Older exports' ``playlists/Likes.json`` (any playlist) and ``subscriptions.json``.

    A bare array of API resources: ``{"kind": "youtube#playlistItem", "snippet":
    {"publishedAt", "title", "playlistId", "resourceId": {"videoId"}}, ...}`` or
    ``{"kind": "youtube#subscription", "snippet": {"publishedAt", "title",
    "resourceId": {"channelId"}}}``. The liked-videos playlist's id starts
    with "LL" (YouTube's own list), whatever its localized name.
    """
    window = plausible_window()
    try:
        for resource in ijson.items(SafeJSONStream(stream), "item", use_float=True):
            try:
                yield _resource(resource, window)
            except RecordRejected as exc:
                yield Rejection(exc.reason, exc.detail, sample_of(resource))
            except (TypeError, AttributeError) as exc:
                yield Rejection(MALFORMED_RECORD, f"The resource has the wrong shape ({exc}).", sample_of(resource))
    except _JSON_ERRORS as exc:
        yield Rejection(BAD_JSON, f"The file stops being valid JSON ({str(exc)[:120]}).", "")


def _resource(resource: object, window: Window) -> Item:
    if not isinstance(resource, dict):
        raise RecordRejected(MALFORMED_RECORD, f"Expected an object, got {type(resource).__name__}.")
    snippet = resource.get("snippet") or {}
    if not isinstance(snippet, dict):
        raise RecordRejected(MALFORMED_RECORD, "Its snippet is not an object.")
    published = snippet.get("publishedAt")
    added_at = instant_from_iso(published, window)[0] if published is not None else None
    title = clean_text(snippet.get("title"), MAX_CELL_CHARS) or ""
    target = snippet.get("resourceId") or {}
    kind = resource.get("kind")
    if kind == "youtube#subscription":
        channel_id = clean_text(target.get("channelId")) or ""
        if not channel_id:
            raise RecordRejected(MISSING_ID, "The subscription names no channel.")
        return Item(SUBSCRIPTION, channel_id, title=title, url=f"https://www.youtube.com/channel/{channel_id}",
                    added_at=added_at)
    if kind == "youtube#playlistItem":
        details = resource.get("contentDetails") or {}
        video_id = clean_text(details.get("videoId") or target.get("videoId")) or ""
        playlist_id = clean_text(snippet.get("playlistId")) or ""
        if not video_id:
            raise RecordRejected(MISSING_ID, "The playlist item names no video.")
        if playlist_id.startswith("LL"):
            return Item(LIKE, video_id, title=title, url=watch_url(video_id), added_at=added_at,
                        extra={"video_id": video_id})
        return Item(PLAYLIST_VIDEO, f"{playlist_id}/{video_id}", title=title, url=watch_url(video_id),
                    added_at=added_at, extra={"playlist_id": playlist_id, "video_id": video_id})
    raise RecordRejected(UNSUPPORTED_RECORD, f"A resource of kind {sample_of(kind, 60)} is not imported.")


FORMATS = {
    "youtube.comments": parse_comments,
    "youtube.live_chats": parse_live_chats,
    "youtube.subscriptions": parse_subscriptions,
    "youtube.playlists": parse_playlists,
    "youtube.playlist_videos": parse_playlist_videos,
    "youtube.likes": parse_liked_videos,
    "youtube.resources": parse_resources,
}

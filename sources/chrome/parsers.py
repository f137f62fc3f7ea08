"""Streaming parsers for Chrome's Takeout files: browser history (JSON) and bookmarks (HTML).

Each parser takes a binary file-like object, reads it front to back once in
chunks, and yields ``BrowserVisit`` / ``Bookmark`` records and ``Rejection``
values in file order.

Contract:

* A record that cannot be taken (no URL, no or a garbage ``time_usec``, the
  wrong shape) becomes a ``Rejection`` and parsing goes on with the next one.
* History: a document that stops being JSON (truncated, a syntax error, a
  number no decoder can hold such as a 5,000-digit ``time_usec`` written as a
  number, a string over ``sanitize.MAX_TOKEN_BYTES``) ends with one
  ``Rejection("bad_json", ...)``; the pipeline then keeps nothing of it. The
  same digits written as a string are one record's ``timestamp_malformed``.
* Bookmarks: a page that ends before its outermost ``<DL>`` closes (a truncated
  download), that holds no bookmark list at all, or whose single tag runs past
  ``MAX_PENDING_HTML`` (a multi-megabyte ICON) ends with one
  ``Rejection("bad_html", ...)``: a cut-off file would otherwise be imported
  as if it were the whole list, folders and all, with no sign of what is missing.
* URLs are kept whole (a URL longer than its column is refused by the pipeline
  as ``text_too_long``, never shortened: a cut URL is another address); titles
  are bounded by ``clean_text``. ``javascript:`` and other schemes are kept as
  text; only http(s) URLs are ever rendered as links.

Not stored, on purpose: ``favicon_url`` of a visit and the ``ICON`` data URIs of
bookmarks (images, possibly large, that the lake would only ever re-serve).

Bookmarks are parsed with the standard library's ``html.parser.HTMLParser``:
it is incremental (``feed`` per chunk), tolerates the Netscape format's
unclosed ``<DT>`` and ``<p>``, and needs no new dependency. Its known
worst cases are quadratic in the length of one unfinished construct, which
``MAX_PENDING_HTML`` bounds.
"""

import codecs
import hashlib
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit
from uuid import UUID

import ijson

from sources.chrome.detect import HISTORY_KEY
from sources.chrome.records import Bookmark, BrowserVisit
from sources.records import Rejection
from sources.sanitize import (
    BAD_HTML,
    BAD_JSON,
    MALFORMED_RECORD,
    MAX_TOKEN_BYTES,
    TIMESTAMP_WRONG_UNIT,
    UNSUPPORTED_SECTION,
    MemberStream,
    RecordRejected,
    SafeJSONStream,
    Window,
    clean_code,
    clean_text,
    instant_from_epoch,
    plausible_window,
    sample_of,
)

type Item = BrowserVisit | Bookmark | Rejection

MISSING_URL = "missing_url"

_CHUNK = 64 * 1024
# One tag (or comment) of a bookmarks page still unfinished after this many
# characters: Chrome's favicons are a few kilobytes of data URI.
MAX_PENDING_HTML = 1024 * 1024
SAMPLE_HTML = 300
# A title's text is gathered up to this many characters (clean_text's bound), then ignored.
_TITLE_CHARS = 2_000
# URLs are refused by the pipeline past their column's length; this only keeps
# clean_text from shortening them first.
_URL_CHARS = MAX_TOKEN_BYTES

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_JSON_ERRORS = (ijson.JSONError, ValueError, RecursionError, UnicodeError, OverflowError)
_RECORD_ERRORS = (TypeError, ValueError, AttributeError, KeyError, IndexError, OverflowError)
_DIGITS = re.compile(r"\s*[-+]?\d{1,24}\s*")


# --- shared -------------------------------------------------------------------


def url_key(url: str) -> UUID:
    """The URL's MD5 as a UUID: equal to PostgreSQL's ``md5(url)::uuid``."""
    return UUID(bytes=hashlib.md5(url.encode("utf-8", "surrogatepass"), usedforsecurity=False).digest())


def host_of(url: str) -> str:
    """Lower-case host without a leading ``www.``; "" when the URL has none (``javascript:``, ``file:``)."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:  # an unbalanced "[" of an IPv6 literal
        return ""
    return host.removeprefix("www.")


def _clean_url(value: object) -> str:
    if value is not None and not isinstance(value, str):
        raise RecordRejected(MALFORMED_RECORD, f"The URL is a {type(value).__name__}, not text.")
    url = clean_text(value, _URL_CHARS)
    url = url.strip() if url else ""
    if not url:
        raise RecordRejected(MISSING_URL, "The record has no URL.")
    return url


# --- History.json -----------------------------------------------------------------


def parse_history(stream) -> Iterator[Item]:
    """``History.json`` (``BrowserHistory.json``, ``Verlauf.json``): the ``"Browser History"`` array.

    Other top-level sections of newer exports ("Typed Url", "Session", …) are
    not imported; each is reported as one ``unsupported_section`` Rejection,
    so the run says what of the file was left out.
    """
    window = plausible_window()
    member = MemberStream(stream)
    sections = _Sections(ijson.parse(SafeJSONStream(member), use_float=True))
    visits = ijson.items(sections, f"{HISTORY_KEY}.item")
    try:
        for raw in visits:
            yield from sections.take()
            yield _visit_or_rejection(raw, window)
        yield from sections.take()
    except _JSON_ERRORS as exc:
        if member.failure is not None:
            raise
        yield _bad_json(exc)


class _Sections:
    """Passes ijson's events through unchanged, noting each top-level section other
    than ``"Browser History"`` (and how many entries an array one held) once the next
    one starts or the document ends.

    Tracked by the events' prefixes alone: this runs once per event of the whole
    file, so a visit costs a string comparison or two here, no more.
    """

    def __init__(self, events) -> None:
        self._events = events
        self._key: str | None = None  # the section being read, if it is one to report
        self._item: str | None = None  # its entries' prefix, once it is seen to be an array
        self._entries = 0
        self._done: list[Rejection] = []

    def take(self) -> list[Rejection]:
        done, self._done = self._done, []
        return done

    def __iter__(self):
        for event in self._events:
            prefix = event[0]
            if prefix == "":  # a top-level key, or the document's end
                self._end_section()
                if event[1] == "map_key" and event[2] != HISTORY_KEY:
                    self._key, self._item, self._entries = event[2], None, 0
            elif prefix == self._item:
                if event[1] in _ENTRY_STARTS:
                    self._entries += 1
            elif prefix == self._key and event[1] == "start_array":
                self._item = f"{prefix}.item"
            yield event

    def _end_section(self) -> None:
        if self._key is not None:
            self._done.append(_unsupported(self._key, None if self._item is None else self._entries))
            self._key = self._item = None


# An array's entry begins with one of these events (its own keys and ends are not entries).
_ENTRY_STARTS = frozenset(("start_map", "start_array", "null", "boolean", "integer", "double", "number", "string"))


def _unsupported(key: str, entries: int | None) -> Rejection:
    name = clean_text(key, 200) or "(unnamed)"
    # An object or a single value ("Version": 3) has no entries to count.
    held = "" if entries is None else f" with {entries} entr{'y' if entries == 1 else 'ies'}"
    return Rejection(UNSUPPORTED_SECTION, f'The section "{name}"{held} is not imported: only "{HISTORY_KEY}" is.',
                     name)


def _visit_or_rejection(raw: object, window: Window) -> Item:
    try:
        return _visit(raw, window)
    except RecordRejected as exc:
        return Rejection(exc.reason, exc.detail, sample_of(raw))
    except _RECORD_ERRORS as exc:
        return Rejection(MALFORMED_RECORD, f"The visit has an unexpected shape ({type(exc).__name__}).",
                         sample_of(raw))


def _visit(raw: object, window: Window) -> BrowserVisit:
    if not isinstance(raw, dict):
        raise RecordRejected(MALFORMED_RECORD, "A visit is not a JSON object.")
    visited_at = visit_instant(raw.get("time_usec"), window)
    url = _clean_url(raw.get("url"))
    return BrowserVisit(
        visited_at=visited_at,
        url_key=url_key(url),
        url=url,
        host=host_of(url),
        title=clean_text(raw.get("title")),
        page_transition=clean_code(raw.get("page_transition")),
        page_transition_qualifier=clean_code(raw.get("page_transition_qualifier")),
        client_id=clean_text(raw.get("client_id")),
    )


def visit_instant(value: object, window: Window) -> datetime:
    """``time_usec`` (microseconds since 1970 UTC, a number or a digit string) -> exact aware UTC instant.

    ``instant_from_epoch`` gives the reasons (missing, malformed, wrong unit,
    implausible); the instant itself is rebuilt from the integer, since its
    float arithmetic can be a microsecond off.
    """
    at = instant_from_epoch(value, "microseconds", window)
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        return _EPOCH + timedelta(microseconds=int(value))
    if isinstance(value, int | float):
        return _EPOCH + timedelta(microseconds=round(value))
    return at



def _bad_json(exc: BaseException) -> Rejection:
    # ijson's message is "<what went wrong>\n<the text around it>".
    first, _, context = str(exc).strip().partition("\n")
    detail = clean_text(f"Parsing stopped: {first[:200] or type(exc).__name__}")
    return Rejection(BAD_JSON, detail or "Parsing stopped.", clean_text(context.strip()[:300]) or "")


# --- Bookmarks.html ---------------------------------------------------------------


def parse_bookmarks(stream) -> Iterator[Item]:
    """A Netscape bookmark file (``Bookmarks.html``): every ``<A>`` with its folder path."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="replace")
    page = _BookmarkPage(plausible_window())
    while chunk := stream.read(_CHUNK):
        page.feed(decoder.decode(chunk))
        yield from page.take()
        if len(page.rawdata) > MAX_PENDING_HTML:
            yield Rejection(BAD_HTML, f"One tag runs past {MAX_PENDING_HTML // 1024} KiB without ending.",
                            clean_text(page.rawdata[:SAMPLE_HTML]) or "")
            return
    page.feed(decoder.decode(b"", final=True))
    page.close()
    yield from page.take()
    if not page.lists_seen:
        yield Rejection(BAD_HTML, "The page holds no bookmark list (<DL>).", "")
    elif page.open_lists:
        yield Rejection(BAD_HTML, f"The page ends with {page.open_lists} bookmark folder(s) still open: "
                                  "it was cut off.", "")



class _BookmarkPage(HTMLParser):
    """Folders are ``<DT><H3>name</H3>`` followed by a ``<DL>`` of their entries;
    bookmarks are ``<DT><A HREF=… ADD_DATE=…>title</A>``. ``<DT>`` and ``<p>`` are never closed."""

    def __init__(self, window: Window) -> None:
        super().__init__(convert_charrefs=True)
        self.window = window
        self.found: list[Item] = []
        self.folders: list[str | None] = []  # per open <DL>: its folder's name (None for the outermost)
        self.lists_seen = 0
        self._heading: list[str] | None = None  # text of an open <H3>
        self._named: str | None = None  # a folder name waiting for its <DL>
        self._anchor: tuple[dict, list[str]] | None = None  # attributes and text of an open <A>

    @property
    def open_lists(self) -> int:
        return len(self.folders)

    def take(self) -> list[Item]:
        found, self.found = self.found, []
        return found

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "a":
            self._end_anchor()
            self._named = None
            self._anchor = ({name: value for name, value in attrs if name != "icon"}, [])
        elif tag == "h3":
            self._end_anchor()
            self._named = None
            self._heading = []
        elif tag == "dl":
            self._end_anchor()
            self._end_heading()
            self.folders.append(self._named)
            self._named = None
            self.lists_seen += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._end_anchor()
        elif tag == "h3":
            self._end_heading()
        elif tag == "dl":
            self._end_anchor()
            if self.folders:
                self.folders.pop()

    def handle_data(self, data: str) -> None:
        target = self._anchor[1] if self._anchor is not None else self._heading
        # Only the start of a title is kept: joining a 100 MB text would cost 100 MB.
        if target is not None and sum(map(len, target)) <= _TITLE_CHARS:
            target.append(data)

    def _end_heading(self) -> None:
        if self._heading is not None:
            self._named = (clean_text("".join(self._heading)) or "").strip()
            self._heading = None

    def _end_anchor(self) -> None:
        if self._anchor is None:
            return
        attrs, text = self._anchor
        self._anchor = None
        try:
            url = _clean_url(attrs.get("href"))
            self.found.append(Bookmark(
                url_key=url_key(url),
                url=url,
                folder="/".join(name for name in self.folders if name),
                title=(clean_text("".join(text)) or "").strip() or None,
                added_at=_added_at(attrs.get("add_date"), self.window),
            ))
        except RecordRejected as exc:
            self.found.append(Rejection(exc.reason, exc.detail, sample_of({**attrs, "title": "".join(text)})))



def _added_at(value: object, window: Window) -> datetime | None:
    """ADD_DATE: seconds since 1970, in some exports microseconds (or milliseconds).

    A bookmark whose date is missing or unreadable is still the bookmark: it is
    kept without one rather than refused.
    """
    if not value:
        return None
    try:
        return instant_from_epoch(value, "seconds", window)
    except RecordRejected as exc:
        if exc.reason != TIMESTAMP_WRONG_UNIT:
            return None
    for unit in ("microseconds", "milliseconds"):
        try:
            return instant_from_epoch(value, unit, window)
        except RecordRejected:
            continue
    return None


FORMATS = {
    "chrome.history": parse_history,
    "chrome.bookmarks": parse_bookmarks,
}

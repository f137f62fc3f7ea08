"""Parsers for Google Keep's Takeout: one note per file, as JSON and as HTML.

``Keep/<title>.json`` holds ``title, textContent, listContent[{text, isChecked}],
labels[{name}], color, isPinned, isArchived, isTrashed, createdTimestampUsec``
(older notes lack it), ``userEditedTimestampUsec, annotations[{url, title,
description, source}], attachments[{filePath, mimetype}]``. Beside it Takeout
writes ``<title>.html``, the same note as a page whose date is written in the
account's language (read with sources.activity.dates; a date it cannot read
leaves the note undated, with the reason kept).

Contract, as for every parser of the lake:

* A note file that cannot be taken (a JSON array, wrong types, a timestamp in
  the wrong unit) is one ``Rejection``; the other files import.
* A JSON file that stops being JSON ends with ``bad_json``; an HTML page that
  ends before its note does ends with ``bad_html``; the pipeline then keeps
  nothing of that file.
* The note key: the file's stem (its name without ``.json``/``.html``), which
  the JSON and HTML files of one note share, so the two are one note; without
  a name (a bare stream), the creation time and title, else title and text.
"""

import codecs
import unicodedata
import uuid
from collections.abc import Iterator
from html.parser import HTMLParser

from sources.activity.dates import parse_stamp
from sources.keep.records import KeepNote
from sources.records import Rejection
from sources.sanitize import (
    BAD_HTML,
    MALFORMED_RECORD,
    RecordRejected,
    Window,
    clean_code,
    clean_text,
    instant_from_epoch,
    plausible_window,
    sample_of,
    whole_json,
)

type Item = KeepNote | Rejection

# A note's text is not cut to the 2,000 characters of a title; Keep itself allows about 20,000.
MAX_NOTE_TEXT = 100_000
MAX_ITEMS = 10_000
# One note's page: Keep's own notes are kilobytes; a bigger "note" is not one, and html.parser's
# worst cases grow with the length of an unfinished construct.
MAX_NOTE_HTML = 8 * 1024 * 1024
NOTE_TOO_LARGE = "note_too_large"
UNDATED_NO_TIME = "The note states no time."

_CHUNK = 64 * 1024
_KEY_NAMESPACE = uuid.UUID("6f0d8a52-3c1e-4b7a-9e24-5d8c1f2a7b30")
_RECORD_ERRORS = (TypeError, ValueError, AttributeError, KeyError, IndexError, OverflowError)


def note_key(stem: str, created_usec: object = None, title: str | None = None, text: str | None = None) -> uuid.UUID:
    if stem:
        basis = f"file:{stem}"
    elif created_usec is not None:
        basis = f"created:{created_usec}\n{title or ''}"
    else:
        basis = f"content:{title or ''}\n{text or ''}"
    return uuid.uuid5(_KEY_NAMESPACE, basis)


def file_stem(stream) -> str:
    """The member's base name without its extension, NFC: what the JSON and HTML of a note share."""
    name = str(getattr(stream, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, extension = name.rpartition(".")
    if dot and extension.lower() in ("json", "html", "htm"):
        name = stem
    return unicodedata.normalize("NFC", name)[:500]


# --- JSON -----------------------------------------------------------------------


def parse_note_json(stream) -> Iterator[Item]:
    raw, broken = whole_json(stream)
    if broken is not None:
        yield broken
        return
    try:
        yield _note_from_json(raw, file_stem(stream), plausible_window())
    except RecordRejected as exc:
        yield Rejection(exc.reason, exc.detail, sample_of(raw))
    except _RECORD_ERRORS as exc:
        yield Rejection(MALFORMED_RECORD, f"The note has an unexpected shape ({type(exc).__name__}).",
                        sample_of(raw))



def _note_from_json(raw: object, stem: str, window: Window) -> KeepNote:
    if not isinstance(raw, dict):
        raise RecordRejected(MALFORMED_RECORD, f"A note is a JSON object, not {type(raw).__name__}.")
    if not ({"textContent", "listContent", "title"} & raw.keys()):
        raise RecordRejected(MALFORMED_RECORD, "The object has no title, text or list: not a Keep note.")
    title = clean_text(raw.get("title"))
    text = clean_text(raw.get("textContent"), MAX_NOTE_TEXT)
    created_usec = raw.get("createdTimestampUsec")
    created = _instant(created_usec, window)
    edited = _instant(raw.get("userEditedTimestampUsec"), window)
    return KeepNote(
        note_key=note_key(stem, created_usec, title, text), file_stem=stem, title=title, text=text,
        checklist=[_list_item(item) for item in _list(raw.get("listContent"), "listContent")],
        labels=[name for label in _list(raw.get("labels"), "labels")
                if (name := clean_text(_dict(label).get("name"), 200))],
        color=clean_code(raw.get("color")), is_pinned=_flag(raw, "isPinned"), is_archived=_flag(raw, "isArchived"),
        is_trashed=_flag(raw, "isTrashed"), created_at=created, edited_at=edited,
        annotations=[_annotation(item) for item in _list(raw.get("annotations"), "annotations")],
        attachments=[_attachment(item) for item in _list(raw.get("attachments"), "attachments")],
        undated_reason=None if (created or edited) else UNDATED_NO_TIME,
    )


def _instant(value: object, window: Window):
    # 0 is what some notes carry for "never": no time, not 1970.
    if value is None or value in (0, "0"):
        return None
    return instant_from_epoch(value, "microseconds", window)


def _list_item(raw: object) -> dict:
    item = _dict(raw)
    return {"text": clean_text(item.get("text"), MAX_NOTE_TEXT) or "", "checked": _flag(item, "isChecked")}


def _annotation(raw: object) -> dict:
    item = _dict(raw)
    return {"url": clean_text(item.get("url")) or "", "title": clean_text(item.get("title")) or "",
            "description": clean_text(item.get("description")) or "",
            "source": clean_text(item.get("source"), 40) or ""}


def _attachment(raw: object) -> dict:
    item = _dict(raw)
    return {"file": clean_text(item.get("filePath"), 500) or "",
            "mimetype": clean_text(item.get("mimetype"), 100) or ""}


def _flag(mapping: dict, key: str) -> bool:
    value = mapping.get(key, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise RecordRejected(MALFORMED_RECORD, f"{key} is {type(value).__name__}, not true or false.")
    return value


def _list(value: object, name: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise RecordRejected(MALFORMED_RECORD, f"{name} is {type(value).__name__}, not a list.")
    if len(value) > MAX_ITEMS:
        raise RecordRejected(MALFORMED_RECORD, f"{name} has {len(value)} entries; a note holds at most {MAX_ITEMS}.")
    return value


def _dict(value: object) -> dict:
    if not isinstance(value, dict):
        raise RecordRejected(MALFORMED_RECORD, f"Expected a JSON object, got {type(value).__name__}.")
    return value



# --- HTML -----------------------------------------------------------------------


def parse_note_html(stream) -> Iterator[Item]:
    page = _NotePage()
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    seen = 0
    while chunk := stream.read(_CHUNK):
        seen += len(chunk)
        if seen > MAX_NOTE_HTML:
            yield Rejection(NOTE_TOO_LARGE, f"The page is over {MAX_NOTE_HTML // (1024 * 1024)} MiB: not one note.",
                            "")
            return
        page.feed(decoder.decode(chunk))
    page.feed(decoder.decode(b"", final=True))
    page.close()
    if not page.note_closed:
        what = "holds no Keep note" if not page.note_seen else "ends before its note does"
        yield Rejection(BAD_HTML, f"The page {what}.", "")
        return
    try:
        yield page.note(file_stem(stream), plausible_window())
    except RecordRejected as exc:
        yield Rejection(exc.reason, exc.detail, clean_text(page.heading_text(), 300) or "")


# Which element's text goes where; the page's classes are Keep's own.
_FIELDS = {"title": "title", "content": "content", "heading": "heading", "text": "item", "label-name": "label",
           "annotation-title": "link_title"}


class _NotePage(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.note_seen = self.note_closed = False
        self.color = None
        self.flags: set[str] = set()
        self.parts: dict[str, list[str]] = {"title": [], "content": [], "heading": []}
        self.items: list[dict] = []
        self.labels: list[str] = []
        self.links: list[dict] = []
        self.attachments: list[dict] = []
        self._stack: list[tuple[str, str | None]] = []  # (tag, field it captures or None)
        self._note_depth: int | None = None
        self._item: dict | None = None
        self._buffer: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if "note" in classes and self._note_depth is None and not self.note_closed:
            self.note_seen = True
            self._note_depth = len(self._stack)
            self.color = next((c for c in classes if c != "note"), None)
        captured = None
        if self._note_depth is not None:
            captured = self._capture(tag, classes, attributes)
        if tag in _VOID:
            return
        self._stack.append((tag, captured))

    def _capture(self, tag, classes, attributes) -> str | None:
        for name in ("archived", "pinned", "trashed"):
            if name in classes:
                self.flags.add(name)
        if "listitem" in classes:
            self._item = {"text": "", "checked": "checked" in classes}
            self.items.append(self._item)
            return None
        if tag == "a" and attributes.get("href") is not None:
            self.links.append({"url": clean_text(attributes["href"]) or "", "title": "", "description": "",
                               "source": "WEBLINK"})
        if tag == "img" and attributes.get("src"):
            self.attachments.append({"file": clean_text(attributes["src"], 500) or "", "mimetype": ""})
        if tag == "br" and self._buffer is not None:
            self._buffer.append("\n")
        for css, field in _FIELDS.items():
            if css in classes:
                self._buffer = []
                return field
        return None

    def handle_endtag(self, tag):
        # Unclosed <p>/<li> are common in hand-written HTML: pop to the matching open tag.
        for depth in range(len(self._stack) - 1, -1, -1):
            if self._stack[depth][0] == tag:
                for _tag, field in reversed(self._stack[depth:]):
                    self._finish(field)
                del self._stack[depth:]
                break
        if self._note_depth is not None and len(self._stack) <= self._note_depth:
            self._note_depth = None
            self.note_closed = True

    def _finish(self, field: str | None) -> None:
        if field is None or self._buffer is None:
            return
        text = "".join(self._buffer).strip()
        self._buffer = None
        if field in self.parts:
            self.parts[field].append(text)
        elif field == "item" and self._item is not None:
            self._item["text"] = clean_text(text, MAX_NOTE_TEXT) or ""
        elif field == "label" and text:
            self.labels.append(clean_text(text, 200) or "")
        elif field == "link_title" and self.links:
            self.links[-1]["title"] = clean_text(text) or ""

    def handle_data(self, data):
        if self._buffer is not None:
            self._buffer.append(data)
        elif self._stack and self._note_depth is not None and any(f == "heading" for _t, f in self._stack):
            self.parts["heading"].append(data)

    def heading_text(self) -> str:
        return " ".join(" ".join(self.parts["heading"]).split())

    def note(self, stem: str, window: Window) -> KeepNote:
        title = clean_text(" ".join(self.parts["title"]).strip())
        text = clean_text("\n".join(self.parts["content"]).strip(), MAX_NOTE_TEXT)
        edited, reason = _page_date(self.heading_text(), window)
        return KeepNote(
            note_key=note_key(stem, None, title, text), file_stem=stem, title=title, text=text,
            checklist=self.items[:MAX_ITEMS], labels=[label for label in self.labels if label][:MAX_ITEMS],
            color=clean_code(self.color), is_pinned="pinned" in self.flags, is_archived="archived" in self.flags,
            is_trashed="trashed" in self.flags, created_at=None, edited_at=edited,
            annotations=self.links[:MAX_ITEMS], attachments=self.attachments[:MAX_ITEMS], undated_reason=reason,
        )


_VOID = {"br", "img", "meta", "link", "hr", "input", "area", "base", "col", "embed", "source", "track", "wbr"}


def _page_date(heading: str, window: Window):
    """The edit time the page's heading states, or (None, why not): locales vary and some do not parse."""
    if not heading:
        return None, UNDATED_NO_TIME
    try:
        stamp = parse_stamp(heading)
    except RecordRejected as exc:
        return None, clean_text(f"The note's date {heading[:80]!r} cannot be read: {exc.detail}", 300)
    if stamp is None:
        return None, clean_text(f"The note's date {heading[:80]!r} is in a format the lake does not read.", 300)
    lo, hi = window
    if not lo <= stamp.at <= hi:
        return None, clean_text(f"The note's date {heading[:80]!r} lies outside any plausible time.", 300)
    return stamp.at, None


FORMATS = {"keep.note": parse_note_json, "keep.note_html": parse_note_html}

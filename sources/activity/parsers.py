"""Streaming parsers for My Activity, JSON and HTML, any product and any language.

Each parser takes a binary file-like object (read front to back, once; it need
not be seekable) and yields `ActivityEvent` and `Rejection` values in file
order, with flat memory whatever the file size.

JSON (``My Activity.json``, ``MeineAktivitäten.json``, YouTube's
``watch-history.json``…) is a top-level array of entries, decoded one at a time
by ijson behind `sanitize.SafeJSONStream`.  HTML (``MyActivity.html``…) is read
in 256 KiB chunks and cut where a cell (``<div class="outer-cell``) starts;
libxml2 parses about 1 MiB of whole cells at a time, which is then dropped.
(lxml's ``HTMLPullParser`` was the first design, but libxml2's push parser
keeps every byte it was fed until it is closed, clearing the cells or not: a
240 MB page took 266 MB.  Batches keep it at ~40 MB whatever the size.)

Contract (as for the location parsers):

* An entry that fails validation becomes a ``Rejection`` (reason codes of
  `sources.sanitize`) and parsing goes on with the next one.
* JSON that stops being JSON (syntax error, cut file, nesting past
  ``MAX_JSON_DEPTH``, a token over 1 MiB, a number no decoder holds) ends with
  one ``Rejection("bad_json")``; what came before it has been yielded.
* An HTML page that is not complete (it does not end with ``</body>`` or
  ``</html>``, a cell is left open, libxml2 gave up before the end: nesting
  past its depth limit, a text node over 10 MB) or not a My Activity page at
  all (no cell, a cell over 16 MiB) ends with one ``Rejection("bad_html")``;
  the pipeline then keeps nothing of the member.  A cut page yields nothing of
  its last, incomplete batch.
* Exceptions raised by the stream itself propagate unchanged.

Field mapping, both formats: `service` is the header (old Chrome JSON without
one: ``products[0]``); `title` as written (HTML: its first line, ``&nbsp;`` as
a space); `channel`/`channel_url` the first subtitle (a YouTube channel);
`description` the description, further subtitles and, on HTML pages, what
follows the date line (Gemini's answer in ``<p>`` blocks), one per line;
`location_*` and `lat_e7`/`lng_e7` the first location entry (coordinates only
from its ``center=``/``q=``/``@`` form; out-of-range coordinates are dropped,
not the entry); `host` the link's host without ``www.``, through Google's
``/url?q=`` redirects.
"""

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from urllib.parse import unquote

import ijson
from lxml import etree

from sources.activity.dates import Stamp, looks_like_stamp, parse_stamp
from sources.activity.records import ActivityEvent, item_key
from sources.activity.verbs import PROMPT_VERBS, split_title
from sources.records import Rejection
from sources.sanitize import (
    BAD_HTML,
    BAD_JSON,
    MALFORMED_RECORD,
    MISSING_TIMESTAMP,
    MemberStream,
    RecordRejected,
    SafeJSONStream,
    Window,
    check_instant,
    clean_text,
    e7_from_degrees,
    instant_from_iso,
    plausible_window,
    sample_of,
)

type Item = ActivityEvent | Rejection

_JSON_CHUNK = 64 * 1024
HTML_CHUNK = 256 * 1024
# clean_text() without its cut: the pipeline knows the columns and refuses what is too long.
_NO_CUT = 1 << 62

_JSON_ERRORS = (ijson.JSONError, ValueError, RecursionError, UnicodeError, OverflowError)
_RECORD_ERRORS = (TypeError, ValueError, AttributeError, KeyError, IndexError, OverflowError)


# --- shared field helpers -------------------------------------------------------


def _text(value: object) -> str:
    """Text safe to store (no NUL or other C0 controls but tab and newline), never None."""
    if value.__class__ is str:
        return value if value.isprintable() else clean_text(value, _NO_CUT) or ""
    if value is None:
        return ""
    return clean_text(value, _NO_CUT) or ""


# scheme://[user@]host[:port]
_NETLOC = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]{0,30}://(?:[^@/?#\s]*@)?(\[[^\]/]*\]|[^:/?#\s]*)")
# Google's click-through redirect: the target is in q= (or url=).
_REDIRECT = re.compile(r"https?://(?:www\.)?google\.[a-z.]{2,12}/url\?(?:[^#]*?&)?(?:q|url)=([^&#]+)",
                       re.IGNORECASE)


def host_of(url: str) -> str:
    """``https://www.Example.com:8080/x`` -> ``example.com``; a Google redirect -> its target's host."""
    if not url:
        return ""
    if "/url?" in url and (redirect := _REDIRECT.match(url)) is not None:
        target = _plain_host(unquote(redirect[1]))
        if target:
            return target
    return _plain_host(url)


def _plain_host(url: str) -> str:
    match = _NETLOC.match(url)
    if match is None:
        return ""
    host = match[1].lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


# center=LAT,LNG / q=LAT,LNG / query=LAT,LNG / @LAT,LNG — the comma maybe percent-encoded.
_COORDINATES = re.compile(
    r"(?:[?&](?:center|q|query|ll)=|@)([-+]?\d{1,3}(?:\.\d{1,20})?)(?:,|%2C)\s*([-+]?\d{1,3}(?:\.\d{1,20})?)(?![\d.])",
    re.IGNORECASE)


def coordinates_of(url: str) -> tuple[int, int] | None:
    """E7 coordinates from a Maps link that carries them; None when it has none or they are out of range."""
    if not url or (match := _COORDINATES.search(url)) is None:
        return None
    try:
        return e7_from_degrees(match[1], match[2])
    except RecordRejected:
        return None


_YOUTUBE_WATCH = re.compile(r"https?://(?:www\.|m\.|music\.)?youtube\.com/watch\?", re.IGNORECASE)


def _removed(title: str, subject: str, url: str) -> bool:
    """A removed or private YouTube video: the title (after the verb) is its own link."""
    return bool(url) and (subject == url or title == url) and _YOUTUBE_WATCH.match(url) is not None


def _event(at: datetime, service: str, title: str, url: str, **fields) -> ActivityEvent:
    action, subject = split_title(title)
    return ActivityEvent(
        at=at,
        item_key=item_key(url, title),
        service=service,
        title=title,
        action=action,
        subject=subject,
        url=url,
        host=host_of(url),
        removed=_removed(title, subject, url),
        **fields,
    )


# --- JSON -----------------------------------------------------------------------



class _Sink(list):
    send = list.append


def parse_json(stream) -> Iterator[Item]:
    """A My Activity JSON file: ``[{header, title, titleUrl, time, …}, …]``."""
    window = plausible_window()
    member = MemberStream(stream)
    reader = SafeJSONStream(member)
    sink = _Sink()
    try:
        first = reader.read(_JSON_CHUNK)
        opening = first.lstrip()[:1]
        if opening and opening != b"[":
            yield Rejection(MALFORMED_RECORD, "The document is not an array of My Activity entries.",
                            clean_text(first[:100].decode("utf-8", "replace")) or "")
            return
        parser = ijson.items_coro(sink, "item", use_float=True)
        chunk = first
        while chunk:
            parser.send(chunk)
            if sink:
                yield from _json_events(sink, window)
            chunk = reader.read(_JSON_CHUNK)
        parser.close()
        yield from _json_events(sink, window)
    except _JSON_ERRORS as exc:
        if member.failure is not None:
            raise
        yield from _json_events(sink, window)  # entries decoded before the error are good
        yield _bad_json(exc)


def _json_events(sink: _Sink, window: Window) -> Iterator[Item]:
    entries = sink[:]
    sink.clear()
    for entry in entries:
        try:
            yield _json_event(entry, window)
        except RecordRejected as exc:
            yield Rejection(exc.reason, exc.detail, sample_of(entry))
        except _RECORD_ERRORS as exc:
            yield Rejection(MALFORMED_RECORD, f"The entry has an unexpected shape ({type(exc).__name__}).",
                            sample_of(entry))


_from_iso = datetime.fromisoformat


def _json_event(entry: object, window: Window) -> ActivityEvent:
    if entry.__class__ is not dict:
        raise RecordRejected(MALFORMED_RECORD, f"Expected a JSON object, got {_json_type(entry)}.")
    get = entry.get
    if "header" not in entry and "time" not in entry and (snippet := get("snippet")) is not None:
        return _snippet_event(snippet, window)

    stamp = get("time")
    at = None
    if stamp.__class__ is str:
        try:
            at = _from_iso(stamp)
        except ValueError:
            at = None
    if at is None or at.tzinfo is not UTC or not window[0] <= at <= window[1]:
        # Anything but Google's "…T15:37:18.828Z": offsets, missing, malformed, implausible.
        at = instant_from_iso(stamp, window)[0]
    micros = at.microsecond
    if micros:
        at = at.replace(microsecond=0)

    products = get("products")
    products = tuple(_text(p) for p in _list(products)) if products else ()
    header = get("header")
    # Pre-2017 Chrome entries have no header: the product names the service.
    service = _text(header) if header is not None else (products[0] if products else "")
    title = _text(get("title"))
    url = _text(get("titleUrl"))

    channel = channel_url = ""
    lines = []
    if (description := get("description")) is not None:
        lines.append(_text(description))
    subtitles = get("subtitles")
    if subtitles:
        for position, subtitle in enumerate(_list(subtitles)):
            if subtitle.__class__ is not dict:
                continue
            name = _text(subtitle.get("name"))
            if position == 0:
                channel, channel_url = name, _text(subtitle.get("url"))
            elif name:
                lines.append(name)
    details = get("details")
    if details:
        details = tuple(_text(d.get("name")) for d in _list(details) if d.__class__ is dict and "name" in d)
    else:
        details = ()

    location_name = location_url = location_source = ""
    lat = lng = None
    infos = get("locationInfos")
    if infos:
        for position, info in enumerate(_list(infos)):
            if info.__class__ is not dict:
                continue
            info_url = _text(info.get("url"))
            if position == 0:
                location_name, location_url = _text(info.get("name")), info_url
                location_source = _text(info.get("source"))
            if lat is None and (found := coordinates_of(info_url)) is not None:
                lat, lng = found

    return _event(
        at, service, title, url,
        micros=micros,
        channel=channel,
        channel_url=channel_url,
        description="\n".join(line for line in lines if line),
        details=details,
        products=products,
        location_name=location_name,
        location_url=location_url,
        location_source=location_source,
        lat_e7=lat,
        lng_e7=lng,
    )  # fmt: skip


def _snippet_event(raw: object, window: Window) -> ActivityEvent:
    """The pre-2017 YouTube shape: ``{"snippet": {"publishedAt", "title", "resourceId": {"videoId"}, …}}``."""
    snippet = _dict(raw)
    at = instant_from_iso(snippet.get("publishedAt"), window)[0]
    micros = at.microsecond
    at = at.replace(microsecond=0)
    url = _text(snippet.get("titleUrl"))
    if not url and (video := _dict(snippet.get("resourceId")).get("videoId")):
        url = f"https://www.youtube.com/watch?v={_text(video)}"
    return _event(
        at, "YouTube", _text(snippet.get("title")), url,
        micros=micros,
        channel=_text(snippet.get("channelTitle")),
        description=_text(snippet.get("description")),
    )  # fmt: skip


def _dict(value: object) -> dict:
    if value is None:
        return {}
    if value.__class__ is not dict:
        raise RecordRejected(MALFORMED_RECORD, f"Expected a JSON object, got {_json_type(value)}.")
    return value


def _list(value: object) -> list:
    if value.__class__ is not list:
        raise RecordRejected(MALFORMED_RECORD, f"Expected a JSON array, got {_json_type(value)}.")
    return value


def _json_type(value: object) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}.get(
        type(value), "null" if value is None else "a number")


def _bad_json(exc: BaseException) -> Rejection:
    first, _, context = str(exc).strip().partition("\n")
    detail = clean_text(f"Parsing stopped: {first[:200] or type(exc).__name__}")
    return Rejection(BAD_JSON, detail or "Parsing stopped.", clean_text(context.strip()[:300]) or "")


# --- HTML -----------------------------------------------------------------------

# Caption labels ("Products:", "Produits :", …) -> (what follows, the page's language).
CAPTION_LABELS: dict[str, tuple[str, str]] = {
    "products": ("products", "en"), "produkte": ("products", "de"), "produits": ("products", "fr"),
    "productos": ("products", "es"), "prodotti": ("products", "it"), "producten": ("products", "nl"),
    "produtos": ("products", "pt"),
    "locations": ("locations", "en"), "standorte": ("locations", "de"), "orte": ("locations", "de"),
    "lieux": ("locations", "fr"), "emplacements": ("locations", "fr"), "ubicaciones": ("locations", "es"),
    "luoghi": ("locations", "it"), "posizioni": ("locations", "it"), "locaties": ("locations", "nl"),
    "locais": ("locations", "pt"), "localizações": ("locations", "pt"),
    "details": ("details", ""), "détails": ("details", "fr"), "detalles": ("details", "es"),
    "dettagli": ("details", "it"), "detalhes": ("details", "pt"),
}
# Block elements end the line they interrupt; their text is a line of its own.
_BLOCKS = frozenset({"p", "div", "ul", "ol", "li", "pre", "table", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6",
                     "section", "article", "figure", "hr"})
_SAMPLE = 300


def _clean_line(text: str) -> str:
    if "\xa0" in text or "\u2003" in text or "\u2002" in text:
        text = text.replace("\xa0", " ").replace("\u2003", " ").replace("\u2002", " ")
    return text.strip()


class _Line:
    __slots__ = ("text", "links", "label", "block")

    def __init__(self, text: str, links: list[tuple[str, str]], label: bool, block: bool) -> None:
        self.text = text
        self.links = links  # (href, link text)
        self.label = label  # opened by <b>…:</b> (a caption heading)
        self.block = block  # a <p>/<div>… block of its own


def _lines(cell) -> list[_Line]:
    """The cell's content split at <br>; block children become lines of their own."""
    lines: list[_Line] = []
    text = cell.text
    parts = [text] if text else []
    links: list[tuple[str, str]] = []
    label = False
    for child in cell:
        tag = child.tag
        if tag == "br":
            lines.append(_Line(_clean_line("".join(parts)), links, label, False))
            parts, links, label = [], [], False
        elif tag == "a":
            text = (child.text or "") if not len(child) else "".join(child.itertext())
            parts.append(text)
            if (href := child.get("href")) is not None:
                links.append((href, _clean_line(text)))
        elif tag in _BLOCKS:
            if links or "".join(parts).strip():
                lines.append(_Line(_clean_line("".join(parts)), links, label, False))
            parts, links, label = [], [], False
            lines.append(_Line(_clean_line("".join(child.itertext())), [], False, True))
        elif tag.__class__ is str:
            text = (child.text or "") if not len(child) else "".join(child.itertext())
            if tag == "b" and not "".join(parts).strip() and text.rstrip().endswith(":"):
                label = True
            parts.append(text)
        if tail := child.tail:
            parts.append(tail)
    if links or (parts and "".join(parts).strip()):
        lines.append(_Line(_clean_line("".join(parts)), links, label, False))
    return lines


class _Page:
    """What one HTML page has told so far (its language), and the inner cells of the cell being read."""

    __slots__ = ("language", "header", "body", "caption")

    def __init__(self) -> None:
        self.language = ""
        self._reset()

    def _reset(self) -> None:
        self.header = None
        self.body = None
        self.caption = None

    def take(self, div, classes: str) -> None:
        """Remember an inner cell by its class; its text is read by `event`, once the cell is complete."""
        if "header-cell" in classes:
            if self.header is None:
                self.header = _clean_line("".join(div.itertext()))
        elif "content-cell" in classes:
            if "caption" in classes:
                if self.caption is None:
                    self.caption = div
            elif "text-right" not in classes and self.body is None:
                self.body = div

    def event(self, window: Window) -> Item:
        try:
            return self._event(window)
        except RecordRejected as exc:
            return Rejection(exc.reason, exc.detail, self._sample())
        except _RECORD_ERRORS as exc:
            return Rejection(MALFORMED_RECORD, f"The cell has an unexpected shape ({type(exc).__name__}).",
                             self._sample())
        finally:
            self._reset()

    def _sample(self) -> str:
        texts = [self.header or ""]
        for cell in (self.body, self.caption):
            if cell is not None:
                texts.append(" ".join(line.text for line in _lines(cell))[:_SAMPLE])
        return clean_text(" | ".join(t for t in texts if t)[:_SAMPLE]) or ""

    def _event(self, window: Window) -> ActivityEvent:
        if self.body is None:
            raise RecordRejected(MALFORMED_RECORD, "A My Activity cell has no content cell.")
        products: list[str] = []
        details: list[str] = []
        extra: list[str] = []
        location: _Line | None = None
        if self.caption is not None:
            kind = ""
            for line in _lines(self.caption):
                if line.label:
                    kind, language = CAPTION_LABELS.get(line.text.rstrip(":").strip().casefold(), ("", ""))
                    if language and not self.language:
                        self.language = language
                    continue
                if not line.text and not line.links:
                    continue
                if kind == "products":
                    products.append(line.text)
                elif kind == "details":
                    details.append(line.text)
                elif kind == "locations":
                    location = location or line
                else:
                    extra.append(line.text)

        lines = _lines(self.body)
        position, stamp = self._find_stamp(lines)
        at = check_instant(stamp.at, window)
        if not self.language and stamp.language:
            self.language = stamp.language

        title_line = lines[0] if position > 0 else _Line("", [], False, False)
        title = _text(title_line.text)
        url = _text(title_line.links[0][0]) if title_line.links else ""
        between = lines[1:position]
        if between and not url and not any(line.links for line in between) and \
                split_title(title)[0] in PROMPT_VERBS:
            # An AI prompt of several lines: all of it is the title.
            title = _text("\n".join(line.text for line in lines[:position]))
            between = []
        channel = channel_url = ""
        if between:
            first = between[0]
            channel = _text(first.text)
            channel_url = _text(first.links[0][0]) if first.links else ""
        description = [line.text for line in between[1:]]
        description += [line.text for line in lines[position + 1 :]]
        description += extra

        name = source = location_url = ""
        lat = lng = None
        if location is not None:
            name, source, location_url = _location(location)
            for href, _ in location.links:
                if (found := coordinates_of(href)) is not None:
                    lat, lng = found
                    break

        return _event(
            at, _text(self.header), title, url,
            zone_known=stamp.zone_known,
            utc_offset_minutes=stamp.utc_offset_minutes,
            zone=stamp.zone,
            channel=channel,
            channel_url=channel_url,
            description=_text("\n".join(text for text in description if text)),
            details=tuple(_text(d) for d in details),
            products=tuple(_text(p) for p in products),
            location_name=_text(name),
            location_url=_text(location_url),
            location_source=_text(source),
            lat_e7=lat,
            lng_e7=lng,
            language=self.language,
        )  # fmt: skip

    def _find_stamp(self, lines: list[_Line]) -> tuple[int, Stamp]:
        """The first line after the title that reads as a date; the title line itself is tried last."""
        malformed = None
        for position in [*range(1, len(lines)), 0] if lines else ():
            line = lines[position]
            if line.block or line.links or not looks_like_stamp(line.text):
                continue
            try:
                stamp = parse_stamp(line.text, self.language)
            except RecordRejected as exc:
                malformed = malformed or exc
                continue
            if stamp is not None:
                return position, stamp
        if malformed is not None:
            raise malformed
        raise RecordRejected(MISSING_TIMESTAMP, "The cell has no line that reads as a date.")


def _location(line: _Line) -> tuple[str, str, str]:
    """(name, source, url) of a caption's location line.

    ``At <a href=maps>this general area</a> - From <a>your places</a> (Home)``
    -> ("At this general area", "From your places (Home)", maps link);
    ``From your home: <a href=maps?q=…>https://…</a>`` -> ("From your home", "", the link).
    """
    text = line.text
    for _, link_text in line.links:
        if link_text.startswith(("http://", "https://")):
            text = text.replace(link_text, "")
    name, dash, source = text.partition(" - ")
    url = ""
    for href, _ in line.links:
        if coordinates_of(href) is not None or "/maps" in href:
            url = href
            break
    else:
        if line.links and not dash:
            url = line.links[0][0]
    return name.strip().rstrip(":").rstrip(), source.strip() if dash else "", url


_DIV_OPEN = b"<div"
_DIV_CLOSE = b"</div"
# Where each entry of the page starts, as Takeout writes it.  Outside a tag,
# "<" is always escaped; inside a double-quoted attribute a raw '"' cannot
# occur: so these bytes start a cell and nothing else.
CELL_START = b'<div class="outer-cell'
# Cells are parsed a batch of about this many bytes at a time.
HTML_BATCH = 1024 * 1024
# A single cell past this size is no My Activity entry (libxml2 itself refuses
# a text node over 10 MB): the page is refused rather than buffered.
MAX_CELL_BYTES = 16 * 1024 * 1024


_FATAL = etree.ErrorLevels.FATAL


def _html_parser() -> etree.HTMLParser:
    return etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, collect_ids=False,
                            no_network=True, default_doctype=False)


def parse_html(stream, chunk_size: int = HTML_CHUNK) -> Iterator[Item]:
    """A My Activity HTML page, legacy (``outer-cell`` … date last) or current (date mid-cell, AI trailers).

    The bytes are read in ``chunk_size`` pieces and cut where a cell starts
    (`CELL_START`); libxml2 parses about `HTML_BATCH` bytes of whole cells at a
    time, so memory stays flat: its push parser (lxml's HTMLPullParser) keeps
    every byte it was fed until it is closed, even with each cell cleared.
    """
    window = plausible_window()
    member = MemberStream(stream)
    parser = _html_parser()
    page = _Page()
    opened = closed = 0  # <div and </div tags in the bytes
    carry = tail = pending = b""
    before_first_cell = True
    cells = 0
    while chunk := member.read(chunk_size):
        # A tag cut between two chunks is counted once: each count sees just
        # fewer bytes of the previous chunk than its tag has.
        lowered = chunk.lower()
        opened += (carry[-3:] + lowered).count(_DIV_OPEN)
        closed += (carry + lowered).count(_DIV_CLOSE)
        carry = (carry + lowered)[-4:]
        tail = (tail + chunk)[-256:]
        pending += chunk
        if before_first_cell:
            start = pending.find(CELL_START)
            if start < 0:
                # The page's head: nothing to keep but a possibly cut marker.
                pending = pending[-(len(CELL_START) - 1) :]
                continue
            pending = pending[start:]
            before_first_cell = False
        if len(pending) >= HTML_BATCH:
            cut = pending.rfind(CELL_START, 1)
            if cut > 0:
                batch, pending = pending[:cut], pending[cut:]
                result = yield from _batch(batch, parser, page, window)
                if isinstance(result, Rejection):
                    yield result
                    return
                cells += result
            elif len(pending) > MAX_CELL_BYTES:
                yield _bad_html(f"One cell runs past {MAX_CELL_BYTES // 2**20} MiB: not a My Activity page.")
                return
    if not tail.rstrip().lower().endswith((b"</html>", b"</body>")):
        yield _bad_html("The page ends before its end (no closing </body> or </html>): a cut file.")
        return
    if opened > closed:
        yield _bad_html(f"{opened - closed} <div> tags are never closed: the page is cut or not a My Activity page.")
        return
    if not before_first_cell:
        result = yield from _batch(pending, parser, page, window)
        if isinstance(result, Rejection):
            yield result
            return
        cells += result
    if not cells:
        yield _bad_html("The page holds no My Activity entries (no outer-cell).")


def _batch(data: bytes, parser, page: "_Page", window: Window):
    """Yield an item per cell of `data` (whole cells); return how many, or the Rejection that stops the page.

    Nothing of a batch is yielded unless libxml2 read all of it: in recovery
    mode it stops silently where it gives up (nesting past its depth limit, a
    text node over 10 MB), which its error log calls fatal, and which leaves
    fewer <div> elements than the bytes hold.
    """
    try:
        root = etree.fromstring(data, parser)
    except (etree.LxmlError, ValueError) as exc:
        return _bad_html(f"libxml2 stopped: {exc}")
    fatal = [error for error in parser.error_log if error.level == _FATAL]
    if fatal:
        return _bad_html(f"libxml2 stopped at line {fatal[0].line}: {fatal[0].message.strip()}")
    if root is None:
        return _bad_html("libxml2 read nothing from the page.")
    divs = [(div, div.get("class")) for div in root.iter("div")]
    written = data.lower().count(_DIV_OPEN)
    if len(divs) < written:
        return _bad_html(f"The HTML parser stopped after {len(divs)} of {written} <div> elements of a batch "
                         "(nesting too deep or a text too long).")
    cells = 0
    for div, classes in divs:
        if not classes:
            continue
        if "outer-cell" in classes:
            if cells:
                yield page.event(window)
            cells += 1
        elif cells:
            page.take(div, classes)
    if cells:
        yield page.event(window)
    return cells


def _bad_html(detail: str) -> Rejection:
    return Rejection(BAD_HTML, clean_text(detail[:300]) or "The page is not complete.", "")


FORMATS: dict[str, Callable[[object], Iterator[Item]]] = {"activity.json": parse_json, "activity.html": parse_html}

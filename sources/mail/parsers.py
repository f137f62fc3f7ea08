"""The Gmail mbox parser: messages in, `MailMessage` and `Rejection` values out. Pure.

`sources.mail.mbox` splits the mbox over bounded reads and bounds each message;
each message's kept bytes are parsed with the standard `email` package
(`policy.default`). Headers are decoded here rather than by the policy, so raw
8-bit UTF-8, legacy 8-bit charsets and RFC 2047 words all come out as the text
they were, never as mojibake or replacement characters where a charset is known.

Contract, as for every parser of the lake: a message that cannot be taken (no
date, a message cut by the end of the file) is one Rejection and parsing goes
on; nothing here raises for one bad message.
"""

import base64
import binascii
import codecs
import csv
import datetime as dt
import hashlib
import quopri
import re
import uuid
from collections.abc import Iterator
from email import policy
from email.errors import CloseBoundaryNotFoundDefect, StartBoundaryNotFoundDefect
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser

from sources.mail import mbox
from sources.mail.labels import meanings
from sources.mail.records import MailMessage
from sources.records import Checkpoint, Rejection
from sources.sanitize import (
    MALFORMED_RECORD,
    MISSING_TIMESTAMP,
    TIMESTAMP_MALFORMED,
    RecordRejected,
    Window,
    check_instant,
    clean_text,
    plausible_window,
)

type Item = MailMessage | Rejection | Checkpoint

# The file ended inside this message: it is refused, the messages before it are kept.
TRUNCATED_MESSAGE = "truncated_message"

# The body is kept for search, not for reading: its first 4,000 characters. The loader batches rows by
# count (50,000), so what one row holds is what one batch holds fifty thousand times.
BODY_CHARS = 4_000
HEADER_CHARS = 2_000
SHORT = 500
MAX_ATTACHMENTS = 100
# Of an HTML-only body, the first bytes suffice for BODY_CHARS of text.
HTML_BYTES = 512 * 1024



class _Policy(policy.EmailPolicy):
    """`policy.default`, with each parsed header value remembered.

    The feed parser and the content manager ask for a part's Content-Type a
    dozen times, and the default policy parses the header anew each time: that
    was most of the import's time. Header objects are immutable, so one parse
    per distinct (name, value) can be shared. The memo is bounded in entries
    and keeps short values only, so a hostile 256 KiB header is never held.
    """

    def header_fetch_parse(self, name, value):
        if len(value) > _MEMO_VALUE_CHARS:
            return super().header_fetch_parse(name, value)
        key = (name, value)
        found = _HEADERS.get(key)
        if found is None:
            found = super().header_fetch_parse(name, value)
            if len(_HEADERS) >= _MAX_HEADERS_MEMO:
                _HEADERS.clear()
            _HEADERS[key] = found
        return found


_HEADERS: dict = {}
_MAX_HEADERS_MEMO = 4096
_MEMO_VALUE_CHARS = 512
_PARSER = BytesParser(policy=_Policy())
_ENCODED_WORD = re.compile(r"=\?([^?\s]{1,40})\?([bBqQ])\?([^?\s]*)\?=")
_BETWEEN_WORDS = re.compile(r"(\?=)[ \t\r\n]+(=\?)")
_FOLD = re.compile(r"\r?\n[ \t]*")
_SPACES = re.compile(r"[ \t\r\f\v]+")
_LINES = re.compile(r"\n\s*\n+")
_FROM_DATE = re.compile(rb"(\w{3}) +(\d{1,2}) (\d{1,2}:\d{2}(?::\d{2})?) (?:([+-]\d{4}) )?(\d{4})\s*$")
_CHAT_MEANING = "chat"


def parse_mbox(stream) -> Iterator[Item]:
    """An mbox, one message at a time (Gmail's "All mail Including Spam and Trash.mbox").

    After each message but the last comes a Checkpoint at the next separator
    line: a stream started there is an mbox of the messages that follow
    (a separator at the very start needs no blank line before it).
    """
    window = plausible_window()
    pending: mbox.RawMessage | None = None
    for raw in mbox.split(stream):
        if isinstance(raw, int):
            yield Rejection(MALFORMED_RECORD, f"{raw} bytes before the first message separator were skipped.", "")
            continue
        # One message behind: only the last one can have been cut by the end of the file.
        if pending is not None:
            yield _message(pending, window, last=False)
            yield Checkpoint(raw.start)
        pending = raw
    if pending is not None:
        yield _message(pending, window, last=True)


def _message(raw: mbox.RawMessage, window: Window, *, last: bool) -> Item:
    sample = clean_text(bytes(raw.data[:300]).decode("utf-8", "replace"), 300) or ""
    try:
        if last and not raw.headers_done:
            raise RecordRejected(TRUNCATED_MESSAGE, "The file ends inside the last message's headers.")
        if raw.headers_clipped:
            raise RecordRejected(MALFORMED_RECORD, f"The message's headers exceed {mbox.MAX_HEADERS} bytes.")
        message = _PARSER.parsebytes(bytes(raw.data))
        if last and _cut(raw, message):
            raise RecordRejected(TRUNCATED_MESSAGE, "The file ends inside the last message.")
        return _record(raw, message, window)
    except RecordRejected as exc:
        return Rejection(exc.reason, exc.detail, sample)


def _cut(raw: mbox.RawMessage, message: EmailMessage) -> bool:
    if not raw.ends_with_newline:
        return True
    if not message.is_multipart():
        return False
    if raw.clipped:
        return not raw.closed
    return any(isinstance(defect, CloseBoundaryNotFoundDefect | StartBoundaryNotFoundDefect)
               for defect in message.defects)


def _record(raw: mbox.RawMessage, message: EmailMessage, window: Window) -> MailMessage:
    hint = _charset(message)
    headers = {}
    for name, value in message.raw_items():
        headers.setdefault(name.lower(), value)

    def text(name: str, limit: int = HEADER_CHARS) -> str:
        value = headers.get(name)
        return (clean_text(header_text(value, hint), limit) or "").strip() if value is not None else ""

    sent_at, offset = _sent_at(text("date"), raw.from_line, window)
    labels = text("x-gmail-labels")
    label_meanings = meanings(split_labels(labels))
    message_id = text("message-id", SHORT).strip("<> ")
    sender = text("from")
    body, attachments = _contents(message, raw)
    return MailMessage(
        sent_at=sent_at, utc_offset_minutes=offset,
        message_key=_key(message_id, message),
        message_id=message_id, thread_id=text("x-gm-thrid", SHORT), labels=labels, label_meanings=label_meanings,
        sender=sender, sender_address=_address(sender), recipients=text("to"), cc=text("cc"),
        subject=text("subject", SHORT * 2), body=body, attachments=attachments, size_bytes=raw.size,
        is_chat=_CHAT_MEANING in label_meanings, clipped=raw.clipped,
    )


# --- headers ---------------------------------------------------------------------


def header_text(raw: str, hint: str | None = None) -> str:
    """A header's raw value as text: 8-bit bytes as UTF-8 (else the message's charset, else
    windows-1252), folding undone, RFC 2047 encoded words decoded."""
    data = raw.encode("ascii", "surrogateescape") if isinstance(raw, str) else bytes(raw)
    try:
        value = data.decode("utf-8")
    except UnicodeDecodeError:
        value = data.decode(hint or "cp1252", "replace")
    value = _FOLD.sub(" ", value)
    if "=?" in value:
        value = _ENCODED_WORD.sub(_decode_word, _BETWEEN_WORDS.sub(r"\1\2", value))
    return value.strip()


def _decode_word(match: re.Match) -> str:
    charset, encoding, payload = match.group(1).split("*", 1)[0], match.group(2).upper(), match.group(3)
    try:
        if encoding == "B":
            data = base64.b64decode(payload + "=" * (-len(payload) % 4))
        else:
            data = quopri.decodestring(payload.replace("_", " ").encode("ascii", "replace"), header=True)
        return data.decode(_codec(charset) or "utf-8", "replace")
    except (binascii.Error, ValueError, UnicodeError):
        return match.group(0)


def _codec(charset: str | None) -> str | None:
    if not charset:
        return None
    try:
        return codecs.lookup(charset.strip().strip('"')).name
    except (LookupError, ValueError):
        return None


def _charset(message: EmailMessage) -> str | None:
    try:
        return _codec(message.get_content_charset())
    except (ValueError, TypeError, IndexError, AttributeError):
        return None


def _address(sender: str) -> str:
    try:
        found = getaddresses([sender])
    except (ValueError, TypeError, IndexError):
        return ""
    address = found[0][1] if found else ""
    return address.lower()[:SHORT] if "@" in address else ""


def split_labels(labels: str) -> list[str]:
    """X-Gmail-Labels is comma-separated; a label holding a comma is quoted."""
    if not labels:
        return []
    return [label.strip() for label in next(csv.reader([labels], skipinitialspace=True)) if label.strip()]


def _sent_at(date: str, from_line: bytes, window: Window):
    """The Date header's instant and offset; else the separator line's (chats may lack Date)."""
    if date:
        try:
            at = parsedate_to_datetime(date)
        except (ValueError, TypeError, IndexError, OverflowError):
            at = None
        if at is not None:
            offset = None if at.tzinfo is None else int(at.utcoffset().total_seconds() // 60)
            at = at.replace(tzinfo=at.tzinfo or dt.UTC)
            return check_instant(at.astimezone(dt.UTC), window), offset
    match = _FROM_DATE.search(from_line)
    if match is None:
        if date:
            raise RecordRejected(TIMESTAMP_MALFORMED, f"Unreadable Date header: {date[:100]!r}.")
        raise RecordRejected(MISSING_TIMESTAMP, "The message has no Date header and its separator no date.")
    month, day, clock, zone, year = (part.decode() if part else "" for part in match.groups())
    try:
        at = parsedate_to_datetime(f"{day} {month} {year} {clock} {zone or '+0000'}")
    except (ValueError, TypeError, IndexError, OverflowError) as exc:
        raise RecordRejected(TIMESTAMP_MALFORMED, "The separator line's date is unreadable.") from exc
    return check_instant(at.astimezone(dt.UTC), window), None


def _key(message_id: str, message: EmailMessage) -> uuid.UUID:
    """md5 of the Message-ID; for a message with none (Gmail's chats), of its raw headers.

    X-Gmail-Labels is left out of the hash: a label added between two exports
    must not make the same chat message a new one.
    """
    digest = hashlib.md5(usedforsecurity=False)
    if message_id:
        digest.update(b"id\n" + message_id.encode("utf-8", "surrogateescape"))
    else:
        digest.update(b"headers\n")
        for name, value in message.raw_items():
            if name.lower() != "x-gmail-labels":
                digest.update(name.lower().encode("ascii", "replace") + b":" +
                              _FOLD.sub(" ", value).strip().encode("utf-8", "surrogateescape") + b"\n")
    return uuid.UUID(bytes=digest.digest())


# --- contents --------------------------------------------------------------------


def _contents(message: EmailMessage, raw: mbox.RawMessage) -> tuple[str, list]:
    plain = html = None
    attachments = []
    leaves = [part for part in message.walk() if not part.is_multipart()]
    for number, part in enumerate(leaves):
        try:
            ctype = part.get_content_type()
            name = part.get_filename() or ""
            attached = part.is_attachment() or bool(name)
        except (ValueError, TypeError, LookupError, IndexError, AttributeError):
            ctype, name, attached = "application/octet-stream", "", True
        cut = raw.clipped and number == len(leaves) - 1
        if not attached and ctype == "text/plain" and plain is None:
            plain = _text_of(part)
        elif not attached and ctype == "text/html" and html is None:
            html = _text_of(part, HTML_BYTES)
        elif attached or not ctype.startswith("text/"):
            size = _size_of(part)
            if cut:
                size += mbox.decoded_size(raw.cut_part_bytes, raw.cut_padding, "base64" if _is_base64(part) else "")
            attachments.append(_listed(name, ctype, size))
    for tail in raw.tail_parts:
        if tail.name or not tail.type.startswith("text/"):
            attachments.append(_listed(tail.name, tail.type, tail.size))
    if plain is None and html is not None:
        plain = html_text(html)
    body = clean_text(_LINES.sub("\n", _SPACES.sub(" ", plain or "")).strip(), BODY_CHARS) or ""
    return body, attachments[:MAX_ATTACHMENTS]


def _listed(name: str, ctype: str, size: int) -> dict:
    return {"name": clean_text(header_text(name), SHORT) or "" if name else "",
            "type": clean_text(ctype, 200) or "", "size": size}


def _text_of(part: EmailMessage, limit: int = BODY_CHARS * 4) -> str:
    try:
        content = part.get_content()
        if isinstance(content, str):
            return content[:limit]
    except (LookupError, UnicodeError, ValueError, TypeError, AssertionError, KeyError, AttributeError):
        pass
    data = part.get_payload(decode=True) or b""
    return bytes(data[:limit]).decode(_charset(part) or "utf-8", "replace")


def _size_of(part: EmailMessage) -> int:
    try:
        data = part.get_payload(decode=True)
    except (ValueError, TypeError, binascii.Error):
        data = None
    return len(data) if isinstance(data, bytes | bytearray) else 0


def _is_base64(part: EmailMessage) -> bool:
    return str(part.get("content-transfer-encoding", "")).strip().lower() == "base64"


class _HTMLText(HTMLParser):
    """The visible text of an HTML body; scripts, styles and the head's contents are left out.
    Nothing is fetched: images and links are not followed, only text is kept."""

    _SKIP = {"script", "style", "head", "title", "noscript", "template"}
    _BREAKS = {"p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.length = 0
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self._SKIP:
            self.skipping += 1
        elif tag in self._BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self._SKIP and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping and self.length < BODY_CHARS * 2:
            self.parts.append(data)
            self.length += len(data)


def html_text(html: str) -> str:
    parser = _HTMLText()
    try:
        parser.feed(html)
        parser.close()
    except (ValueError, AssertionError, IndexError):
        pass
    return "".join(parser.parts)




FORMATS = {"mail.mbox": parse_mbox}

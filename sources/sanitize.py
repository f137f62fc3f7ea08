"""Small pure validators shared by the Takeout parsers.

Each check either returns a clean value or raises :class:`RecordRejected` with a
short, stable reason code (one of the constants below) and one human sentence;
parsers turn that into a ``Rejection`` and carry on with the next record.

:class:`SafeJSONStream` is the one piece that guards a whole member rather than a
record: it sits between the member's bytes and ijson and stops nesting that would
otherwise exhaust memory before the parser sees a single value.
"""

import json
import math
import re
from datetime import UTC, datetime, timedelta

import ijson

from sources.records import Rejection

BAD_JSON = "bad_json"
# The HTML page ends before its end (a truncated download or part), or is not a page at all.
BAD_HTML = "bad_html"
# A CSV that is not valid text in its encoding, or whose rows break off.
BAD_CSV = "bad_csv"
# An XML document (a TCX workout) that is not well-formed, is cut off, or declares a DTD
# (entities are never expanded: a DTD in a workout file is an attack, not data).
BAD_XML = "bad_xml"
# A calendar or contacts file that is not one at all (it does not begin with BEGIN:VCALENDAR / BEGIN:VCARD).
BAD_ICS = "bad_ics"
BAD_VCF = "bad_vcf"
# An entry (a calendar event, a contact card) cut off by the end of the file.
TRUNCATED_ENTRY = "truncated_entry"
# A Rejection with one of these reasons means the whole document cannot be trusted:
# the pipeline keeps nothing of the member (rolled back), and says why.
BROKEN_DOCUMENT = {BAD_JSON: "valid JSON", BAD_HTML: "a complete HTML page", BAD_CSV: "a readable CSV file",
                   BAD_XML: "well-formed XML without a DTD", BAD_ICS: "an iCalendar file", BAD_VCF: "a vCard file"}
MALFORMED_RECORD = "malformed_record"
UNSUPPORTED_RECORD = "unsupported_record"
# A whole part of a file (a top-level section beside the one a parser reads) that the lake
# does not import: one Rejection names it, so it is not left out without a word.
UNSUPPORTED_SECTION = "unsupported_section"
MISSING_COORDINATES = "missing_coordinates"
MALFORMED_COORDINATES = "malformed_coordinates"
LATITUDE_OUT_OF_RANGE = "latitude_out_of_range"
LONGITUDE_OUT_OF_RANGE = "longitude_out_of_range"
MISSING_TIMESTAMP = "missing_timestamp"
TIMESTAMP_MALFORMED = "timestamp_malformed"
TIMESTAMP_IMPLAUSIBLE = "timestamp_implausible"
TIMESTAMP_WRONG_UNIT = "timestamp_wrong_unit"
BAD_NUMBER = "bad_number"
VALUE_OUT_OF_RANGE = "value_out_of_range"
# Raised by the pipeline, which knows the columns: a text longer than the lake keeps.
TEXT_TOO_LONG = "text_too_long"

LAT_E7_MAX = 900_000_000
LNG_E7_MAX = 1_800_000_000
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
MAX_TEXT = 2_000
SAMPLE_CHARS = 300
MAX_JSON_DEPTH = 64
# No string, key or number Google writes comes near this; ijson buffers a whole
# token (then copies it), so one 100 MB name cost 350 MB before this cap.
MAX_TOKEN_BYTES = 1024 * 1024

EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

type Window = tuple[datetime, datetime]


class RecordRejected(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(reason, detail)
        self.reason = reason
        self.detail = detail


def plausible_window(now: datetime | None = None) -> Window:
    """Instants a location record may carry: 1990-01-01 up to a day past now.

    Parsers take the window once per member: ``datetime.now()`` per record would
    cost more than the check itself.
    """
    return EARLIEST, (now or datetime.now(UTC)) + timedelta(days=1)


# --- instants ---------------------------------------------------------------

# fromisoformat alone also takes bare dates ("2024-01-01") and week dates; an
# instant must at least carry a clock time.
_ISO_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def check_instant(at: datetime, window: Window) -> datetime:
    lo, hi = window
    if lo <= at <= hi:
        return at
    raise RecordRejected(TIMESTAMP_IMPLAUSIBLE, f"{at.isoformat()} lies outside {lo:%Y-%m-%d} .. {hi:%Y-%m-%d}.")


def instant_from_iso(value: object, window: Window) -> tuple[datetime, int | None]:
    """Parse an ISO-8601 instant; return it in UTC with the offset it was written in.

    A trailing ``Z`` yields offset ``None``: Google writes ``Z`` for "UTC, local
    offset unknown", so only an explicit ``±hh:mm`` (even ``+00:00``) is kept.
    A time without any zone is taken as UTC, as Takeout means it.  Fractions of
    3, 6 or 9 digits are accepted (nanoseconds are truncated to microseconds).
    """
    if value is None:
        raise RecordRejected(MISSING_TIMESTAMP, "The record has no timestamp.")
    if not isinstance(value, str):
        raise RecordRejected(TIMESTAMP_MALFORMED, f"Expected an ISO-8601 string, got {type(value).__name__}.")
    text = value.strip()
    if len(text) > 64 or not _ISO_SHAPE.match(text):
        raise RecordRejected(TIMESTAMP_MALFORMED, f"{_short(text)!r} is not an ISO-8601 date and time.")
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise RecordRejected(TIMESTAMP_MALFORMED, f"{_short(text)!r} is not a valid ISO-8601 instant.") from None
    offset = at.utcoffset()
    if offset is None:
        at = at.replace(tzinfo=UTC)
        minutes = None
    else:
        minutes = None if text[-1] in "Zz" else int(offset.total_seconds()) // 60
    # Compare before converting: astimezone() on year 1 or 9999 with an offset
    # overflows, and such values are rejected anyway.
    check_instant(at, window)
    return at.astimezone(UTC), minutes


_UNITS_MS = {"seconds": 1000, "milliseconds": 1, "microseconds": 1 / 1000, "nanoseconds": 1 / 1_000_000}
_EPOCH_TEXT = re.compile(r"[-+]?\d{1,24}(?:\.\d{1,9})?")


def instant_from_epoch(value: object, unit: str, window: Window) -> datetime:
    """An epoch number (int, float or numeric string) in ``unit`` -> aware UTC datetime.

    A value that is only plausible in another unit (seconds given where
    milliseconds belong, say) is rejected as ``timestamp_wrong_unit`` rather than
    silently rescaled: guessing would hide a parser or export bug.
    """
    if value is None:
        raise RecordRejected(MISSING_TIMESTAMP, "The record has no timestamp.")
    if isinstance(value, str):
        text = value.strip()
        if not _EPOCH_TEXT.fullmatch(text):
            raise RecordRejected(TIMESTAMP_MALFORMED, f"{_short(text)!r} is not an epoch number.")
        number: float | int = float(text) if "." in text else int(text)
    elif isinstance(value, bool) or not isinstance(value, int | float):
        raise RecordRejected(TIMESTAMP_MALFORMED, f"Expected an epoch number, got {type(value).__name__}.")
    elif isinstance(value, float) and not math.isfinite(value):
        raise RecordRejected(TIMESTAMP_MALFORMED, f"{value!r} is not a finite epoch number.")
    else:
        number = value
    if number < 0:
        raise RecordRejected(TIMESTAMP_IMPLAUSIBLE, f"Epoch {number} {unit} is negative.")
    lo, hi = window
    lo_ms = (lo - _EPOCH) // timedelta(milliseconds=1)
    hi_ms = (hi - _EPOCH) // timedelta(milliseconds=1)
    millis = number * _UNITS_MS[unit]
    if lo_ms <= millis <= hi_ms:
        return _EPOCH + timedelta(milliseconds=millis)
    for other, factor in _UNITS_MS.items():
        if other != unit and lo_ms <= number * factor <= hi_ms:
            raise RecordRejected(
                TIMESTAMP_WRONG_UNIT, f"Epoch {number} is implausible in {unit} but looks like {other}."
            )
    raise RecordRejected(TIMESTAMP_IMPLAUSIBLE, f"Epoch {number} {unit} lies outside {lo:%Y-%m-%d} .. {hi:%Y-%m-%d}.")


# --- coordinates --------------------------------------------------------------


def check_e7(lat: object, lng: object) -> tuple[int, int]:
    """Validate a latitudeE7/longitudeE7 pair as found in Records and Semantic files."""
    if lat is None or lng is None:
        raise RecordRejected(MISSING_COORDINATES, "The record has no latitude/longitude.")
    lat_e7, lng_e7 = _e7_int(lat), _e7_int(lng)
    return _check_range(lat_e7, lng_e7)


def _e7_int(value: object) -> int:
    number = _as_int(value)
    if number is None:
        raise RecordRejected(MALFORMED_COORDINATES, f"{_short(repr(value))} is not an E7 coordinate.")
    # Some Location History exports store negative E7 values as unsigned 32-bit
    # integers (-122.0° arrives as 3074967296); undo that wrap-around.
    if 2**31 <= number < 2**32:
        number -= 2**32
    return number


def _check_range(lat_e7: int, lng_e7: int) -> tuple[int, int]:
    if not -LAT_E7_MAX <= lat_e7 <= LAT_E7_MAX:
        raise RecordRejected(LATITUDE_OUT_OF_RANGE, f"Latitude {lat_e7 / 1e7:.7f}° is outside ±90°.")
    if not -LNG_E7_MAX <= lng_e7 <= LNG_E7_MAX:
        raise RecordRejected(LONGITUDE_OUT_OF_RANGE, f"Longitude {lng_e7 / 1e7:.7f}° is outside ±180°.")
    return lat_e7, lng_e7


def e7_from_degrees(lat: object, lng: object) -> tuple[int, int]:
    """Degrees (numbers or numeric strings) -> validated E7 integers."""
    if lat is None or lng is None:
        raise RecordRejected(MISSING_COORDINATES, "The record has no latitude/longitude.")
    lat_deg = to_float(lat, "latitude")
    lng_deg = to_float(lng, "longitude")
    if not (-90 <= lat_deg <= 90):
        raise RecordRejected(LATITUDE_OUT_OF_RANGE, f"Latitude {lat_deg}° is outside ±90°.")
    if not (-180 <= lng_deg <= 180):
        raise RecordRejected(LONGITUDE_OUT_OF_RANGE, f"Longitude {lng_deg}° is outside ±180°.")
    return _check_range(round(lat_deg * 1e7), round(lng_deg * 1e7))


# Android writes "48.8566°, 2.3522°", iOS "geo:48.8566,2.3522" (RFC 5870, maybe
# with ";u=35"-style parameters), and a bare "48.8566,2.3522" also turns up.
_LAT_LNG = re.compile(
    r"\s*(?:geo:)?\s*([-+]?\d{1,3}(?:\.\d{1,20})?)\s*°?\s*,\s*([-+]?\d{1,3}(?:\.\d{1,20})?)\s*°?\s*(?:;[^\s]{0,100})?\s*"
)


def lat_lng_from_text(value: object) -> tuple[int, int]:
    """``"48.8566°, 2.3522°"`` / ``"geo:55.6,24.7"`` -> validated E7 integers."""
    if value is None:
        raise RecordRejected(MISSING_COORDINATES, "The record has no coordinates.")
    if not isinstance(value, str):
        raise RecordRejected(MALFORMED_COORDINATES, f"Expected a coordinate string, got {type(value).__name__}.")
    match = _LAT_LNG.fullmatch(value)
    if match is None:
        raise RecordRejected(MALFORMED_COORDINATES, f"{_short(value)!r} is not a latitude/longitude pair.")
    return e7_from_degrees(match[1], match[2])


# --- numbers ------------------------------------------------------------------

# float() also takes "nan", "inf", "1_000" and surrounding text we don't want.
_DECIMAL = re.compile(r"[-+]?(?:\d{1,30}(?:\.\d{0,30})?|\.\d{1,30})(?:[eE][-+]?\d{1,4})?")
_INTEGER = re.compile(r"[-+]?\d{1,20}")


def to_float(value: object, field: str) -> float:
    """A finite float from a JSON number or a numeric string (iOS writes every number as one)."""
    if isinstance(value, bool):
        raise RecordRejected(BAD_NUMBER, f"{field} is a boolean, not a number.")
    if isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError:
            raise RecordRejected(BAD_NUMBER, f"{field} is too large.") from None
    elif isinstance(value, str) and _DECIMAL.fullmatch(value.strip()):
        number = float(value)
    else:
        raise RecordRejected(BAD_NUMBER, f"{field} is {_short(repr(value))}, not a number.")
    if not math.isfinite(number):
        raise RecordRejected(BAD_NUMBER, f"{field} is not a finite number.")
    return number


def _as_int(value: object) -> int | None:
    """A JSON integer, an integral float or a digit string as int; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value.is_integer() else None
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        return int(value)
    return None


def optional_float(value: object, field: str) -> float | None:
    return None if value is None else to_float(value, field)


def to_int(value: object, field: str, lo: int = INT64_MIN, hi: int = INT64_MAX) -> int:
    """An integer in [lo, hi] from a JSON integer, an integral float, or a digit string."""
    number = _as_int(value)
    if number is None:
        raise RecordRejected(BAD_NUMBER, f"{field} is {_short(repr(value))}, not an integer.")
    if not lo <= number <= hi:
        raise RecordRejected(VALUE_OUT_OF_RANGE, f"{field} {_short(str(number))} is outside {lo}..{hi}.")
    return number


# --- text ---------------------------------------------------------------------

# PostgreSQL text refuses U+0000, and one NUL fails a whole COPY batch.  Other C0
# controls are noise; lone surrogates (which some JSON decoders let through) cannot
# be encoded as UTF-8 at all.
_UNWANTED = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff]")


def clean_text(value: object, max_len: int = MAX_TEXT) -> str | None:
    """Text safe to store: no NUL/C0 controls (tab and newline stay), at most ``max_len`` chars.

    Returns None for None and for text that is empty once cleaned.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise RecordRejected(MALFORMED_RECORD, f"Expected text, got {type(value).__name__}.")
    text = value if isinstance(value, str) else str(value)
    if not text.isprintable():
        text = _UNWANTED.sub("", text)
    return text[:max_len] or None


def clean_code(value: object) -> str | None:
    """An enum-like label (source, platform, activity type) upper-cased: ``"wifi"`` -> ``"WIFI"``.

    Not cut to a length here: a label longer than its column is refused by
    the pipeline, which knows the column, rather than silently shortened.
    """
    text = clean_text(value)
    if text is None:
        return None
    return text.strip().upper() or None


def _short(text: str, limit: int = 60) -> str:
    text = _UNWANTED.sub("", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def sample_of(value: object, limit: int = SAMPLE_CHARS) -> str:
    """The offending record rendered as JSON, cut to ``limit`` characters.

    Long strings and long lists are trimmed before rendering so a 10 MB value
    costs no more than a short one.
    """
    try:
        text = json.dumps(_trim(value, 0), ensure_ascii=False, default=repr)
    except (TypeError, ValueError, RecursionError):
        text = repr(type(value))
    return clean_text(text[:limit], limit) or ""


def _trim(value: object, depth: int) -> object:
    if isinstance(value, str):
        return value[:SAMPLE_CHARS]
    if depth >= 8:
        return "…"
    if isinstance(value, dict):
        return {str(k)[:SAMPLE_CHARS]: _trim(v, depth + 1) for k, v in list(value.items())[:40]}
    if isinstance(value, list | tuple):
        return [_trim(v, depth + 1) for v in value[:40]]
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    return value


# --- streams ------------------------------------------------------------------

_BOM = b"\xef\xbb\xbf"
_NOT_STRUCTURE = bytes(sorted(set(range(256)) - set(b'[]{}"')))


class JSONTooDeep(ValueError):
    pass


class JSONTokenTooLong(ValueError):
    pass


# A number (or any bare word) runs until one of these; inside a string only the quote ends it.
_TOKEN_ENDS = b' \t\n\r,:[]{}"'
_BARE_BYTES = bytes(sorted(set(range(256)) - set(_TOKEN_ENDS)))
_BARE_TOKEN = re.compile(rb'[^ \t\n\r,:\[\]{}"]+')


class SafeJSONStream:
    """A binary reader for ijson that drops a UTF-8 BOM, refuses deep nesting and over-long tokens.

    ijson keeps the path of every open container as a string, so its memory grows
    with the *square* of the nesting depth: 30,000 levels take gigabytes, 100,000
    get the process killed.  This wrapper tracks the depth of the bytes it hands
    out and raises :class:`JSONTooDeep` (a ``ValueError``) instead of returning
    bytes that nest deeper than ``max_depth``.  Bytes before that point are still
    returned, so whatever was complete before it still gets parsed.

    The depth is tracked without a Python loop over bytes: each chunk is reduced to
    its brackets and quotes with ``bytes.translate``; escaped quotes are removed
    first; brackets inside strings are dropped by quote parity; then matched
    ``[]``/``{}`` pairs are peeled with ``bytes.replace``, each pass removing at
    most one level, which bounds the chunk's own nesting.  The bound may overshoot
    by a level or two, never undershoot.  Where the JSON is invalid the count may
    drift, but ijson stops at the first bad byte anyway.

    It also raises :class:`JSONTokenTooLong` (a ``ValueError``) once a string
    (escapes counted as written) or a bare token such as a number runs past
    ``max_token`` bytes: ijson would buffer all of it first.  Lengths come from
    the same quote split, per chunk, with only the token at each end carried
    over, so the cost is a few C-level passes per chunk.

    ``head`` is data already read from ``raw`` that must come first.
    """

    def __init__(self, raw, head: bytes = b"", *, max_depth: int = MAX_JSON_DEPTH,
                 max_token: int = MAX_TOKEN_BYTES) -> None:
        self._raw = raw
        self._head = head
        self._started = False
        self._max_depth = max_depth
        self._max_token = max_token
        # (open containers, inside a string?, last byte was an escaping backslash?,
        #  bytes of the token still open at the end of the last chunk)
        self._state = (0, False, False, 0)

    def read(self, size: int = -1) -> bytes:
        if size == 0:
            return b""
        if not self._started:
            self._started = True
            while len(self._head) < len(_BOM) and (more := self._read_raw(size)):
                self._head += more
            if self._head.startswith(_BOM):
                self._head = self._head[len(_BOM) :]
        if self._head:
            if size < 0:
                chunk, self._head = self._head + self._read_raw(-1), b""
            else:
                chunk, self._head = self._head[:size], self._head[size:]
        else:
            chunk = self._read_raw(size)
        while chunk:
            try:
                self._state = self._scan(chunk, self._state)
                break
            except JSONTooDeep:
                if len(chunk) == 1:
                    raise
            # Hand out the part before the excess, so records completed there
            # still reach the parser; the next read raises.
            half = len(chunk) // 2
            self._head = chunk[half:] + self._head
            chunk = chunk[:half]
        return chunk

    def _read_raw(self, size: int) -> bytes:
        chunk = self._raw.read(size)
        return bytes(chunk) if chunk else b""

    def _scan(self, chunk: bytes, state: tuple[int, bool, bool, int]) -> tuple[int, bool, bool, int]:
        depth, in_string, escape_pending, run = state
        if escape_pending:
            # The previous chunk ended in a backslash: this byte is escaped.
            chunk = chunk[1:]
            run += 1
        if b"\\" in chunk:
            # Backslash runs pair up from their start: blank out escaped
            # backslashes, then escaped quotes (same length, so tokens keep
            # their size), so every quote left is a real delimiter.
            chunk = chunk.replace(b"\\\\", b"\0\0").replace(b'\\"', b"\0\0")
            escape_pending = chunk.endswith(b"\\")
            if escape_pending:
                chunk = chunk[:-1]
        else:
            escape_pending = False
        # A backslash held back for the next chunk still belongs to the open string.
        run = self._token_run(chunk, in_string, run) + escape_pending
        skeleton = chunk.translate(None, _NOT_STRUCTURE)
        if in_string:
            skeleton = b'"' + skeleton
        # Adjacent quotes enclose no bracket; removing pairs keeps every other
        # quote's parity, so strings that do hold brackets are still found.
        skeleton = skeleton.replace(b'""', b"")
        if b'"' in skeleton:
            parts = skeleton.split(b'"')
            in_string = len(parts) % 2 == 0
            skeleton = b"".join(parts[::2])
        else:
            in_string = False
        levels = 0
        while skeleton:
            before = len(skeleton)
            skeleton = skeleton.replace(b"[]", b"")
            levels += len(skeleton) != before
            middle = len(skeleton)
            skeleton = skeleton.replace(b"{}", b"")
            levels += len(skeleton) != middle
            if len(skeleton) == before:
                break
            if levels > self._max_depth:
                raise JSONTooDeep(f"JSON nested deeper than {self._max_depth} levels.")
        opens = skeleton.count(b"[") + skeleton.count(b"{")
        closes = len(skeleton) - opens
        if depth + levels + opens > self._max_depth:
            raise JSONTooDeep(f"JSON nested deeper than {self._max_depth} levels.")
        return max(0, depth - closes + opens), in_string, escape_pending, run

    def _token_run(self, chunk: bytes, in_string: bool, run: int) -> int:
        """Bytes of the token open at the end of ``chunk``; raises if any token passes the cap.

        ``run`` is what the token open at the start (a string if ``in_string``,
        else perhaps a number) already had.  The parts of the quote split
        alternate between inside and outside strings, starting with ``in_string``.
        """
        parts = chunk.split(b'"')
        first, last = parts[0], parts[-1]
        if in_string:
            strings, bare = parts[0::2], parts[1::2]
            opening = run + len(first)
            continues = len(parts) == 1
        else:
            strings, bare = parts[1::2], parts[0::2]
            lead = len(first) - len(first.lstrip(_BARE_BYTES))
            opening = run + lead
            continues = len(parts) == 1 and lead == len(first)
        longest = max(opening, max(map(len, strings), default=0))
        if len(chunk) > self._max_token:
            # Only a chunk longer than the cap can hold a whole over-long bare token.
            longest = max([longest, *(len(token) for part in bare for token in _BARE_TOKEN.findall(part))])
        if longest > self._max_token:
            raise JSONTokenTooLong(f"a single text or number is longer than {self._max_token // (1024 * 1024)} "
                                   f"MiB, which no location record holds")
        if continues:
            return opening
        if in_string == (len(parts) % 2 == 1):  # the last part is inside a string
            return len(last)
        return len(last) - len(last.rstrip(_BARE_BYTES))


class MemberStream:
    """The caller's stream as a parser reads it; remembers an exception the stream itself
    raised (a CRC failure, a lying size), so the parser re-raises that one rather than
    report the document as broken."""

    def __init__(self, raw) -> None:
        self._raw = raw
        self.failure: BaseException | None = None
        self.name = getattr(raw, "name", "")

    def read(self, size: int = -1) -> bytes:
        try:
            chunk = self._raw.read(size)
        except BaseException as exc:
            self.failure = exc
            raise
        return bytes(chunk) if chunk else b""


def whole_json(stream) -> tuple[object, Rejection | None]:
    """The one JSON value of a small document (a Keep note, a Fit session), or why there is none.

    Returns (value, None), or (None, a BAD_JSON Rejection) for a document that breaks off,
    holds nothing, or trips SafeJSONStream's bounds. An error the stream itself raised
    (a CRC failure) propagates: that is the archive's fault, not the document's.
    """
    member = MemberStream(stream)
    try:
        # use_float=True: yajl2_c dereferences NULL on an int past CPython's 4,300 digits.
        for value in ijson.items(SafeJSONStream(member), "", use_float=True):
            return value, None
    except (ijson.JSONError, ValueError, RecursionError, UnicodeError, OverflowError) as exc:
        if member.failure is not None:
            raise
        first, _, context = str(exc).strip().partition("\n")
        return None, Rejection(BAD_JSON, clean_text(f"Parsing stopped: {first[:200] or type(exc).__name__}") or "",
                               clean_text(context.strip()[:300]) or "")
    return None, Rejection(BAD_JSON, "The file holds no JSON value.", "")

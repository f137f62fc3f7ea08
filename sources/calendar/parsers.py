"""The calendar parser: one ``.ics`` per calendar, read event by event with bounded memory.

The stream is cut into components at ``BEGIN:VEVENT``/``END:VEVENT`` lines;
``VTIMEZONE`` blocks are kept (they come first in Google's exports) and given
to each event that names them, and each event alone is parsed by `icalendar`.
An event is at most ``MAX_EVENT`` bytes: a larger one is refused and skipped
without being held. Recurrence is stored as written and never expanded here
beyond computing where a bounded series ends (see recurrence.py).

Contract, as for every parser of the lake: an event that cannot be taken is a
``Rejection`` and parsing goes on; an event cut by the end of the file is
refused as ``truncated_entry``; a file that is no calendar at all ends with
one ``bad_ics`` Rejection (the pipeline then keeps nothing of the member).
"""

import datetime as dt
import unicodedata
from collections.abc import Iterator

import icalendar

from sources.calendar import recurrence
from sources.calendar.records import CalendarEvent
from sources.lines import physical_lines
from sources.records import Rejection
from sources.sanitize import (
    BAD_ICS,
    MALFORMED_RECORD,
    MISSING_TIMESTAMP,
    TRUNCATED_ENTRY,
    UNSUPPORTED_RECORD,
    RecordRejected,
    clean_code,
    clean_text,
)

type Item = CalendarEvent | Rejection

MAX_EVENT = 256 * 1024
MAX_LINE = 64 * 1024
MAX_TIMEZONE = 64 * 1024
MAX_TIMEZONES = 200
MAX_ATTENDEES = 500
MAX_DATES = 5_000
MAX_DESCRIPTION = 20_000
TOO_LARGE = "entry_too_large"
BAD_RECURRENCE = "bad_recurrence"
_CALNAME = b"X-WR-CALNAME"
_ZONE_NAME = b"X-WR-TIMEZONE"


class _Block:
    def __init__(self, kind: bytes) -> None:
        self.kind = kind
        self.end = b"END:" + kind
        self.lines: list[bytes] = []
        self.size = 0
        self.too_large = False

    def add(self, line: bytes, length: int, limit: int) -> None:
        self.size += length + 2
        if length > len(line) or self.size > limit:
            self.too_large = True
            self.lines = []
        elif not self.too_large:
            self.lines.append(line)

    def text(self) -> bytes:
        return b"\r\n".join([b"BEGIN:" + self.kind, *self.lines]) + b"\r\n"


def parse_ics(stream) -> Iterator[Item]:
    """Every VEVENT of an iCalendar stream (one or more VCALENDARs) as a CalendarEvent or a Rejection."""
    default_name = calendar_name_from(getattr(stream, "name", "") or "")
    name, floating_zone = default_name, None
    timezones: dict[str, bytes] = {}
    block: _Block | None = None
    seen_calendar = False
    for line, length in physical_lines(stream, MAX_LINE):
        upper = line[:20].upper().rstrip()
        if block is None:
            if upper == b"BEGIN:VCALENDAR":
                seen_calendar, name, floating_zone = True, default_name, None
            elif not seen_calendar and line.strip():
                yield Rejection(BAD_ICS, "The file does not begin with BEGIN:VCALENDAR.", _sample(line))
                return
            elif upper.startswith(b"BEGIN:") and upper != b"BEGIN:VCALENDAR":
                block = _Block(upper[6:])
            elif line[:len(_CALNAME)].upper() == _CALNAME:
                name = _header_value(line) or default_name
            elif line[:len(_ZONE_NAME)].upper() == _ZONE_NAME:
                floating_zone = _header_value(line)
            continue
        if upper == block.end:
            yield from _finished(block, timezones, name, floating_zone)
            block = None
            continue
        block.add(line, length, MAX_TIMEZONE if block.kind == b"VTIMEZONE" else MAX_EVENT)
    if block is not None:
        yield Rejection(TRUNCATED_ENTRY, f"The file ends inside a {block.kind.decode('ascii', 'replace')}.",
                        _sample(block.text()))
    elif not seen_calendar:
        yield Rejection(BAD_ICS, "The file holds no calendar.", "")


def _finished(block: _Block, timezones: dict, name: str, floating_zone: str | None) -> Iterator[Item]:
    if block.too_large:
        yield Rejection(TOO_LARGE, f"A {block.kind.decode('ascii', 'replace')} of {block.size} bytes is larger "
                        f"than {MAX_EVENT // 1024} KiB.", "")
        return
    text = block.text() + block.end + b"\r\n"
    if block.kind == b"VTIMEZONE":
        tzid = _tzid_of(block.lines)
        if tzid and len(timezones) < MAX_TIMEZONES:
            timezones[tzid] = text
        return
    if block.kind != b"VEVENT":
        yield Rejection(UNSUPPORTED_RECORD, f"A {block.kind.decode('ascii', 'replace')[:20]} is not an event.",
                        _sample(text))
        return
    try:
        yield event_from(text, timezones, name, floating_zone)
    except RecordRejected as exc:
        yield Rejection(exc.reason, exc.detail, _sample(text))
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError) as exc:
        yield Rejection(MALFORMED_RECORD, clean_text(f"The event cannot be read ({type(exc).__name__}: {exc}).",
                                                     300) or "The event cannot be read.", _sample(text))


def event_from(text: bytes, timezones: dict, name: str, floating_zone: str | None = None) -> CalendarEvent:
    """One VEVENT's text -> CalendarEvent (raises RecordRejected or a read error)."""
    try:
        raw = text.decode("utf-8")
    except UnicodeDecodeError:
        raise RecordRejected(MALFORMED_RECORD, "The event is not UTF-8 text.") from None
    zones = b"".join(block for tzid, block in timezones.items() if b"TZID=" + tzid.encode() in text
                     or b"TZID=\"" + tzid.encode() in text)
    document = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + zones + text + b"END:VCALENDAR\r\n"
    events = icalendar.Calendar.from_ical(document).walk("VEVENT")
    if len(events) != 1:
        raise RecordRejected(MALFORMED_RECORD, "The component is not one event.")
    event = events[0]
    uid = clean_text(_text(event.get("UID")), 500)
    if not uid:
        raise RecordRejected(MALFORMED_RECORD, "The event has no UID.")
    start_prop = event.get("DTSTART")
    if start_prop is None:
        raise RecordRejected(MISSING_TIMESTAMP, "The event has no DTSTART.")
    floating = recurrence.zone_of(floating_zone, None)
    start = _instant(start_prop.dt, floating)
    all_day = not isinstance(start_prop.dt, dt.datetime)
    end = _end(event, start_prop.dt, floating)
    tzid, offset = _zone(start_prop, floating_zone)
    rules = _rules(event)
    rdates, exdates = _dates(event, "RDATE", floating), _dates(event, "EXDATE", floating)
    until = _until(rules, rdates, start, all_day, tzid, offset) if rules or rdates else None
    recurrence_id = ""
    if event.get("RECURRENCE-ID") is not None:
        recurrence_id = recurrence.occurrence_key(_as_instant_or_date(event.get("RECURRENCE-ID").dt, floating))
    return CalendarEvent(
        calendar=name, uid=uid, recurrence_id=recurrence_id,
        summary=clean_text(_text(event.get("SUMMARY"))),
        description=clean_text(_text(event.get("DESCRIPTION")), MAX_DESCRIPTION),
        location=clean_text(_text(event.get("LOCATION"))),
        status=clean_code(_text(event.get("STATUS"))),
        organizer=_person(event.get("ORGANIZER")),
        attendees=_attendees(event.get("ATTENDEE")),
        starts_at=start, ends_at=end, all_day=all_day, tzid=tzid, utc_offset_minutes=offset,
        rrule="\n".join(rules) or None,
        rdates=[recurrence.occurrence_key(_as_instant_or_date(when, floating)) for when in rdates],
        exdates=[recurrence.occurrence_key(_as_instant_or_date(when, floating)) for when in exdates],
        recurs_until=until, ics=raw.replace("\r\n", "\n").replace("\n", "\r\n"),
    )


def _instant(value, floating: dt.tzinfo) -> dt.datetime:
    """A DTSTART/DTEND value in UTC: a date is its 00:00 UTC, a floating time is read in the calendar's zone."""
    if isinstance(value, dt.datetime):
        at = value if value.tzinfo is not None else value.replace(tzinfo=floating)
        return at.astimezone(dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(), tzinfo=dt.UTC)
    raise RecordRejected(MALFORMED_RECORD, f"A {type(value).__name__} is not a date or time.")


def _as_instant_or_date(value, floating: dt.tzinfo):
    if isinstance(value, dt.datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=floating)
    if isinstance(value, dt.date):
        return value
    if isinstance(value, tuple) and value:  # a PERIOD: its start
        return _as_instant_or_date(value[0], floating)
    raise RecordRejected(MALFORMED_RECORD, f"A {type(value).__name__} is not a date or time.")


def _end(event, start, floating: dt.tzinfo) -> dt.datetime | None:
    end_prop, duration = event.get("DTEND"), event.get("DURATION")
    if end_prop is not None:
        end = _instant(end_prop.dt, floating)
    elif duration is not None and isinstance(duration.dt, dt.timedelta):
        end = _instant(start, floating) + duration.dt
    elif not isinstance(start, dt.datetime):
        end = _instant(start, floating) + dt.timedelta(days=1)  # an all-day event without DTEND is one day
    else:
        return None
    if end < _instant(start, floating):
        raise RecordRejected(MALFORMED_RECORD, "The event ends before it starts.")
    return end


def _zone(start_prop, floating_zone: str | None) -> tuple[str | None, int | None]:
    value = start_prop.dt
    if not isinstance(value, dt.datetime):
        return None, None
    tzid = start_prop.params.get("TZID")
    if value.tzinfo is None:
        tzid, value = floating_zone, value.replace(tzinfo=recurrence.zone_of(floating_zone, None))
    elif tzid is None:
        tzid = "UTC" if value.utcoffset() == dt.timedelta(0) else None
    offset = value.utcoffset()
    return clean_text(tzid, 100), None if offset is None else int(offset.total_seconds()) // 60


def _rules(event) -> list[str]:
    found = event.get("RRULE")
    values = found if isinstance(found, list) else [found] if found is not None else []
    return [rule.to_ical().decode("ascii", "replace") for rule in values]


def _dates(event, name: str, floating: dt.tzinfo) -> list:
    found = event.get(name)
    lists = found if isinstance(found, list) else [found] if found is not None else []
    dates = [item.dt for values in lists for item in values.dts]
    if len(dates) > MAX_DATES:
        raise RecordRejected(BAD_RECURRENCE, f"The event lists more than {MAX_DATES} {name} values.")
    return dates


def _until(rules, rdates, start, all_day, tzid, offset) -> dt.datetime | None:
    """When a bounded series' last occurrence starts (UTC); None when it has no end."""
    if recurrence.open_ended(rules):
        return None
    zone = recurrence.zone_of(tzid, offset)
    first = recurrence.local_start(start, all_day, zone)
    try:
        series = recurrence.build(rules, first, [_local(when, all_day, zone) for when in rdates])
        last = recurrence.last_start(series)
    except (ValueError, TypeError, OverflowError) as exc:
        raise RecordRejected(BAD_RECURRENCE, clean_text(f"The recurrence cannot be read: {exc}", 300) or "") from None
    if last is None:
        return None
    return _instant(last, zone) if not all_day else dt.datetime.combine(last.date(), dt.time(), tzinfo=dt.UTC)


def _local(when, all_day: bool, zone: dt.tzinfo) -> dt.datetime:
    if isinstance(when, tuple):
        when = when[0]
    if all_day:
        return dt.datetime.combine(when if not isinstance(when, dt.datetime) else when.date(), dt.time())
    if not isinstance(when, dt.datetime):
        when = dt.datetime.combine(when, dt.time())
    return when.astimezone(zone) if when.tzinfo else when.replace(tzinfo=zone)


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        value = value[0] if value else None
        return None if value is None else str(value)
    return str(value)


def _address(value) -> str:
    text = str(value)
    return text[7:] if text[:7].lower() == "mailto:" else text


def _person(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        value = value[0] if value else None
        if value is None:
            return None
    name = value.params.get("CN") if hasattr(value, "params") else None
    return clean_text(name or _address(value), 500)


def _attendees(value) -> list:
    values = value if isinstance(value, list) else [value] if value is not None else []
    people = []
    for attendee in values[:MAX_ATTENDEES]:
        params = getattr(attendee, "params", {})
        person = {"email": clean_text(_address(attendee), 500) or ""}
        for key, param in (("name", "CN"), ("status", "PARTSTAT"), ("role", "ROLE")):
            if params.get(param):
                person[key] = clean_text(str(params[param]), 500)
        people.append(person)
    return people


def _tzid_of(lines: list[bytes]) -> str | None:
    for line in lines:
        if line[:5].upper() == b"TZID:" or line[:5].upper() == b"TZID;":
            return line.split(b":", 1)[1].strip().decode("utf-8", "replace") or None
    return None


def _header_value(line: bytes) -> str | None:
    value = line.split(b":", 1)[1] if b":" in line else b""
    return clean_text(value.decode("utf-8", "replace").strip().replace("\\,", ",").replace("\\;", ";"), 200)


def calendar_name_from(path: str) -> str:
    """``Takeout/Calendar/Work.ics`` -> ``Work``: the calendar's name when it states none."""
    base = unicodedata.normalize("NFC", path.replace("\\", "/").rsplit("/", 1)[-1])
    return (base[:-4] if base.lower().endswith(".ics") else base)[:200]


def _sample(text: bytes) -> str:
    return clean_text(text[:300].decode("utf-8", "replace"), 300) or ""


FORMATS = {"calendar.ics": parse_ics}

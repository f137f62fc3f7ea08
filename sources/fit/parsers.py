"""Parsers for Google Fit's Takeout: daily metrics CSVs, session JSON and TCX workouts.

* ``Daily activity metrics/Daily activity metrics.csv`` (``fit.daily``): one row a day,
  ``Date,Move Minutes count,Calories (kcal),Distance (m),Heart Points,…,Step count,…``.
* ``Daily activity metrics/<YYYY-MM-DD>.csv`` (``fit.intervals``): that day's 15-minute rows,
  ``Start time,End time,…`` written as ``07:15:00.000+02:00`` (the day comes from the name).
* ``All Sessions/<start>_<ACTIVITY>.json`` (``fit.sessions``): ``fitnessActivity, startTime,
  endTime, duration ("843.063s"), aggregate[{metricName, floatValue|intValue}]``.
* ``Activities/<start>_<duration>_<sport>.tcx`` (``fit.tcx``): Garmin's TrainingCenterDatabase;
  each ``Activity`` is a session (sport, laps' time, distance and calories) and each
  ``Trackpoint`` with a ``Position`` a location point (``LocationPoint``).

Column names follow the account language (``Kalorien (kcal)``, ``Schritte``): a column is
known by its unit or words in the languages below, and every cell is kept verbatim by its
header in ``metrics``.

TCX is read with lxml's iterparse, element by element (memory is flat however long the
workout): entities are never resolved, nothing is loaded from the network, libxml2's
huge-tree limits stay on, and a document that declares a DTD at all is refused as
``bad_xml``, as is one that is cut off or not well-formed (the pipeline then keeps nothing
of it). A trackpoint without a position (a treadmill run's heart-rate samples) is no
location; the session counts them in ``extra``.
"""

import codecs
import csv
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from lxml import etree

from sources.fit.records import DAY, INTERVAL, FitDaily, FitSession
from sources.location.records import LocationPoint
from sources.records import Rejection
from sources.sanitize import (
    BAD_CSV,
    BAD_NUMBER,
    BAD_XML,
    MALFORMED_RECORD,
    MISSING_TIMESTAMP,
    TIMESTAMP_MALFORMED,
    MemberStream,
    RecordRejected,
    Window,
    check_instant,
    clean_code,
    clean_text,
    e7_from_degrees,
    instant_from_iso,
    plausible_window,
    sample_of,
    whole_json,
)

type Item = FitSession | FitDaily | LocationPoint | Rejection

_CHUNK = 64 * 1024
_MAX_LINE = 128 * 1024
_MAX_COLUMNS = 200
_RECORD_ERRORS = (TypeError, ValueError, AttributeError, KeyError, IndexError, OverflowError)
# A day or a workout: longer "sessions" are broken clocks.
MAX_SESSION = timedelta(days=7)

# --- columns of the daily CSVs -----------------------------------------------------

_STEP_WORDS = ("step", "schritt", "pas", "pasos", "passi", "stappen", "passos")
_MOVE_WORDS = ("move minutes", "bewegungsminuten", "minutes actives", "minutos de movimiento", "minuti di movimento",
               "actieve minuten", "minutos ativos")
_HEART_WORDS = ("heart points", "kardiopunkte", "points cardio", "puntos cardio", "punti cardio", "hartpunten",
                "pontos cardio")


def column_role(name: str) -> str | None:
    """Which known metric a (localized) header names: by its unit first, else its words."""
    key = " ".join(name.casefold().split())
    if key.endswith("(kcal)"):
        return "calories_kcal"
    if key.endswith("(m)"):
        return "distance_m"
    if "(" in key:
        return None
    if any(word in key for word in _MOVE_WORDS):
        return "move_minutes"
    if any(word in key for word in _HEART_WORDS):
        return "heart_points"
    if any(re.search(rf"\b{word}", key) for word in _STEP_WORDS):
        return "steps"
    return None


_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_CLOCK = re.compile(r"(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}:?\d{2})?")


def parse_daily(stream) -> Iterator[Item]:
    """The summary CSV: the first column is the local date; the row covers that day (no offset stated)."""
    window = plausible_window()
    rows = _csv_rows(stream)
    header = next(rows, None)
    if header is None or isinstance(header, Rejection):
        yield header or Rejection(BAD_CSV, "The file holds no header row.", "")
        return
    for row in rows:
        if isinstance(row, Rejection):
            yield row
            return
        yield _guarded(_daily_row, header, row, window)


def _daily_row(header, row, window) -> FitDaily:
    day = _day(row[0] if row else "")
    start = check_instant(datetime(day.year, day.month, day.day, tzinfo=UTC), window)
    return _metrics_row(header[1:], row[1:], start, start + timedelta(days=1), DAY, None)


def parse_intervals(stream) -> Iterator[Item]:
    """A day's 15-minute CSV: ``Start time, End time`` are clock times with their offset; the date
    is the file's name (``2019-08-12.csv``), the only place it is written."""
    window = plausible_window()
    name = str(getattr(stream, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1]
    match = _DATE.search(name)
    rows = _csv_rows(stream)
    header = next(rows, None)
    if header is None or isinstance(header, Rejection):
        yield header or Rejection(BAD_CSV, "The file holds no header row.", "")
        return
    try:
        day = _day(match[0] if match else "")
    except RecordRejected:
        day = None
    for row in rows:
        if isinstance(row, Rejection):
            yield row
            return
        if day is None:
            yield Rejection(MISSING_TIMESTAMP, f"The file's name {name[:80]!r} states no date for its times.",
                            sample_of(row))
            continue
        yield _guarded(_interval_row, header, row, window, day)


def _interval_row(header, row, window, day: date) -> FitDaily:
    if len(row) < 2:
        raise RecordRejected(MALFORMED_RECORD, "The row has no start and end time.")
    start, offset = _clock(day, row[0], window)
    end, _ = _clock(day, row[1], window)
    if end <= start:
        end += timedelta(days=1)  # the last row ends at the next midnight
    return _metrics_row(header[2:], row[2:], start, end, INTERVAL, offset)


def _metrics_row(names, cells, start, end, span, offset) -> FitDaily:
    metrics, known = {}, {}
    for name, cell in zip(names, cells, strict=False):
        text = cell.strip()
        if not text:
            continue
        value = _number(text, name)
        metrics[clean_text(name.strip(), 200) or "?"] = value
        role = column_role(name)
        if role is not None and role not in known:
            known[role] = value
    steps = known.get("steps")
    return FitDaily(start, end, span, offset, steps=None if steps is None else int(steps),
                    distance_m=known.get("distance_m"), calories_kcal=known.get("calories_kcal"),
                    move_minutes=known.get("move_minutes"), heart_points=known.get("heart_points"), metrics=metrics)


_NUMBER = re.compile(r"[-+]?\d{1,15}(?:\.\d{1,12})?(?:[eE][-+]?\d{1,3})?")


def _number(text: str, name: str) -> float | int:
    if not _NUMBER.fullmatch(text):
        raise RecordRejected(BAD_NUMBER, f"{clean_text(name, 60)!r} is {clean_text(text, 40)!r}, not a number.")
    value = float(text)
    if abs(value) > 1e12:
        raise RecordRejected(BAD_NUMBER, f"{clean_text(name, 60)!r} is {clean_text(text, 40)!r}: out of range.")
    return int(value) if value.is_integer() and "." not in text and "e" not in text.lower() else value


def _day(text: str) -> date:
    match = _DATE.fullmatch(text.strip())
    if match is None:
        raise RecordRejected(TIMESTAMP_MALFORMED, f"{clean_text(text, 40)!r} is not a YYYY-MM-DD date.")
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise RecordRejected(TIMESTAMP_MALFORMED, f"{text.strip()!r} is not a possible date.") from None


def _clock(day: date, text: str, window: Window) -> tuple[datetime, int | None]:
    match = _CLOCK.fullmatch(text.strip())
    if match is None:
        raise RecordRejected(TIMESTAMP_MALFORMED, f"{clean_text(text, 40)!r} is not a clock time.")
    hour, minute, second = int(match[1]), int(match[2]), int(match[3])
    if hour > 23 or minute > 59 or second > 59:
        raise RecordRejected(TIMESTAMP_MALFORMED, f"{text.strip()!r} is not a possible time.")
    micro = int((match[4] or "0").ljust(6, "0"))
    zone = match[5]
    offset = None
    if zone and zone != "Z":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset = sign * (int(digits[:2]) * 60 + int(digits[2:]))
        if abs(offset) > 14 * 60:
            raise RecordRejected(TIMESTAMP_MALFORMED, f"{text.strip()!r} has no possible offset.")
    wall = datetime(day.year, day.month, day.day, hour, minute, second, micro, tzinfo=UTC)
    at = wall - timedelta(minutes=offset or 0)
    return check_instant(at, window), offset


def _csv_rows(stream) -> Iterator[list[str] | Rejection]:
    """Rows of a UTF-8 CSV (BOM or none), then a ``bad_csv`` Rejection if it stops being one."""
    lines = _lines(stream)
    try:
        for row in csv.reader(lines):
            if not row or not any(cell.strip() for cell in row):
                continue
            if len(row) > _MAX_COLUMNS:
                yield Rejection(BAD_CSV, f"A row has {len(row)} columns: not a Fit metrics file.", "")
                return
            yield row
    except (csv.Error, _BadLine, UnicodeError) as exc:
        yield Rejection(BAD_CSV, clean_text(f"Reading stopped: {exc}", 300) or "Reading stopped.", "")


class _BadLine(Exception):
    pass


def _lines(stream) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder("utf-8-sig")("strict")
    pending = ""
    while True:
        chunk = stream.read(_CHUNK)
        pending += decoder.decode(chunk or b"", final=not chunk)
        *complete, pending = pending.split("\n")
        for line in complete:
            yield line + "\n"
        if len(pending) > _MAX_LINE:
            raise _BadLine(f"a line is longer than {_MAX_LINE // 1024} KiB")
        if not chunk:
            break
    if pending:
        yield pending


def _guarded(build, *args) -> Item:
    try:
        return build(*args)
    except RecordRejected as exc:
        return Rejection(exc.reason, exc.detail, sample_of(args[1] if len(args) > 1 else args[0]))
    except _RECORD_ERRORS as exc:
        return Rejection(MALFORMED_RECORD, f"The record has an unexpected shape ({type(exc).__name__}).",
                         sample_of(args[1] if len(args) > 1 else args[0]))


# --- sessions (JSON) -----------------------------------------------------------------

_METRICS = {"com.google.calories.expended": "calories_kcal", "com.google.distance.delta": "distance_m",
            "com.google.step_count.delta": "steps"}
_DURATION = re.compile(r"(\d{1,9}(?:\.\d{1,9})?)s")


def parse_session(stream) -> Iterator[Item]:
    """One session per file (its whole object; a Fit session is a few kilobytes)."""
    raw, broken = whole_json(stream)
    if broken is not None:
        yield broken
        return
    try:
        yield _session(raw, plausible_window())
    except RecordRejected as exc:
        yield Rejection(exc.reason, exc.detail, sample_of(raw))
    except _RECORD_ERRORS as exc:
        yield Rejection(MALFORMED_RECORD, f"The session has an unexpected shape ({type(exc).__name__}).",
                        sample_of(raw))



def _session(raw: object, window: Window) -> FitSession:
    if not isinstance(raw, dict):
        raise RecordRejected(MALFORMED_RECORD, f"A session is a JSON object, not {type(raw).__name__}.")
    start, _ = instant_from_iso(raw.get("startTime"), window)
    end = instant_from_iso(raw["endTime"], window)[0] if raw.get("endTime") is not None else None
    duration = _duration(raw.get("duration"))
    if end is None and duration is not None:
        end = start + timedelta(seconds=duration)
    if end is not None and not start <= end <= start + MAX_SESSION:
        raise RecordRejected(MALFORMED_RECORD, "The session ends before it starts or lasts over a week.")
    if duration is None and end is not None:
        duration = (end - start).total_seconds()
    metrics, known = {}, {}
    aggregate = raw.get("aggregate") or []
    if not isinstance(aggregate, list):
        raise RecordRejected(MALFORMED_RECORD, "aggregate is not a list.")
    for entry in aggregate[:100]:
        if not isinstance(entry, dict) or not isinstance(entry.get("metricName"), str):
            raise RecordRejected(MALFORMED_RECORD, "An aggregate metric has no name.")
        value = entry.get("floatValue", entry.get("intValue"))
        if isinstance(value, bool) or not isinstance(value, int | float) or abs(value) > 1e12:
            raise RecordRejected(BAD_NUMBER, f"Metric {clean_text(entry['metricName'], 80)!r} is not a number.")
        name = clean_text(entry["metricName"], 200) or "?"
        metrics[name] = value
        if name in _METRICS:
            known[_METRICS[name]] = value
    steps = known.get("steps")
    return FitSession(start, end, _activity(raw.get("fitnessActivity")), clean_text(raw.get("name"), 500),
                      duration, known.get("distance_m"), known.get("calories_kcal"),
                      None if steps is None else int(steps), {"aggregate": metrics} if metrics else {})


def _duration(value: object) -> float | None:
    if value is None:
        return None
    match = _DURATION.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise RecordRejected(BAD_NUMBER, f"The duration {clean_text(str(value), 40)!r} is not like '843.063s'.")
    return float(match[1])


def _activity(value: object) -> str | None:
    text = clean_code(value)
    return text.lower() if text else None



# --- TCX ---------------------------------------------------------------------------


def parse_tcx(stream) -> Iterator[Item]:
    window = plausible_window()
    member = MemberStream(stream)
    events = etree.iterparse(member, events=("start", "end"), resolve_entities=False, no_network=True,
                             huge_tree=False, load_dtd=False, dtd_validation=False, remove_comments=True,
                             remove_pis=True)
    state = _Workout()
    checked = False
    try:
        for event, element in events:
            if not checked:
                checked = True
                if element.getroottree().docinfo.internalDTD is not None:
                    yield Rejection(BAD_XML, "The workout declares a DTD; entities are never expanded.", "")
                    return
            if event == "end":
                yield from state.end(element, window)
            elif _local(element.tag) == "Activity":
                state.sport = clean_code(element.get("Sport"))
    except etree.XMLSyntaxError as exc:
        if member.failure is not None:
            raise member.failure from exc
        yield Rejection(BAD_XML, clean_text(f"Parsing stopped: {exc}", 300) or "Parsing stopped.", "")
        return
    if not checked:
        yield Rejection(BAD_XML, "The file holds no XML element.", "")
        return
    if not state.sessions:
        yield Rejection(BAD_XML, "The document holds no TCX Activity.", "")


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _child_text(element, name: str) -> str | None:
    for child in element:
        if _local(child.tag) == name:
            return (child.text or "").strip() or None
    return None


def _child(element, name: str):
    for child in element:
        if _local(child.tag) == name:
            return child
    return None


class _Workout:
    """What the Activity being read has gathered so far."""

    def __init__(self) -> None:
        self.sessions = 0
        self._reset()

    def _reset(self) -> None:
        self.laps = 0
        self.seconds = self.meters = self.calories = 0.0
        self.lap_start: datetime | None = None
        self.trackpoints = self.positions = 0
        self.last_at: datetime | None = None
        self.sport: str | None = None

    def end(self, element, window: Window) -> Iterator[Item]:
        name = _local(element.tag)
        if name == "Trackpoint":
            item = self._point(element, window)
            if item is not None:
                yield item
            _release(element)
        elif name == "Lap":
            yield from self._lap(element, window)
        elif name == "Activity":
            yield self._activity(element, window)
            _release(element)

    def _point(self, element, window: Window) -> Item | None:
        self.trackpoints += 1
        position = _child(element, "Position")
        try:
            at, _ = instant_from_iso(_child_text(element, "Time"), window)
            self.last_at = at if self.last_at is None or at > self.last_at else self.last_at
            if position is None:
                return None
            lat, lng = e7_from_degrees(_child_text(position, "LatitudeDegrees"),
                                       _child_text(position, "LongitudeDegrees"))
            altitude = _child_text(element, "AltitudeMeters")
            altitude_m = None if altitude is None else _number(altitude, "AltitudeMeters")
        except RecordRejected as exc:
            return Rejection(exc.reason, exc.detail, _sample(element))
        self.positions += 1
        return LocationPoint(at, lat, lng, altitude_m=altitude_m, activity_type=self.sport)

    def _lap(self, element, window: Window) -> Iterator[Item]:
        self.laps += 1
        try:
            if self.lap_start is None and element.get("StartTime"):
                self.lap_start = instant_from_iso(element.get("StartTime"), window)[0]
            for field, name in (("seconds", "TotalTimeSeconds"), ("meters", "DistanceMeters"),
                                ("calories", "Calories")):
                text = _child_text(element, name)
                if text is not None:
                    setattr(self, field, getattr(self, field) + float(_number(text, name)))
        except RecordRejected as exc:
            yield Rejection(exc.reason, exc.detail, _sample(element))
        # Only its content: the Activity's Id, an earlier sibling, is read at the Activity's end.
        element.clear(keep_tail=False)

    def _activity(self, element, window: Window) -> Item:
        sport = clean_text(element.get("Sport"), 40)
        laps, trackpoints, positions = self.laps, self.trackpoints, self.positions
        try:
            ident = _child_text(element, "Id")
            start = instant_from_iso(ident, window)[0] if ident else self.lap_start
            if start is None:
                raise RecordRejected(MISSING_TIMESTAMP, "The activity has no Id time and no lap start.")
            seconds = self.seconds or None
            end = start + timedelta(seconds=seconds) if seconds else self.last_at
            if end is not None and not start <= end <= start + MAX_SESSION:
                raise RecordRejected(MALFORMED_RECORD, "The activity ends before it starts or lasts over a week.")
            item: Item = FitSession(start, end, sport.lower() if sport else None, None, seconds, self.meters or None,
                                    self.calories or None, None,
                                    {"laps": laps, "trackpoints": trackpoints, "positions": positions})
            self.sessions += 1
        except RecordRejected as exc:
            item = Rejection(exc.reason, exc.detail, _sample(element))
        self._reset()
        return item


def _release(element) -> None:
    """Drop what is read: the element's content and its earlier siblings, so memory stays flat."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _sample(element) -> str:
    try:
        return clean_text(etree.tostring(element, encoding="unicode")[:300], 300) or ""
    except (ValueError, TypeError):
        return ""


FORMATS = {"fit.daily": parse_daily, "fit.intervals": parse_intervals, "fit.sessions": parse_session,
           "fit.tcx": parse_tcx}

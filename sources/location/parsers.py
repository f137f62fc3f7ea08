"""Streaming parsers for every Google location format.

Each parser takes a binary file-like object (read front to back, once; it need
not be seekable) and yields ``LocationPoint``, ``PlaceVisit``, ``ActivitySegment``,
``Device`` and ``Rejection`` values in file order.  Memory stays flat whatever the
file size: records are decoded one batch at a time, never the whole document.

Contract:

* A record that fails validation becomes a ``Rejection`` with a reason code from
  :mod:`.sanitize`, and parsing continues with the next one.
* A document that stops being JSON (a syntax error, a truncated file, NaN or
  Infinity, a number no decoder can hold such as a 5,000-digit integer, nesting
  deeper than ``sanitize.MAX_JSON_DEPTH``) ends with one
  ``Rejection("bad_json", ...)``; every record before that point has been yielded.
* Exceptions raised by the stream itself (a corrupt or truncated archive member)
  propagate unchanged: that is the archive reader's verdict, not the JSON's.

What is deliberately not imported, without a Rejection, because it holds no
position of its own: Timeline Edits' ``wifiScan``/``activityRecord`` signals and
place aggregates that list no points, phone exports' ``timelineMemory`` (a trip
summary naming places already covered by visits) and non-position ``rawSignals``.
"""

import io
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta

import ijson

from sources.location.records import ActivitySegment, Device, LocationPoint, PlaceVisit, fast_location_point
from sources.records import Rejection
from sources.sanitize import (
    BAD_JSON,
    INT64_MAX,
    INT64_MIN,
    LAT_E7_MAX,
    LNG_E7_MAX,
    MALFORMED_RECORD,
    MISSING_TIMESTAMP,
    TIMESTAMP_IMPLAUSIBLE,
    UNSUPPORTED_RECORD,
    MemberStream,
    RecordRejected,
    SafeJSONStream,
    Window,
    check_e7,
    check_instant,
    clean_code,
    clean_text,
    instant_from_epoch,
    instant_from_iso,
    lat_lng_from_text,
    optional_float,
    plausible_window,
    sample_of,
    to_float,
    to_int,
)

try:
    import orjson
except ImportError:  # the streaming ijson path alone is complete, only slower
    orjson = None

type Item = LocationPoint | PlaceVisit | ActivitySegment | Device | Rejection
type Handler = Callable[[object, Window], Iterable[Item]]

_CHUNK = 64 * 1024
# The first record and the start of the second must fit here for the fast path
# to learn the record boundary; records with long Wi-Fi scans run to kilobytes.
_HEAD = 4 * _CHUNK
# A batch that finds no record boundary within this many bytes (one enormous
# record, or a layout the boundary search does not know) goes to ijson instead.
_MAX_PENDING = 4 * 1024 * 1024
# A time zone is at most ±18 hours away from UTC.
_MAX_OFFSET_MINUTES = 18 * 60

# Where a document stops being JSON.  JSONTooDeep and orjson's error are
# ValueErrors; so is int()'s refusal of a 5,000-digit number.
_JSON_ERRORS = (ijson.JSONError, ValueError, RecursionError, UnicodeError, OverflowError)
# Where one record has the wrong shape (a list where an object belongs, ...).
_RECORD_ERRORS = (TypeError, ValueError, AttributeError, KeyError, IndexError, OverflowError)


# --- Records.json / Location History.json -------------------------------------


def parse_records(stream) -> Iterator[Item]:
    """``Records.json`` and the oldest ``Location History.json``: ``{"locations": [...]}``."""
    return _parse_records(stream, fast=orjson is not None)


def _parse_records(stream, *, fast: bool) -> Iterator[Item]:
    member = MemberStream(stream)
    try:
        yield from _points_from_records(_location_batches(member, fast), plausible_window())
    except _JSON_ERRORS as exc:
        if member.failure is not None:
            raise
        yield _bad_json(exc)


def _points_from_records(batches: Iterable[Iterable[object]], window: Window) -> Iterator[Item]:
    """The hot loop: one pass per point, no regexes, validators only off the common path."""
    lo, hi = window
    from_iso = datetime.fromisoformat
    new_point = fast_location_point
    codes: dict[object, str | None] = {}
    for batch in batches:
        for rec in batch:
            try:
                get = rec.get
                lat = get("latitudeE7")
                lng = get("longitudeE7")
                if (
                    lat.__class__ is not int
                    or lng.__class__ is not int
                    or not -LAT_E7_MAX <= lat <= LAT_E7_MAX
                    or not -LNG_E7_MAX <= lng <= LNG_E7_MAX
                ):
                    lat, lng = check_e7(lat, lng)
                ts = get("timestamp")
                if ts.__class__ is str:
                    # fromisoformat() takes Google's "...T06:31:26.860Z" directly and
                    # returns the shared UTC tzinfo for it; anything else (an offset,
                    # no zone, 9 decimals, garbage) goes through the full validator.
                    try:
                        at = from_iso(ts)
                    except ValueError:
                        at = None
                    if at is None or at.tzinfo is not UTC or not lo <= at <= hi:
                        at = instant_from_iso(ts, window)[0]
                elif ts is None:
                    at = instant_from_epoch(get("timestampMs"), "milliseconds", window)
                else:
                    at = instant_from_iso(ts, window)[0]
                # Numbers arrive as int or float from either decoder; only strings
                # and other oddities take the validating path.
                accuracy = get("accuracy")
                if accuracy is not None:
                    accuracy = float(accuracy) if accuracy.__class__ in _NUMBER else to_float(accuracy, "accuracy")
                altitude = get("altitude")
                if altitude is not None:
                    altitude = float(altitude) if altitude.__class__ in _NUMBER else to_float(altitude, "altitude")
                vertical = get("verticalAccuracy")
                if vertical is not None:
                    vertical = float(vertical) if vertical.__class__ in _NUMBER else to_float(vertical, "vertical")
                velocity = get("velocity")
                if velocity is not None:
                    velocity = float(velocity) if velocity.__class__ in _NUMBER else to_float(velocity, "velocity")
                heading = get("heading")
                if heading is not None:
                    heading = float(heading) if heading.__class__ in _NUMBER else to_float(heading, "heading")
                source = get("source")
                if source is not None:
                    source = codes.get(source) or _code(codes, source)
                tag = get("deviceTag")
                if tag is not None and (tag.__class__ is not int or not INT64_MIN <= tag <= INT64_MAX):
                    tag = to_int(tag, "deviceTag")
                platform = get("platformType")
                if platform is not None:
                    platform = codes.get(platform) or _code(codes, platform)
                activities = get("activity")
                if activities:
                    activity, confidence = _top_activity(activities, codes)
                else:
                    activity = confidence = None
                point = new_point(
                    at, lat, lng, None, accuracy, altitude, vertical, velocity, heading,
                    source, tag, platform, activity, confidence,
                )  # fmt: skip
            except RecordRejected as exc:
                yield Rejection(exc.reason, exc.detail, sample_of(rec))
                continue
            except _RECORD_ERRORS as exc:
                yield _malformed(rec, exc)
                continue
            yield point


_NUMBER = (int, float)


def _code(cache: dict[object, str | None], raw: object) -> str | None:
    """clean_code() remembered per raw value: a file holds a handful of sources and platforms."""
    value = clean_code(raw)
    if len(cache) < 256:
        cache[raw] = value
    return value


def _top_activity(entries: object, codes: dict[object, str | None]) -> tuple[str | None, int | None]:
    """The most confident ``activity[].activity[].type``; the first one wins a tie."""
    best_type, best = None, -1
    for entry in entries:
        for candidate in entry.get("activity") or ():
            confidence = candidate.get("confidence")
            if confidence is None:
                continue
            if confidence.__class__ is not int:
                confidence = round(to_float(confidence, "activity confidence"))
            if confidence > best:
                best_type, best = candidate.get("type"), confidence
    if best_type is None:
        return None, None
    label = codes.get(best_type) or _code(codes, best_type)
    return (label, best) if label else (None, None)


# The fast path needs the document to open with the locations array, which is how
# Google writes it; anything else is left to ijson.
_LOCATIONS_OPEN = re.compile(rb'\s*\{\s*"locations"\s*:\s*\[\s*')
_NEXT_RECORD = re.compile(rb'\s*,\s*\{\s*"[A-Za-z0-9_]{1,64}"\s*:')
_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|"|[\[\]{}]', re.DOTALL)
_BOM = b"\xef\xbb\xbf"


def _location_batches(member, fast: bool) -> Iterator[Iterable[object]]:
    """The elements of ``locations``, decoded, in order, a batch at a time.

    The fast path hands orjson batches of whole records cut from the raw bytes at
    record boundaries, which is several times quicker than building each record
    from ijson events.  A boundary is the exact byte sequence seen between the
    first two records (for Google's layout ``"\\n  }, {\\n    \\"latitudeE7\\":"``):
    it contains a newline or a quote-delimited key, so it cannot sit inside a
    string.  A cut is trusted only because the batch then decodes as a complete
    JSON array: a cut in the wrong place leaves an unbalanced batch that fails.
    Whatever the fast path cannot take (another layout, bad JSON, the end of the
    document) continues through ijson from the first byte it has not yielded.
    """
    buf = _read_upto(member, b"", _HEAD)
    if buf.startswith(_BOM):
        buf = buf[len(_BOM) :]
    opening = _LOCATIONS_OPEN.match(buf) if fast else None
    boundary = _learn_boundary(buf, opening.end()) if opening else None
    if boundary is not None:
        rest = yield from _record_batches(member, buf, opening.end(), boundary)
        buf = b'{"locations":[' + rest
    yield ijson.items(SafeJSONStream(member, buf), "locations.item", use_float=True)


def _read_upto(member, buf: bytes, size: int) -> bytes:
    """Append reads to ``buf`` until it holds ``size`` more bytes or the stream ends."""
    want = len(buf) + size
    while len(buf) < want and (more := member.read(want - len(buf))):
        buf += more
    return buf


def _learn_boundary(buf: bytes, start: int) -> tuple[bytes, int, int] | None:
    """(separator bytes, offset of the closing brace, offset of the next opening brace)."""
    if buf[start : start + 1] != b"{":
        return None
    end = _object_end(buf, start)
    if end is None:
        return None
    following = _NEXT_RECORD.match(buf, end + 1)
    if following is None:
        return None
    newline = buf.rfind(b"\n", start, end)
    begin = newline if newline >= 0 and not buf[newline + 1 : end].strip(b" \t") else end
    return buf[begin : following.end()], end - begin, buf.index(b"{", end + 1) - begin


def _object_end(buf: bytes, start: int) -> int | None:
    """Index of the brace closing the object that opens at ``start``, if it is in ``buf``."""
    depth = 0
    for token in _TOKEN.finditer(buf, start):
        first = token.group()[:1]
        if first == b'"':
            if len(token.group()) == 1:
                return None  # a string that does not end inside the window
            continue
        depth += 1 if first in b"[{" else -1
        if depth == 0:
            return token.start() if first == b"}" else None
        if depth > 64:
            return None
    return None


def _record_batches(member, buf: bytes, start: int, boundary: tuple[bytes, int, int]):
    """Yield lists of decoded records, about a chunk's worth each; return the bytes not yet decoded.

    The returned bytes begin at a record (or at the end of the array), so
    prefixing ``{"locations":[`` makes them a document ijson can finish.
    """
    separator, close, reopen = boundary
    ended = False
    while True:
        # Keep two chunks ahead, so the last boundary within the first chunk is
        # almost always there and every batch decodes about one chunk.
        if not ended and len(buf) - start < 2 * _CHUNK:
            if more := member.read(_CHUNK):
                buf = buf[start:] + more
                start = 0
                continue
            ended = True
        cut = buf.rfind(separator, start, start + _CHUNK)
        if cut < 0:
            cut = buf.find(separator, start)  # a record longer than a chunk
        if cut < 0:
            if ended or len(buf) - start > _MAX_PENDING:
                return buf[start:]
            if more := member.read(_CHUNK):
                buf = buf[start:] + more
                start = 0
            else:
                ended = True
            continue
        records = _decode_batch(buf[start : cut + close + 1])
        if records is None:
            return buf[start:]
        yield records
        start = cut + reopen


def _decode_batch(batch: bytes) -> list | None:
    try:
        return orjson.loads(b"[" + batch + b"]")
    except orjson.JSONDecodeError:
        pass
    # orjson refuses some JSON ijson takes (lone surrogate escapes); and a cut
    # that only looked like a boundary fails too.  If ijson can't decode the
    # batch either, the caller hands the rest of the file to ijson, which then
    # reports the real error at its real place.
    try:
        return list(ijson.items(SafeJSONStream(io.BytesIO(b"[" + batch + b"]")), "item", use_float=True))
    except _JSON_ERRORS:
        return None


# --- Settings.json ------------------------------------------------------------


def parse_settings(stream) -> Iterator[Item]:
    """``Settings.json``: ``deviceSettings[]`` names the ``deviceTag`` of Records.json."""
    return _parse_json(stream, {"deviceSettings.item": _device})


def _device(raw: object, window: Window) -> Iterator[Item]:
    tag = _dict(raw).get("deviceTag")
    if tag is None:
        raise RecordRejected(MALFORMED_RECORD, "A device setting has no deviceTag.")
    yield Device(
        device_tag=to_int(tag, "deviceTag"),
        name=clean_text(raw.get("devicePrettyName")),
        platform=clean_code(raw.get("platformType")),
    )


# --- Semantic Location History ------------------------------------------------


def parse_semantic(stream) -> Iterator[Item]:
    """A Semantic Location History month file: ``{"timelineObjects": [...]}``."""
    return _parse_json(stream, {"timelineObjects.item": _timeline_object})


def _timeline_object(raw: object, window: Window) -> Iterator[Item]:
    obj = _dict(raw)
    if (visit := obj.get("placeVisit")) is not None:
        yield _place_visit(visit, window)
        for child in _list(_dict(visit).get("childVisits")):
            yield _guarded(_place_visit, child, window, is_child=True)
    elif (segment := obj.get("activitySegment")) is not None:
        yield _activity_segment(segment, window)
    else:
        raise RecordRejected(UNSUPPORTED_RECORD, "A timeline object is neither a placeVisit nor an activitySegment.")


def _place_visit(raw: object, window: Window, *, is_child: bool = False) -> PlaceVisit:
    visit = _dict(raw)
    location = _dict(visit.get("location"))
    if "latitudeE7" in location or "longitudeE7" in location:
        lat, lng = check_e7(location.get("latitudeE7"), location.get("longitudeE7"))
    else:
        # Some recent visits name no place; the visit's centre is all there is.
        lat, lng = check_e7(visit.get("centerLatE7"), visit.get("centerLngE7"))
    started, ended = _duration(visit.get("duration"), window)
    confidence = optional_float(visit.get("visitConfidence"), "visitConfidence")
    return PlaceVisit(
        started_at=started,
        ended_at=ended,
        lat_e7=lat,
        lng_e7=lng,
        place_id=clean_text(location.get("placeId")),
        name=clean_text(location.get("name")),
        address=clean_text(location.get("address")),
        semantic_type=clean_code(location.get("semanticType")),
        confidence=None if confidence is None else confidence / 100,  # 0..100 in this format
        is_child=is_child,
    )


def _activity_segment(raw: object, window: Window) -> ActivitySegment:
    segment = _dict(raw)
    started, ended = _duration(segment.get("duration"), window)
    start_lat, start_lng = _optional_e7(segment.get("startLocation"))
    end_lat, end_lng = _optional_e7(segment.get("endLocation"))
    path = _dict(segment.get("waypointPath"))
    distance = segment.get("distance")
    if distance is None:
        distance = path.get("distanceMeters")  # older segments carry only the path's length
    # Google lists ``activities`` most probable first, so without an explicit
    # activityType the first candidate is the segment's activity.
    activity, probability = segment.get("activityType"), None
    for candidate in _list(segment.get("activities")):
        candidate = _dict(candidate)
        if activity is None or candidate.get("activityType") == activity:
            activity = candidate.get("activityType")
            probability = optional_float(candidate.get("probability"), "activity probability")
            break
    waypoints = tuple(check_e7(_dict(w).get("latE7"), _dict(w).get("lngE7")) for w in _list(path.get("waypoints")))
    return ActivitySegment(
        started_at=started,
        ended_at=ended,
        start_lat_e7=start_lat,
        start_lng_e7=start_lng,
        end_lat_e7=end_lat,
        end_lng_e7=end_lng,
        distance_m=optional_float(distance, "distance"),
        activity_type=clean_code(activity),
        confidence=None if probability is None else probability / 100,  # percentages in this format
        waypoints=waypoints,
    )


def _duration(raw: object, window: Window) -> tuple[datetime, datetime | None]:
    duration = _dict(raw)
    started = _instant_utc(duration, "startTimestamp", window)
    if started is None:
        raise RecordRejected(MISSING_TIMESTAMP, "The record's duration has no start.")
    ended = _instant_utc(duration, "endTimestamp", window)
    return started, _checked_end(started, ended)


def _instant_utc(container: dict, key: str, window: Window) -> datetime | None:
    """``key`` as ISO text, or the older ``keyMs`` epoch-milliseconds string; None if neither."""
    if (text := container.get(key)) is not None:
        return instant_from_iso(text, window)[0]
    if (millis := container.get(key + "Ms")) is not None:
        return instant_from_epoch(millis, "milliseconds", window)
    return None


def _checked_end(started: datetime, ended: datetime | None) -> datetime | None:
    if ended is not None and ended < started:
        raise RecordRejected(TIMESTAMP_IMPLAUSIBLE, "The record ends before it starts.")
    return ended


def _optional_e7(raw: object) -> tuple[int | None, int | None]:
    """Start/end locations may be ``{}``; only a half-given pair is an error."""
    location = _dict(raw)
    if location.get("latitudeE7") is None and location.get("longitudeE7") is None:
        return None, None
    return check_e7(location.get("latitudeE7"), location.get("longitudeE7"))


# --- Timeline Edits.json ------------------------------------------------------


def parse_timeline_edits(stream) -> Iterator[Item]:
    """``Timeline Edits.json``: raw position signals (accuracy in millimetres)."""
    return _parse_json(stream, {"timelineEdits.item": _timeline_edit})


def _timeline_edit(raw: object, window: Window) -> Iterator[Item]:
    edit = _dict(raw)
    if (signal := edit.get("rawSignal")) is not None:
        signal = _dict(signal)
        position = _dict(signal.get("signal")).get("position")
        if position is None:
            return  # a wifiScan or activityRecord: no position to import
        position = _dict(position)
        point = _dict(position.get("point"))
        lat, lng = check_e7(point.get("latE7"), point.get("lngE7"))
        at, offset = instant_from_iso(position.get("timestamp"), window)
        accuracy_mm = optional_float(position.get("accuracyMm"), "accuracyMm")
        device = edit.get("deviceId")
        yield LocationPoint(
            recorded_at=at,
            lat_e7=lat,
            lng_e7=lng,
            utc_offset_minutes=offset,
            accuracy_m=None if accuracy_mm is None else accuracy_mm / 1000,
            altitude_m=optional_float(position.get("altitudeMeters"), "altitudeMeters"),
            velocity_mps=optional_float(position.get("speedMetersPerSecond"), "speedMetersPerSecond"),
            source=clean_code(position.get("source")),
            device_tag=None if device is None else to_int(device, "deviceId"),
            platform=clean_code(_dict(signal.get("metadata")).get("platform")),
        )
    elif (aggregates := edit.get("placeAggregates")) is not None:
        aggregates = _dict(aggregates)
        places = [p for p in _list(aggregates.get("placeAggregateInfo")) if _dict(p).get("point") is not None]
        if places:
            # Each entry ranks a frequent place over a window of weeks; none says
            # when the device was there, so none can become a visit or a point.
            # Counting them as rejected keeps the user informed of what was left.
            hours = aggregates.get("windowSizeHrs")
            raise RecordRejected(
                UNSUPPORTED_RECORD,
                f"A place aggregate ranks {len(places)} frequent places over {hours} hours "
                "without visit times; it is not imported.",
            )
    else:
        raise RecordRejected(UNSUPPORTED_RECORD, "A timeline edit holds neither a rawSignal nor placeAggregates.")


# --- phone exports: Android Timeline.json, iOS location-history.json ----------


def parse_android_timeline(stream) -> Iterator[Item]:
    """Android on-device ``Timeline.json``: ``semanticSegments``, ``rawSignals``, ``userLocationProfile``."""
    return _parse_json(stream, {"semanticSegments.item": _phone_segment, "rawSignals.item": _raw_signal})


def parse_ios_timeline(stream) -> Iterator[Item]:
    """iOS ``location-history.json``: a bare array of segments whose numbers are all strings."""
    return _parse_json(stream, {"item": _phone_segment})


def _phone_segment(raw: object, window: Window) -> Iterator[Item]:
    """One segment of either phone export.

    Android writes ``{"latLng": "48.85°, 2.35°"}`` where iOS writes
    ``"geo:48.85,2.35"``, ``placeId`` where iOS writes ``placeID``, and numbers
    where iOS writes strings; the validators accept both spellings.
    """
    segment = _dict(raw)
    started, offset = instant_from_iso(segment.get("startTime"), window)
    stated = segment.get("startTimeTimezoneUtcOffsetMinutes")
    if stated is not None:
        offset = to_int(stated, "startTimeTimezoneUtcOffsetMinutes", -_MAX_OFFSET_MINUTES, _MAX_OFFSET_MINUTES)
    end_text = segment.get("endTime")
    ended = _checked_end(started, None if end_text is None else instant_from_iso(end_text, window)[0])
    known = False
    if (visit := segment.get("visit")) is not None:
        known = True
        visit = _dict(visit)
        top = _dict(visit.get("topCandidate"))
        lat, lng = lat_lng_from_text(_lat_lng_text(top.get("placeLocation")))
        level = visit.get("hierarchyLevel")
        yield PlaceVisit(
            started_at=started,
            ended_at=ended,
            lat_e7=lat,
            lng_e7=lng,
            utc_offset_minutes=offset,
            place_id=clean_text(top.get("placeId", top.get("placeID"))),
            semantic_type=clean_code(top.get("semanticType")),
            confidence=optional_float(visit.get("probability"), "visit probability"),
            is_child=level is not None and to_int(level, "hierarchyLevel") > 0,
        )
    if (activity := segment.get("activity")) is not None:
        known = True
        activity = _dict(activity)
        start, end = activity.get("start"), activity.get("end")
        start_lat, start_lng = (None, None) if start is None else lat_lng_from_text(_lat_lng_text(start))
        end_lat, end_lng = (None, None) if end is None else lat_lng_from_text(_lat_lng_text(end))
        top = _dict(activity.get("topCandidate"))
        yield ActivitySegment(
            started_at=started,
            ended_at=ended,
            start_lat_e7=start_lat,
            start_lng_e7=start_lng,
            end_lat_e7=end_lat,
            end_lng_e7=end_lng,
            utc_offset_minutes=offset,
            distance_m=optional_float(activity.get("distanceMeters"), "distanceMeters"),
            activity_type=clean_code(top.get("type")),
            confidence=optional_float(top.get("probability"), "activity probability"),
        )
    if (path := segment.get("timelinePath")) is not None:
        known = True
        for step in _list(path):
            yield _guarded(_path_point, step, window, started=started, offset=offset)
    if not known and segment.get("timelineMemory") is None:
        raise RecordRejected(UNSUPPORTED_RECORD, "A segment holds no visit, activity or timelinePath.")


def _path_point(raw: object, window: Window, *, started: datetime, offset: int | None) -> LocationPoint:
    step = _dict(raw)
    lat, lng = lat_lng_from_text(step.get("point"))
    if (text := step.get("time")) is not None:
        at, own_offset = instant_from_iso(text, window)
        offset = offset if own_offset is None else own_offset
    elif (minutes := step.get("durationMinutesOffsetFromStartTime")) is not None:
        at = check_instant(started + timedelta(minutes=to_float(minutes, "durationMinutesOffsetFromStartTime")), window)
    else:
        raise RecordRejected(MISSING_TIMESTAMP, "A timelinePath point has neither a time nor an offset.")
    return LocationPoint(recorded_at=at, lat_e7=lat, lng_e7=lng, utc_offset_minutes=offset)


def _raw_signal(raw: object, window: Window) -> Iterator[Item]:
    position = _dict(raw).get("position")
    if position is None:
        return  # wifiScan, activityRecord, or an empty {}: no position
    position = _dict(position)
    lat, lng = lat_lng_from_text(_lat_lng_text(position))
    at, offset = instant_from_iso(position.get("timestamp"), window)
    yield LocationPoint(
        recorded_at=at,
        lat_e7=lat,
        lng_e7=lng,
        utc_offset_minutes=offset,
        accuracy_m=optional_float(position.get("accuracyMeters"), "accuracyMeters"),
        altitude_m=optional_float(position.get("altitudeMeters"), "altitudeMeters"),
        velocity_mps=optional_float(position.get("speedMetersPerSecond"), "speedMetersPerSecond"),
        source=clean_code(position.get("source")),
    )


def _lat_lng_text(value: object) -> object:
    """``{"latLng": text}`` (rawSignals spell it ``LatLng``) or the text itself."""
    if isinstance(value, dict):
        return value.get("latLng", value.get("LatLng"))
    return value


# --- shared machinery ---------------------------------------------------------


class _Sink(list):
    """Collects what an ijson push-parser decodes."""

    send = list.append



def _parse_json(stream, handlers: dict[str, Handler]) -> Iterator[Item]:
    """Decode the values under each ijson prefix in one pass and hand them to their handler.

    Each prefix gets its own push-parser over the same chunks, so several
    top-level arrays (Android's ``semanticSegments`` and ``rawSignals``) are
    streamed from a stream that can be read only once, with no Python per event.
    """
    window = plausible_window()
    member = MemberStream(stream)
    reader = SafeJSONStream(member)
    sinks = {prefix: _Sink() for prefix in handlers}
    try:
        parsers = [ijson.items_coro(sink, prefix, use_float=True) for prefix, sink in sinks.items()]
        while chunk := reader.read(_CHUNK):
            for parser in parsers:
                parser.send(chunk)
            yield from _drain(sinks, handlers, window)
        for parser in parsers:
            parser.close()
        yield from _drain(sinks, handlers, window)
    except _JSON_ERRORS as exc:
        if member.failure is not None:
            raise
        # Values decoded before the error are still good.
        yield from _drain(sinks, handlers, window)
        yield _bad_json(exc)


def _drain(sinks: dict[str, _Sink], handlers: dict[str, Handler], window: Window) -> Iterator[Item]:
    for prefix, sink in sinks.items():
        if sink:
            values = sink[:]
            sink.clear()
            for value in values:
                yield from _handle(handlers[prefix], value, window)


def _handle(handler: Handler, raw: object, window: Window) -> list[Item]:
    # Materialized, so a record that fails half-way yields a Rejection only.
    try:
        return list(handler(raw, window))
    except RecordRejected as exc:
        return [Rejection(exc.reason, exc.detail, sample_of(raw))]
    except _RECORD_ERRORS as exc:
        return [_malformed(raw, exc)]


def _guarded(build: Callable[..., Item], raw: object, window: Window, **kwargs) -> Item:
    """``build(raw, window)``, or a Rejection of just this part of a record."""
    try:
        return build(raw, window, **kwargs)
    except RecordRejected as exc:
        return Rejection(exc.reason, exc.detail, sample_of(raw))
    except _RECORD_ERRORS as exc:
        return _malformed(raw, exc)


def _dict(value: object) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise RecordRejected(MALFORMED_RECORD, f"Expected a JSON object, got {_json_type(value)}.")
    return value


def _list(value: object) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise RecordRejected(MALFORMED_RECORD, f"Expected a JSON array, got {_json_type(value)}.")
    return value


def _json_type(value: object) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}.get(type(value), "a number")


def _malformed(raw: object, exc: BaseException) -> Rejection:
    return Rejection(MALFORMED_RECORD, f"The record has an unexpected shape ({type(exc).__name__}).", sample_of(raw))


def _bad_json(exc: BaseException) -> Rejection:
    # ijson's message is "<what went wrong>\n<the text around it>".
    first, _, context = str(exc).strip().partition("\n")
    detail = clean_text(f"Parsing stopped: {first[:200] or type(exc).__name__}")
    return Rejection(BAD_JSON, detail or "Parsing stopped.", clean_text(context.strip()[:300]) or "")


FORMATS: dict[str, Callable[[object], Iterator[Item]]] = {
    "location.records": parse_records,
    "location.legacy": parse_records,
    "location.settings": parse_settings,
    "location.semantic": parse_semantic,
    "location.timeline_edits": parse_timeline_edits,
    "location.android": parse_android_timeline,
    "location.ios": parse_ios_timeline,
}

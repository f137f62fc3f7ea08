"""Location files people bring from other apps: GPX, KML, GeoJSON, OwnTracks Recorder, CSV. Pure.

Each is a product of its own (``location.gpx``, ``location.kml``, ``location.geojson``,
``location.owntracks``, ``location.csv``) whose fixes become ``LocationPoint`` rows beside
Google's, so the map, the day page, exports and delete treat them alike; the product code
says where each came from.

What becomes what:

* A timed position (a GPX track or route point, a KML ``gx:Track`` fix or timed
  ``Placemark``, a GeoJSON ``Point`` with a time or a ``LineString`` with
  ``coordTimes``, an OwnTracks ``location``, a CSV row) is a ``LocationPoint``.
  ``source`` says which kind of element it was (``track``, ``route``, ``waypoint``…).
* A GPX waypoint or a KML ``Placemark`` point *with a name and a time* is also a
  zero-length ``PlaceVisit`` with that name (as text), so the day page shows where
  the person marked something; unnamed ones are points only.
* A position without a time cannot be placed on a day: one ``Rejection``
  (``missing_timestamp``) per element, counted in the run report. A line of a
  KML or GeoJSON file without times (a planned route) is one Rejection for the line.

XML (GPX, KML) is read by libxml2 through lxml's iterparse with entities never
resolved, no network and no DTD loaded; a document that declares a DTD at all is
refused whole (``bad_xml``): no location file needs one, and an internal subset is
how entity-expansion bombs arrive. A KMZ is a zip: uploaded on its own it is opened
as an archive and its ``doc.kml`` is read here; inside another archive the reader
skips it as a nested archive and says so (imports/archive.py never opens those).
"""

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import datetime

import ijson
from lxml import etree

from sources.location.records import LocationPoint, PlaceVisit
from sources.records import Rejection
from sources.sanitize import (
    BAD_CSV,
    BAD_JSON,
    BAD_XML,
    MALFORMED_RECORD,
    MISSING_COORDINATES,
    MISSING_TIMESTAMP,
    TIMESTAMP_MALFORMED,
    UNSUPPORTED_RECORD,
    VALUE_OUT_OF_RANGE,
    MemberStream,
    RecordRejected,
    SafeJSONStream,
    Window,
    clean_text,
    e7_from_degrees,
    instant_from_epoch,
    instant_from_iso,
    plausible_window,
    sample_of,
    to_float,
)

type Item = LocationPoint | PlaceVisit | Rejection

# Heights and speeds past these are not a person's: a typo or an attack, not data.
_MAX_ALTITUDE_M = 100_000.0
_MAX_SPEED_MPS = 1_000.0
_MAX_ACCURACY_M = 1_000_000.0
# One OwnTracks line, one CSV field: far more than a real one holds.
_MAX_LINE = 64 * 1024
_NAME_CHARS = 500

_JSON_ERRORS = (ijson.JSONError, ValueError, RecursionError, UnicodeError, OverflowError)
_RECORD_ERRORS = (TypeError, ValueError, AttributeError, KeyError, IndexError, OverflowError)


def _bounded(value: object, field: str, limit: float) -> float | None:
    if value is None or value == "":
        return None
    number = to_float(value, field)
    if abs(number) > limit:
        raise RecordRejected(VALUE_OUT_OF_RANGE, f"{field} {number:g} is beyond ±{limit:g}.")
    return number


# The common shapes, taken without the full validators (which still decide everything else):
# a plain decimal degree, and a UTC instant with "Z".
_PLAIN_DEGREE = re.compile(r"-?\d{1,3}(?:\.\d{1,15})?")
_UTC_Z = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?Z")


def _e7(lat: object, lng: object) -> tuple[int, int]:
    """e7_from_degrees, with a fast path for numbers and plain decimal texts."""
    if lat.__class__ is str and lng.__class__ is str and _PLAIN_DEGREE.fullmatch(lat) \
            and _PLAIN_DEGREE.fullmatch(lng):
        lat, lng = float(lat), float(lng)
    if lat.__class__ is float and lng.__class__ is float and -90 <= lat <= 90 and -180 <= lng <= 180:
        return round(lat * 1e7), round(lng * 1e7)
    return e7_from_degrees(lat, lng)


def _iso(value: object, window: Window) -> tuple[datetime, int | None]:
    """instant_from_iso, with a fast path for "…Z" instants (no stated offset, as there)."""
    if value.__class__ is str and _UTC_Z.fullmatch(value):
        at = datetime.fromisoformat(value)
        if window[0] <= at <= window[1]:
            return at, None
    return instant_from_iso(value, window)


def _point(at: datetime, lat_e7: int, lng_e7: int, *, offset: int | None = None, accuracy=None, altitude=None,
           velocity=None, heading=None, source: str | None = None) -> LocationPoint:
    return LocationPoint(recorded_at=at, lat_e7=lat_e7, lng_e7=lng_e7, utc_offset_minutes=offset,
                         accuracy_m=accuracy, altitude_m=altitude, velocity_mps=velocity, heading_deg=heading,
                         source=source)


def _waypoint_visit(point: LocationPoint, name: str | None) -> PlaceVisit | None:
    name = clean_text(name, _NAME_CHARS)
    if not name:
        return None
    return PlaceVisit(started_at=point.recorded_at, ended_at=point.recorded_at, lat_e7=point.lat_e7,
                      lng_e7=point.lng_e7, utc_offset_minutes=point.utc_offset_minutes, name=name)


# --- XML: GPX and KML -------------------------------------------------------------


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _child_text(element, name: str) -> str | None:
    for child in element:
        if _local(child.tag) == name:
            return (child.text or "").strip() or None
    return None


def _name(element) -> str | None:
    """A Placemark's or waypoint's name as plain text (KML writers put markup in it too)."""
    for child in element:
        if _local(child.tag) == "name":
            return "".join(child.itertext()).strip() or None
    return None


def _children(element, name: str):
    return [child for child in element if _local(child.tag) == name]


def _release(element) -> None:
    """Free what iterparse built so far: a long track is read in constant memory."""
    element.clear()
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _xml(stream, what: str, on_end) -> Iterator[Item]:
    """Run `on_end(element, window)` for every closed element of a safe XML document."""
    window = plausible_window()
    member = MemberStream(stream)
    events = etree.iterparse(member, events=("start", "end"), resolve_entities=False, no_network=True,
                             huge_tree=False, load_dtd=False, dtd_validation=False, remove_comments=True,
                             remove_pis=True)
    checked = False
    try:
        for event, element in events:
            if not checked:
                checked = True
                if element.getroottree().docinfo.internalDTD is not None:
                    yield Rejection(BAD_XML, f"The {what} declares a DTD; entities are never expanded.", "")
                    return
            if event == "end":
                yield from on_end(element, window)
    except etree.XMLSyntaxError as exc:
        if member.failure is not None:
            raise member.failure from exc
        yield Rejection(BAD_XML, clean_text(f"Parsing stopped: {exc}", 300) or "Parsing stopped.", "")
        return
    if not checked:
        yield Rejection(BAD_XML, "The file holds no XML element.", "")


def _sample(element) -> str:
    return sample_of(dict(element.attrib) | {_local(c.tag): (c.text or "").strip()[:80] for c in element})


_GPX_POINTS = {"trkpt": "track", "rtept": "route", "wpt": "waypoint"}
_GPX_NOUNS = {"track": "track point", "route": "route point", "waypoint": "waypoint"}


def parse_gpx(stream) -> Iterator[Item]:
    """GPX 1.0/1.1: track and route points, and waypoints (see the module docstring)."""

    def on_end(element, window: Window) -> Iterator[Item]:
        kind = _GPX_POINTS.get(_local(element.tag))
        if kind is None:
            if _local(element.tag) in ("trkseg", "trk", "rte"):
                _release(element)
            return
        try:
            lat, lng = _e7(element.get("lat"), element.get("lon"))
            when = _child_text(element, "time")
            if when is None:
                raise RecordRejected(MISSING_TIMESTAMP, f"A GPX {_GPX_NOUNS[kind]} has no time.")
            at, offset = _iso(when, window)
            point = _point(at, lat, lng, offset=offset, source=kind,
                           altitude=_bounded(_child_text(element, "ele"), "ele", _MAX_ALTITUDE_M),
                           velocity=_bounded(_child_text(element, "speed"), "speed", _MAX_SPEED_MPS),
                           heading=_bounded(_child_text(element, "course"), "course", 360.0))
        except RecordRejected as exc:
            yield Rejection(exc.reason, exc.detail, _sample(element))
        else:
            yield point
            if kind == "waypoint":
                visit = _waypoint_visit(point, _name(element))
                if visit is not None:
                    yield visit
        _release(element)

    yield from _xml(stream, "GPX file", on_end)


_KML_COORD = re.compile(r"\s*([-+]?[\d.eE+-]{1,40})\s*,\s*([-+]?[\d.eE+-]{1,40})(?:\s*,\s*([-+]?[\d.eE+-]{1,40}))?\s*")


def _kml_coordinates(text: str | None) -> list[tuple[str, str, str | None]]:
    """``lng,lat[,alt] lng,lat[,alt] …`` -> [(lng, lat, alt)]; a token that is not one raises."""
    found = []
    for token in (text or "").split():
        match = _KML_COORD.fullmatch(token)
        if match is None:
            raise RecordRejected(MISSING_COORDINATES, f"{token[:60]!r} is not a KML longitude,latitude pair.")
        found.append((match[1], match[2], match[3]))
    return found


def _descendants(element, name: str):
    return [child for child in element.iter() if _local(child.tag) == name]


def parse_kml(stream) -> Iterator[Item]:
    """KML 2.2: timed Placemarks (TimeStamp, or a TimeSpan's begin) and gx:Track fixes."""

    def track(element, window: Window) -> Iterator[Item]:
        # <gx:Track>: <when> and <gx:coord> ("lng lat alt", spaces) pair up in order.
        whens = [(w.text or "").strip() for w in _children(element, "when")]
        coords = [(c.text or "").split() for c in _children(element, "coord")]
        if len(whens) != len(coords):
            yield Rejection(MALFORMED_RECORD, f"A gx:Track has {len(whens)} times but {len(coords)} positions.",
                            "")
            return
        for when, coord in zip(whens, coords, strict=True):
            try:
                if len(coord) < 2:
                    raise RecordRejected(MISSING_COORDINATES, "A gx:coord has no longitude and latitude.")
                lat, lng = _e7(coord[1], coord[0])
                at, offset = _iso(when, window)
                altitude = _bounded(coord[2], "altitude", _MAX_ALTITUDE_M) if len(coord) > 2 else None
                yield _point(at, lat, lng, offset=offset, altitude=altitude, source="track")
            except RecordRejected as exc:
                yield Rejection(exc.reason, exc.detail, sample_of({"when": when, "coord": coord}))

    def placemark(element, window: Window) -> Iterator[Item]:
        tracks = _descendants(element, "Track")
        for found in tracks:
            yield from track(found, window)
        points = _descendants(element, "Point")
        lines = _descendants(element, "LineString")
        when = None
        for stamp in _descendants(element, "TimeStamp"):
            when = _child_text(stamp, "when")
        for span in _descendants(element, "TimeSpan"):
            when = when or _child_text(span, "begin")
        try:
            if points:
                coords = _kml_coordinates(_child_text(points[0], "coordinates"))
                if not coords:
                    raise RecordRejected(MISSING_COORDINATES, "A Placemark's Point has no coordinates.")
                lng, lat, alt = coords[0]
                lat_e7, lng_e7 = _e7(lat, lng)
                if when is None:
                    raise RecordRejected(MISSING_TIMESTAMP, "A Placemark has no TimeStamp or TimeSpan.")
                at, offset = _iso(when, window)
                point = _point(at, lat_e7, lng_e7, offset=offset, source="placemark",
                               altitude=_bounded(alt, "altitude", _MAX_ALTITUDE_M))
                yield point
                visit = _waypoint_visit(point, _name(element))
                if visit is not None:
                    yield visit
            elif lines and not tracks:
                raise RecordRejected(MISSING_TIMESTAMP,
                                     "A KML line has no time per position, so it cannot be placed on a day.")
        except RecordRejected as exc:
            yield Rejection(exc.reason, exc.detail, _sample(element))

    def on_end(element, window: Window) -> Iterator[Item]:
        if _local(element.tag) == "Placemark":
            yield from placemark(element, window)
            _release(element)

    yield from _xml(stream, "KML file", on_end)


# --- GeoJSON ----------------------------------------------------------------------

# Where a Feature's time may be: the common property names, in the order they are tried.
_TIME_PROPERTIES = ("time", "timestamp", "datetime", "date_time", "recorded_at", "when")
TIME_KEYS = frozenset((*_TIME_PROPERTIES, "coordTimes", "times"))


def _instant(value: object, window: Window) -> tuple[datetime, int | None]:
    """An ISO-8601 text, or epoch seconds / milliseconds (told apart by size)."""
    if isinstance(value, bool) or value is None:
        raise RecordRejected(MISSING_TIMESTAMP if value is None else TIMESTAMP_MALFORMED,
                             "The position has no usable time.")
    if isinstance(value, int | float) or (isinstance(value, str) and value.strip().lstrip("-").isdigit()):
        number = to_float(value, "time")
        unit = "milliseconds" if abs(number) >= 1e11 else "seconds"
        return instant_from_epoch(value, unit, window), None
    return _iso(value, window)


def _lng_lat(position: object) -> tuple[int, int, float | None]:
    if not isinstance(position, list) or len(position) < 2:
        raise RecordRejected(MISSING_COORDINATES, "A GeoJSON position is not [longitude, latitude].")
    lat, lng = _e7(position[1], position[0])
    altitude = _bounded(position[2], "altitude", _MAX_ALTITUDE_M) if len(position) > 2 else None
    return lat, lng, altitude


def _geojson_feature(feature: object, window: Window) -> Iterator[Item]:
    if not isinstance(feature, dict):
        raise RecordRejected(MALFORMED_RECORD, "A feature is not a JSON object.")
    geometry = feature.get("geometry")
    properties = feature.get("properties")
    properties = {} if properties is None else properties
    if geometry is None:
        raise RecordRejected(UNSUPPORTED_RECORD, "A feature without a geometry has no position.")
    if not isinstance(geometry, dict) or not isinstance(properties, dict):
        raise RecordRejected(MALFORMED_RECORD, "A feature's geometry or properties is not an object.")
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates")
    if kind == "Point":
        when = next((properties[key] for key in _TIME_PROPERTIES if key in properties), None)
        lat, lng, altitude = _lng_lat(coordinates)
        at, offset = _instant(when, window)
        point = _point(at, lat, lng, offset=offset, altitude=altitude, source="point",
                       accuracy=_bounded(properties.get("accuracy"), "accuracy", _MAX_ACCURACY_M),
                       velocity=_bounded(properties.get("speed"), "speed", _MAX_SPEED_MPS))
        yield point
        visit = _waypoint_visit(point, properties.get("name") if isinstance(properties.get("name"), str) else None)
        if visit is not None:
            yield visit
    elif kind in ("LineString", "MultiLineString"):
        # togeojson's convention: properties.coordTimes beside the coordinates, nested alike.
        times = properties.get("coordTimes", properties.get("times"))
        lines = [coordinates] if kind == "LineString" else coordinates
        nested = [times] if kind == "LineString" else times
        if not isinstance(lines, list):
            raise RecordRejected(MISSING_COORDINATES, f"A {kind} has no coordinates.")
        if times is None or not isinstance(nested, list) or len(nested) != len(lines):
            raise RecordRejected(MISSING_TIMESTAMP,
                                 f"A {kind} has no time per position (coordTimes), so it cannot be placed on a day.")
        for line, line_times in zip(lines, nested, strict=True):
            if not isinstance(line, list) or not isinstance(line_times, list) or len(line) != len(line_times):
                raise RecordRejected(MALFORMED_RECORD, f"A {kind}'s coordTimes do not match its positions.")
            for position, when in zip(line, line_times, strict=True):
                try:
                    lat, lng, altitude = _lng_lat(position)
                    at, offset = _instant(when, window)
                    yield _point(at, lat, lng, offset=offset, altitude=altitude, source="line")
                except RecordRejected as exc:
                    yield Rejection(exc.reason, exc.detail, sample_of({"position": position, "time": when}))
    else:
        raise RecordRejected(UNSUPPORTED_RECORD, f"A {clean_text(str(kind), 40)!r} geometry is not a track.")


def parse_geojson(stream) -> Iterator[Item]:
    """A FeatureCollection of timed Points and of LineStrings with coordTimes.

    Streamed feature by feature; one feature is decoded whole, so a single LineString of a
    million positions holds them all in memory at once (about 150 MB) while it is read.
    """
    window = plausible_window()
    member = MemberStream(stream)
    try:
        # use_float=True: yajl2_c dereferences NULL on an int past CPython's 4,300 digits.
        for feature in ijson.items(SafeJSONStream(member), "features.item", use_float=True):
            try:
                yield from _geojson_feature(feature, window)
            except RecordRejected as exc:
                yield Rejection(exc.reason, exc.detail, sample_of(feature))
            except _RECORD_ERRORS as exc:
                yield Rejection(MALFORMED_RECORD, clean_text(str(exc), 200) or type(exc).__name__,
                                sample_of(feature))
    except _JSON_ERRORS as exc:
        if member.failure is not None:
            raise
        first = str(exc).strip().partition("\n")[0]
        yield Rejection(BAD_JSON, clean_text(f"Parsing stopped: {first[:200] or type(exc).__name__}") or "", "")


# --- OwnTracks Recorder -----------------------------------------------------------

# "2024-05-01T06:30:00Z\t*                 \t{json}": the Recorder's .rec lines.
REC_LINE = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)\t([^\t]{0,64})\t(.*)", re.DOTALL)
_KMH = 1000 / 3600


def _owntracks(line: str, window: Window) -> Item | None:
    match = REC_LINE.fullmatch(line)
    if match is None:
        raise RecordRejected(MALFORMED_RECORD, "The line is not '<time>\\t<topic>\\t<JSON>'.")
    try:
        payload = json.loads(match[3])
    except (ValueError, RecursionError) as exc:
        raise RecordRejected(MALFORMED_RECORD, clean_text(f"The line's JSON is broken: {exc}", 200) or "") from None
    if not isinstance(payload, dict):
        raise RecordRejected(MALFORMED_RECORD, "The line's JSON is not an object.")
    if payload.get("_type") != "location":
        # Transitions, waypoints of regions, cards and last wills hold no fix of their own.
        raise RecordRejected(UNSUPPORTED_RECORD,
                             f"An OwnTracks {clean_text(str(payload.get('_type')), 20)!r} message is not a position.")
    lat, lng = _e7(payload.get("lat"), payload.get("lon"))
    if "tst" in payload:
        at = instant_from_epoch(payload["tst"], "seconds", window)
    else:
        at, _ = _iso(match[1], window)
    velocity = _bounded(payload.get("vel"), "vel", _MAX_SPEED_MPS / _KMH)
    return _point(at, lat, lng, source="owntracks",
                  accuracy=_bounded(payload.get("acc"), "acc", _MAX_ACCURACY_M),
                  altitude=_bounded(payload.get("alt"), "alt", _MAX_ALTITUDE_M),
                  velocity=None if velocity is None else velocity * _KMH,  # the Recorder writes km/h
                  heading=_bounded(payload.get("cog"), "cog", 360.0))


class _Readable(io.RawIOBase):
    def __init__(self, member: MemberStream) -> None:
        self._member = member

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        chunk = self._member.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def _buffered(stream) -> io.BufferedReader:
    return io.BufferedReader(_Readable(MemberStream(stream)), 64 * 1024)


def parse_owntracks(stream) -> Iterator[Item]:
    """OwnTracks Recorder's ``.rec`` files: one line per message; only ``location`` ones are positions."""
    window = plausible_window()
    reader = _buffered(stream)
    while True:
        raw = reader.readline(_MAX_LINE + 1)
        if not raw:
            return
        if len(raw) > _MAX_LINE and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):
                raw = reader.readline(_MAX_LINE + 1)
            yield Rejection(MALFORMED_RECORD, f"A line is longer than {_MAX_LINE // 1024} KiB.", "")
            continue
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        if not line.strip():
            continue
        try:
            item = _owntracks(line, window)
        except RecordRejected as exc:
            yield Rejection(exc.reason, exc.detail, sample_of(line[:300]))
            continue
        if item is not None:
            yield item


# --- CSV --------------------------------------------------------------------------

LAT_COLUMNS = ("latitude", "lat")
LNG_COLUMNS = ("longitude", "lng", "lon", "long")
TIME_COLUMNS = ("time", "timestamp", "datetime", "date_time", "date time", "recorded_at", "time_utc", "utc time",
                "date")
_OPTIONAL = {"accuracy": ("accuracy", "accuracy_m"), "altitude": ("altitude", "altitude_m", "elevation", "ele"),
             "speed": ("speed", "speed_mps", "velocity"), "heading": ("heading", "bearing", "course")}


def _column(names: list[str], wanted: tuple[str, ...]) -> int | None:
    for name in wanted:
        if name in names:
            return names.index(name)
    return None


def csv_columns(header: list[str]) -> tuple[int, int, int] | None:
    """(latitude, longitude, time) column indexes of a header row, or None if it lacks one."""
    names = [" ".join(cell.strip().casefold().split()) for cell in header]
    found = (_column(names, LAT_COLUMNS), _column(names, LNG_COLUMNS), _column(names, TIME_COLUMNS))
    return None if None in found else found


def parse_csv(stream) -> Iterator[Item]:
    """A CSV with a header row naming latitude, longitude and time columns (accuracy, altitude… optional)."""
    window = plausible_window()
    text = io.TextIOWrapper(_buffered(stream), encoding="utf-8-sig", errors="strict", newline="")
    reader = csv.reader(text)
    try:
        header = next(reader, None)
        columns = csv_columns(header or [])
        if columns is None:
            yield Rejection(BAD_CSV, "The header row names no latitude, longitude and time columns.",
                            sample_of(header))
            return
        names = [" ".join(cell.strip().casefold().split()) for cell in header]
        optional = {key: _column(names, wanted) for key, wanted in _OPTIONAL.items()}
        lat_at, lng_at, time_at = columns
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            try:
                if len(row) != len(header):
                    raise RecordRejected(MALFORMED_RECORD, f"The row has {len(row)} cells, the header {len(header)}.")
                lat, lng = _e7(row[lat_at].strip() or None, row[lng_at].strip() or None)
                at, offset = _instant(row[time_at].strip() or None, window)

                def cell(key, row=row):
                    index = optional[key]
                    return None if index is None else row[index].strip() or None

                yield _point(at, lat, lng, offset=offset, source="csv",
                             accuracy=_bounded(cell("accuracy"), "accuracy", _MAX_ACCURACY_M),
                             altitude=_bounded(cell("altitude"), "altitude", _MAX_ALTITUDE_M),
                             velocity=_bounded(cell("speed"), "speed", _MAX_SPEED_MPS),
                             heading=_bounded(cell("heading"), "heading", 360.0))
            except RecordRejected as exc:
                yield Rejection(exc.reason, exc.detail, sample_of(row))
    except (csv.Error, UnicodeDecodeError) as exc:
        yield Rejection(BAD_CSV, clean_text(f"Reading stopped at line {reader.line_num}: {exc}", 300) or "", "")


FORMATS = {
    "location.gpx": parse_gpx,
    "location.kml": parse_kml,
    "location.geojson": parse_geojson,
    "location.owntracks": parse_owntracks,
    "location.csv": parse_csv,
}

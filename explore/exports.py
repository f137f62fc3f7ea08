"""Streaming exports of a user's lake: GeoJSON, GPX, CSV and NDJSON.

Each format is a generator of text chunks. `stream` wraps it: it opens the
user scope *inside* the generator (a streaming body runs after the view has
returned, outside the request's transaction), reads each table through a
server-side cursor in chunks (constant memory however many rows), and writes
the audit record `export.downloaded` when the stream ends, with what it sent
and whether it got to the end.
"""

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.conf import settings
from django.db import connection

from audit.actions import record_event
from core.rls import user_scope
from sources.location.models import ActivitySegment, LocationPoint, PlaceVisit

CHUNK_ROWS = 5000
FLUSH_BYTES = 64 * 1024


@dataclass(frozen=True)
class Format:
    name: str
    content_type: str
    extension: str


FORMATS = {
    "geojson": Format("geojson", "application/geo+json", "geojson"),
    "gpx": Format("gpx", "application/gpx+xml", "gpx"),
    "csv": Format("csv", "text/csv; charset=utf-8", "csv"),
    "ndjson": Format("ndjson", "application/x-ndjson", "ndjson"),
}

POINT_FIELDS = ("recorded_at", "utc_offset_minutes", "lat_e7", "lng_e7", "accuracy_m", "altitude_m", "velocity_mps",
                "heading_deg", "source", "device_tag", "platform", "activity_type", "product", "import_run_id")
VISIT_FIELDS = ("started_at", "ended_at", "utc_offset_minutes", "lat_e7", "lng_e7", "place_id", "name", "address",
                "semantic_type", "confidence", "product", "import_run_id")
SEGMENT_FIELDS = ("started_at", "ended_at", "utc_offset_minutes", "start_lat_e7", "start_lng_e7", "end_lat_e7",
                  "end_lng_e7", "distance_m", "activity_type", "confidence", "waypoints", "product", "import_run_id")
CSV_COLUMNS = ("kind", "start", "end", "utc_offset_minutes", "lat", "lng", "end_lat", "end_lng", "name", "address",
               "activity_type", "distance_m", "accuracy_m", "source", "device_tag", "product", "import_run_id")


@dataclass(frozen=True)
class Range:
    start: dt.datetime | None = None  # inclusive, UTC
    end: dt.datetime | None = None  # exclusive

    def filter(self, queryset, column):
        if self.start:
            queryset = queryset.filter(**{f"{column}__gte": self.start})
        if self.end:
            queryset = queryset.filter(**{f"{column}__lt": self.end})
        return queryset


def _rows(model, fields, column, window: Range):
    # .iterator() on PostgreSQL reads through a server-side cursor, CHUNK_ROWS
    # at a time; ordering by the key's leading columns walks the primary key.
    queryset = window.filter(model.objects.all(), column).order_by(column).values(*fields)
    yield from queryset.iterator(chunk_size=CHUNK_ROWS)


def _iso(value):
    return value.isoformat() if value else None


def _deg(value):
    return None if value is None else value / 1e7


def points(window):
    return _rows(LocationPoint, POINT_FIELDS, "recorded_at", window)


def visits(window):
    return _rows(PlaceVisit, VISIT_FIELDS, "started_at", window)


def segments(window):
    return _rows(ActivitySegment, SEGMENT_FIELDS, "started_at", window)


def _plain(row):
    return {key: (_iso(value) if isinstance(value, dt.datetime) else value) for key, value in row.items()}


def ndjson(window, counts):
    for kind, rows in (("location_point", points(window)), ("place_visit", visits(window)),
                       ("activity_segment", segments(window))):
        for row in rows:
            counts[kind] += 1
            yield json.dumps({"kind": kind, **_plain(row)}, separators=(",", ":"), ensure_ascii=False) + "\n"


def geojson(window, counts):
    yield '{"type":"FeatureCollection","features":['
    first = True

    def feature(geometry, properties):
        nonlocal first
        text = ("" if first else ",\n") + json.dumps(
            {"type": "Feature", "geometry": geometry, "properties": properties},
            separators=(",", ":"), ensure_ascii=False)
        first = False
        return text

    for row in points(window):
        counts["location_point"] += 1
        coords = [_deg(row.pop("lng_e7")), _deg(row.pop("lat_e7"))]
        yield feature({"type": "Point", "coordinates": coords}, {"kind": "location_point", **_plain(row)})
    for row in visits(window):
        counts["place_visit"] += 1
        coords = [_deg(row.pop("lng_e7")), _deg(row.pop("lat_e7"))]
        yield feature({"type": "Point", "coordinates": coords}, {"kind": "place_visit", **_plain(row)})
    for row in segments(window):
        counts["activity_segment"] += 1
        line = [[_deg(lng), _deg(lat)] for lat, lng in row.pop("waypoints") or []]
        start = [_deg(row["start_lng_e7"]), _deg(row["start_lat_e7"])]
        end = [_deg(row["end_lng_e7"]), _deg(row["end_lat_e7"])]
        if not line and None not in start + end:
            line = [start, end]
        geometry = {"type": "LineString", "coordinates": line} if len(line) > 1 else None
        yield feature(geometry, {"kind": "activity_segment", **_plain(row)})
    yield "]}\n"


def gpx(window, counts):
    """GPX 1.1: visits as waypoints, the points as one track, segments as routes."""
    yield ('<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="Datapunk Lake" '
           'xmlns="http://www.topografix.com/GPX/1/1">\n')
    for row in visits(window):
        counts["place_visit"] += 1
        name = escape(row["name"] or row["place_id"] or "visit")
        yield (f'<wpt lat="{_deg(row["lat_e7"])}" lon="{_deg(row["lng_e7"])}"><time>{_iso(row["started_at"])}</time>'
               f"<name>{name}</name>" + (f"<desc>{escape(row['address'])}</desc>" if row["address"] else "")
               + "</wpt>\n")
    for row in segments(window):
        counts["activity_segment"] += 1
        yield f"<rte><name>{escape(row['activity_type'])} {_iso(row['started_at'])}</name>"
        for lat, lng in row["waypoints"] or []:
            yield f'<rtept lat="{_deg(lat)}" lon="{_deg(lng)}"/>'
        yield "</rte>\n"
    yield "<trk><name>Location history</name><trkseg>\n"
    for row in points(window):
        counts["location_point"] += 1
        yield (f'<trkpt lat="{_deg(row["lat_e7"])}" lon="{_deg(row["lng_e7"])}">'
               + (f"<ele>{row['altitude_m']}</ele>" if row["altitude_m"] is not None else "")
               + f"<time>{_iso(row['recorded_at'])}</time>"
               + (f"<src>{escape(row['source'])}</src>" if row["source"] else "") + "</trkpt>\n")
    yield "</trkseg></trk>\n</gpx>\n"


# A spreadsheet runs a cell starting with one of these as a formula
# (=HYPERLINK(...) sends data away, @SUM( and +/- start one too; a leading
# tab or carriage return hides it). Place names and addresses are text anyone
# can set on the map. defusedcsv misses tab and CR and rewrites every "|".
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """The value as a spreadsheet should show it: text that would start a
    formula gets a leading apostrophe (OWASP's advice); numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_rows(window, counts):
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(values):
        writer.writerow([csv_cell(value) for value in values])
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield line(CSV_COLUMNS)
    for row in points(window):
        counts["location_point"] += 1
        yield line(["location_point", _iso(row["recorded_at"]), "", row["utc_offset_minutes"], _deg(row["lat_e7"]),
                    _deg(row["lng_e7"]), "", "", "", "", row["activity_type"], "", row["accuracy_m"], row["source"],
                    row["device_tag"], row["product"], row["import_run_id"]])
    for row in visits(window):
        counts["place_visit"] += 1
        yield line(["place_visit", _iso(row["started_at"]), _iso(row["ended_at"]), row["utc_offset_minutes"],
                    _deg(row["lat_e7"]), _deg(row["lng_e7"]), "", "", row["name"], row["address"], "", "", "", "",
                    "", row["product"], row["import_run_id"]])
    for row in segments(window):
        counts["activity_segment"] += 1
        yield line(["activity_segment", _iso(row["started_at"]), _iso(row["ended_at"]), row["utc_offset_minutes"],
                    _deg(row["start_lat_e7"]), _deg(row["start_lng_e7"]), _deg(row["end_lat_e7"]),
                    _deg(row["end_lng_e7"]), "", "", row["activity_type"], row["distance_m"], "", "", "",
                    row["product"], row["import_run_id"]])


WRITERS = {"geojson": geojson, "gpx": gpx, "csv": csv_rows, "ndjson": ndjson}


# Transaction-level advisory locks (EXPORT_LOCK_NAMESPACE + slot, user id):
# a slot is held exactly as long as the export's transaction, however the
# stream ends (finished, client gone, timed out, worker killed).
EXPORT_LOCK_NAMESPACE = 0x45585000  # "EXP" and the slot number


class ExportBusy(Exception):
    """The person already runs as many downloads as EXPORT_MAX_PER_USER allows."""


def _claim_slot(cursor, user_id: int) -> bool:
    for slot in range(settings.EXPORT_MAX_PER_USER):
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [EXPORT_LOCK_NAMESPACE + slot, user_id % 2**31])
        if cursor.fetchone()[0]:
            return True
    return False


def open_stream(user, fmt: str, window: Range, *, request=None):
    """The body of an export download, its slot claimed; ExportBusy when none is free.

    Claimed before the response starts, so a refusal is a clear answer, not
    an empty file. The client socket (gunicorn's, when there is one) gets a
    send timeout: a client that stops reading ends the stream and its
    transaction after EXPORT_STALL_SECONDS instead of holding them forever.
    """
    sock = request.META.get("gunicorn.socket") if request is not None else None
    body = stream(user, fmt, window, request=request, sock=sock)
    if not next(body):
        body.close()
        raise ExportBusy(f"You are already downloading {settings.EXPORT_MAX_PER_USER} exports; "
                         "wait until one has finished, then start this one again.")
    return body


def stream(user, fmt: str, window: Range, *, request=None, sock=None):
    """The body of an export download: whether a slot was free, then chunks of text, then the audit record."""
    counts = {"location_point": 0, "place_visit": 0, "activity_segment": 0}
    claimed = complete = False
    try:
        with user_scope(user.pk):
            with connection.cursor() as cursor:
                claimed = _claim_slot(cursor, user.pk)
                if claimed and settings.EXPORT_STALL_SECONDS:
                    # Without a socket to time out (another server), the database
                    # still ends a transaction the stream stopped using.
                    cursor.execute("SELECT set_config('idle_in_transaction_session_timeout', %s, true)",
                                   [f"{2 * settings.EXPORT_STALL_SECONDS}s"])
            yield claimed
            if not claimed:
                return
            if sock is not None and settings.EXPORT_STALL_SECONDS:
                # Python's sendall gives up after this long without finishing a
                # chunk (64 KiB): a client that stopped reading.
                sock.settimeout(settings.EXPORT_STALL_SECONDS)
            pending, size = [], 0
            for piece in WRITERS[fmt](window, counts):
                pending.append(piece)
                size += len(piece)
                if size >= FLUSH_BYTES:
                    yield "".join(pending).encode()
                    pending, size = [], 0
            if pending:
                yield "".join(pending).encode()
        complete = True
    finally:
        if claimed:
            # Its own transaction, after the reading one (which a timeout may have
            # ended server-side, then Django reconnects): recorded even when the
            # client went away half-way (then with complete = false). In her
            # scope, because the database takes the event's actor from it.
            with user_scope(user.pk):
                record_event("export.downloaded", actor=user, target=f"user:{user.pk}", request=request,
                             details={"format": fmt, "start": _iso(window.start), "end": _iso(window.end),
                                      "rows": counts, "complete": complete})


def filename(fmt: str, window: Range) -> str:
    span = "all"
    if window.start or window.end:
        span = f"{window.start:%Y%m%d}" if window.start else "start"
        span += "-" + (f"{(window.end - dt.timedelta(days=1)):%Y%m%d}" if window.end else "now")
    return f"datapunk-lake-{span}.{FORMATS[fmt].extension}"




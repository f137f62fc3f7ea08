"""How location history exports: NDJSON, GeoJSON, GPX and CSV writers over its three tables.

Each writer takes the time window and a dict of counts (one per table, which
it increments) and yields text chunks; explore/exports.py streams them.
"""

import datetime as dt
import json
from xml.sax.saxutils import escape

from sources import geo
from sources.export import CsvLines, deg, iso, plain, rows
from sources.labels import activity_label
from sources.localtime import local
from sources.location.models import ActivitySegment, LocationPoint, PlaceVisit

POINT_FIELDS = ("recorded_at", "utc_offset_minutes", "lat_e7", "lng_e7", "accuracy_m", "altitude_m", "velocity_mps",
                "heading_deg", "source", "device_tag", "platform", "activity_type", "product", "import_run_id")
VISIT_FIELDS = ("started_at", "ended_at", "utc_offset_minutes", "lat_e7", "lng_e7", "place_id", "name", "address",
                "semantic_type", "confidence", "product", "import_run_id")
SEGMENT_FIELDS = ("started_at", "ended_at", "utc_offset_minutes", "start_lat_e7", "start_lng_e7", "end_lat_e7",
                  "end_lng_e7", "distance_m", "activity_type", "confidence", "waypoints", "product", "import_run_id")
CSV_COLUMNS = ("kind", "start", "end", "utc_offset_minutes", "lat", "lng", "end_lat", "end_lng", "name", "address",
               "activity_type", "distance_m", "accuracy_m", "source", "device_tag", "product", "import_run_id",
               "place_id", "place_name")


def points(window):
    return rows(LocationPoint, POINT_FIELDS, "recorded_at", window)


def visits(window):
    return rows(PlaceVisit, VISIT_FIELDS, "started_at", window)


def segments(window):
    return rows(ActivitySegment, SEGMENT_FIELDS, "started_at", window)


def ndjson(window, counts):
    for kind, table in (("location_point", points(window)), ("place_visit", visits(window)),
                        ("activity_segment", segments(window))):
        for row in table:
            counts[kind] += 1
            yield json.dumps({"kind": kind, **plain(row)}, separators=(",", ":"), ensure_ascii=False) + "\n"


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
        coords = [deg(row.pop("lng_e7")), deg(row.pop("lat_e7"))]
        yield feature({"type": "Point", "coordinates": coords}, {"kind": "location_point", **plain(row)})
    for row in visits(window):
        counts["place_visit"] += 1
        coords = [deg(row.pop("lng_e7")), deg(row.pop("lat_e7"))]
        yield feature({"type": "Point", "coordinates": coords}, {"kind": "place_visit", **plain(row)})
    for row in segments(window):
        counts["activity_segment"] += 1
        line = [[deg(lng), deg(lat)] for lat, lng in row.pop("waypoints") or []]
        start = [deg(row["start_lng_e7"]), deg(row["start_lat_e7"])]
        end = [deg(row["end_lng_e7"]), deg(row["end_lat_e7"])]
        if not line and None not in start + end:
            line = [start, end]
        geometry = {"type": "LineString", "coordinates": line} if len(line) > 1 else None
        yield feature(geometry, {"kind": "activity_segment", **plain(row)})
    yield "]}\n"


# A pause longer than this between two fixes ends a track segment: GPX readers draw a
# segment as one line, and a straight line over an hour without data is a guess, not a path.
SEGMENT_GAP = dt.timedelta(hours=1)


def starts_segment(previous: dict | None, row: dict) -> bool:
    """Whether point `row` opens a new track segment after `previous` (points in time order).

    A new local day (the point's own stated offset, UTC where the source stated none, as the
    day page counts days) or a gap over SEGMENT_GAP starts one.
    """
    if previous is None:
        return True
    if row["recorded_at"] - previous["recorded_at"] > SEGMENT_GAP:
        return True
    day = local(row["recorded_at"], row["utc_offset_minutes"]).date()
    return day != local(previous["recorded_at"], previous["utc_offset_minutes"]).date()


def gpx(window, counts):
    """GPX 1.1: visits as waypoints, segments as routes, the points as one track: one segment per
    local day, and a new one after a gap of over an hour."""
    yield ('<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="Datapunk Lake" '
           'xmlns="http://www.topografix.com/GPX/1/1">\n')
    for row in visits(window):
        counts["place_visit"] += 1
        name = escape(row["name"] or row["place_id"] or "visit")
        yield (f'<wpt lat="{deg(row["lat_e7"])}" lon="{deg(row["lng_e7"])}"><time>{iso(row["started_at"])}</time>'
               f"<name>{name}</name>" + (f"<desc>{escape(row['address'])}</desc>" if row["address"] else "")
               + "</wpt>\n")
    for row in segments(window):
        counts["activity_segment"] += 1
        yield f"<rte><name>{escape(activity_label(row['activity_type']) or 'Moving')} {iso(row['started_at'])}</name>"
        for lat, lng in row["waypoints"] or []:
            yield f'<rtept lat="{deg(lat)}" lon="{deg(lng)}"/>'
        yield "</rte>\n"
    yield "<trk><name>Location history</name>\n"
    previous = None
    for row in points(window):
        counts["location_point"] += 1
        if starts_segment(previous, row):
            yield ("</trkseg>\n" if previous is not None else "") + "<trkseg>\n"
        previous = row
        yield (f'<trkpt lat="{deg(row["lat_e7"])}" lon="{deg(row["lng_e7"])}">'
               + (f"<ele>{row['altitude_m']}</ele>" if row["altitude_m"] is not None else "")
               + f"<time>{iso(row['recorded_at'])}</time>"
               + (f"<src>{escape(row['source'])}</src>" if row["source"] else "") + "</trkpt>\n")
    yield ("</trkseg>" if previous is not None else "") + "</trk>\n</gpx>\n"


# A spreadsheet runs a cell starting with one of these as a formula
# (=HYPERLINK(...) sends data away, @SUM( and +/- start one too; a leading
# tab or carriage return hides it). Place names and addresses are text anyone
# can set on the map. defusedcsv misses tab and CR and rewrites every "|".
def csv_rows(window, counts):
    line = CsvLines().line
    yield line(CSV_COLUMNS)
    for row in points(window):
        counts["location_point"] += 1
        yield line(["location_point", iso(row["recorded_at"]), "", row["utc_offset_minutes"], deg(row["lat_e7"]),
                    deg(row["lng_e7"]), "", "", "", "", row["activity_type"], "", row["accuracy_m"], row["source"],
                    row["device_tag"], row["product"], row["import_run_id"], "", ""])
    for row in visits(window):
        counts["place_visit"] += 1
        # Google's name where it gave one, else the offline gazetteer's town: never a bare place ID.
        place_name = row["name"] or geo.place_name(deg(row["lat_e7"]), deg(row["lng_e7"])).label
        yield line(["place_visit", iso(row["started_at"]), iso(row["ended_at"]), row["utc_offset_minutes"],
                    deg(row["lat_e7"]), deg(row["lng_e7"]), "", "", row["name"], row["address"], "", "", "", "",
                    "", row["product"], row["import_run_id"], row["place_id"], place_name])
    for row in segments(window):
        counts["activity_segment"] += 1
        yield line(["activity_segment", iso(row["started_at"]), iso(row["ended_at"]), row["utc_offset_minutes"],
                    deg(row["start_lat_e7"]), deg(row["start_lng_e7"]), deg(row["end_lat_e7"]),
                    deg(row["end_lng_e7"]), "", "", row["activity_type"], row["distance_m"], "", "", "",
                    row["product"], row["import_run_id"], "", ""])


# format name (explore.exports.FORMATS) -> writer(window, counts)
WRITERS = {"geojson": geojson, "gpx": gpx, "csv": csv_rows, "ndjson": ndjson}

"""How derived stays and trips export: CSV (one shape: a row per stay or trip) and NDJSON.

Stays carry `place_id` (the significant place's id) and `place_name`: the user's name for
it, else the gazetteer's town, as on the day page. Times are UTC with the local offset beside.
Their counts join the export's audit record under their dataset names (the generic counts
only hold datasets placed in time by a UTC instant).
"""

import json

from sources.derived.labels import place_label
from sources.derived.models import SignificantPlace, Stay, Trip
from sources.export import CsvLines, deg, iso, plain, rows

STAY_FIELDS = ("started_at", "ended_at", "utc_offset_minutes", "end_utc_offset_minutes", "offset_from", "tz_name",
               "local_start_day", "local_end_day", "lat_e7", "lng_e7", "fixes", "radius_m", "place_id", "city",
               "region", "country", "country_code")
TRIP_FIELDS = ("started_at", "ended_at", "utc_offset_minutes", "end_utc_offset_minutes", "tz_name", "end_tz_name",
               "local_start_day", "local_end_day", "start_lat_e7", "start_lng_e7", "end_lat_e7", "end_lng_e7",
               "distance_m", "seconds", "mode", "mode_from", "fixes")
CSV_COLUMNS = ("kind", "start", "end", "utc_offset_minutes", "tz_name", "local_day", "lat", "lng", "end_lat",
               "end_lng", "place_id", "place_name", "city", "country_code", "mode", "distance_m", "seconds")


def _place_names() -> dict[int, str]:
    return {p.id: p.label for p in SignificantPlace.objects.all()}


def csv_rows(window, counts):
    line = CsvLines().line
    names = _place_names()
    yield line(CSV_COLUMNS)
    for row in rows(Stay, STAY_FIELDS, "started_at", window):
        counts["derived_stay"] = counts.get("derived_stay", 0) + 1
        name = names.get(row["place_id"]) or place_label(_Named(row))
        yield line(["stay", iso(row["started_at"]), iso(row["ended_at"]), row["utc_offset_minutes"], row["tz_name"],
                    row["local_start_day"].isoformat(), deg(row["lat_e7"]), deg(row["lng_e7"]), "", "",
                    row["place_id"], name, row["city"], row["country_code"], "", "",
                    (row["ended_at"] - row["started_at"]).total_seconds()])
    for row in rows(Trip, TRIP_FIELDS, "started_at", window):
        counts["derived_trip"] = counts.get("derived_trip", 0) + 1
        yield line(["trip", iso(row["started_at"]), iso(row["ended_at"]), row["utc_offset_minutes"], row["tz_name"],
                    row["local_start_day"].isoformat(), deg(row["start_lat_e7"]), deg(row["start_lng_e7"]),
                    deg(row["end_lat_e7"]), deg(row["end_lng_e7"]), "", "", "", "", row["mode"], row["distance_m"],
                    row["seconds"]])


def ndjson(window, counts):
    names = _place_names()
    for kind, model, fields in (("derived_stay", Stay, STAY_FIELDS), ("derived_trip", Trip, TRIP_FIELDS)):
        for row in rows(model, fields, "started_at", window):
            counts[kind] = counts.get(kind, 0) + 1
            extra = {"place_name": names.get(row["place_id"]) or place_label(_Named(row))} if kind == "derived_stay" \
                else {}
            yield json.dumps({"kind": kind, **plain(row), **extra}, separators=(",", ":"), ensure_ascii=False,
                             default=str) + "\n"


class _Named:
    def __init__(self, row):
        self.city, self.country = row["city"], row["country"]


WRITERS = {"csv": csv_rows, "ndjson": ndjson}

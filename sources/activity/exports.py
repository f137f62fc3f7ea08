"""How My Activity exports: NDJSON (every column) and CSV (one row per entry)."""

import json

from sources.activity.models import ActivityEvent
from sources.export import CsvLines, iso, plain, rows

FIELDS = ("at", "micros", "zone_known", "utc_offset_minutes", "zone", "service", "action", "title", "subject", "url",
          "host", "channel", "channel_url", "description", "details", "products", "location_name", "location_url",
          "location_source", "lat_e7", "lng_e7", "language", "removed", "item_key", "product", "import_run_id")
CSV_COLUMNS = ("time", "zone_known", "zone", "service", "action", "title", "url", "channel", "location_name", "lat",
               "lng", "details", "removed", "product", "import_run_id")


def events(window):
    return rows(ActivityEvent, FIELDS, "at", window)


def _time(row) -> str:
    """The instant with its microseconds where the file had them."""
    at = row["at"]
    return iso(at.replace(microsecond=row["micros"]) if row["micros"] is not None else at)


def ndjson(window, counts):
    for row in events(window):
        counts["activity_event"] += 1
        line = {"kind": "activity_event", **plain(row), "at": _time(row)}
        yield json.dumps(line, separators=(",", ":"), ensure_ascii=False) + "\n"


def csv(window, counts):
    out = CsvLines()
    yield out.line(CSV_COLUMNS)
    for row in events(window):
        counts["activity_event"] += 1
        lat = None if row["lat_e7"] is None else row["lat_e7"] / 1e7
        lng = None if row["lng_e7"] is None else row["lng_e7"] / 1e7
        yield out.line((_time(row), row["zone_known"], row["zone"], row["service"], row["action"], row["title"],
                        row["url"], row["channel"], row["location_name"], lat, lng, "; ".join(row["details"]),
                        row["removed"], row["product"], row["import_run_id"]))


WRITERS = {"ndjson": ndjson, "csv": csv}

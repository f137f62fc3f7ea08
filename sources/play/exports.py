"""How Google Play exports: NDJSON and CSV writers over timeseries.play_event."""

import json

from sources.export import CsvLines, iso, plain, rows
from sources.play.models import PlayEvent

FIELDS = ("at", "kind", "item_key", "title", "document_type", "device", "price", "extra", "product", "import_run_id")
CSV_COLUMNS = ("at", "event_kind", "title", "document_type", "device", "price", "extra", "product", "import_run_id")


def events(window):
    return rows(PlayEvent, FIELDS, "at", window)


def ndjson(window, counts):
    for row in events(window):
        counts["play_event"] += 1
        # "kind" names the line's table, as in every source's NDJSON; the row's own kind is event_kind.
        row = plain(row)
        row["event_kind"] = row.pop("kind")
        row["item_key"] = str(row["item_key"])
        yield json.dumps({"kind": "play_event", **row}, separators=(",", ":"), ensure_ascii=False) + "\n"


def csv_rows(window, counts):
    line = CsvLines().line
    for number, row in enumerate(events(window)):
        # The header comes with the first row: CSV writers are chained until the
        # export page offers one file per family (see sources/places/exports.py).
        if number == 0:
            yield line(CSV_COLUMNS)
        counts["play_event"] += 1
        extra = json.dumps(row["extra"], ensure_ascii=False, sort_keys=True) if row["extra"] else ""
        yield line([iso(row["at"]), row["kind"], row["title"], row["document_type"], row["device"], row["price"],
                    extra, row["product"], row["import_run_id"]])


WRITERS = {"ndjson": ndjson, "csv": csv_rows}

"""How saved places export: NDJSON and CSV writers over user_data.saved_place.

Each writer takes the time window (on the save time: a window leaves out
places that state none) and the counts dict, and yields text chunks.
"""

import json

from sources.export import CsvLines, deg, iso, plain, rows
from sources.places.models import SavedPlace

FIELDS = ("kind", "list_name", "place_key", "title", "address", "note", "url", "lat_e7", "lng_e7", "country_code",
          "saved_at", "product", "import_run_id")
CSV_COLUMNS = ("place_kind", "list_name", "title", "address", "note", "url", "lat", "lng", "country_code",
               "saved_at", "product", "import_run_id")


def places(window):
    return rows(SavedPlace, FIELDS, "saved_at", window)


def ndjson(window, counts):
    for row in places(window):
        counts["saved_place"] += 1
        # "kind" names the line's table, as in every source's NDJSON; the row's own kind is place_kind.
        row = plain(row)
        row["place_kind"] = row.pop("kind")
        row["place_key"] = str(row["place_key"])
        yield json.dumps({"kind": "saved_place", **row}, separators=(",", ":"), ensure_ascii=False) + "\n"


def csv_rows(window, counts):
    line = CsvLines().line
    for number, row in enumerate(places(window)):
        # The header comes with the first row: until the export page offers one
        # file per family, CSV writers are chained, and a family with nothing
        # to export must add nothing to another family's file.
        if number == 0:
            yield line(CSV_COLUMNS)
        counts["saved_place"] += 1
        yield line([row["kind"], row["list_name"], row["title"], row["address"], row["note"], row["url"],
                    deg(row["lat_e7"]), deg(row["lng_e7"]), row["country_code"], iso(row["saved_at"]),
                    row["product"], row["import_run_id"]])


WRITERS = {"ndjson": ndjson, "csv": csv_rows}

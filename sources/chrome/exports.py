"""How Chrome exports: NDJSON and CSV writers over its visits and bookmarks.

Each writer takes the time window and a dict of counts (one per table, which
it increments) and yields text chunks; explore/exports.py streams them.
Bookmarks are placed in the window by their ADD_DATE: with a window, those
without one are left out; an export of everything includes them.
"""

import json

from sources.chrome.models import Bookmark, BrowserVisit
from sources.export import CsvLines, iso, plain, rows

VISIT_FIELDS = ("visited_at", "url", "host", "title", "page_transition", "page_transition_qualifier", "client_id",
                "product", "import_run_id")
BOOKMARK_FIELDS = ("added_at", "url", "title", "folder", "product", "import_run_id")
CSV_COLUMNS = ("kind", "at", "url", "title", "host", "page_transition", "folder", "product", "import_run_id")


def visits(window):
    return rows(BrowserVisit, VISIT_FIELDS, "visited_at", window)


def bookmarks(window):
    return rows(Bookmark, BOOKMARK_FIELDS, "added_at", window)


def ndjson(window, counts):
    for kind, table in (("browser_visit", visits(window)), ("bookmark", bookmarks(window))):
        for row in table:
            counts[kind] += 1
            yield json.dumps({"kind": kind, **plain(row)}, separators=(",", ":"), ensure_ascii=False) + "\n"


def csv_rows(window, counts):
    # CsvLines neutralizes cells that a spreadsheet would run as formulas:
    # page titles are text any web site chooses.
    line = CsvLines().line
    yield line(CSV_COLUMNS)
    for row in visits(window):
        counts["browser_visit"] += 1
        yield line(["browser_visit", iso(row["visited_at"]), row["url"], row["title"], row["host"],
                    row["page_transition"], "", row["product"], row["import_run_id"]])
    for row in bookmarks(window):
        counts["bookmark"] += 1
        yield line(["bookmark", iso(row["added_at"]), row["url"], row["title"], "", "", row["folder"],
                    row["product"], row["import_run_id"]])


# format name (explore.exports.FORMATS) -> writer(window, counts)
WRITERS = {"ndjson": ndjson, "csv": csv_rows}

"""How YouTube exports: NDJSON and CSV writers over its two tables.

Each writer takes the time window and a dict of counts (one per table, which
it increments) and yields text chunks; explore/exports.py streams them. A
window bounds items by `added_at`, so undated items (subscriptions) come only
with an export of everything.
"""

import json

from sources.export import CsvLines, iso, plain, rows
from sources.youtube.models import YoutubeComment, YoutubeItem

COMMENT_FIELDS = ("created_at", "comment_id", "kind", "channel_id", "video_id", "post_id", "parent_id", "price",
                  "text", "product", "import_run_id")
ITEM_FIELDS = ("added_at", "kind", "item_id", "title", "url", "extra", "product", "import_run_id")
CSV_COLUMNS = ("table", "kind", "at", "id", "channel_id", "video_id", "post_id", "parent_id", "price", "text",
               "url", "extra", "product", "import_run_id")


def comments(window):
    return rows(YoutubeComment, COMMENT_FIELDS, "created_at", window)


def items(window):
    return rows(YoutubeItem, ITEM_FIELDS, "added_at", window)


def ndjson(window, counts):
    for name, table in (("youtube_comment", comments(window)), ("youtube_item", items(window))):
        for row in table:
            counts[name] += 1
            # "kind" names the table in every source's NDJSON; the row's own kind becomes "type".
            fields = plain(row)
            fields["type"] = fields.pop("kind")
            yield json.dumps({"kind": name, **fields}, separators=(",", ":"), ensure_ascii=False) + "\n"


def csv_rows(window, counts):
    """One CSV of both tables; nothing at all (not even the header) when there is nothing to send.

    Until the export page asks which family a CSV is of, every source's CSV is
    chained into one file: a source with no rows must not put a second header
    into another's file.
    """
    # CsvLines neutralizes cells a spreadsheet would run as formulas: comment
    # text and titles are anyone's words and are stored as written.
    line = CsvLines().line
    header = line(CSV_COLUMNS)
    for row in comments(window):
        counts["youtube_comment"] += 1
        yield header + line(["youtube_comment", row["kind"], iso(row["created_at"]), row["comment_id"],
                             row["channel_id"], row["video_id"], row["post_id"], row["parent_id"], row["price"],
                             row["text"], "", "", row["product"], row["import_run_id"]])
        header = ""
    for row in items(window):
        counts["youtube_item"] += 1
        extra = json.dumps(row["extra"], separators=(",", ":"), ensure_ascii=False) if row["extra"] else ""
        yield header + line(["youtube_item", row["kind"], iso(row["added_at"]), row["item_id"], "", "", "", "", "",
                             row["title"], row["url"], extra, row["product"], row["import_run_id"]])
        header = ""


# format name (explore.exports.FORMATS) -> writer(window, counts)
WRITERS = {"ndjson": ndjson, "csv": csv_rows}

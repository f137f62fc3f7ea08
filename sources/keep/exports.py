"""How Keep exports: NDJSON and CSV writers over user_data.keep_note.

A window bounds notes by their edit time, so undated notes come only with an
export of everything.
"""

import json

from sources.export import CsvLines, iso, plain, rows
from sources.keep.models import KeepNote

FIELDS = ("note_key", "file_stem", "title", "text", "checklist", "labels", "color", "is_pinned", "is_archived",
          "is_trashed", "created_at", "edited_at", "annotations", "attachments", "undated_reason", "product",
          "import_run_id")
CSV_COLUMNS = ("note_key", "title", "text", "checklist", "labels", "color", "is_pinned", "is_archived", "is_trashed",
               "created_at", "edited_at", "links", "attachments", "undated_reason", "product", "import_run_id")


def notes(window):
    return rows(KeepNote, FIELDS, "edited_at", window)


def ndjson(window, counts):
    for row in notes(window):
        counts["keep_note"] += 1
        fields = plain(row)
        fields["note_key"] = str(fields["note_key"])
        yield json.dumps({"kind": "keep_note", **fields}, separators=(",", ":"), ensure_ascii=False) + "\n"


def _checklist(items) -> str:
    return "\n".join(f"[{'x' if item.get('checked') else ' '}] {item.get('text', '')}"
                     for item in items if isinstance(item, dict))


def csv_rows(window, counts):
    # The header comes with the first row: chained CSVs of several families must not get ours empty.
    line = CsvLines().line
    for number, row in enumerate(notes(window)):
        if number == 0:
            yield line(CSV_COLUMNS)
        counts["keep_note"] += 1
        yield line([str(row["note_key"]), row["title"], row["text"], _checklist(row["checklist"]),
                    "; ".join(map(str, row["labels"])), row["color"], row["is_pinned"], row["is_archived"],
                    row["is_trashed"], iso(row["created_at"]), iso(row["edited_at"]),
                    " ".join(str(link.get("url", "")) for link in row["annotations"] if isinstance(link, dict)),
                    "; ".join(str(item.get("file", "")) for item in row["attachments"] if isinstance(item, dict)),
                    row["undated_reason"], row["product"], row["import_run_id"]])


WRITERS = {"ndjson": ndjson, "csv": csv_rows}

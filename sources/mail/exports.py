"""How Gmail exports: NDJSON and CSV writers over timeseries.mail_message (attachments as listed, no bytes)."""

import json

from sources.export import CsvLines, iso, plain, rows
from sources.mail.models import MailMessage

FIELDS = ("sent_at", "utc_offset_minutes", "message_key", "message_id", "thread_id", "labels", "label_meanings",
          "sender", "sender_address", "recipients", "cc", "subject", "body", "attachments", "size_bytes", "is_chat",
          "clipped", "product", "import_run_id")
CSV_COLUMNS = ("sent_at", "utc_offset_minutes", "message_id", "thread_id", "labels", "sender", "recipients", "cc",
               "subject", "attachments", "size_bytes", "is_chat", "product", "import_run_id")


def messages(window):
    return rows(MailMessage, FIELDS, "sent_at", window)


def ndjson(window, counts):
    for row in messages(window):
        counts["mail_message"] += 1
        row = plain(row)
        row["message_key"] = str(row["message_key"])
        yield json.dumps({"kind": "mail_message", **row}, separators=(",", ":"), ensure_ascii=False) + "\n"


def csv_rows(window, counts):
    line = CsvLines().line
    for number, row in enumerate(messages(window)):
        # The header comes with the first row: CSV writers are chained until the
        # export page offers one file per family (see sources/places/exports.py).
        if number == 0:
            yield line(CSV_COLUMNS)
        counts["mail_message"] += 1
        names = "; ".join(f"{a.get('name') or '(unnamed)'} ({a.get('type')}, {a.get('size')} B)"
                          for a in row["attachments"] or ())
        yield line([iso(row["sent_at"]), row["utc_offset_minutes"], row["message_id"], row["thread_id"],
                    row["labels"], row["sender"], row["recipients"], row["cc"], row["subject"], names,
                    row["size_bytes"], row["is_chat"], row["product"], row["import_run_id"]])


WRITERS = {"ndjson": ndjson, "csv": csv_rows}

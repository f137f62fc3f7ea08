"""How contacts export: NDJSON, CSV, and .vcf that imports back as the same rows.

Contacts have no time: a time window leaves them all out. The .vcf writes each
card as it was imported, without an embedded photo's data (never kept).
"""

import json

from sources.contacts.models import Contact
from sources.export import CsvLines, plain

FIELDS = ("address_book", "card_key", "version", "full_name", "name", "nickname", "emails", "phones", "addresses",
          "birthday", "organization", "title", "groups", "note", "urls", "photo", "product", "import_run_id")
CSV_COLUMNS = ("address_book", "full_name", "emails", "phones", "birthday", "organization", "title", "groups",
               "note", "product", "import_run_id")


def contacts(window):
    if window.start or window.end:
        return
    yield from Contact.objects.order_by("address_book", "card_key").values(*FIELDS).iterator(chunk_size=5000)


def ndjson(window, counts):
    for row in contacts(window):
        _count(counts)
        yield json.dumps({"kind": "contact", **plain(row)}, separators=(",", ":"), ensure_ascii=False) + "\n"


def csv_rows(window, counts):
    line = CsvLines().line
    for number, row in enumerate(contacts(window)):
        if number == 0:
            yield line(CSV_COLUMNS)
        _count(counts)
        yield line([row["address_book"], row["full_name"], "; ".join(e["value"] for e in row["emails"]),
                    "; ".join(p["value"] for p in row["phones"]), row["birthday"], row["organization"], row["title"],
                    ", ".join(row["groups"]), row["note"], row["product"], row["import_run_id"]])


def vcf(window, counts):
    if window.start or window.end:
        return
    for text in Contact.objects.order_by("address_book", "card_key").values_list("vcf", flat=True).iterator(5000):
        _count(counts)
        yield text


def _count(counts) -> None:
    # The export's counts list only datasets with a time; contacts have none, so the key may be missing.
    counts["contact"] = counts.get("contact", 0) + 1


WRITERS = {"ndjson": ndjson, "csv": csv_rows, "vcf": vcf}

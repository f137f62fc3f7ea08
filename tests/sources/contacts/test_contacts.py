"""Contacts end to end: vCard 3 and 4 through the import pipeline, localized file names, photos
kept as metadata only and PHOTO URLs never requested, birthdays on day pages, search, .vcf round trip."""

import base64
import datetime as dt
import http.server
import io
import json
import threading
from collections import Counter

import pytest
from django.urls import reverse

from core.rls import user_scope
from sources.contacts import exports, search, stats, timeline
from sources.contacts.parsers import parse_vcf
from sources.export import Range
from sources.records import Rejection
from tests.imports.conftest import all_rows, count_rows, make_zip

TABLE = "user_data.contact"
BOOK = "Kontakte auf Ger\u00e4t\u00a0\u2013 Samsung"
MEMBER = f"Takeout/Google Kontakte/{BOOK}/{BOOK}.vcf"
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4096  # about 1 MiB


def folded(line: str) -> str:
    return "\r\n ".join(line[i:i + 74] for i in range(0, len(line), 74))


def cards(photo_url: str) -> bytes:
    photo = folded("PHOTO;ENCODING=b;TYPE=JPEG:" + base64.b64encode(JPEG).decode())
    text = "\r\n".join([
        "BEGIN:VCARD", "VERSION:3.0", "FN:Ana L\u00f3pez", "N:L\u00f3pez;Ana;;Dr.;",
        "EMAIL;TYPE=INTERNET;TYPE=HOME:ana@example.org", "item1.EMAIL;TYPE=INTERNET:ana@work.example",
        "TEL;TYPE=CELL:+34 600 000 000", "ADR;TYPE=HOME:;;Calle Mayor 1\\, 2\u00ba;Madrid;;28013;Spain",
        "BDAY:1990-05-17", "ORG:ACME;R&D", "TITLE:Engineer", "CATEGORIES:myContacts,Friends",
        "NOTE:Met at <script>alert(1)</script>\\nsecond line", photo, "END:VCARD",
        "BEGIN:VCARD", "VERSION:4.0", "UID:urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1", "FN:Bo Berg",
        "EMAIL;TYPE=work:mailto:bo@example.org", "TEL;VALUE=uri;TYPE=\"voice,home\":tel:+46-8-123",
        "BDAY:--0229", f"PHOTO:{photo_url}", "CATEGORIES:Family", "END:VCARD",
        "BEGIN:VCARD", "VERSION:3.0", "N:;;;;", "END:VCARD",
        "BEGIN:VCARD", "VERSION:3.0", "FN:Cut", "",
    ])
    return text.encode()


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list = []

    def do_GET(self):  # noqa: N802 - the http.server interface
        self.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"\xff\xd8\xff")

    def log_message(self, *args):
        pass


@pytest.fixture
def photo_server():
    _Recorder.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/photo/bo.jpg", _Recorder.hits
    server.shutdown()
    server.server_close()


def rows_of(user, columns: str) -> list[tuple]:
    return [tuple(json.loads(v) if isinstance(v, str) and v[:1] and v[:1] in "[{" else v for v in row)
            for row in all_rows(user, TABLE, columns)]


def test_cards_import_once_photos_as_metadata_and_no_url_is_requested(import_files, alice, bob, tmp_path,
                                                                     photo_server, client):
    url, hits = photo_server
    run = import_files(make_zip(tmp_path / "takeout-001.zip", {MEMBER: cards(url)}))

    assert run.status == "succeeded"
    assert (run.products["contacts.vcf"]["accepted"], run.products["contacts.vcf"]["rejected"]) == (2, 2)
    assert run.rejections["malformed_record"]["count"] == 1 and run.rejections["truncated_entry"]["count"] == 1
    assert count_rows(alice, TABLE) == 2 and count_rows(bob, TABLE) == 0
    rows = rows_of(alice, "address_book, full_name, version, name, emails, phones, addresses, birthday, "
                   "birthday_month, birthday_day, organization, title, groups, note, photo, vcf")
    ana, bo = sorted(rows, key=lambda r: r[1])
    assert ana[:3] == (BOOK, "Ana L\u00f3pez", "3.0")
    assert ana[3] == {"family": "L\u00f3pez", "given": "Ana", "additional": "", "prefix": "Dr.", "suffix": ""}
    assert ana[4] == [{"value": "ana@example.org", "types": ["home"]}, {"value": "ana@work.example", "types": []}]
    assert ana[5] == [{"value": "+34 600 000 000", "types": ["cell"]}]
    assert ana[6][0]["street"] == "Calle Mayor 1, 2\u00ba" and ana[6][0]["locality"] == "Madrid"
    assert ana[7:14] == ("1990-05-17", 5, 17, "ACME · R&D", "Engineer", ["Friends", "myContacts"],
                         "Met at <script>alert(1)</script>\nsecond line")
    assert ana[14] == {"kind": "embedded", "type": "image/jpeg", "bytes": len(JPEG)}
    assert "PHOTO" not in ana[15] and len(ana[15]) < 2000
    assert bo[7:10] == ("--0229", 2, 29)
    assert bo[4] == [{"value": "bo@example.org", "types": ["work"]}]
    assert bo[5] == [{"value": "+46-8-123", "types": ["home", "voice"]}]
    assert bo[14] == {"kind": "url", "url": url}

    again = import_files(make_zip(tmp_path / "takeout-002.zip", {MEMBER: cards(url)}))
    assert (again.accepted, again.duplicates) == (0, 2)

    # Nothing that shows or exports a contact fetches its photo either.
    with user_scope(alice.pk):
        timeline.day_part(dt.date(2024, 2, 29), None, None)
        list(exports.vcf(Range(), Counter()))
    client.force_login(alice)
    response = client.get(reverse("lake:export_download"), {"format": "vcf", "family": "contacts"})
    assert b"".join(response.streaming_content).count(b"BEGIN:VCARD") == 2
    assert hits == []


def test_birthdays_search_exports_and_the_vcf_imports_as_the_same_rows(import_files, alice, bob, tmp_path, client):
    import_files(make_zip(tmp_path / "takeout-001.zip", {MEMBER: cards("https://example.org/bo.jpg")}))
    with user_scope(alice.pk):
        birthdays = timeline.day_part(dt.date(2031, 5, 17), None, None).entries
        leap = timeline.day_part(dt.date(2028, 2, 29), None, None).entries
        neighbours = (timeline.neighbour_day(after=dt.date(2024, 3, 1)),
                      timeline.neighbour_day(before=dt.date(2024, 3, 1)))
        by_name = search.search("ana")
        by_mail = search.search("bo@example.org")
        by_group = search.search("family")
        windowed = search.search("ana", start=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
        counts = Counter()
        lines = [json.loads(line) for line in exports.ndjson(Range(), counts)]
        csv_text = "".join(exports.csv_rows(Range(), counts))
        tables = stats.stats("month")
    with user_scope(bob.pk):
        assert search.search("ana") == [] and list(exports.vcf(Range(), Counter())) == []

    assert [(e["title"], e["label"], e["source"], e["start"], e["detail"]) for e in birthdays] == [
        ("Ana L\u00f3pez", "Birthday", "contacts", dt.datetime(2031, 5, 17), f"born 1990 · {BOOK}")]
    assert [e["title"] for e in leap] == ["Bo Berg"]
    assert neighbours == (dt.date(2024, 5, 17), dt.date(2024, 2, 29))
    assert [r["title"] for r in by_name] == ["Ana L\u00f3pez"] and by_name[0]["day"] is None
    assert [r["title"] for r in by_mail] == ["Bo Berg"] and [r["title"] for r in by_group] == ["Bo Berg"]
    assert windowed == []
    assert len(lines) == 2 and counts["contact"] == 4 and csv_text.startswith("address_book,full_name")
    assert [t.title for t in tables] == ["Contacts per address book", "Contacts per group"]
    assert tables[0].rows == [(BOOK, 2)]

    client.force_login(alice)
    response = client.get(reverse("lake:export_download"), {"format": "vcf", "family": "contacts"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/vcard")
    body = b"".join(response.streaming_content)
    assert body.count(b"BEGIN:VCARD") == 2
    run = import_files(make_zip(tmp_path / "export.zip", {f"{BOOK}.vcf": body}), user=bob)
    assert run.products["contacts.vcf"]["accepted"] == 2
    columns = "address_book, card_key, full_name, name, emails, phones, addresses, birthday, organization, groups, note"
    assert rows_of(bob, columns) == rows_of(alice, columns)


def test_bad_cards_are_refused_one_by_one_and_a_non_vcard_file_as_a_whole():
    long_note = "NOTE:" + "x" * 70_000
    data = "\r\n".join(["BEGIN:VCARD", "FN:Long", long_note, "END:VCARD",
                        "BEGIN:VCARD", "FN:\u00e9", "END:VCARD",
                        "BEGIN:VCARD", "no colon here", "END:VCARD",
                        "BEGIN:VCARD", "FN:Fine \x00 name", "END:VCARD", ""]).encode()
    data = data.replace("FN:\u00e9".encode(), b"FN:\xff\xfe")
    items = list(parse_vcf(io.BytesIO(data)))
    assert [item.reason if isinstance(item, Rejection) else item.full_name for item in items] == [
        "malformed_record", "malformed_record", "malformed_record", "Fine  name"]
    assert list(parse_vcf(io.BytesIO(b"BEGIN:VCALENDAR\r\n")))[0].reason == "bad_vcf"

"""Gmail end to end: an mbox in a Takeout zip through the import pipeline into the monthly
partitions, then the day page, search, exports and stats read back under the user's scope."""

import csv
import datetime as dt
import json
from collections import Counter

from core.rls import user_scope
from sources.export import Range
from sources.localtime import utc_window
from sources.mail import exports, search, stats, timeline
from sources.registry import detect
from tests.imports.conftest import all_rows, count_rows, default_partition_rows, make_zip
from tests.sources.mail import fixtures as f

TABLE = "timeseries.mail_message"
MBOX = "Takeout/Mail/All mail Including Spam and Trash.mbox"
MESSAGES = (f.PLAIN_ALTERNATIVE, f.RAW_UTF8, f.HTML_ONLY, f.CHAT_1, f.CHAT_2, f.with_attachment(20_000))


def test_an_mbox_imports_every_message_once(import_files, alice, bob, tmp_path):
    run = import_files(make_zip(tmp_path / "takeout-001.zip", {MBOX: f.mbox(*MESSAGES)}))

    assert run.status == "succeeded"
    assert count_rows(alice, TABLE) == 6 and count_rows(bob, TABLE) == 0
    assert default_partition_rows(TABLE) == 0
    assert {name: (entry["accepted"], entry["rejected"]) for name, entry in run.products.items()} == {
        "mail.mbox": (6, 0)}
    rows = all_rows(alice, TABLE, "sent_at, subject, sender_address, utc_offset_minutes, is_chat, product")
    assert rows[0] == (dt.datetime(2023, 10, 14, 17, 18, 56, tzinfo=dt.UTC), "Café à midi demain",
                       "renee@example.org", 120, False, "mail.mbox")
    assert rows[-1][:3] == (dt.datetime(2023, 10, 18, 8, tzinfo=dt.UTC), "The annual report", "carol@example.org")
    assert [row[4] for row in rows].count(True) == 2
    [attached] = all_rows(alice, TABLE, "attachments::text, label_meanings::text, labels, thread_id "
                          f"FROM {TABLE} WHERE message_id = 'big@example.org' --")
    assert (json.loads(attached[0]), json.loads(attached[1]), *attached[2:]) == (
        [{"name": "rapport annuel.pdf", "type": "application/pdf", "size": 20_000},
         {"name": "after.png", "type": "image/png", "size": 8}], ["inbox", "opened"], "Inbox,Opened",
        "1780133326917537413")
    assert run.products["mail.mbox"]["first"].startswith("2023-10-14")

    again = import_files(make_zip(tmp_path / "takeout-002.zip", {MBOX: f.mbox(*MESSAGES)}))

    assert (again.accepted, again.duplicates) == (0, 6)
    assert count_rows(alice, TABLE) == 6


def test_a_truncated_last_message_is_refused_and_the_rest_kept(import_files, alice, tmp_path):
    cut = f.mbox(f.RAW_UTF8, f.CHAT_1, f.PLAIN_ALTERNATIVE[:-300])
    run = import_files(make_zip(tmp_path / "takeout-001.zip", {MBOX: cut}))

    assert run.status == "succeeded"
    assert [row[1] for row in all_rows(alice, TABLE, "sent_at, subject, message_id")] == [
        "Grüße aus Köln — ça va ?", ""]
    assert run.products["mail.mbox"]["accepted"] == 2 and run.products["mail.mbox"]["rejected"] == 1
    assert run.rejections["truncated_message"]["count"] == 1
    assert "ends inside the last message" in run.rejections["truncated_message"]["samples"][0]["detail"]


def test_the_mbox_is_detected_by_content_under_any_name():
    head = f.mbox(*MESSAGES)[:65536]
    assert detect("Takeout/Courrier/Tous les messages, y compris ceux du dossier Spam et de la corbeille.mbox",
                  head) == "mail.mbox"
    assert detect("Takeout/Mail/renamed.txt", head) == "mail.mbox"


def test_the_day_page_search_exports_and_stats_read_them_back(import_files, alice, bob, tmp_path):
    import_files(make_zip(tmp_path / "takeout-001.zip", {MBOX: f.mbox(*MESSAGES)}))
    day = dt.date(2023, 10, 17)

    with user_scope(alice.pk):
        part = timeline.day_part(day, *utc_window(day))
        by_subject = search.search("café")
        by_body = search.search("livraison")
        by_sender = search.search("carol@example.org")
        products = search.search_products()
        counts = Counter()
        ndjson = [json.loads(line) for line in exports.ndjson(Range(), counts)]
        csv_lines = "".join(exports.csv_rows(Range(), counts)).splitlines()
        tables = stats.stats("month")
        neighbours = (timeline.neighbour_day(before=day), timeline.neighbour_day(after=day),
                      timeline.neighbour_day(before=dt.date(2023, 10, 14)))
    with user_scope(bob.pk):
        bobs = (timeline.day_part(day, *utc_window(day)).entries, search.search("café"), stats.stats("month"))

    # Chats are on the day in their own offset (21:00 at UTC+02:00), titled by their text.
    assert [(e["kind"], e["start"], e["tz"], e["source"], e["label"], e["title"], e["url"]) for e in part.entries] == [
        ("event", dt.datetime(2023, 10, 17, 21, 0, 1), "UTC+02:00", "mail", "Chat", "Salut, tu es là ?", ""),
        ("event", dt.datetime(2023, 10, 17, 21, 0, 30), "UTC+02:00", "mail", "Chat", "Oui, j'arrive", "")]
    assert part.entries[0]["detail"] == "Bob <bob@example.org>"
    assert [(r["kind"], r["title"], r["day"], r["product"], r["url"]) for r in by_subject] == [
        ("Mail", "Café à midi demain", dt.date(2023, 10, 14), "mail.mbox", "")]
    assert [r["title"] for r in by_body] == ["Soldes"]
    assert [(r["title"], r["detail"]) for r in by_sender] == [
        ("The annual report", "Carol <carol@example.org> · → alice@example.org · 2 attachments")]
    assert products == ["mail.mbox"]
    assert counts == {"mail_message": 12}
    assert {line["kind"] for line in ndjson} == {"mail_message"} and len(ndjson) == 6
    assert ndjson[0]["subject"] == "Café à midi demain" and ndjson[0]["label_meanings"] == [
        "inbox", "opened", "category_updates"]
    assert csv_lines[0] == ("sent_at,utc_offset_minutes,message_id,thread_id,labels,sender,recipients,cc,subject,"
                            "attachments,size_bytes,is_chat,product,import_run_id")
    attached = [row for row in csv.reader(csv_lines[1:]) if row[8] == "The annual report"]
    assert attached[0][9] == "rapport annuel.pdf (application/pdf, 20000 B); after.png (image/png, 8 B)"
    per_month, senders = tables
    assert per_month.rows == [(dt.date(2023, 10, 1), 4)]
    assert senders.rows[0] == ("carol@example.org", 1) and len(senders.rows) == 4
    assert neighbours == (dt.date(2023, 10, 16), dt.date(2023, 10, 18), None)
    assert bobs == ([], [], [])


def test_the_export_download_streams_mail_as_csv_and_ndjson(import_files, alice, bob, tmp_path):
    from explore.exports import stream

    import_files(make_zip(tmp_path / "takeout-001.zip", {MBOX: f.mbox(*MESSAGES)}))

    def download(user, fmt, family=""):
        body = stream(user, fmt, Range(), family=family)
        assert next(body) is True
        return b"".join(body).decode()

    lines = download(alice, "csv", "mail").splitlines()
    mail_lines = [json.loads(line) for line in download(alice, "ndjson").splitlines()
                  if json.loads(line)["kind"] == "mail_message"]

    assert lines[0].startswith("sent_at,utc_offset_minutes,message_id") and len(lines) == 7
    assert len(mail_lines) == len({line["message_key"] for line in mail_lines}) == 6
    assert download(bob, "csv", "mail") == ""

"""Keep end to end: a Takeout zip through the import pipeline, then day, search and exports."""

import datetime as dt
import json
from collections import Counter

from core.rls import user_scope
from sources.export import Range
from sources.keep import exports, search, timeline
from sources.localtime import utc_window
from tests.imports.conftest import all_rows, count_rows, make_zip
from tests.sources.keep.fixtures import OLD, SHOPPING, TRASHED, note, page

TABLE = "user_data.keep_note"
K = "Takeout/Keep"
MEMBERS = {
    f"{K}/Einkauf.json": note(SHOPPING),
    # Takeout writes each note twice: its page is the same note, not a second one.
    f"{K}/Einkauf.html": page("Sep 13, 2020, 12:26:40 PM", title="Einkauf"),
    f"{K}/Zahnarzt.json": note(OLD),
    f"{K}/Alt.json": note(TRASHED),
    f"{K}/Packliste.html": page("04.03.2019, 10:20:30"),
    f"{K}/Chinesisch.html": page("2019年3月4日 10:20:30", title="Chinesisch"),
    f"{K}/Kaputt.json": note(SHOPPING)[:-30],
    f"{K}/Falsch.json": note({**SHOPPING, "isPinned": "yes"}),
    f"{K}/Labels.txt": b"Haushalt\nUrlaub\n",
}


def test_an_export_imports_each_note_once_and_rejects_broken_files_one_by_one(import_files, alice, bob, tmp_path):
    run = import_files(make_zip(tmp_path / "takeout-001.zip", MEMBERS))

    # One member kept nothing (the cut JSON): the run says so.
    assert run.status == "partial"
    assert count_rows(alice, TABLE) == 5
    assert count_rows(bob, TABLE) == 0
    assert {name: (e["accepted"], e["rejected"], e["duplicates"]) for name, e in run.products.items()
            if name.startswith("keep.")} == {"keep.note": (3, 1, 0), "keep.note_html": (2, 0, 1)}
    assert run.rejections["malformed_record"]["count"] == 1
    with user_scope(alice.pk):
        broken = run.members.get(name__endswith="Kaputt.json")
    assert broken.status == "failed" and "valid JSON" in broken.error
    rows = all_rows(alice, TABLE, "file_stem, product, title, edited_at, created_at, undated_reason, labels")
    assert [row[:2] for row in rows] == [("Alt", "keep.note"), ("Chinesisch", "keep.note_html"),
                                         ("Einkauf", "keep.note"), ("Packliste", "keep.note_html"),
                                         ("Zahnarzt", "keep.note")]
    chinese, shopping, packing = rows[1], rows[2], rows[3]
    assert chinese[3] is None and "does not read" in chinese[5]
    assert shopping[3:5] == (dt.datetime(2020, 9, 13, 12, 26, 40, 123456, tzinfo=dt.UTC),
                             dt.datetime(2020, 9, 1, 22, 40, tzinfo=dt.UTC))
    assert json.loads(shopping[6]) == ["Haushalt"]
    assert packing[3] == dt.datetime(2019, 3, 4, 10, 20, 30, tzinfo=dt.UTC)

    again = import_files(make_zip(tmp_path / "takeout-002.zip", MEMBERS))

    assert again.accepted == 0 and again.duplicates == 6
    assert count_rows(alice, TABLE) == 5


def test_day_search_and_exports_read_the_notes_back(import_files, alice, bob, tmp_path):
    import_files(make_zip(tmp_path / "takeout-001.zip", MEMBERS))
    edited, created = dt.date(2020, 9, 13), dt.date(2020, 9, 1)

    with user_scope(alice.pk):
        on_edit = timeline.day_part(edited, *utc_window(edited)).entries
        on_create = timeline.day_part(created, *utc_window(created)).entries
        by_label = search.search("haushalt")
        by_item = search.search("kocher")
        by_text = search.search("zahnarzt")
        products = search.search_products()
        counts = Counter()
        lines = [json.loads(line) for line in exports.ndjson(Range(), counts)]
        csv_text = "".join(exports.csv_rows(Range(), counts))
        neighbours = (timeline.neighbour_day(before=edited), timeline.neighbour_day(after=created))
    with user_scope(bob.pk):
        bobs = (search.search("haushalt"), timeline.day_part(edited, *utc_window(edited)).entries)

    assert [(e["kind"], e["start"], e["source"], e["label"], e["title"], e["url"]) for e in on_edit] == [
        ("event", dt.datetime(2020, 9, 13, 12, 26, 40, 123456), "keep", "Keep note edited", "Einkauf",
         "https://example.org/laden")]
    assert on_edit[0]["detail"] == "1/2 checked · Haushalt · Pinned"
    assert [e["label"] for e in on_create] == ["Keep note created"]
    assert [(r["kind"], r["title"], r["day"], r["product"]) for r in by_label] == [
        ("Keep note", "Einkauf", edited, "keep.note")]
    assert sorted(r["title"] for r in by_item) == ["Chinesisch", "Packliste"]
    # The undated note is found too, without a day.
    assert {r["title"]: r["day"] for r in by_item}["Chinesisch"] is None
    assert [r["title"] for r in by_text] == ["Zahnarzt anrufen <script>alert(1)</script>"]
    assert products == ["keep.note", "keep.note_html"]
    assert counts == {"keep_note": 10}
    assert Counter(line["kind"] for line in lines) == {"keep_note": 5}
    assert {line["file_stem"]: line["is_trashed"] for line in lines}["Alt"] is True
    assert csv_text.splitlines()[0].startswith("note_key,title,text,checklist")
    assert "[x] Milch" in csv_text
    assert neighbours == (created, edited)
    assert bobs == ([], [])

"""Keep's parsers on note files of ours: every documented variant, broken and hostile files."""

import datetime as dt
import io
import json

import pytest

from sources.keep.parsers import MAX_NOTE_HTML, NOTE_TOO_LARGE, parse_note_html, parse_note_json
from sources.keep.records import KeepNote
from sources.records import Rejection
from tests.sources.keep.fixtures import OLD, SHOPPING, TRASHED, note, page

UTC = dt.UTC


class Named(io.BytesIO):
    def __init__(self, data: bytes, name: str):
        super().__init__(data)
        self.name = name


def one(parser, data: bytes, name: str = "Takeout/Keep/Einkauf.json"):
    items = list(parser(Named(data, name)))
    assert len(items) == 1
    return items[0]


def test_a_checklist_note_keeps_its_items_labels_flags_times_and_links():
    found = one(parse_note_json, note(SHOPPING))

    assert isinstance(found, KeepNote)
    assert (found.title, found.text, found.color) == ("Einkauf", None, "YELLOW")
    assert found.checklist == [{"text": "Milch", "checked": True}, {"text": "Eier", "checked": False}]
    assert found.labels == ["Haushalt"]
    assert (found.is_pinned, found.is_archived, found.is_trashed) == (True, False, False)
    assert found.created_at == dt.datetime(2020, 9, 1, 22, 40, tzinfo=UTC)
    assert found.edited_at == dt.datetime(2020, 9, 13, 12, 26, 40, 123456, tzinfo=UTC)
    assert found.annotations == [{"url": "https://example.org/laden", "title": "Laden", "description": "Shop",
                                  "source": "WEBLINK"}]
    assert (found.file_stem, found.undated_reason) == ("Einkauf", None)


def test_an_older_note_without_a_creation_time_keeps_its_edit_time_and_attachments():
    found = one(parse_note_json, note(OLD), "Takeout/Keep/Zahnarzt.json")

    assert found.created_at is None
    assert found.edited_at == dt.datetime(2015, 12, 13, 9, 46, 40, tzinfo=UTC)
    # Stored as written: a <script> in a note is text.
    assert found.text == "Zahnarzt anrufen <script>alert(1)</script>"
    assert found.attachments == [{"file": "1a2b.jpg", "mimetype": "image/jpeg"}]
    assert found.is_archived and found.title is None


def test_a_trashed_note_with_its_time_as_a_string():
    found = one(parse_note_json, note(TRASHED))

    assert found.is_trashed
    assert found.edited_at == dt.datetime(2017, 7, 14, 2, 40, tzinfo=UTC)


def test_a_note_with_no_time_at_all_is_kept_undated_with_the_reason():
    found = one(parse_note_json, note({"title": "Ohne Zeit", "textContent": "x", "isTrashed": False}))

    assert (found.created_at, found.edited_at) == (None, None)
    assert found.undated_reason == "The note states no time."


def test_the_json_and_html_files_of_one_note_share_its_key_and_names_alone_tell_notes_apart():
    from_json = one(parse_note_json, note(SHOPPING), "Takeout/Keep/Packliste.json")
    from_html = one(parse_note_html, page("Mar 4, 2019, 10:20:30 AM"), "Takeout/Keep/Packliste.html")
    other = one(parse_note_json, note(SHOPPING), "Takeout/Keep/Packliste(1).json")

    assert from_json.note_key == from_html.note_key
    assert other.note_key != from_json.note_key
    # Without a name: the creation time and title, stable across reads.
    bare = [next(parse_note_json(io.BytesIO(note(SHOPPING)))) for _ in range(2)]
    assert bare[0].note_key == bare[1].note_key != from_json.note_key


@pytest.mark.parametrize(("heading", "expected"), [
    ("Mar 4, 2019, 10:20:30 AM", dt.datetime(2019, 3, 4, 10, 20, 30, tzinfo=UTC)),
    ("4 Mar 2019, 22:20:30", dt.datetime(2019, 3, 4, 22, 20, 30, tzinfo=UTC)),
    ("04.03.2019, 10:20:30", dt.datetime(2019, 3, 4, 10, 20, 30, tzinfo=UTC)),
    ("4 mars 2019 à 10:20:30", dt.datetime(2019, 3, 4, 10, 20, 30, tzinfo=UTC)),
])
def test_a_note_page_reads_its_date_in_the_accounts_language(heading, expected):
    found = one(parse_note_html, page(heading), "Takeout/Keep/Packliste.html")

    assert found.edited_at == expected and found.undated_reason is None
    assert (found.title, found.text) == ("Packliste", "Zelt\nSchlafsack & Matte")
    assert found.checklist == [{"text": "Kocher", "checked": True}, {"text": "Gas", "checked": False}]
    assert found.labels == ["Urlaub"]
    assert found.annotations == [{"url": "https://example.org/camp", "title": "Camp", "description": "",
                                  "source": "WEBLINK"}]
    assert (found.color, found.is_archived, found.is_pinned, found.created_at) == ("BLUE", True, False, None)


@pytest.mark.parametrize("heading", ["2019年3月4日 10:20:30", "31.02.2019, 10:20:30", ""])
def test_a_date_the_lake_cannot_read_leaves_the_note_undated_with_the_reason(heading):
    found = one(parse_note_html, page(heading), "Takeout/Keep/Packliste.html")

    assert isinstance(found, KeepNote)
    assert found.edited_at is None
    assert found.undated_reason and (heading[:10] in found.undated_reason or "no time" in found.undated_reason)


@pytest.mark.parametrize(("data", "reason"), [
    (note(SHOPPING)[:-20], "bad_json"),
    (b"", "bad_json"),
    (b"[1, 2]", "malformed_record"),
    (json.dumps({"foo": 1}).encode(), "malformed_record"),
    (note({**SHOPPING, "isPinned": "yes"}), "malformed_record"),
    (note({**SHOPPING, "listContent": {"text": "x"}}), "malformed_record"),
    (note({**SHOPPING, "labels": ["Haushalt"]}), "malformed_record"),
    # Seconds where microseconds belong: refused, not rescaled.
    (note({**SHOPPING, "userEditedTimestampUsec": 1_600_000_000}), "timestamp_wrong_unit"),
    (note({**SHOPPING, "createdTimestampUsec": "soon"}), "timestamp_malformed"),
    (b'{"title": "x", "textContent": ' + b"[" * 200 + b"]" * 200 + b"}", "bad_json"),
    (b'{"title": "x", "textContent": 1' + b"0" * 5000 + b"}", "bad_json"),
])
def test_a_broken_or_invalid_note_file_is_one_rejection_with_a_reason(data, reason):
    found = one(parse_note_json, data)

    assert isinstance(found, Rejection) and found.reason == reason and found.detail


def test_hostile_text_is_bounded_and_cleaned():
    found = one(parse_note_json, note({**OLD, "title": "a\x00b" + "x" * 5000, "textContent": "y" * 200_000}))

    assert found.title.startswith("abx") and len(found.title) == 2000
    assert len(found.text) == 100_000


@pytest.mark.parametrize(("data", "reason"), [
    (page("Mar 4, 2019, 10:20:30 AM")[:600], "bad_html"),
    (b"<html><body><p>Not a note</p></body></html>", "bad_html"),
    (b"<html><body><div class='note DEFAULT'>" + b"x" * (MAX_NOTE_HTML + 10), NOTE_TOO_LARGE),
])
def test_a_cut_or_foreign_or_oversized_page_is_refused(data, reason):
    found = one(parse_note_html, data, "Takeout/Keep/x.html")

    assert isinstance(found, Rejection) and found.reason == reason

"""The Chrome parsers against hand-written fixtures and the bad inputs of SAFETY.md."""

import hashlib
import io
import json
from datetime import UTC, datetime
from uuid import UUID

import pytest

from sources.chrome.parsers import (
    MAX_PENDING_HTML,
    MISSING_URL,
    host_of,
    parse_bookmarks,
    parse_history,
    url_key,
)
from sources.chrome.records import Bookmark, BrowserVisit
from sources.records import Rejection
from sources.sanitize import (
    BAD_HTML,
    BAD_JSON,
    MALFORMED_RECORD,
    MAX_TOKEN_BYTES,
    MISSING_TIMESTAMP,
    TIMESTAMP_IMPLAUSIBLE,
    TIMESTAMP_MALFORMED,
    UNSUPPORTED_SECTION,
)


def parse(parser, data: bytes | str) -> list:
    if isinstance(data, str):
        data = data.encode()
    return list(parser(io.BytesIO(data)))


def visit(usec, url="https://www.example.org/a", **extra) -> dict:
    return {"favicon_url": "https://www.example.org/favicon.ico", "page_transition": "LINK", "title": "Example",
            "url": url, "client_id": "aBcD1234==", "time_usec": usec, **extra}


def history(*visits, **other) -> bytes:
    return json.dumps({"Browser History": list(visits), **other}).encode()


# 2024-03-01T10:00:00.123456Z and 2024-03-31T23:59:59.000001Z
FIRST_USEC = 1709287200123456
LAST_USEC = 1711929599000001


# --- History.json -------------------------------------------------------------------


def test_history_visits_in_file_order_with_exact_instants():
    data = history(
        visit(FIRST_USEC),
        visit(str(FIRST_USEC + 60_000_000), url="https://News.Example.COM/item?id=1", title="News",
              page_transition="typed"),
        visit(LAST_USEC, url="http://localhost:8000/x", page_transition="RELOAD",
              page_transition_qualifier="CLIENT_REDIRECT"),
    )
    items = parse(parse_history, data)
    assert [type(i) for i in items] == [BrowserVisit] * 3
    first, second, last = items
    assert first.visited_at == datetime(2024, 3, 1, 10, 0, 0, 123456, tzinfo=UTC)
    assert last.visited_at == datetime(2024, 3, 31, 23, 59, 59, 1, tzinfo=UTC)
    assert first.url == "https://www.example.org/a"
    assert first.host == "example.org"
    assert first.url_key == UUID(hashlib.md5(b"https://www.example.org/a", usedforsecurity=False).hexdigest())
    assert (first.title, first.page_transition, first.client_id) == ("Example", "LINK", "aBcD1234==")
    # A string time_usec is read as exactly as a number.
    assert second.visited_at == datetime(2024, 3, 1, 10, 1, 0, 123456, tzinfo=UTC)
    assert (second.host, second.page_transition) == ("news.example.com", "TYPED")
    assert (last.page_transition, last.page_transition_qualifier) == ("RELOAD", "CLIENT_REDIRECT")


def test_other_sections_of_newer_exports_are_reported_once_each_not_dropped_silently():
    data = json.dumps({
        "Typed Url": [{"url": "https://typed.example/", "visits": [1]}, {"url": "https://t2.example/"}],
        "Browser History": [visit(FIRST_USEC), visit(LAST_USEC)],
        "Session": {"tabs": [{"url": "https://s.example/"}], "windows": []},
        "Version": 3,
        "Extension": [],
    }).encode()
    items = parse(parse_history, data)
    assert [type(i).__name__ for i in items] == ["Rejection", "BrowserVisit", "BrowserVisit", "Rejection",
                                                 "Rejection", "Rejection"]
    rejections = [i for i in items if isinstance(i, Rejection)]
    assert {r.reason for r in rejections} == {UNSUPPORTED_SECTION}
    assert [r.detail for r in rejections] == [
        'The section "Typed Url" with 2 entries is not imported: only "Browser History" is.',
        'The section "Session" is not imported: only "Browser History" is.',
        'The section "Version" is not imported: only "Browser History" is.',
        'The section "Extension" with 0 entries is not imported: only "Browser History" is.',
    ]
    assert [r.sample for r in rejections] == ["Typed Url", "Session", "Version", "Extension"]


def test_a_history_holding_only_the_visits_yields_no_section_rejection():
    assert all(isinstance(i, BrowserVisit) for i in parse(parse_history, history(visit(FIRST_USEC))))


def test_a_hostile_section_name_is_cleaned_and_bounded():
    data = json.dumps({"Browser History": [visit(FIRST_USEC)], "<b>x</b>\u0000" + "k" * 5000: [1]}).encode()
    rejection = parse(parse_history, data)[-1]
    assert rejection.reason == UNSUPPORTED_SECTION
    assert rejection.sample == "<b>x</b>" + "k" * 192
    assert "\x00" not in rejection.detail and len(rejection.detail) < 300


def test_a_document_cut_inside_another_section_ends_with_bad_json_only():
    data = history(visit(FIRST_USEC), **{"Typed Url": [{"url": "https://typed.example/"}] * 3})
    items = parse(parse_history, data[: data.index(b"typed.example")])
    assert isinstance(items[0], BrowserVisit)
    assert [i.reason for i in items[1:]] == [BAD_JSON]


def test_history_with_bom_and_pretty_printing():
    data = b"\xef\xbb\xbf" + json.dumps({"Browser History": [visit(FIRST_USEC)]}, indent=2).encode()
    assert [i.visited_at.microsecond for i in parse(parse_history, data)] == [123456]


@pytest.mark.parametrize(
    ("usec", "reason"),
    [
        (None, MISSING_TIMESTAMP),
        ("yesterday", TIMESTAMP_MALFORMED),
        ("9" * 5000, TIMESTAMP_MALFORMED),
        (True, TIMESTAMP_MALFORMED),
        ([1], TIMESTAMP_MALFORMED),
        (-5, TIMESTAMP_IMPLAUSIBLE),
        (9_000_000_000_000_000_000, TIMESTAMP_IMPLAUSIBLE),
    ],
)
def test_a_bad_time_usec_rejects_that_visit_only(usec, reason):
    bad = visit(usec)
    if usec is None:
        del bad["time_usec"]
    items = parse(parse_history, history(visit(FIRST_USEC), bad, visit(LAST_USEC)))
    assert [type(i) for i in items] == [BrowserVisit, Rejection, BrowserVisit]
    assert items[1].reason == reason
    assert len(items[1].sample) <= 300


def test_seconds_given_for_microseconds_is_a_wrong_unit_not_a_guess():
    items = parse(parse_history, history(visit(1709287200)))
    assert [i.reason for i in items] == ["timestamp_wrong_unit"]


def test_a_5000_digit_number_ends_the_document_as_bad_json_without_crashing():
    # The C decoder cannot hold an integer past 64 bits: the document is refused, as location's are.
    data = b'{"Browser History":[' + json.dumps(visit(FIRST_USEC)).encode() + b',{"time_usec":' + b"9" * 5000 + b"}]}"
    items = parse(parse_history, data)
    assert [type(i) for i in items] == [BrowserVisit, Rejection]
    assert items[-1].reason == BAD_JSON


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ("just a string", MALFORMED_RECORD),
        ([1, 2], MALFORMED_RECORD),
        ({"time_usec": FIRST_USEC}, MISSING_URL),
        ({"time_usec": FIRST_USEC, "url": "   "}, MISSING_URL),
        ({"time_usec": FIRST_USEC, "url": 12345}, MALFORMED_RECORD),
        ({"time_usec": FIRST_USEC, "url": "https://a.example/", "title": {"x": 1}}, MALFORMED_RECORD),
    ],
)
def test_wrong_types_reject_the_record(record, reason):
    items = parse(parse_history, history(record, visit(LAST_USEC)))
    assert [getattr(i, "reason", None) for i in items] == [reason, None]


def test_history_cut_mid_record_ends_with_bad_json_after_what_was_complete():
    data = history(visit(FIRST_USEC), visit(LAST_USEC))
    cut = data[: data.rindex(b'"title"') + 5]
    items = parse(parse_history, cut)
    assert [type(i) for i in items] == [BrowserVisit, Rejection]
    assert items[-1].reason == BAD_JSON
    assert items[-1].detail.startswith("Parsing stopped")


def test_html_and_script_in_titles_stay_text_and_javascript_urls_are_kept():
    title = '<script>alert("x")</script><b>bold</b>'
    items = parse(parse_history, history(visit(FIRST_USEC, url="javascript:alert(1)", title=title)))
    (only,) = items
    assert only.title == title
    assert only.url == "javascript:alert(1)"
    assert only.host == ""


def test_nul_and_control_characters_are_removed_and_titles_bounded():
    items = parse(parse_history, history(visit(FIRST_USEC, title="a\u0000b\u0007c" + "x" * 5000)))
    assert items[0].title.startswith("abc")
    assert len(items[0].title) == 2000


def test_a_long_url_is_kept_whole_for_the_pipeline_to_refuse():
    url = "https://example.org/?" + "q" * 10_000
    (only,) = parse(parse_history, history(visit(FIRST_USEC, url=url)))
    assert only.url == url


def test_a_string_past_the_token_cap_is_refused_as_bad_json():
    data = history(visit(FIRST_USEC), visit(LAST_USEC, title="t" * (MAX_TOKEN_BYTES + 10)))
    items = parse(parse_history, data)
    assert [type(i) for i in items] == [BrowserVisit, Rejection]
    assert items[-1].reason == BAD_JSON
    assert "longer than" in items[-1].detail


def test_a_stream_error_propagates_rather_than_passing_as_bad_json():
    class Broken(io.RawIOBase):
        def readinto(self, buffer):
            raise OSError("CRC mismatch")

    with pytest.raises(OSError, match="CRC"):
        list(parse_history(Broken()))


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://WWW.Example.org:8443/path", "example.org"),
        ("http://www2.example.org/", "www2.example.org"),
        ("http://[::1/", ""),
        ("chrome://settings/", "settings"),
        ("file:///C:/x.html", ""),
        ("about:blank", ""),
    ],
)
def test_host_of(url, host):
    assert host_of(url) == host


# --- Bookmarks.html -----------------------------------------------------------------

BOOKMARKS = """<!DOCTYPE NETSCAPE-Bookmark-file-1>
<!-- This is an automatically generated file.
     It will be read and overwritten.
     DO NOT EDIT! -->
<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">
<TITLE>Bookmarks</TITLE>
<H1>Bookmarks</H1>
<DL><p>
    <DT><H3 ADD_DATE="1609459200" LAST_MODIFIED="1700000000" PERSONAL_TOOLBAR_FOLDER="true">Bookmarks bar</H3>
    <DL><p>
        <DT><A HREF="https://www.example.org/" ADD_DATE="1609459200" ICON="data:image/png;base64,iVBORw0KGgo="
            >Example &amp; Co</A>
        <DT><H3 ADD_DATE="1609459300" LAST_MODIFIED="1609459400">News</H3>
        <DL><p>
            <DT><A HREF="https://news.example.com/" ADD_DATE="1612137600000000">Daily &lt;b&gt;news&lt;/b&gt;</A>
            <DT><A HREF="javascript:alert(document.cookie)" ADD_DATE="1612137600">Bookmarklet</A>
        </DL><p>
        <DT><H3>Empty</H3>
        <DL><p>
        </DL><p>
    </DL><p>
    <DT><A HREF="https://other.example/" ADD_DATE="garbage">Ünïcödé title</A>
    <DT><A ADD_DATE="1609459200">No link</A>
    <DT><A HREF="https://late.example/" ADD_DATE="1735689599">Last</A>
</DL><p>
"""


def test_bookmarks_with_folders_dates_and_titles():
    items = parse(parse_bookmarks, BOOKMARKS)
    marks = [i for i in items if isinstance(i, Bookmark)]
    rejections = [i for i in items if isinstance(i, Rejection)]
    assert len(marks) == 5
    assert [r.reason for r in rejections] == [MISSING_URL]
    assert [(b.folder, b.title) for b in marks] == [
        ("Bookmarks bar", "Example & Co"),
        ("Bookmarks bar/News", "Daily <b>news</b>"),
        ("Bookmarks bar/News", "Bookmarklet"),
        ("", "Ünïcödé title"),
        ("", "Last"),
    ]
    first, micro, script, undated, last = marks
    assert first.added_at == datetime(2021, 1, 1, tzinfo=UTC)
    assert first.url_key == url_key("https://www.example.org/")
    # Some exports write ADD_DATE in microseconds.
    assert micro.added_at == datetime(2021, 2, 1, tzinfo=UTC)
    assert script.url == "javascript:alert(document.cookie)"
    # An unreadable date leaves the bookmark without one.
    assert undated.added_at is None
    assert last.added_at == datetime(2024, 12, 31, 23, 59, 59, tzinfo=UTC)


def test_bookmarks_icon_data_is_not_kept():
    items = parse(parse_bookmarks, BOOKMARKS)
    assert all("iVBOR" not in repr(i) for i in items)


def test_bookmarks_fed_a_byte_at_a_time_give_the_same_result():
    class Trickle(io.BytesIO):
        def read(self, size=-1):
            return super().read(1)

    data = BOOKMARKS.encode()
    assert list(parse_bookmarks(Trickle(data))) == parse(parse_bookmarks, data)


@pytest.mark.parametrize("cut", ["</DL><p>\n    <DT><A HREF=\"https://other", "<DT><H3>Empty</H3>"])
def test_a_truncated_bookmarks_file_ends_with_bad_html(cut):
    data = BOOKMARKS[: BOOKMARKS.index(cut) + len(cut)]
    items = parse(parse_bookmarks, data)
    assert items[-1].reason == BAD_HTML
    assert "cut off" in items[-1].detail


def test_a_page_without_a_bookmark_list_is_bad_html():
    items = parse(parse_bookmarks, "<!DOCTYPE NETSCAPE-Bookmark-file-1><TITLE>Bookmarks</TITLE><H1>Bookmarks</H1>")
    assert [i.reason for i in items] == [BAD_HTML]


def test_an_enormous_tag_is_refused_before_it_is_buffered_whole():
    icon = "data:image/png;base64," + "A" * (MAX_PENDING_HTML + 100_000)
    data = BOOKMARKS.replace("data:image/png;base64,iVBORw0KGgo=", icon)
    items = parse(parse_bookmarks, data)
    assert items[-1].reason == BAD_HTML
    assert "KiB" in items[-1].detail


def test_invalid_utf8_is_replaced_not_fatal():
    data = BOOKMARKS.encode().replace("Ünïcödé".encode(), b"\xff\xfe bad")
    marks = [i for i in parse(parse_bookmarks, data) if isinstance(i, Bookmark)]
    assert marks[3].title == "\ufffd\ufffd bad title"


def test_a_multi_megabyte_bookmark_title_is_cut_to_the_bound_not_buffered():
    huge = "T" * (3 * MAX_PENDING_HTML)
    data = BOOKMARKS.replace("Ünïcödé title", huge)
    items = parse(parse_bookmarks, data)
    marks = [i for i in items if isinstance(i, Bookmark)]
    assert len(marks) == 5
    assert marks[3].title == "T" * 2000
    assert BAD_HTML not in [getattr(i, "reason", None) for i in items]


def test_raw_script_inside_a_bookmark_stays_text():
    data = BOOKMARKS.replace("Bookmarklet", "<script>alert(1)</script>Bookmarklet")
    marks = [i for i in parse(parse_bookmarks, data) if isinstance(i, Bookmark)]
    assert marks[2].title == "alert(1)Bookmarklet"


class _Generated(io.RawIOBase):
    """A History.json of `count` visits, made as it is read: never whole in memory."""

    def __init__(self, count: int):
        def chunks():
            yield b'{"Browser History": ['
            for start in range(0, count, 1000):
                yield b",".join(json.dumps(visit(FIRST_USEC + i, url=f"https://example.org/{i}")).encode()
                                for i in range(start, min(count, start + 1000))) + (b"," if start + 1000 < count
                                                                                   else b"")
            yield b"]}"

        self._chunks = chunks()
        self._pending = b""

    def readable(self):
        return True

    def readinto(self, buffer):
        while not self._pending:
            self._pending = next(self._chunks, b"")
            if not self._pending:
                return 0
        size = min(len(buffer), len(self._pending))
        buffer[:size], self._pending = self._pending[:size], self._pending[size:]
        return size


def test_history_is_streamed_in_flat_memory():
    import tracemalloc

    tracemalloc.start()
    try:
        count = 0
        for item in parse_history(io.BufferedReader(_Generated(30_000))):
            assert isinstance(item, BrowserVisit)
            count += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 30_000
    # The document is about 6 MB; a parser that held it or its records would pass this many times over.
    assert peak < 4 * 1024 * 1024

"""Chrome end to end: a Takeout zip in, visits and bookmarks in the lake, and what the pages read of them."""

import base64
import datetime as dt
import json
import os
from collections import Counter

from core.rls import user_scope
from imports.models import ImportMember, ImportRun
from sources.chrome import exports, search, stats, timeline
from sources.export import Range
from tests.imports.conftest import all_rows, count_rows, make_zip

VISITS = "timeseries.browser_visit"
BOOKMARKS = "user_data.bookmark"
HISTORY_NAME = "Takeout/Chrome/History.json"
BOOKMARKS_NAME = "Takeout/Chrome/Bookmarks.html"


def usec(*args) -> int:
    return int((dt.datetime(*args, tzinfo=dt.UTC) - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)).total_seconds()
               * 1_000_000)


GOOD_VISITS = [
    {"favicon_url": "https://www.example.org/favicon.ico", "page_transition": "TYPED", "title": "Example Domain",
     "url": "https://www.example.org/", "client_id": "cid1", "time_usec": usec(2024, 3, 1, 9, 30)},
    {"page_transition": "LINK", "title": "Hacker News", "url": "https://news.ycombinator.com/item?id=1",
     "client_id": "cid1", "time_usec": str(usec(2024, 3, 1, 23, 0) + 7)},
    {"page_transition": "LINK", "title": '<script>alert("x")</script>', "url": "javascript:alert(1)",
     "client_id": "cid1", "time_usec": usec(2024, 4, 2, 8, 0)},
    {"page_transition": "RELOAD", "title": "", "url": "https://news.ycombinator.com/",
     "client_id": "cid2", "time_usec": usec(2024, 4, 2, 8, 5)},
]
BAD_VISITS = [
    {"title": "no time", "url": "https://a.example/"},
    {"title": "garbage", "url": "https://a.example/", "time_usec": "soon"},
    {"title": "digits", "url": "https://a.example/", "time_usec": "9" * 5000},
    {"title": "no url", "time_usec": usec(2024, 3, 5)},
    {"title": "long url", "url": "https://a.example/?" + "q" * 5000, "time_usec": usec(2024, 3, 5)},
]
HISTORY = json.dumps({"Browser History": GOOD_VISITS + BAD_VISITS}).encode()

BOOKMARKS_HTML = b"""<!DOCTYPE NETSCAPE-Bookmark-file-1>
<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">
<TITLE>Bookmarks</TITLE>
<H1>Bookmarks</H1>
<DL><p>
    <DT><H3 ADD_DATE="1609459200" LAST_MODIFIED="1700000000" PERSONAL_TOOLBAR_FOLDER="true">Bookmarks bar</H3>
    <DL><p>
        <DT><A HREF="https://www.example.org/" ADD_DATE="1609459200" ICON="data:image/png;base64,AAAA">Example</A>
        <DT><H3 ADD_DATE="1609459300">News</H3>
        <DL><p>
            <DT><A HREF="https://news.ycombinator.com/" ADD_DATE="1612137600">=HYPERLINK("http://evil")</A>
        </DL><p>
    </DL><p>
    <DT><A HREF="https://www.example.org/" ADD_DATE="1612137600">Example again, other folder</A>
    <DT><A HREF="javascript:void(0)">Bookmarklet</A>
</DL><p>
"""


def takeout(tmp_path, name="takeout.zip", history=HISTORY, bookmarks=BOOKMARKS_HTML):
    members = {}
    if history is not None:
        members[HISTORY_NAME] = history
    if bookmarks is not None:
        members[BOOKMARKS_NAME] = bookmarks
    return make_zip(tmp_path / name, members)


def members(user, run) -> dict[str, ImportMember]:
    with user_scope(user.pk):
        return {m.name: m for m in ImportMember.objects.filter(run=run)}


def test_history_and_bookmarks_are_imported_with_their_counts(import_files, alice, tmp_path):
    run = import_files(takeout(tmp_path))

    assert run.status == ImportRun.Status.SUCCEEDED, run.error
    history = run.products["chrome.history"]
    assert (history["accepted"], history["rejected"], history["duplicates"]) == (4, 5, 0)
    assert history["first"] == "2024-03-01T09:30:00.000000Z"
    assert history["last"] == "2024-04-02T08:05:00.000000Z"
    marks = run.products["chrome.bookmarks"]
    assert (marks["accepted"], marks["rejected"]) == (4, 0)
    assert marks["first"] == "2021-01-01T00:00:00.000000Z"
    assert marks["last"] == "2021-02-01T00:00:00.000000Z"
    assert members(alice, run)[HISTORY_NAME].rejections == {
        "missing_timestamp": 1, "timestamp_malformed": 2, "missing_url": 1, "text_too_long": 1}

    assert count_rows(alice, VISITS) == 4
    assert all_rows(alice, VISITS, "visited_at, host, title, page_transition, client_id, product") == [
        (dt.datetime(2024, 3, 1, 9, 30, tzinfo=dt.UTC), "example.org", "Example Domain", "TYPED", "cid1",
         "chrome.history"),
        (dt.datetime(2024, 3, 1, 23, 0, 0, 7, tzinfo=dt.UTC), "news.ycombinator.com", "Hacker News", "LINK", "cid1",
         "chrome.history"),
        (dt.datetime(2024, 4, 2, 8, 0, tzinfo=dt.UTC), "", '<script>alert("x")</script>', "LINK", "cid1",
         "chrome.history"),
        (dt.datetime(2024, 4, 2, 8, 5, tzinfo=dt.UTC), "news.ycombinator.com", "", "RELOAD", "cid2",
         "chrome.history"),
    ]
    # The key the parser computed is PostgreSQL's md5 of the URL.
    assert count_rows(alice, VISITS, "WHERE url_key = md5(url)::uuid") == 4
    assert count_rows(alice, VISITS, f"WHERE import_run_id = {run.pk}") == 4
    assert all_rows(alice, BOOKMARKS, "folder, title, url") == [
        ("", "Bookmarklet", "javascript:void(0)"),
        ("", "Example again, other folder", "https://www.example.org/"),
        ("Bookmarks bar", "Example", "https://www.example.org/"),
        ("Bookmarks bar/News", '=HYPERLINK("http://evil")', "https://news.ycombinator.com/"),
    ]
    assert count_rows(alice, BOOKMARKS, "WHERE added_at IS NULL") == 1
    assert count_rows(alice, BOOKMARKS, "WHERE url_key = md5(url)::uuid") == 4


def test_the_same_export_twice_adds_nothing_and_counts_duplicates(import_files, alice, tmp_path):
    import_files(takeout(tmp_path, "first.zip"))
    again = import_files(takeout(tmp_path, "second.zip", bookmarks=BOOKMARKS_HTML + b"\n<!-- again -->\n"))

    assert again.status == ImportRun.Status.SUCCEEDED, again.error
    assert (again.products["chrome.history"]["accepted"], again.products["chrome.history"]["duplicates"]) == (0, 4)
    assert (again.products["chrome.bookmarks"]["accepted"], again.products["chrome.bookmarks"]["duplicates"]) == (0, 4)
    assert count_rows(alice, VISITS) == 4
    assert count_rows(alice, BOOKMARKS) == 4


def test_a_history_cut_mid_record_is_refused_whole_and_the_bookmarks_still_arrive(import_files, alice, tmp_path):
    cut = HISTORY[: HISTORY.index(b'"garbage"')]
    run = import_files(takeout(tmp_path, history=cut))

    member = members(alice, run)[HISTORY_NAME]
    assert member.status == ImportMember.Status.FAILED
    assert "stops being valid JSON" in member.error
    assert count_rows(alice, VISITS) == 0
    assert count_rows(alice, BOOKMARKS) == 4
    assert run.products["chrome.bookmarks"]["accepted"] == 4


def test_a_truncated_bookmarks_file_is_refused_whole(import_files, alice, tmp_path):
    cut = BOOKMARKS_HTML[: BOOKMARKS_HTML.index(b"<DT><A HREF=\"https://www.example.org/\" ADD_DATE=\"1612137600\"")]
    run = import_files(takeout(tmp_path, history=None, bookmarks=cut))

    member = members(alice, run)[BOOKMARKS_NAME]
    assert member.status == ImportMember.Status.FAILED
    assert "stops being a complete HTML page" in member.error
    assert count_rows(alice, BOOKMARKS) == 0
    assert run.status == ImportRun.Status.FAILED


def test_localized_names_are_imported_by_content(import_files, alice, tmp_path):
    archive = make_zip(tmp_path / "takeout.zip", {"Takeout/Chrome/Verlauf.json": HISTORY,
                                                  "Takeout/Chrome/Lesezeichen.html": BOOKMARKS_HTML})
    run = import_files(archive)

    assert set(run.products) == {"chrome.history", "chrome.bookmarks"}
    assert count_rows(alice, VISITS) == 4


def test_day_timeline_search_stats_and_exports_show_only_the_users_rows(import_files, alice, bob, tmp_path):
    import_files(takeout(tmp_path))

    with user_scope(alice.pk):
        day = dt.date(2024, 4, 2)
        start = dt.datetime(2024, 4, 1, 10, tzinfo=dt.UTC)
        part = timeline.day_part(day, start, start + dt.timedelta(hours=36))
        found = search.search("ycombinator")
        products = search.search_products()
        tables = stats.stats("month")
        weekly = stats.stats("week")[0]
        counts = Counter()
        lines = [json.loads(line) for line in exports.ndjson(Range(), counts)]
        csv_all = "".join(exports.csv_rows(Range(), Counter()))
        csv_window = "".join(exports.csv_rows(Range(start=dt.datetime(2024, 3, 1, tzinfo=dt.UTC)), Counter()))

    assert [(e["kind"], e["source"], e["label"], e["title"], e["url"]) for e in part.entries] == [
        ("event", "chrome", "Page visit", '<script>alert("x")</script>', ""),  # javascript: is never a link
        ("event", "chrome", "Page visit", "news.ycombinator.com", "https://news.ycombinator.com/"),
    ]
    assert part.entries[0]["start"] == dt.datetime(2024, 4, 2, 8, 0)
    assert part.entries[0]["tz"] == "UTC+00:00"

    assert sorted((hit["kind"], hit["title"], hit["day"], hit["url"]) for hit in found) == [
        # Found by its URL's host: bookmarks have no host column, the search column derives it.
        ("Bookmark", '=HYPERLINK("http://evil")', dt.date(2021, 2, 1), "https://news.ycombinator.com/"),
        ("Page visit", "Hacker News", dt.date(2024, 3, 1), "https://news.ycombinator.com/item?id=1"),
        ("Page visit", "news.ycombinator.com", dt.date(2024, 4, 2), "https://news.ycombinator.com/"),
    ]
    marks = [hit["detail"] for hit in found if hit["kind"] == "Bookmark"]
    assert marks == ["news.ycombinator.com · Bookmarks bar/News"]
    assert products == ["chrome.bookmarks", "chrome.history"]

    per_month, hosts = tables
    assert per_month.rows == [(dt.date(2024, 3, 1), 2), (dt.date(2024, 4, 1), 2)]
    assert hosts.rows == [("news.ycombinator.com", 2), ("example.org", 1)]
    assert weekly.title == "Pages visited per week"
    assert weekly.rows == [(dt.date(2024, 2, 26), 2), (dt.date(2024, 4, 1), 2)]

    assert counts == {"browser_visit": 4, "bookmark": 4}
    assert [line["kind"] for line in lines] == ["browser_visit"] * 4 + ["bookmark"] * 4
    assert lines[0]["visited_at"] == "2024-03-01T09:30:00+00:00"
    # A title that would run as a spreadsheet formula is neutralized; bookmarks
    # dated before the window are left out of it.
    assert ',"\'=HYPERLINK(""http://evil"")",' in csv_all
    assert csv_all.count("\n") == 1 + 4 + 4
    assert csv_window.count("\n") == 1 + 4
    assert "bookmark," not in csv_window

    with user_scope(bob.pk):
        assert timeline.day_part(day, start, start + dt.timedelta(hours=36)).entries == []
        assert search.search("ycombinator") == []
        assert stats.stats("month") == []
        assert list(exports.ndjson(Range(), Counter())) == []


def test_a_multi_megabyte_string_refuses_the_history_with_a_reason(import_files, alice, tmp_path):
    # Random text: a run of one letter would be refused earlier, as a zip bomb.
    huge = dict(GOOD_VISITS[0], title=base64.b64encode(os.urandom(3 * 1024 * 1024)).decode())
    history = json.dumps({"Browser History": [*GOOD_VISITS, huge]}).encode()
    run = import_files(takeout(tmp_path, history=history, bookmarks=None))

    member = members(alice, run)[HISTORY_NAME]
    assert member.status == ImportMember.Status.FAILED
    assert "longer than 1 MiB" in member.error
    assert count_rows(alice, VISITS) == 0


def test_sections_beside_the_visits_are_counted_as_rejections_and_the_visits_imported(import_files, alice, tmp_path):
    history = json.dumps({"Browser History": GOOD_VISITS, "Typed Url": [{"url": "https://typed.example/"}],
                          "Session": []}).encode()
    run = import_files(takeout(tmp_path, history=history, bookmarks=None))

    assert run.status == ImportRun.Status.SUCCEEDED, run.error
    assert (run.products["chrome.history"]["accepted"], run.products["chrome.history"]["rejected"]) == (4, 2)
    assert members(alice, run)[HISTORY_NAME].rejections == {"unsupported_section": 2}
    assert count_rows(alice, VISITS) == 4

"""Chrome on the lake's own pages, through the Django test client: every visit of a day, its
links and its escaping, the previous/next days, the cap, and bookmarks in search."""

import datetime as dt
import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from sources.chrome import timeline
from tests.imports.conftest import make_zip

from .test_import import BOOKMARKS_HTML, usec

DAY = "2024-04-02"
VISITS = [
    # (url, title, time_usec)
    ("https://www.example.org/start", "Start page", usec(2024, 4, 2, 7, 15)),
    ("javascript:alert(document.cookie)", "<img src=x onerror=alert(1)>Bookmarklet", usec(2024, 4, 2, 8, 0)),
    ("https://news.ycombinator.com/item?id=2", "Show HN: <b>bold</b> & \"quoted\"", usec(2024, 4, 2, 9, 30)),
    ("http://plain.example/", "", usec(2024, 4, 2, 23, 59, 59)),
    # The days around it: previous and next.
    ("https://before.example/", "The day before", usec(2024, 3, 28, 12, 0)),
    ("https://after.example/", "The day after", usec(2024, 4, 9, 0, 0, 1)),
]
HISTORY = json.dumps({"Browser History": [
    {"url": url, "title": title, "time_usec": at, "page_transition": "LINK", "client_id": "c"}
    for url, title, at in VISITS]}).encode()


@pytest.fixture
def chrome_lake(import_files, alice, tmp_path):
    run = import_files(make_zip(tmp_path / "takeout.zip", {"Takeout/Chrome/History.json": HISTORY,
                                                           "Takeout/Chrome/Bookmarks.html": BOOKMARKS_HTML}))
    assert run.products["chrome.history"]["accepted"] == len(VISITS)
    client = Client()
    client.force_login(alice)
    return client


def get(client, name, *args, **query) -> str:
    response = client.get(reverse(name, args=args), query)
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


def timeline_items(html: str) -> list[str]:
    listing = html[html.index('<ol class="timeline"'):]
    return re.findall(r"<li class=\"event\">(.*?)</li>", listing[:listing.index("</ol>")], re.S)


def test_every_visit_of_the_day_is_an_entry_with_safe_links_and_escaped_titles(chrome_lake):
    html = get(chrome_lake, "lake:day", DAY)
    items = timeline_items(html)

    assert len(items) == 4
    start, script, show_hn, plain = items
    assert "07:15" in start and 'href="https://www.example.org/start"' in start and "Start page" in start
    assert "example.org · link" in start
    # javascript: is shown as text, never as a link; its HTML title is escaped, not markup.
    assert "href" not in script and "javascript:" not in script
    assert "&lt;img src=x onerror=alert(1)&gt;Bookmarklet" in script and "<img" not in script
    assert 'href="https://news.ycombinator.com/item?id=2"' in show_hn
    assert "Show HN: &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot;" in show_hn and "<b>" not in show_hn
    # An untitled visit is named by its host; the last second of the day is still this day.
    assert "23:59" in plain and 'href="http://plain.example/"' in plain and ">plain.example</a>" in plain
    assert all("UTC+00:00" in item and "Page visit" in item for item in items)
    assert "The day before" not in html and "The day after" not in html
    assert "javascript:" not in html


def test_previous_next_and_latest_day_come_from_the_visits(chrome_lake):
    html = get(chrome_lake, "lake:day", DAY)
    assert f'rel="prev" href="{reverse("lake:day", args=["2024-03-28"])}"' in html
    assert f'rel="next" href="{reverse("lake:day", args=["2024-04-09"])}"' in html

    response = chrome_lake.get(reverse("lake:day_index"))
    assert response.status_code == 302 and response.url == reverse("lake:day", args=["2024-04-09"])


def test_bookmark_days_are_neighbours_and_show_their_bookmarks(chrome_lake, alice):
    from core.rls import user_scope

    with user_scope(alice.pk):
        # Bookmarks were added on 2021-01-01 and 2021-02-01, long before any visit.
        assert timeline.neighbour_day(before=dt.date(2024, 3, 28)) == dt.date(2021, 2, 1)
        assert timeline.neighbour_day(after=dt.date(2021, 1, 1)) == dt.date(2021, 2, 1)
        assert timeline.neighbour_day(after=dt.date(2021, 2, 1)) == dt.date(2024, 3, 28)
        assert timeline.neighbour_day(before=dt.date(2021, 1, 1)) is None
        assert timeline.neighbour_day(after=dt.date(2024, 4, 9)) is None
        assert timeline.neighbour_day(before=dt.date(9000, 1, 1)) == dt.date(2024, 4, 9)

    items = timeline_items(get(chrome_lake, "lake:day", "2021-02-01"))
    assert len(items) == 2
    assert all("Bookmark" in item and "00:00" in item for item in items)
    assert any("=HYPERLINK(&quot;http://evil&quot;)" in item and "Bookmarks bar/News" in item for item in items)


def test_a_crowded_day_is_capped_and_says_how_many_more(chrome_lake, monkeypatch):
    monkeypatch.setattr(timeline, "MAX_ENTRIES", 3)
    html = get(chrome_lake, "lake:day", DAY)
    items = timeline_items(html)

    assert len(items) == 3
    assert "Start page" in items[0] and "plain.example" not in html
    assert "and 1 more entries of this source this day" in items[-1]


def test_bookmarks_are_found_dated_ones_link_their_day_undated_ones_have_none(chrome_lake):
    html = get(chrome_lake, "lake:search", q="example")
    hits = re.findall(r"<li>(.*?)</li>", html[html.index('id="results"'):], re.S)
    marks = [hit for hit in hits if "Bookmark" in hit]

    assert len(marks) == 2  # the two bookmarks of example.org, found by the URL's host
    assert all(reverse("lake:day", args=["2021-01-01"]) in hit or reverse("lake:day", args=["2021-02-01"]) in hit
               for hit in marks)
    assert any("Example again, other folder" in hit for hit in marks)

    undated = get(chrome_lake, "lake:search", q="Bookmarklet")
    listing = undated[undated.index('id="results"'):]
    assert "<strong>Bookmarklet</strong> · <span class=\"muted\">no date</span>" in listing
    # The visit titled "…Bookmarklet" is found too, with its day; neither links to javascript:.
    assert reverse("lake:day", args=[DAY]) in listing
    assert "javascript:" not in listing

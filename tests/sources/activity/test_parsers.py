"""The My Activity parsers against the real samples in ../shared/takeout-samples,
hand-written fixtures of every variant we know, and the bad inputs of SAFETY.md.

Pure: no database, so these run in a fraction of a second (but the memory test,
which parses two generated pages in child processes).
"""

import io
import json
import os
import subprocess
import sys
import tracemalloc
from datetime import UTC, datetime
from html import escape
from pathlib import Path

import pytest

from sources.activity import parsers
from sources.activity.parsers import FORMATS, coordinates_of, host_of, parse_html, parse_json
from sources.activity.records import ActivityEvent, item_key
from sources.activity.verbs import split_title
from sources.records import Rejection
from sources.sanitize import (
    BAD_HTML,
    BAD_JSON,
    MALFORMED_RECORD,
    MISSING_TIMESTAMP,
    TIMESTAMP_IMPLAUSIBLE,
    TIMESTAMP_MALFORMED,
)

ROOT = Path(__file__).resolve().parents[3]


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def parse(parser, data: bytes | str, **kwargs) -> list:
    if isinstance(data, str):
        data = data.encode()
    return list(parser(io.BytesIO(data), **kwargs))


def events(items) -> list[ActivityEvent]:
    return [item for item in items if isinstance(item, ActivityEvent)]


def reasons(items) -> list[str]:
    return [item.reason for item in items if isinstance(item, Rejection)]


def only(items) -> ActivityEvent:
    assert reasons(items) == []
    (event,) = items
    return event


# --- HTML fixtures, written the way Takeout writes them ---------------------------

HEAD = (
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><title>My Activity</title>'
    '<style type="text/css">.content-cell.mdl-cell {color: rgba(0, 0, 0, 0.54);}</style></head><body>'
    '<div class="mdl-grid">'
)
TAIL = "</div></body></html>\n"


def cell(header: str, body: str, caption: str = "<b>Products:</b><br>&emsp;{header}<br>") -> str:
    return (
        '<div class="outer-cell mdl-cell mdl-cell--12-col mdl-shadow--2dp"><div class="mdl-grid">'
        f'<div class="header-cell mdl-cell mdl-cell--12-col"><p class="mdl-typography--title">{header}<br></p></div>'
        f'<div class="content-cell mdl-cell mdl-cell--6-col mdl-typography--body-1">{body}</div>'
        '<div class="content-cell mdl-cell mdl-cell--6-col mdl-typography--body-1 mdl-typography--text-right"></div>'
        f'<div class="content-cell mdl-cell mdl-cell--12-col mdl-typography--caption">'
        f"{caption.format(header=header)}</div></div></div>\n"
    )


def page(*cells: str) -> str:
    return HEAD + "".join(cells) + TAIL


SEARCH = cell("Search", 'Searched for&nbsp;<a href="https://www.google.com/search?q=pizza">pizza</a><br>'
                        "Jan 31, 2018, 10:54:50 PM EST")
# The current layout: the date between <br/>s, AI answers in <p> blocks after it.
GEMINI = cell(
    "Gemini Apps",
    "Prompted&nbsp;What is the capital of France?<br/>Jan 5, 2026, 3:04:05\u202fPM CET<br/>"
    "<p>The capital of France is <b>Paris</b>.</p><p>It has been for centuries.</p>",
)


# --- the real samples --------------------------------------------------------------


@pytest.fixture
def samples(shared_samples) -> Path:
    return shared_samples


def test_search_json_real_sample(samples):
    items = parse(parse_json, (samples / "my-activity-search-dogsheep.json").read_bytes())
    assert reasons(items) == []
    assert len(items) == 2
    first, last = items
    assert (first.at, first.micros) == (utc(2019, 5, 30, 15, 37, 18), 828000)
    assert (last.at, last.micros) == (utc(2019, 5, 30, 15, 37, 14), 947000)
    assert first.service == "Search" and first.products == ("Search",)
    assert first.action == "Visited"
    assert first.subject == "data liberation - How to download Google Search history? - Web ..."
    # The \u003d escapes decoded; the Google redirect's target names the host.
    assert first.url.startswith("https://www.google.com/url?q=https://webapps.stackexchange.com/questions/95560/")
    assert first.host == "webapps.stackexchange.com"
    assert first.item_key == item_key(first.url, first.title)
    assert (last.action, last.subject) == ("Searched for", '"myactivity" google export')
    assert last.host == "google.com"
    assert (last.location_name, last.location_source) == ("Around this area", "From your places (Home)")
    assert last.location_url.endswith("center=37.773692,-122.429737&zoom=13")
    assert (last.lat_e7, last.lng_e7) == (377736920, -1224297370)
    assert (last.zone_known, last.utc_offset_minutes, last.zone, last.language) == (True, None, "", "")


def test_maps_json_real_sample(samples):
    items = parse(parse_json, (samples / "my-activity-maps-dogsheep.json").read_bytes())
    assert reasons(items) == []
    assert [(e.at, e.micros) for e in items] == [(utc(2019, 5, 30, 5, 17, 16), 626000),
                                                 (utc(2019, 5, 30, 5, 16, 57), 708000)]
    viewed, searched = items
    assert (viewed.service, viewed.action, viewed.subject) == ("Maps", "Viewed", "area around Pheba")
    # Coordinates come from locationInfos only, not from the title's link.
    assert viewed.lat_e7 is None
    assert searched.host == "google.co.uk"
    assert searched.location_source == "From your device"
    assert (searched.lat_e7, searched.lng_e7) == (377736920, -1224297370)


def test_chrome_html_real_sample(samples):
    items = parse(parse_html, (samples / "my-activity-chrome-purarue.html").read_bytes())
    assert reasons(items) == []
    assert len(items) == 3
    forum, adobe, search = items
    assert forum.at == utc(2018, 1, 31, 22, 54, 50)
    assert search.at == utc(2017, 2, 8, 0, 32, 36)
    for event in items:
        # No zone on pre-2018 pages: UTC, no stated offset.
        assert (event.zone_known, event.utc_offset_minutes, event.zone) == (True, None, "")
        assert (event.service, event.products, event.language, event.micros) == ("Search", ("Search",), "en", None)
    assert forum.title == "Visited https://productforums.google.com/forum/"  # &nbsp; read as a space
    assert (forum.url, forum.host) == ("https://productforums.google.com/forum/", "productforums.google.com")
    assert adobe.host == "adobe.com"
    assert adobe.url == ("https://www.google.com/url?q=http://www.adobe.com/creativecloud.html"
                         "&usg=AFQjCNH6fum5tBw7J0dbmUYKGFPduC0vSg")
    assert (search.action, search.subject) == ("Searched for", "adobe creative cloud")
    assert search.location_name == "From your home"
    assert search.location_url == "https://google.com/maps?q=25.800819,-80.186310"
    assert (search.lat_e7, search.lng_e7) == (258008190, -801863100)


# --- JSON ------------------------------------------------------------------------


def entry(**fields) -> dict:
    base = {"header": "YouTube", "title": "Watched Funny cats", "titleUrl": "https://www.youtube.com/watch?v=abc",
            "time": "2024-03-01T10:00:00.123456Z", "products": ["YouTube"]}
    return {**base, **fields}


def test_json_youtube_watch_keeps_every_field():
    event = only(parse(parse_json, json.dumps([entry(
        subtitles=[{"name": "Cat Channel", "url": "https://www.youtube.com/channel/UC1"}, {"name": "Second line"}],
        description="Watched on TV",
        details=[{"name": "From Google Ads"}],
        activityControls=["YouTube watch history"],
    )])))
    assert event == ActivityEvent(
        at=utc(2024, 3, 1, 10, 0, 0),
        item_key=item_key("https://www.youtube.com/watch?v=abc", "Watched Funny cats"),
        service="YouTube",
        title="Watched Funny cats",
        micros=123456,
        action="Watched",
        subject="Funny cats",
        url="https://www.youtube.com/watch?v=abc",
        host="youtube.com",
        channel="Cat Channel",
        channel_url="https://www.youtube.com/channel/UC1",
        description="Watched on TV\nSecond line",
        details=("From Google Ads",),
        products=("YouTube",),
    )


@pytest.mark.parametrize(
    "title",
    ["Watched https://www.youtube.com/watch?v=gone1", "https://www.youtube.com/watch?v=gone1"],
)
def test_json_removed_video(title):
    event = only(parse(parse_json, json.dumps([entry(title=title, titleUrl="https://www.youtube.com/watch?v=gone1")])))
    assert event.removed
    assert event.subject == "https://www.youtube.com/watch?v=gone1"


def test_json_a_visited_link_is_not_a_removed_video():
    event = only(parse(parse_json, json.dumps([entry(header="Chrome", title="Visited https://example.org/",
                                                     titleUrl="https://example.org/")])))
    assert not event.removed


def test_json_three_and_six_decimals_and_offsets():
    items = parse(parse_json, json.dumps([
        entry(time="2019-05-30T15:37:18.828Z"),
        entry(time="2023-01-27T22:46:47.389352Z"),
        entry(time="2023-01-27T22:46:47Z"),
        entry(time="2023-01-28T00:46:47.5+02:00"),
    ]))
    assert reasons(items) == []
    assert [(e.at, e.micros) for e in items] == [
        (utc(2019, 5, 30, 15, 37, 18), 828000), (utc(2023, 1, 27, 22, 46, 47), 389352),
        (utc(2023, 1, 27, 22, 46, 47), 0), (utc(2023, 1, 27, 22, 46, 47), 500000)]


def test_json_old_chrome_entries_without_header_take_the_product():
    items = parse(parse_json, json.dumps([
        {"title": "Visited view-source:https://example.org/", "titleUrl": "view-source:https://example.org/",
         "time": "2016-01-01T00:00:00.000Z", "products": ["Chrome"]},
        {"title": "Visited x", "time": "2016-01-01T00:00:01.000Z"},
    ]))
    assert [(e.service, e.action) for e in items] == [("Chrome", "Visited"), ("", "Visited")]


def test_json_snippet_shape_of_2016():
    event = only(parse(parse_json, json.dumps([{
        "kind": "youtube#playlistItem",
        "snippet": {"publishedAt": "2016-05-01T12:00:00.000Z", "title": "Funny cats", "description": "cats",
                    "channelTitle": "Cat Channel", "resourceId": {"kind": "youtube#video", "videoId": "xyz"}},
    }])))
    assert (event.at, event.service, event.title) == (utc(2016, 5, 1, 12), "YouTube", "Funny cats")
    assert (event.url, event.channel, event.description) == ("https://www.youtube.com/watch?v=xyz", "Cat Channel",
                                                             "cats")


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        (entry(time=None), MISSING_TIMESTAMP),
        ({k: v for k, v in entry().items() if k != "time"}, MISSING_TIMESTAMP),
        (entry(time="yesterday"), TIMESTAMP_MALFORMED),
        (entry(time=1_700_000_000), TIMESTAMP_MALFORMED),
        (entry(time="1970-01-01T00:00:00Z"), TIMESTAMP_IMPLAUSIBLE),
        (entry(time="2999-01-01T00:00:00Z"), TIMESTAMP_IMPLAUSIBLE),
        (entry(title={"nested": 1}), MALFORMED_RECORD),
        (entry(products="YouTube"), MALFORMED_RECORD),
        (entry(subtitles={"name": "x"}), MALFORMED_RECORD),
        ("just a string", MALFORMED_RECORD),
        ([1, 2], MALFORMED_RECORD),
        (None, MALFORMED_RECORD),
    ],
)
def test_json_rejects_a_bad_entry_and_goes_on(record, reason):
    items = parse(parse_json, json.dumps([entry(), record, entry(title="Watched dogs")]))
    assert reasons(items) == [reason]
    assert [e.subject for e in events(items)] == ["Funny cats", "dogs"]
    assert len(items[1].sample) <= 300


def test_json_location_infos_with_coordinates():
    event = only(parse(parse_json, json.dumps([entry(header="Search", locationInfos=[
        {"name": "At this general area", "url": "https://www.google.com/maps/@?api=1&map_action=map&center=48.1,"
                                                "11.5&zoom=11", "source": "Based on your past activity"},
    ])])))
    assert (event.lat_e7, event.lng_e7) == (481000000, 115000000)
    assert event.location_source == "Based on your past activity"


def test_json_out_of_range_coordinates_are_dropped_not_the_entry():
    event = only(parse(parse_json, json.dumps([entry(locationInfos=[
        {"name": "x", "url": "https://www.google.com/maps/@?api=1&center=123.0,11.5"}])])))
    assert (event.lat_e7, event.location_name) == (None, "x")


def test_json_nul_and_control_characters_are_removed():
    event = only(parse(parse_json, json.dumps([entry(title="Watched a\u0000b\u0007c\nd")])))
    assert event.title == "Watched abc\nd"


@pytest.mark.parametrize("cut", [1, 30, 100, 250, -40, -3, -1])
def test_json_cut_mid_record_is_bad_json_after_the_entries_before(cut):
    data = json.dumps([entry(), entry(title="Watched dogs"), entry(title="Watched birds")], indent=2).encode()
    items = parse(parse_json, data[:cut])
    assert reasons(items) == [BAD_JSON]
    assert items[-1].reason == BAD_JSON


@pytest.mark.parametrize(
    "data",
    [
        b'[{"header": "YouTube", "time": "2024-01-01T00:00:00Z", "n": ' + b"9" * 5000 + b"}]",
        b'[{"header": "YouTube", "time": "2024-01-01T00:00:00Z", "n": 1e999999}]',
        b'[{"header": "YouTube", "time": "2024-01-01T00:00:00Z", "title": "' + b"x" * (3 * 2**20) + b'"}]',
        b"[" * 100_000,
        b"[NaN]",
        b'[{"a": 1,}]',
    ],
    ids=["5000-digit-number", "float-overflow", "3-MiB-string", "deep-nesting", "nan", "trailing-comma"],
)
def test_json_bad_documents_are_one_rejection(data):
    items = parse(parse_json, data)
    assert reasons(items) == [BAD_JSON]


def test_json_not_an_array_is_refused_whole():
    assert reasons(parse(parse_json, b'{"Browser History": []}')) == [MALFORMED_RECORD]
    assert reasons(parse(parse_json, b"")) == [BAD_JSON]  # an empty file is no JSON
    assert parse(parse_json, b"[]") == []


def test_json_bom_and_whitespace():
    event = only(parse(parse_json, b"\xef\xbb\xbf \n" + json.dumps([entry()]).encode()))
    assert event.subject == "Funny cats"


# --- HTML ------------------------------------------------------------------------


def test_html_youtube_watch_with_channel_and_ads_details():
    event = only(parse(parse_html, page(cell(
        "YouTube",
        'Watched&nbsp;<a href="https://www.youtube.com/watch?v=abc">Funny cats</a><br>'
        '<a href="https://www.youtube.com/channel/UC1">Cat Channel</a><br>Mar 1, 2024, 11:00:00 AM CET',
        "<b>Products:</b><br>&emsp;YouTube<br><b>Details:</b><br>&emsp;From Google Ads<br>",
    ))))
    assert (event.at, event.zone_known, event.utc_offset_minutes, event.zone) == (
        utc(2024, 3, 1, 10, 0, 0), True, 60, "CET")
    assert (event.service, event.title, event.action, event.subject) == (
        "YouTube", "Watched Funny cats", "Watched", "Funny cats")
    assert (event.url, event.host) == ("https://www.youtube.com/watch?v=abc", "youtube.com")
    assert (event.channel, event.channel_url) == ("Cat Channel", "https://www.youtube.com/channel/UC1")
    assert (event.details, event.products, event.language) == (("From Google Ads",), ("YouTube",), "en")
    assert not event.removed
    assert event.micros is None


def test_html_removed_video():
    event = only(parse(parse_html, page(cell(
        "YouTube",
        'Watched&nbsp;<a href="https://www.youtube.com/watch?v=gone1">https://www.youtube.com/watch?v=gone1</a>'
        "<br>Mar 1, 2024, 11:00:00 AM CET"))))
    assert event.removed
    assert event.title == "Watched https://www.youtube.com/watch?v=gone1"


def test_html_current_layout_with_ai_trailers():
    event = only(parse(parse_html, page(GEMINI)))
    assert event.at == utc(2026, 1, 5, 14, 4, 5)
    assert (event.service, event.action, event.subject) == (
        "Gemini Apps", "Prompted", "What is the capital of France?")
    assert event.url == ""
    assert event.item_key == item_key("", "Prompted What is the capital of France?")
    assert event.description == "The capital of France is Paris.\nIt has been for centuries."
    assert event.channel == ""


def test_html_current_layout_with_trailing_br_and_no_trailer():
    event = only(parse(parse_html, page(cell(
        "Search",
        'Visited&nbsp;<a href="https://example.org/a">Example</a><br/>Jan 5, 2026, 3:04:05\u202fPM CET<br/>'))))
    assert (event.at, event.subject, event.description) == (utc(2026, 1, 5, 14, 4, 5), "Example", "")


def test_html_multi_line_prompt_is_all_title():
    event = only(parse(parse_html, page(cell(
        "Gemini Apps", "Prompted&nbsp;first line<br>second line<br>Jan 5, 2026, 3:04:05 PM CET<br><p>Answer</p>"))))
    assert event.title == "Prompted first line\nsecond line"
    assert (event.channel, event.description) == ("", "Answer")


def test_html_lines_before_the_date_are_subtitles():
    event = only(parse(parse_html, page(cell(
        "Discover",
        '1 notification<br>Including topics:<br><a href="https://www.google.com/maps/place/?q=place_id:XX">'
        "Emergency resources</a><br>Sep 1, 2020, 9:27:07 PM PDT"))))
    assert (event.title, event.action) == ("1 notification", "")
    assert event.channel == "Including topics:"
    assert event.description == "Emergency resources"
    assert event.at == utc(2020, 9, 2, 4, 27, 7)


def test_html_location_with_two_links():
    event = only(parse(parse_html, page(cell(
        "Discover", "6 cards in your feed<br>Sep 4, 2020, 11:01:46 AM PDT",
        '<b>Products:</b><br>&emsp;Discover<br><b>Locations:</b><br>&emsp;At <a href="https://www.google.com/maps/'
        '@?api=1&amp;map_action=map&amp;center=3,-18&amp;zoom=11">this general area</a> - From '
        '<a href="https://support.google.com/maps/answer/1">your places</a> (Home)<br>'))))
    assert (event.location_name, event.location_source) == ("At this general area", "From your places (Home)")
    assert event.location_url == "https://www.google.com/maps/@?api=1&map_action=map&center=3,-18&zoom=11"
    assert (event.lat_e7, event.lng_e7) == (30000000, -180000000)


def test_html_ambiguous_zone_stays_unresolved():
    event = only(parse(parse_html, page(cell(
        "Search", 'Searched for&nbsp;<a href="https://www.google.com/search?q=x">x</a><br>'
                  "Jan 31, 2018, 10:54:50 PM CST"))))
    assert (event.zone_known, event.utc_offset_minutes, event.zone) == (False, None, "CST")
    assert event.at == utc(2018, 1, 31, 22, 54, 50)


LOCALIZED = [
    ("en", "Products:", "Jan 31, 2018, 10:54:50 PM EST", utc(2018, 2, 1, 3, 54, 50)),
    ("en", "Products:", "31 Jul 2018, 22:54:50 BST", utc(2018, 7, 31, 21, 54, 50)),
    ("de", "Produkte:", "01.09.2022, 21:08:12 MESZ", utc(2022, 9, 1, 19, 8, 12)),
    ("fr", "Produits&nbsp;:", "31 janv. 2018, 22:54:50 UTC+1", utc(2018, 1, 31, 21, 54, 50)),
    ("es", "Productos:", "31 ene 2018, 22:54:50 CET", utc(2018, 1, 31, 21, 54, 50)),
    ("it", "Prodotti:", "31 gen 2018, 22:54:50 CET", utc(2018, 1, 31, 21, 54, 50)),
    ("nl", "Producten:", "31 jan 2018 22:54:50 CET", utc(2018, 1, 31, 21, 54, 50)),
    ("pt", "Produtos:", "31 de jan. de 2018, 22:54:50 BRT", utc(2018, 2, 1, 1, 54, 50)),
]


@pytest.mark.parametrize(("language", "label", "date", "at"), LOCALIZED, ids=[f"{x[0]}-{x[2]}" for x in LOCALIZED])
def test_html_every_language(language, label, date, at):
    event = only(parse(parse_html, page(cell(
        "Search", f'X&nbsp;<a href="https://example.org/">example</a><br>{date}',
        f"<b>{label}</b><br>&emsp;Search<br>"))))
    assert (event.at, event.zone_known, event.language) == (at, True, language)
    assert event.products == ("Search",)


def test_html_localized_verbs():
    items = parse(parse_html, page(
        cell("YouTube", 'Vous avez regardé&nbsp;<a href="https://www.youtube.com/watch?v=a">Chats</a><br>'
                        "31 janv. 2018, 22:54:50 UTC+1", "<b>Produits&nbsp;:</b><br>&emsp;YouTube<br>"),
        cell("YouTube", '<a href="https://www.youtube.com/watch?v=b">Katzen</a>&nbsp;angesehen<br>'
                        "01.09.2022, 21:08:12 MESZ", "<b>Produkte:</b><br>&emsp;YouTube<br>"),
    ))
    assert [(e.action, e.subject, e.url) for e in items] == [
        ("Vous avez regardé", "Chats", "https://www.youtube.com/watch?v=a"),
        ("angesehen", "Katzen", "https://www.youtube.com/watch?v=b"),
    ]
    # The first caption decides the page's language.
    assert [e.language for e in items] == ["fr", "fr"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ('Visited&nbsp;<a href="https://example.org/">x</a>', MISSING_TIMESTAMP),
        ('Visited&nbsp;<a href="https://example.org/">x</a><br>Feb 30, 2018, 10:54:50 PM', TIMESTAMP_MALFORMED),
        ('Visited&nbsp;<a href="https://example.org/">x</a><br>Jan 1, 1985, 10:54:50 PM', TIMESTAMP_IMPLAUSIBLE),
    ],
)
def test_html_rejects_a_bad_cell_and_goes_on(body, reason):
    items = parse(parse_html, page(SEARCH, cell("Chrome", body), GEMINI))
    assert reasons(items) == [reason]
    assert [e.service for e in events(items)] == ["Search", "Gemini Apps"]
    assert "Chrome" in items[1].sample


def test_html_cell_without_content_is_malformed():
    broken = ('<div class="outer-cell mdl-cell"><div class="header-cell"><p class="mdl-typography--title">X</p>'
              "</div></div>")
    assert reasons(parse(parse_html, page(SEARCH, broken))) == [MALFORMED_RECORD]


def test_html_utf8_without_meta_and_with_bom():
    data = page(cell("Suche", 'Gesucht nach&nbsp;<a href="https://www.google.com/search?q=%C3%BC">Übung – 日本</a><br>'
                              "01.09.2022, 21:08:12 MESZ", "<b>Produkte:</b><br>&emsp;Suche<br>"))
    data = data.replace('<meta http-equiv="Content-Type" content="text/html; charset=utf-8">', "")
    for prefix in (b"", b"\xef\xbb\xbf"):
        event = only(parse(parse_html, prefix + data.encode()))
        assert (event.service, event.action, event.subject) == ("Suche", "Gesucht nach", "Übung – 日本")


@pytest.mark.parametrize("chunk_size", [1, 3, 4, 5, 7, 64, 4096])
def test_html_any_chunking_gives_the_same_events(chunk_size, monkeypatch):
    monkeypatch.setattr(parsers, "HTML_BATCH", 700)  # several batches even in a small page
    data = page(SEARCH, GEMINI, SEARCH.replace("pizza", "pasta"), GEMINI.replace("France", "Spain"))
    expected = parse(parse_html, data)
    assert len(events(expected)) == 4 and not reasons(expected)
    assert parse(parse_html, data, chunk_size=chunk_size) == expected


@pytest.mark.parametrize("keep", [0.1, 0.3, 0.5, 0.8, 0.95, 0.99])
def test_html_cut_anywhere_is_bad_html(keep):
    data = page(SEARCH, GEMINI, SEARCH).encode()
    items = parse(parse_html, data[: int(len(data) * keep)])
    assert reasons(items) == [BAD_HTML]
    assert items[-1].reason == BAD_HTML


def test_html_cell_left_open_is_bad_html():
    left_open = page(SEARCH, SEARCH.removesuffix("</div></div>\n") + "\n")
    assert reasons(parse(parse_html, left_open)) == [BAD_HTML]


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x00\x01\x02 binary" * 1000,
        b"<html><body>hello</body></html>",
        b"<html><body>" + b"<div>" * (10 * 2**20 // 5),
        b"<html><body>" + b"<div>" * (10 * 2**20 // 5) + b"</body></html>",
        (HEAD + SEARCH).encode() + b"<b>" * (10 * 2**20 // 3) + TAIL.encode(),
        (HEAD + SEARCH).encode() + b"<div>" * 1000 + b"</div>" * 1000 + (SEARCH + TAIL).encode(),
    ],
    ids=["empty", "binary", "no-cells", "10MB-nested-divs-cut", "10MB-nested-divs", "10MB-nested-b-in-a-cell",
         "1000-nested-divs-between-cells"],
)
def test_html_bad_pages_are_refused(data):
    items = parse(parse_html, data)
    assert reasons(items) == [BAD_HTML]
    assert items[-1].reason == BAD_HTML


def test_html_huge_text_is_refused_without_buffering_it_all():
    huge = cell("Search", "Visited " + "x" * (20 * 2**20) + "<br>Jan 31, 2018, 10:54:50 PM EST")
    items = parse(parse_html, page(SEARCH, huge, SEARCH))
    assert reasons(items) == [BAD_HTML]


def test_html_text_over_libxml2s_limit_is_refused():
    # 11 MB: under our cell cap, over libxml2's 10 MB text-node limit.
    big = cell("Search", "Visited " + "x" * (11 * 2**20) + "<br>Jan 31, 2018, 10:54:50 PM EST")
    items = parse(parse_html, page(SEARCH, big, SEARCH))
    assert reasons(items) == [BAD_HTML]
    assert "limit" in items[-1].detail


class Failing(io.RawIOBase):
    def __init__(self, data: bytes) -> None:
        self._data = data

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if not self._data:
            raise OSError("the archive member is corrupt")
        chunk, self._data = self._data[: len(buffer)], self._data[len(buffer) :]
        buffer[: len(chunk)] = chunk
        return len(chunk)


class Trickle(io.RawIOBase):
    """A non-seekable stream that hands out a few bytes per read."""

    def __init__(self, data: bytes, step: int = 7) -> None:
        self._data, self._step = data, step

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        chunk, self._data = self._data[: min(len(buffer), self._step)], self._data[min(len(buffer), self._step) :]
        buffer[: len(chunk)] = chunk
        return len(chunk)


def test_both_parsers_read_a_trickling_non_seekable_stream():
    data = json.dumps([entry(), entry(title="Watched dogs")]).encode()
    assert list(parse_json(Trickle(data))) == parse(parse_json, data)
    html = page(SEARCH, GEMINI).encode()
    assert list(parse_html(Trickle(html))) == parse(parse_html, html)
    assert len(parse(parse_html, html)) == 2


@pytest.mark.parametrize("parser", [parse_json, parse_html])
def test_stream_errors_propagate(parser):
    data = json.dumps([entry()]).encode() if parser is parse_json else page(SEARCH).encode()
    with pytest.raises(OSError, match="corrupt"):
        list(parser(io.BufferedReader(Failing(data[:-5]), 16)))


# --- JSON and HTML of the same history ---------------------------------------------------


HISTORY = [
    entry(subtitles=[{"name": "Cat Channel", "url": "https://www.youtube.com/channel/UC1"}],
          details=[{"name": "From Google Ads"}], time="2024-03-01T10:00:00.123Z"),
    entry(title="Watched https://www.youtube.com/watch?v=gone", titleUrl="https://www.youtube.com/watch?v=gone",
          time="2024-03-01T09:00:00.999Z"),
    entry(header="Search", title="Searched for pizza near me", titleUrl="https://www.google.com/search?q=pizza",
          products=["Search"], time="2024-02-29T23:59:59.500Z", locationInfos=[
              {"name": "At this general area", "url": "https://www.google.com/maps/@?api=1&map_action=map&"
                                                      "center=52.52,13.405&zoom=12",
               "source": "Based on your past activity"}]),
    entry(header="Gemini Apps", title="Prompted what is 2+2?", products=["Gemini Apps"],
          time="2024-02-29T20:00:00.001Z", description="4"),
    {k: v for k, v in entry(header="Discover", title="6 cards in your feed", products=["Discover"],
                            time="2024-02-29T19:00:00.000Z").items() if k != "titleUrl"},
]


def as_html(records: list[dict]) -> str:
    cells = []
    for record in records:
        at = datetime.fromisoformat(record["time"]).astimezone(UTC)
        hour = at.hour % 12 or 12
        stamp = f"{at:%b} {at.day}, {at.year}, {hour}:{at:%M:%S} {'AM' if at.hour < 12 else 'PM'} UTC"
        action, subject = split_title(record["title"])
        if "titleUrl" in record:
            first = f'{escape(action)}&nbsp;<a href="{escape(record["titleUrl"])}">{escape(subject)}</a>'
        else:
            first = escape(record["title"]).replace(" ", "&nbsp;", 1)
        lines = [first] + [f'<a href="{escape(s["url"])}">{escape(s["name"])}</a>' for s in record.get("subtitles", [])]
        body = "<br>".join([*lines, stamp]) + "<br>"
        if "description" in record:
            body += f"<p>{escape(record['description'])}</p>"
        caption = "".join(f"<b>Products:</b><br>&emsp;{escape(p)}<br>" for p in record["products"])
        for info in record.get("locationInfos", []):
            caption += (f'<b>Locations:</b><br>&emsp;<a href="{escape(info["url"])}">{escape(info["name"])}</a> - '
                        f'{escape(info["source"])}<br>')
        caption += "".join(f"<b>Details:</b><br>&emsp;{escape(d['name'])}<br>" for d in record.get("details", []))
        cells.append(cell(record["header"], body, caption))
    return page(*cells)


def test_json_and_html_of_the_same_history_are_the_same_rows():
    from_json = parse(parse_json, json.dumps(HISTORY))
    from_html = parse(parse_html, as_html(HISTORY))
    assert reasons(from_json) == reasons(from_html) == []
    assert {(e.at, e.item_key) for e in from_json} == {(e.at, e.item_key) for e in from_html}
    assert len(from_json) == len(HISTORY)
    fields = ("at", "item_key", "service", "title", "action", "subject", "url", "host", "channel", "channel_url",
              "details", "products", "lat_e7", "lng_e7", "location_name", "location_source", "removed")
    for one, other in zip(from_json, from_html, strict=True):
        assert {f: getattr(one, f) for f in fields} == {f: getattr(other, f) for f in fields}
        assert one.description == other.description
        assert (other.zone, other.utc_offset_minutes, other.language) == ("UTC", 0, "en")


# --- helpers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://www.YouTube.com/watch?v=x", "youtube.com"),
        ("http://user:pw@Example.org:8080/path", "example.org"),
        ("https://www.google.com/url?q=https://www.bbc.co.uk/news&usg=x", "bbc.co.uk"),
        ("https://www.google.de/url?sa=t&url=https%3A%2F%2Fde.wikipedia.org%2Fwiki%2FX&usg=x", "de.wikipedia.org"),
        ("https://www.google.com/url?q=notaurl", "google.com"),
        ("android-app://com.example.app", "com.example.app"),
        ("not a url", ""),
        ("", ""),
    ],
)
def test_host_of(url, host):
    assert host_of(url) == host


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.google.com/maps/@?api=1&map_action=map&center=37.773692,-122.429737&zoom=13",
         (377736920, -1224297370)),
        ("https://google.com/maps?q=25.800819,-80.186310", (258008190, -801863100)),
        ("https://www.google.com/maps/@33.5067677,-88.9401891,14z", (335067677, -889401891)),
        ("https://www.google.com/maps/search/?api=1&query=48.85%2C2.35", (488500000, 23500000)),
        ("https://www.google.com/maps/@?api=1&center=95.0,10.0", None),
        ("https://www.google.com/maps/place/?q=place_id:XX", None),
        ("https://example.org/", None),
    ],
)
def test_coordinates_of(url, expected):
    assert coordinates_of(url) == expected


@pytest.mark.parametrize(
    ("title", "action", "subject"),
    [
        ("Watched Funny cats", "Watched", "Funny cats"),
        ("Searched for pizza", "Searched for", "pizza"),
        ("Searched pizza", "Searched", "pizza"),
        ("Listened to Podcast", "Listened to", "Podcast"),
        ("Watchedfoo bar", "", "Watchedfoo bar"),
        ("Vous avez regardé Chats", "Vous avez regardé", "Chats"),
        ("Has visto Gatos", "Has visto", "Gatos"),
        ("Hai guardato Gatti", "Hai guardato", "Gatti"),
        ("Assistiu a Gatos", "Assistiu a", "Gatos"),
        ("Katzen angesehen", "angesehen", "Katzen"),
        ("Nach Pizza gesucht", "Nach … gesucht", "Pizza"),
        ("Katten bekeken", "bekeken", "Katten"),
        ("Recherche : pizza", "Recherche :", "pizza"),
        ("Prompted", "Prompted", ""),
        ("6 cards in your feed", "", "6 cards in your feed"),
        ("", "", ""),
    ],
)
def test_split_title(title, action, subject):
    assert split_title(title) == (action, subject)


def test_formats_name_both_parsers():
    assert {"activity.json": parse_json, "activity.html": parse_html} == FORMATS


# --- memory ----------------------------------------------------------------------


MEMORY_CHILD = """
import resource, sys
from sources.activity.parsers import parse_html
from sources.records import Rejection
count = rejected = 0
with open(sys.argv[1], "rb") as stream:
    for item in parse_html(stream):
        if isinstance(item, Rejection):
            rejected += 1
        else:
            count += 1
print(count, rejected, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def write_page(path: Path, megabytes: int) -> int:
    cells = 0
    with path.open("w", encoding="utf-8") as out:
        out.write(HEAD)
        written = 0
        while written < megabytes * 2**20:
            text = SEARCH.replace("pizza", f"pizza {cells}") if cells % 3 else GEMINI.replace("France", f"F{cells}")
            out.write(text)
            written += len(text)
            cells += 1
        out.write(TAIL)
    return cells


def peak_rss_kib(path: Path) -> tuple[int, int, int]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", MEMORY_CHILD, str(path)], capture_output=True, text=True,
                            env=env, cwd=ROOT, check=True)
    count, rejected, peak = map(int, result.stdout.split())
    return count, rejected, peak


def test_html_memory_stays_flat(tmp_path):
    small, big = tmp_path / "small.html", tmp_path / "big.html"
    small_cells, big_cells = write_page(small, 6), write_page(big, 60)
    small_count, small_rejected, small_peak = peak_rss_kib(small)
    big_count, big_rejected, big_peak = peak_rss_kib(big)
    assert (small_count, small_rejected, big_count, big_rejected) == (small_cells, 0, big_cells, 0)
    # Ten times the bytes, (nearly) the same memory: libxml2 sees a batch of cells at a time.
    assert big_peak - small_peak < 40 * 1024, (small_peak, big_peak)


def test_json_memory_stays_flat():
    def peak(count: int) -> int:
        data = json.dumps([entry(title=f"Watched video {i}") for i in range(count)], indent=2).encode()
        tracemalloc.start()
        try:
            consumed = sum(1 for _ in parse_json(io.BytesIO(data)))
            return tracemalloc.get_traced_memory()[1] if consumed == count else -1
        finally:
            tracemalloc.stop()

    small, big = peak(2_000), peak(20_000)
    assert small > 0 and big > 0
    assert big < small * 2 + 256 * 1024, (small, big)

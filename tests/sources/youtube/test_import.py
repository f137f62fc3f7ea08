"""YouTube files through the whole pipeline, then as the day page, search, exports and stats read them."""

import csv
import datetime as dt
import io
import json
from collections import Counter

from django.urls import reverse

from core.rls import user_scope
from imports.models import ImportMember, ImportRun
from sources.export import Range
from sources.sanitize import BAD_CSV, TEXT_TOO_LONG
from sources.youtube import exports, search, stats, timeline
from sources.youtube.parsers import WRONG_COLUMN_COUNT
from tests.imports.conftest import all_rows, count_rows, default_partition_rows, make_zip
from tests.sources.youtube.test_parsers import (
    COMMENTS_NEW,
    COMMENTS_OLD,
    LIVE_CHATS_NEW,
    LIVE_CHATS_OLD,
    PLAYLIST_VIDEOS,
    PLAYLISTS,
    SUBSCRIPTIONS,
)

Y = "Takeout/YouTube and YouTube Music"
DE = "Takeout/YouTube und YouTube Music"
COMMENTS = "timeseries.youtube_comment"
ITEMS = "user_data.youtube_item"


def youtube_takeout(tmp_path, name="takeout.zip", **extra):
    members = {
        f"{Y}/comments/comments.csv": COMMENTS_OLD.encode(),
        f"{DE}/Kommentare/Kommentare.csv": COMMENTS_NEW.encode(),
        f"{Y}/live chats/live chats.csv": LIVE_CHATS_OLD.encode(),
        f"{Y}/live chats/live chats (1).csv": LIVE_CHATS_NEW.encode(),
        f"{Y}/subscriptions/subscriptions.csv": SUBSCRIPTIONS.encode(),
        f"{Y}/playlists/playlists.csv": PLAYLISTS.encode(),
        f"{Y}/playlists/Cooking-videos.csv": PLAYLIST_VIDEOS.encode(),
        f"{Y}/playlists/Liked videos-videos.csv": PLAYLIST_VIDEOS.encode(),
        **extra,
    }
    return make_zip(tmp_path / name, members)


def test_a_youtube_takeout_imports_every_file(import_files, alice, tmp_path):
    run = import_files(youtube_takeout(tmp_path))

    assert run.status == ImportRun.Status.SUCCEEDED, run.error
    assert count_rows(alice, COMMENTS, "WHERE kind = 'comment'") == 5
    assert count_rows(alice, COMMENTS, "WHERE kind = 'live_chat'") == 3
    kinds = Counter(row[0] for row in all_rows(alice, ITEMS, "kind, item_id, product"))
    assert kinds == {"subscription": 3, "playlist": 2, "playlist_video": 2, "like": 2}
    assert (run.accepted, run.rejected, run.duplicates) == (17, 0, 0)
    # Every comment landed in its month's partition, none in the default one.
    assert default_partition_rows(COMMENTS) == 0
    products = {product: entry["accepted"] for product, entry in run.products.items()}
    assert products == {"youtube.comments": 5, "youtube.live_chats": 3, "youtube.subscriptions": 3,
                        "youtube.playlists": 2, "youtube.playlist_videos": 2, "youtube.likes": 2}
    assert run.products["youtube.comments"]["first"] == "2023-01-02T10:00:00.123000Z"
    assert run.products["youtube.comments"]["last"] == "2024-08-01T09:15:00.000000Z"
    # Undated things report no span.
    assert run.products["youtube.subscriptions"]["first"] is None

    written = all_rows(alice, COMMENTS, "created_at, comment_id, text")
    assert written[0] == (dt.datetime(2022, 2, 2, 20, tzinfo=dt.UTC), "LCC1", "gg")
    assert written[2] == (dt.datetime(2023, 1, 2, 10, 0, 0, 123000, tzinfo=dt.UTC), "UgzA1", "Hi there")
    assert written[-2][1:] == ("UgzB2", "<script>alert(1)</script>")
    assert written[-1] == (dt.datetime(2024, 9, 9, 9, 9, 9, tzinfo=dt.UTC), "LCC3", "hello")
    rows = all_rows(alice, ITEMS, "kind, item_id, title, url, added_at, extra, product")
    playlist = next(row for row in rows if row[1] == "PLaaaa1111")
    assert playlist[2] == "Cooking" and json.loads(playlist[5])["playlist visibility"] == "Private"
    assert {row[6] for row in rows if row[0] == "like"} == {"youtube.likes"}


def test_the_same_takeout_twice_adds_nothing(import_files, alice, tmp_path):
    archive = youtube_takeout(tmp_path)
    import_files(archive)
    again = import_files(youtube_takeout(tmp_path, name="again.zip"))

    assert (again.status, again.accepted, again.duplicates) == (ImportRun.Status.SUCCEEDED, 0, 17)
    assert again.products["youtube.comments"]["duplicates"] == 5
    assert count_rows(alice, COMMENTS) == 8
    assert count_rows(alice, ITEMS) == 9


def test_a_csv_that_is_not_utf8_is_refused_whole_and_the_rest_imported(import_files, alice, tmp_path):
    latin1 = ("Channel Id,Channel Url,Channel Title\n"
              "UCok,http://www.youtube.com/channel/UCok,Fine\n"
              "UClat,http://www.youtube.com/channel/UClat,Caf\u00e9 cr\u00e8me\n").encode("latin-1")
    archive = make_zip(tmp_path / "t.zip", {
        f"{Y}/subscriptions/subscriptions.csv": latin1,
        f"{Y}/comments/comments.csv": COMMENTS_OLD.encode(),
    })

    run = import_files(archive)

    assert run.status == ImportRun.Status.PARTIAL
    assert count_rows(alice, ITEMS) == 0
    assert count_rows(alice, COMMENTS) == 3
    with user_scope(alice.pk):
        member = ImportMember.objects.get(run_id=run.pk, name__endswith="subscriptions.csv")
    assert member.status == ImportMember.Status.FAILED
    assert "a readable CSV file" in member.error and "not UTF-8" in member.error
    assert BAD_CSV not in run.rejections


def test_bad_rows_are_counted_by_reason_and_the_rest_imported(import_files, alice, tmp_path):
    header = "Comment ID,Channel ID,Comment Create Timestamp,Price,Parent Comment ID,Post ID,Video ID,Comment Text\n"
    data = header + (
        "ok1,UC,2023-01-01T00:00:00+00:00,0,,,vid00000001,fine\n"
        "short,UC,2023-01-01T00:00:00+00:00\n"
        "badtime,UC,31/12/2023,0,,,vid00000001,x\n"
        f"longchan,{'C' * 65},2023-01-01T00:00:00+00:00,0,,,vid00000001,x\n"
        "ok2,UC,2023-02-01T00:00:00+00:00,0,,,vid00000001,=cmd|' /C calc'!A0\n"
    )
    run = import_files(make_zip(tmp_path / "t.zip", {f"{Y}/comments/comments.csv": data.encode()}))

    assert run.status == ImportRun.Status.SUCCEEDED
    assert (run.accepted, run.rejected) == (2, 3)
    assert {reason: entry["count"] for reason, entry in run.rejections.items()} == {
        WRONG_COLUMN_COUNT: 1, "timestamp_malformed": 1, TEXT_TOO_LONG: 1}
    assert [row[1] for row in all_rows(alice, COMMENTS, "created_at, comment_id, text")] == ["ok1", "ok2"]


def test_day_search_exports_and_stats_show_her_youtube(import_files, alice, bob, tmp_path):
    import_files(youtube_takeout(tmp_path))

    with user_scope(alice.pk):
        day = dt.date(2022, 2, 2)
        part = timeline.day_part(day, *_window(day))
        hits = search.search("there")
        playlist_hits = search.search("cooking")
        products = search.search_products()
        ndjson = "".join(exports.ndjson(Range(), counts := Counter()))
        csv_text = "".join(exports.csv_rows(Range(), Counter()))
        dated = "".join(exports.ndjson(Range(dt.datetime(2024, 1, 1, tzinfo=dt.UTC)), Counter()))
        sections = stats.stats("month")
        weekly = stats.stats("week")
        neighbours = (timeline.neighbour_day(before=day), timeline.neighbour_day(after=day),
                      timeline.neighbour_day(before=dt.date(2023, 1, 2)),
                      timeline.neighbour_day(after=dt.date(2025, 1, 1)))
    with user_scope(bob.pk):
        bobs_csv = "".join(exports.csv_rows(Range(), Counter()))
        bobs_hits = search.search("there")
        bobs_day = timeline.day_part(day, *_window(day))

    assert [(e["label"], e["title"], e["url"]) for e in part.entries] == [
        ("Live chat", "gg", "https://www.youtube.com/watch?v=live0000001"),
        ("Live chat", "thanks", "https://www.youtube.com/watch?v=live0000001")]
    entry = part.entries[0]
    assert entry["kind"] == "event" and entry["source"] == "youtube" and entry["tz"] == "UTC+00:00"
    assert entry["start"] == dt.datetime(2022, 2, 2, 20, 0)
    assert part.entries[1]["detail"] == "Paid €2.00"

    assert [(h["kind"], h["title"], h["day"]) for h in hits] == [("YouTube comment", "Hi there", dt.date(2023, 1, 2))]
    assert hits[0]["url"] == "https://www.youtube.com/watch?v=dQw4w9WgXcQ" and hits[0]["rank"] > 0
    assert [(h["kind"], h["title"], h["url"]) for h in playlist_hits] == [
        ("YouTube playlist", "Cooking", "https://www.youtube.com/playlist?list=PLaaaa1111")]
    # Undated subscriptions are not searched (no day to link to); playlist videos and likes have no titles.
    assert products == ["youtube.comments", "youtube.live_chats", "youtube.playlists", "youtube.subscriptions"]
    assert bobs_hits == [] and bobs_day.entries == []
    assert bobs_csv == ""  # nothing of his: not even a header in a file another source writes

    lines = [json.loads(line) for line in ndjson.splitlines()]
    assert Counter(line["kind"] for line in lines) == {"youtube_comment": 8, "youtube_item": 9}
    assert Counter(line["type"] for line in lines)["live_chat"] == 3
    assert counts == {"youtube_comment": 8, "youtube_item": 9}
    # A window bounds items by when they were added: undated subscriptions stay out.
    assert Counter(json.loads(line)["kind"] for line in dated.splitlines()) == {"youtube_comment": 3}

    table = list(csv.reader(io.StringIO(csv_text)))
    assert table[0][:4] == ["table", "kind", "at", "id"]
    texts = [row[9] for row in table[1:]]
    assert "'=HYPERLINK(\"http://evil\")" in texts  # neutralized for spreadsheets
    assert len(table) == 1 + 17

    per_month, library = sections
    assert ("2022-02-01", 2, 2) in per_month.rows and ("2023-01-01", 0, 1) in per_month.rows
    assert ("Subscriptions", 3) in library.rows and library.note == "3 channel subscriptions."
    # 2022-02-02 is a Wednesday: its week starts on Monday the 31st of January.
    assert ("2022-01-31", 2, 2) in weekly[0].rows and weekly[0].title.endswith("per week")
    assert neighbours == (None, dt.date(2023, 1, 2), dt.date(2022, 2, 2), None)


def test_hostile_urls_are_not_links_and_undated_hits_have_no_day(import_files, alice, tmp_path):
    resources = json.dumps([
        {"kind": "youtube#subscription", "snippet": {"publishedAt": "2016-01-01T00:00:00Z", "title": "<b>Bold</b>",
                                                     "resourceId": {"channelId": "UCbold"}}},
        {"kind": "youtube#playlistItem", "snippet": {"publishedAt": "2016-02-01T00:00:00Z", "title": "Bold move",
                                                     "playlistId": "PLx", "resourceId": {"videoId": "javascript:"}}},
    ]).encode()
    import_files(youtube_takeout(tmp_path, **{f"{Y}/subscriptions/subscriptions.json": resources}))
    with user_scope(alice.pk):
        hits = search.search("bold")
    client_hits = browser(alice).get(reverse("lake:search"), {"q": "bold"})
    # The CSV's undated "<b>Bold</b>" subscription is found too, without a day to link to.
    assert sorted((h["title"], h["url"], h["day"] or dt.date.min) for h in hits) == [
        ("<b>Bold</b>", "", dt.date.min),
        ("<b>Bold</b>", "https://www.youtube.com/channel/UCbold", dt.date(2016, 1, 1)),
        ("Bold move", "", dt.date(2016, 2, 1))]
    assert client_hits.status_code == 200 and b"no date" in client_hits.content
    assert b"&lt;b&gt;Bold&lt;/b&gt;" in client_hits.content and b"<b>Bold</b>" not in client_hits.content


def browser(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def _window(day):
    from sources.localtime import utc_window

    return utc_window(day)

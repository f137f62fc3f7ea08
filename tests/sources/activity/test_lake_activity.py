"""My Activity in the lake: imported once, on the day page beside location history,
searchable, in the stats and exports, deleted with its run — and only ever its owner's."""

import csv
import io
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connections
from django.urls import reverse
from playwright.sync_api import expect

from core.rls import user_scope
from sources import registry
from tests.imports.conftest import count_rows, make_zip, minute_points, records_json

DAY = "2024-05-14"
SEARCHES = [
    {"header": "Search", "title": "Searched for croissant recipe",
     "titleUrl": "https://www.google.com/search?q=croissant+recipe", "time": f"{DAY}T07:30:05.123456Z",
     "products": ["Search"], "activityControls": ["Web & App Activity"]},
    {"header": "Search", "title": "Visited Boulangerie Poilâne - Paris",
     "titleUrl": "https://www.google.com/url?q=https://www.poilane.com/&usg=AOvVaw", "time": f"{DAY}T07:31:00.5Z",
     "products": ["Search"]},
]
VIDEOS = [
    {"header": "YouTube", "title": "Watched How to laminate dough like a pro",
     "titleUrl": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
     "subtitles": [{"name": "Bake School", "url": "https://www.youtube.com/channel/UC123"}],
     "time": f"{DAY}T12:00:00.000Z", "products": ["YouTube"]},
    {"header": "YouTube", "title": "Watched <script>alert(1)</script>",
     "titleUrl": "javascript:alert(1)", "time": f"{DAY}T12:10:00Z", "products": ["YouTube"]},
]


def takeout(tmp_path, name="takeout-001.zip"):
    return make_zip(tmp_path / name, {
        "Takeout/My Activity/Search/MyActivity.json": json.dumps(SEARCHES).encode(),
        "Takeout/YouTube and YouTube Music/history/watch-history.json": json.dumps(VIDEOS).encode(),
        "Takeout/Location History (Timeline)/Records.json": records_json(minute_points(30, 9, DAY)),
    })


@pytest.fixture
def imported(alice, bob, import_files, tmp_path):
    run = import_files(takeout(tmp_path))
    # Bob has history of his own, on the same day, that Alice must never see.
    bobs = [{"header": "YouTube", "title": "Watched Bob's secret video", "titleUrl": "https://www.youtube.com/watch?v=bobbobbob01",
             "time": f"{DAY}T13:00:00Z", "products": ["YouTube"]}]
    (tmp_path / "bob").mkdir()
    import_files(make_zip(tmp_path / "bob" / "takeout-001.zip",
                          {"Takeout/YouTube and YouTube Music/history/watch-history.json": json.dumps(bobs).encode()}),
                 user=bob)
    registry.refresh_derived()
    return run


def test_the_run_imports_each_product_once_and_reports_it(imported, alice, import_files, tmp_path):
    assert imported.status == "succeeded", imported.error
    assert imported.products["activity.json"]["accepted"] == 4
    assert imported.products["activity.json"]["first"] == f"{DAY}T07:30:05.000000Z"
    assert imported.products["location.records"]["accepted"] == 30
    assert count_rows(alice, "timeseries.activity_event") == 4

    (tmp_path / "again").mkdir()
    again = import_files(takeout(tmp_path / "again"))
    assert again.accepted == 0 and again.duplicates == 34
    assert count_rows(alice, "timeseries.activity_event") == 4


def test_the_day_page_mixes_location_with_searches_and_videos_in_local_order(imported, alice, client):
    client.force_login(alice)
    page = client.get(reverse("lake:day", args=[DAY])).content.decode()
    order = [page.index(text) for text in ("croissant recipe", "Boulangerie", "laminate dough")]
    assert order == sorted(order)
    assert "Bake School" in page and "Bob&#x27;s secret" not in page and "secret video" not in page
    # Links go only to the web, never opening the lake to the page they lead to.
    assert 'href="https://www.youtube.com/watch?v=dQw4w9WgXcQ" rel="noopener noreferrer"' in page
    assert "javascript:alert" not in page and "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page

    only = client.get(reverse("lake:day", args=[DAY]), {"only": "activity"}).content.decode()
    assert "laminate dough" in only and 'class="visit"' not in only and 'class="segment"' not in only


def test_search_finds_videos_and_pages_by_title_channel_and_host_for_their_owner_only(imported, alice, bob, client):
    def results(q):
        page = client.get(reverse("lake:search"), {"q": q}).content.decode()
        return page.split('<section class="card">')[-1]

    client.force_login(alice)
    found = results("laminate")
    assert "How to laminate dough like a pro" in found and f"/lake/day/{DAY}/" in found
    assert "laminate dough" in results("bake school")  # the channel
    assert "Boulangerie" in results("poilane")  # the host the Google redirect leads to
    assert "0 results" in results("secret")  # Bob's
    client.force_login(bob)
    assert "0 results" in results("laminate") and "secret video" in results("secret")


def test_stats_count_each_product_and_the_top_channels(imported, alice, client):
    client.force_login(alice)
    page = client.get(reverse("lake:stats")).content.decode()
    assert "My Activity by product" in page and "Top channels" in page and "Bake School" in page
    assert "youtube.com" in page and "Bob" not in page
    client.force_login(get_user_model().objects.get(username="bob"))
    bobs = client.get(reverse("lake:stats")).content.decode()
    assert "Top channels" not in bobs and "Bake School" not in bobs and "My Activity by product" in bobs
    bobs_export = b"".join(client.get(reverse("lake:export_download"), {"format": "ndjson"}).streaming_content)
    assert b"laminate" not in bobs_export and bobs_export.count(b'"activity_event"') == 1
    bobs_day = client.get(reverse("lake:day", args=[DAY])).content.decode()
    assert "laminate" not in bobs_day and "croissant" not in bobs_day and "secret video" in bobs_day


def test_exports_carry_the_entries_and_delete_removes_them_with_their_run(imported, alice, client):
    client.force_login(alice)
    ndjson = b"".join(client.get(reverse("lake:export_download"), {"format": "ndjson"}).streaming_content).decode()
    kinds = [json.loads(line)["kind"] for line in ndjson.splitlines()]
    assert kinds.count("activity_event") == 4 and kinds.count("location_point") == 30
    first = next(json.loads(line) for line in ndjson.splitlines() if '"activity_event"' in line)
    assert first["at"] == f"{DAY}T07:30:05.123456+00:00"

    response = client.get(reverse("lake:export_download"), {"format": "csv", "family": "activity"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert response["Content-Disposition"].endswith('-activity-all.csv"')
    assert [row["service"] for row in rows] == ["Search", "Search", "YouTube", "YouTube"]
    # A formula-looking cell is neutralized; the title itself is kept as written.
    assert rows[3]["title"] == "Watched <script>alert(1)</script>"

    refused = client.get(reverse("lake:export_download"), {"format": "gpx", "family": "activity"})
    assert refused.status_code == 400 and "not as GPX" in refused.content.decode()

    response = client.post(reverse("lake:delete"), {"scope": "import_run", "import_run": imported.pk,
                                                    "confirm": "alice"})
    assert response.status_code == 200 and "Verified" in response.content.decode()
    with connections["owner"].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM timeseries.activity_event WHERE user_id = %s", [alice.pk])
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT count(*) FROM timeseries.activity_event WHERE user_id <> %s", [alice.pk])
        assert cursor.fetchone()[0] == 1  # Bob's


@pytest.mark.browser
def test_in_chromium_a_day_mixes_location_with_youtube_and_search_and_search_finds_a_video(
        imported, page, live_url, sign_in, tmp_path):
    from django.contrib.auth import get_user_model

    alice = get_user_model().objects.get(username="alice")
    sign_in(page, alice)
    page.goto(f"{live_url}/lake/day/{DAY}/")
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("laminate dough")
    text = timeline.inner_text()
    assert "Searched for croissant recipe" in text and "YouTube" in text
    page.screenshot(path=str(tmp_path / "day.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(tmp_path / "day-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 860})

    page.goto(f"{live_url}/lake/search/")
    page.fill("#id_q", "laminate")
    page.click("form[role=search] button[type=submit]")
    page.wait_for_selector("#results")
    assert "How to laminate dough like a pro" in page.locator("#results").inner_text()
    page.click("#results li a >> nth=0")
    page.wait_for_url(re.compile(rf".*/lake/day/{DAY}/$"))
    page.goto(f"{live_url}/lake/stats/")
    page.screenshot(path=str(tmp_path / "stats.png"), full_page=True)


def test_a_prompt_longer_than_the_title_column_is_kept_whole_in_the_description(alice, import_files, tmp_path):
    prompt = "Explain sourdough " + "and starter hydration " * 300
    entries = [{"header": "Gemini Apps", "title": f"Prompted {prompt}", "time": f"{DAY}T08:00:00Z",
                "products": ["Gemini Apps"]},
               {"header": "Search", "title": "Searched for x", "titleUrl": "https://www.google.com/search?q="
                + "x" * 5000, "time": f"{DAY}T08:01:00Z", "products": ["Search"]}]
    run = import_files(make_zip(tmp_path / "takeout-001.zip", {
        "Takeout/My Activity/Gemini Apps/MyActivity.json": json.dumps(entries).encode()}))
    assert run.accepted == 1 and run.rejections["text_too_long"]["count"] == 1
    assert "url is 5,0" in run.rejections["text_too_long"]["samples"][0]["detail"]
    with connections["owner"].cursor() as cursor:
        cursor.execute("SELECT length(title), description FROM timeseries.activity_event WHERE user_id = %s",
                       [alice.pk])
        length, description = cursor.fetchone()
    assert length == 2000 and description.startswith(f"Prompted {prompt}")


def _cell(header: str, verb: str, url: str, text: str, when: str, products: str) -> str:
    return (f'<div class="outer-cell mdl-cell mdl-cell--12-col mdl-shadow--2dp"><div class="mdl-grid">'
            f'<div class="header-cell mdl-cell mdl-cell--12-col">'
            f'<p class="mdl-typography--title">{header}<br></p></div>'
            f'<div class="content-cell mdl-cell mdl-cell--6-col mdl-typography--body-1">{verb}&nbsp;'
            f'<a href="{url}">{text}</a><br>{when}</div>'
            f'<div class="content-cell mdl-cell mdl-cell--6-col mdl-typography--body-1 '
            f'mdl-typography--text-right"></div>'
            f'<div class="content-cell mdl-cell mdl-cell--12-col mdl-typography--caption"><b>Products:</b><br>'
            f'&emsp;{products}<br></div></div></div>')


def _page(*cells: str) -> bytes:
    return ("<html><head><title>My Activity</title></head><body><div class=\"mdl-grid\">" + "".join(cells)
            + "</div></body></html>").encode()


HTML_HISTORY = _page(
    _cell("YouTube", "Watched", "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "How to laminate dough like a pro",
          "May 14, 2024, 8:00:00\u202fAM EDT", "YouTube"),
    _cell("Search", "Searched for", "https://www.google.com/search?q=croissant+recipe", "croissant recipe",
          "May 14, 2024, 3:30:05\u202fAM EDT", "Search"),
)
JSON_HISTORY = [VIDEOS[0] | {"time": f"{DAY}T12:00:00.654321Z"}, SEARCHES[0]]


def test_the_json_and_the_html_of_one_history_are_the_rows_of_one_import(alice, import_files, tmp_path):
    first = import_files(make_zip(tmp_path / "takeout-001.zip", {
        "Takeout/My Activity/YouTube/MyActivity.json": json.dumps(JSON_HISTORY).encode()}))
    (tmp_path / "html").mkdir()
    second = import_files(make_zip(tmp_path / "html" / "takeout-001.zip", {
        "Takeout/Meine Aktivitäten/YouTube/MeineAktivitäten.html": HTML_HISTORY}))
    assert first.accepted == 2 and first.status == "succeeded"
    # HTML has seconds only and states EDT: the same instants, so nothing new.
    assert (second.accepted, second.duplicates, second.rejected) == (0, 2, 0), second.rejections
    assert second.products["activity.html"]["first"] == f"{DAY}T07:30:05.000000Z"
    assert count_rows(alice, "timeseries.activity_event") == 2


def test_a_cut_html_page_keeps_nothing_of_itself_and_the_rest_of_the_run_imports(alice, import_files, tmp_path):
    cut = HTML_HISTORY[: len(HTML_HISTORY) - 40]
    run = import_files(make_zip(tmp_path / "takeout-001.zip", {
        "Takeout/My Activity/YouTube/MyActivity.html": cut,
        "Takeout/My Activity/Search/MyActivity.json": json.dumps(SEARCHES).encode()}))
    assert run.status == "partial" and run.accepted == 2
    with user_scope(alice.pk):
        failed = run.members.get(name__endswith="MyActivity.html")
    assert failed.status == "failed" and "complete HTML page" in failed.error
    assert count_rows(alice, "timeseries.activity_event") == 2


def test_the_real_samples_import_with_nothing_rejected(alice, import_files, shared_samples, tmp_path):
    def sample(name):
        return (shared_samples / name).read_bytes()

    run = import_files(make_zip(tmp_path / "takeout-001.zip", {
        "Takeout/My Activity/Search/My Activity.json": sample("my-activity-search-dogsheep.json"),
        "Takeout/My Activity/Maps/My Activity.json": sample("my-activity-maps-dogsheep.json"),
        "Takeout/My Activity/Chrome/MyActivity.html": sample("my-activity-chrome-purarue.html"),
    }))
    assert run.status == "succeeded" and run.rejected == 0, run.rejections
    assert run.products["activity.json"]["accepted"] == 4
    assert run.products["activity.html"]["accepted"] == 3
    assert run.products["activity.html"]["first"] == "2017-02-08T00:32:36.000000Z"
    assert run.products["activity.html"]["last"] == "2018-01-31T22:54:50.000000Z"
    with connections["owner"].cursor() as cursor:
        cursor.execute("SELECT lat_e7, lng_e7 FROM timeseries.activity_event WHERE user_id = %s AND title ="
                       " 'Searched for adobe creative cloud'", [alice.pk])
        assert cursor.fetchone() == (258008190, -801863100)

"""No page says a product code (`location.records`), an activity enum (`IN_PASSENGER_VEHICLE`), a
place type (`TYPE_SEARCHED_ADDRESS`) or a table name: the label table (sources/labels.py) and each
source's product labels translate them. This walks the pages and the JSON they draw from."""

import datetime as dt
import json
import re

import lxml.html
import pytest
from django.db import connections

from sources import labels
from sources.location import analytics
from tests.explore.conftest import DAY, PARIS

PRODUCT_CODE = re.compile(r"\b(?:location|activity|youtube|chrome|places|play|photos|mail|keep|fit|calendar|contacts"
                          r"|info)\.[a-z][a-z_]+\b")
# IN_PASSENGER_VEHICLE, and what a template's |lower|capfirst makes of it ("In_passenger_vehicle").
ENUM = re.compile(r"\b[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+\b")
TABLE = re.compile(r"\b(?:timeseries|user_data|analytics|core)\.[a-z_]+\b|\b(?:location_point|place_visit"
                   r"|activity_segment|saved_place|photo_sidecar|fit_session|fit_daily)\b")
PAGES = ["/", "/lake/map/", f"/lake/day/{DAY}/", f"/lake/day/{DAY}/?only=location", "/lake/stats/",
         "/lake/stats/?grain=week", "/lake/search/?q=Flore", "/lake/search/?q=Marked", "/lake/export/",
         "/lake/delete/", "/lake/devices/", "/imports/"]
JSON = ["/lake/map/layers", "/lake/map/data?bbox=-180,-90,180,90&zoom=3",
        "/lake/map/data?bbox=2.2,48.8,2.6,48.95&zoom=16"]


def _at(hour, minute=0):
    return dt.datetime.combine(DAY, dt.time(hour, minute), tzinfo=dt.UTC)


@pytest.fixture
def codes_everywhere(lake_people):
    """Alice's lake with the codes Takeout and other apps write: a drive, a searched address, GPX points."""
    alice = lake_people.alice.pk
    lat, lng = PARIS
    with connections["owner"].cursor() as cursor:
        cursor.execute(
            "INSERT INTO timeseries.activity_segment (user_id, started_at, ended_at, utc_offset_minutes, "
            "start_lat_e7, start_lng_e7, end_lat_e7, end_lng_e7, distance_m, activity_type, waypoints, product) "
            "VALUES (%s, %s, %s, 120, %s, %s, %s, %s, 12000, 'IN_PASSENGER_VEHICLE', '[]', 'location.semantic'), "
            "(%s, %s, %s, 120, %s, %s, %s, %s, 800, 'SOME_NEW_GOOGLE_MODE', '[]', 'location.semantic')",
            [alice, _at(16), _at(16, 30), lat, lng, lat + 50000, lng + 50000,
             alice, _at(17), _at(17, 10), lat + 50000, lng + 50000, lat + 51000, lng + 51000])
        cursor.execute(
            "INSERT INTO timeseries.place_visit (user_id, started_at, ended_at, utc_offset_minutes, lat_e7, lng_e7, "
            "place_id, name, address, semantic_type, product, is_child) VALUES "
            "(%s, %s, %s, 120, %s, %s, '', 'Marked spot', '', 'TYPE_SEARCHED_ADDRESS', 'location.gpx', false)",
            [alice, _at(18), _at(18), lat + 2000, lng + 2000])
        cursor.execute(
            "INSERT INTO timeseries.location_point (user_id, recorded_at, lat_e7, lng_e7, source, platform, "
            "activity_type, product) VALUES (%s, %s, %s, %s, 'track', '', 'IN_PASSENGER_VEHICLE', 'location.gpx')",
            [alice, _at(19), lat + 3000, lng + 3000])
    analytics.refresh()
    return lake_people


def shown_text(html: str) -> list[str]:
    """What a person reads on a page: its text, the attributes browsers show, and the JSON its scripts draw."""
    root = lxml.html.fromstring(html)
    shown = []
    for script in root.iter("script"):
        if script.get("type") == "application/json":
            shown.extend(json_strings(json.loads(script.text or "null")))
        script.drop_tree()
    for style in root.iter("style"):
        style.drop_tree()
    for element in root.iter():
        for attribute in ("title", "placeholder", "aria-label", "alt", "value"):
            if element.get(attribute) and (attribute != "value" or element.tag in ("button",)):
                shown.append(element.get(attribute))
    # Each text node on its own: table cells run together in text_content().
    shown.extend(root.itertext())
    return shown


def json_strings(value) -> list[str]:
    """The texts a page may show of a JSON value: its strings, and the names of its number series."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        # {name: [numbers]} is a chart's series: the keys are its legend. Other keys are not shown.
        legend = [key for key, item in value.items() if isinstance(item, list) and item
                  and all(isinstance(n, int | float) for n in item)]
        return [*legend, *(text for item in value.values() for text in json_strings(item))]
    if isinstance(value, list):
        return [text for item in value for text in json_strings(item)]
    return []


def raw_codes(texts: list[str]) -> set[str]:
    found = set()
    for text in texts:
        for pattern in (PRODUCT_CODE, ENUM, TABLE):
            found.update(pattern.findall(text))
    return found


def test_no_page_she_reads_says_a_code(codes_everywhere, browser_for):
    client = browser_for(codes_everywhere.alice)
    problems = {}
    for url in PAGES:
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        if found := raw_codes(shown_text(response.content.decode())):
            problems[url] = found
    for url in JSON:
        response = client.get(url)
        assert response.status_code == 200, url
        if found := raw_codes(json_strings(response.json())):
            problems[url] = found
    assert problems == {}


def test_the_day_and_the_stats_say_the_words_instead(codes_everywhere, browser_for):
    client = browser_for(codes_everywhere.alice)
    day = " ".join(shown_text(client.get(f"/lake/day/{DAY}/").content.decode()))
    assert "Driving · 12000 m" in day and "Some new google mode" in day and "Searched address" in day
    # A waypoint's visit is a moment, not a stay: one time, not "20:00–20:00".
    assert "Marked spot" in day and "20:00–20:00" not in day and "20:00" in day
    stats = " ".join(shown_text(client.get("/lake/stats/").content.decode()))
    assert "Driving" in stats and "Walking" in stats
    home = " ".join(shown_text(client.get("/").content.decode()))
    assert "GPX track" in home and "Semantic Location History" in home


def test_the_walker_would_catch_each_kind_of_code():
    assert raw_codes(["From location.records", "IN_PASSENGER_VEHICLE", "rows of timeseries.location_point",
                      "In_passenger_vehicle"]) == {"location.records", "IN_PASSENGER_VEHICLE",
                                                   "timeseries.location_point", "location_point",
                                                   "In_passenger_vehicle"}
    assert raw_codes(["Location history: Records.json", "Driving", "Location points", "UTC+02:00"]) == set()


@pytest.mark.parametrize(("code", "words"), [
    ("IN_PASSENGER_VEHICLE", "Driving"), ("in_passenger_vehicle", "Driving"), ("WALKING", "Walking"),
    ("FLYING", "Flying"), ("UNKNOWN_ACTIVITY_TYPE", "Moving (mode unknown)"), ("HOVERBOARDING", "Hoverboarding"),
    ("SOME_NEW_MODE", "Some new mode"), ("", ""), (None, ""),
])
def test_activity_labels(code, words):
    assert labels.activity_label(code) == words


def test_place_types_and_point_sources():
    assert [labels.place_type_label(code) for code in ("TYPE_HOME", "TYPE_SEARCHED_ADDRESS", "TYPE_UNKNOWN",
                                                       "TYPE_CAFE", "", None)] == [
        "Home", "Searched address", "", "Cafe", "", ""]
    assert [labels.point_source_label(code) for code in ("WIFI", "GPS", "waypoint", "owntracks", "SOMETHING_ELSE")
            ] == ["Wi-Fi", "GPS", "Waypoint", "OwnTracks", "Something else"]

"""Google Play end to end: a Takeout zip through the import pipeline into the monthly
partitions, then the day page, search, exports and stats read back under the user's scope."""

import csv
import datetime as dt
import json
from collections import Counter

from core.rls import user_scope
from sources.export import Range
from sources.localtime import utc_window
from sources.play import exports, search, stats, timeline
from tests.imports.conftest import all_rows, count_rows, default_partition_rows, make_zip

TABLE = "timeseries.play_event"
PLAY = "Takeout/Google Play Store"


def install(title, at, device="Pixel 6") -> dict:
    return {"install": {"doc": {"documentType": "Android Apps", "title": title}, "firstInstallationTime": at,
                        "deviceAttribute": {"manufacturer": "Google", "deviceDisplayName": device},
                        "lastUpdateTime": "2023-06-01T10:00:00.000Z"}}


INSTALLS = [
    install("Google Maps", "2019-03-04T05:06:07.000Z"),
    install("Signal", "2019-03-20T22:00:00.000Z"),
    install("=HYPERLINK(\"http://evil\")", "2021-12-31T23:59:59.000Z"),
    {"install": {"doc": {"title": "No time"}}},
]
LIBRARY = [{"libraryDoc": {"doc": {"documentType": "Book", "title": "Dune"},
                           "acquisitionTime": "2019-03-04T18:00:00.000Z"}}]
PURCHASES = [{"purchaseHistory": {"doc": {"documentType": "Android Apps", "title": "Threema"},
                                  "purchaseTime": "2020-05-06T07:08:09.000Z", "invoicePrice": "€5.99",
                                  "paymentMethodTitle": "Visa-1234"}}]
ORDERS = [{"orderHistory": {"orderId": "GPA.1", "creationTime": "2020-05-06T07:08:09.000Z", "totalPrice": "€5.99",
                            "lineItem": [{"doc": {"documentType": "Android Apps", "title": "Threema"}}]}}]


def members() -> dict[str, bytes]:
    return {f"{PLAY}/{name}": json.dumps(records).encode() for name, records in (
        ("Installs.json", INSTALLS), ("Library.json", LIBRARY), ("Purchase History.json", PURCHASES),
        ("Order History.json", ORDERS))}


def test_an_export_imports_its_events_into_monthly_partitions_once(import_files, alice, bob, tmp_path):
    run = import_files(make_zip(tmp_path / "takeout-001.zip", members()))

    assert run.status == "succeeded"
    assert count_rows(alice, TABLE) == 6 and count_rows(bob, TABLE) == 0
    assert default_partition_rows(TABLE) == 0
    assert {name: (entry["accepted"], entry["rejected"]) for name, entry in run.products.items()} == {
        "play.installs": (3, 1), "play.library": (1, 0), "play.purchases": (1, 0), "play.orders": (1, 0)}
    assert run.rejections["missing_timestamp"]["count"] == 1
    rows = all_rows(alice, TABLE, "at, kind, title, document_type, device, price, product")
    assert rows[0] == (dt.datetime(2019, 3, 4, 5, 6, 7, tzinfo=dt.UTC), "install", "Google Maps", "Android Apps",
                       "Pixel 6", "", "play.installs")
    assert rows[-1][:3] == (dt.datetime(2021, 12, 31, 23, 59, 59, tzinfo=dt.UTC), "install",
                            "=HYPERLINK(\"http://evil\")")
    assert [r[1] for r in rows if r[0].year == 2020] == ["order", "purchase"]
    assert run.products["play.installs"]["first"].startswith("2019-03-04")

    again = import_files(make_zip(tmp_path / "takeout-002.zip", members()))

    assert (again.accepted, again.duplicates) == (0, 6)
    assert count_rows(alice, TABLE) == 6


def test_a_truncated_installs_file_keeps_nothing_of_it(import_files, alice, tmp_path):
    broken = json.dumps(INSTALLS).encode()[:150]
    run = import_files(make_zip(tmp_path / "takeout-001.zip", {
        f"{PLAY}/Installs.json": broken, f"{PLAY}/Library.json": json.dumps(LIBRARY).encode()}))

    assert all_rows(alice, TABLE, "kind, title, product") == [("library", "Dune", "play.library")]
    with user_scope(alice.pk):
        failed = run.members.get(name__endswith="Installs.json")
    assert failed.status == "failed" and "valid JSON" in failed.error


def test_the_day_page_search_exports_and_stats_read_them_back(import_files, alice, bob, tmp_path):
    import_files(make_zip(tmp_path / "takeout-001.zip", members()))
    day = dt.date(2019, 3, 4)

    with user_scope(alice.pk):
        part = timeline.day_part(day, *utc_window(day))
        found = search.search("signal")
        products = sorted(search.search_products())
        counts = Counter()
        ndjson = [json.loads(line) for line in exports.ndjson(Range(), counts)]
        csv_lines = "".join(exports.csv_rows(Range(), counts)).splitlines()
        windowed = Counter()
        in_2020 = list(exports.ndjson(Range(dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
                                            dt.datetime(2021, 1, 1, tzinfo=dt.UTC)), windowed))
        tables = stats.stats("month")
        neighbours = (timeline.neighbour_day(before=day), timeline.neighbour_day(after=day),
                      timeline.neighbour_day(before=dt.date(2021, 12, 31)))
    with user_scope(bob.pk):
        bobs = (timeline.day_part(day, *utc_window(day)).entries, search.search("signal"), stats.stats("month"))

    assert [(e["kind"], e["start"], e["tz"], e["source"], e["label"], e["title"], e["url"]) for e in part.entries] == [
        ("event", dt.datetime(2019, 3, 4, 5, 6, 7), "UTC+00:00", "play", "App installed", "Google Maps", ""),
        ("event", dt.datetime(2019, 3, 4, 18), "UTC+00:00", "play", "Added to library", "Dune", "")]
    assert part.entries[0]["detail"] == "Android Apps · Pixel 6"
    assert [(r["kind"], r["title"], r["day"], r["product"], r["url"]) for r in found] == [
        ("App installed", "Signal", dt.date(2019, 3, 20), "play.installs", "")]
    assert products == ["play.installs", "play.library", "play.orders", "play.purchases"]
    assert counts == {"play_event": 12}
    assert {line["kind"] for line in ndjson} == {"play_event"}
    assert Counter(line["event_kind"] for line in ndjson) == {"install": 3, "library": 1, "purchase": 1, "order": 1}
    assert csv_lines[0] == "at,event_kind,title,document_type,device,price,extra,product,import_run_id"
    # A title that would run as a spreadsheet formula is neutralized.
    titles = [row[2] for row in csv.reader(csv_lines[1:])]
    assert "'=HYPERLINK(\"http://evil\")" in titles and "Google Maps" in titles
    assert (len(in_2020), windowed) == (2, {"play_event": 2})
    installs, kinds = tables
    assert installs.rows == [(dt.date(2019, 3, 1), 2), (dt.date(2021, 12, 1), 1)]
    assert kinds.rows == [("App installed", 3), ("Added to library", 1), ("Order", 1), ("Purchase", 1)]
    assert neighbours == (None, dt.date(2019, 3, 20), dt.date(2020, 5, 6))
    assert bobs == ([], [], [])

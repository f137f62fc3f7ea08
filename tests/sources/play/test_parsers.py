"""The Google Play parsers and signatures, on fixtures written from the documented shapes."""

import io
import json
from datetime import UTC, datetime

import pytest

from sources.detect import Head, identify
from sources.play.detect import detect
from sources.play.parsers import (
    item_key,
    parse_installs,
    parse_library,
    parse_orders,
    parse_purchases,
    parse_reviews,
)
from sources.play.records import PlayEvent
from sources.records import Rejection


def parse(parser, records) -> list:
    data = records if isinstance(records, bytes) else json.dumps(records, ensure_ascii=False).encode()
    return list(parser(io.BytesIO(data)))


def events(items) -> list[PlayEvent]:
    return [item for item in items if isinstance(item, PlayEvent)]


def reasons(items) -> list[str]:
    return [item.reason for item in items if isinstance(item, Rejection)]


def install(title, at, device="Pixel 6", **more) -> dict:
    body = {"doc": {"documentType": "Android Apps", "title": title}, "firstInstallationTime": at,
            "deviceAttribute": {"manufacturer": "Google", "deviceDisplayName": device, "model": "oriole",
                                "carrier": "Telekom"},
            "lastUpdateTime": "2023-06-01T10:00:00.000Z", **more}
    return {"install": body}


INSTALLS = [
    install("Google Maps", "2019-03-04T05:06:07.123Z"),
    install("Signal Private Messenger", "2021-12-31T23:59:59.000Z", device="Galaxy S21"),
    install("<b>Fancy</b> & Co", "2022-01-15T12:00:00.000Z"),
]


def test_installs_keep_time_title_type_and_device():
    items = parse(parse_installs, INSTALLS)

    assert reasons(items) == []
    found = events(items)
    assert [e.at for e in found] == [datetime(2019, 3, 4, 5, 6, 7, 123000, tzinfo=UTC),
                                     datetime(2021, 12, 31, 23, 59, 59, tzinfo=UTC),
                                     datetime(2022, 1, 15, 12, tzinfo=UTC)]
    maps = found[0]
    assert (maps.kind, maps.title, maps.document_type, maps.device, maps.price) == (
        "install", "Google Maps", "Android Apps", "Pixel 6", None)
    assert maps.extra == {"last_update": "2023-06-01T10:00:00+00:00", "manufacturer": "Google", "model": "oriole",
                          "carrier": "Telekom"}
    assert maps.item_key == item_key("Google Maps", "Android Apps")
    assert found[1].device == "Galaxy S21"
    assert found[2].title == "<b>Fancy</b> & Co"  # text, as written


def test_a_device_without_a_display_name_is_named_by_maker_and_model():
    record = {"install": {"doc": {"title": "App"}, "firstInstallationTime": "2020-01-01T00:00:00Z",
                          "deviceAttribute": {"manufacturer": "Fairphone", "model": "FP4"}}}

    (event,) = events(parse(parse_installs, [record]))

    assert (event.device, event.document_type) == ("Fairphone FP4", None)


def test_the_item_key_tells_apps_and_types_apart():
    assert item_key("Chess", "Android Apps") == item_key("Chess", "Android Apps")
    assert item_key("Chess", "Android Apps") != item_key("Chess", "Book")
    assert item_key("Chess", None) != item_key("Chess 2", None)


def test_library_purchases_orders_and_reviews():
    library = parse(parse_library, [{"libraryDoc": {"doc": {"documentType": "Book", "title": "Dune"},
                                                    "acquisitionTime": "2018-02-03T04:05:06.000Z"}}])
    purchases = parse(parse_purchases, [{"purchaseHistory": {
        "doc": {"documentType": "Android Apps", "title": "Threema"}, "purchaseTime": "2020-05-06T07:08:09.000Z",
        "invoicePrice": "€5.99", "paymentMethodTitle": "Visa-1234"}}])
    orders = parse(parse_orders, [{"orderHistory": {
        "orderId": "GPA.1234-5678", "creationTime": "2021-07-08T09:10:11.000Z", "totalPrice": "€3.98",
        "paymentMethodTitle": "PayPal",
        "lineItem": [{"doc": {"documentType": "Android Apps", "title": "Game"}},
                     {"doc": {"documentType": "In-app", "title": "Coins"}}]}}])
    reviews = parse(parse_reviews, [{"review": {
        "document": {"documentType": "Android Apps", "title": "Maps"}, "creationTime": "2022-01-01T00:00:00.000Z",
        "starRating": 4, "comment": "Good =cmd|' /C calc'!A0"}}])

    assert reasons(library + purchases + orders + reviews) == []
    (book,) = events(library)
    assert (book.kind, book.title, book.document_type, book.at) == (
        "library", "Dune", "Book", datetime(2018, 2, 3, 4, 5, 6, tzinfo=UTC))
    (bought,) = events(purchases)
    assert (bought.kind, bought.title, bought.price, bought.extra) == (
        "purchase", "Threema", "€5.99", {"payment_method": "Visa-1234"})
    game, coins = events(orders)
    assert (game.kind, game.title, coins.title, game.at) == (
        "order", "Game", "Coins", datetime(2021, 7, 8, 9, 10, 11, tzinfo=UTC))
    assert game.item_key != coins.item_key
    assert game.price is None and game.extra["total_price"] == "€3.98" and game.extra["order_id"] == "GPA.1234-5678"
    (review,) = events(reviews)
    assert (review.kind, review.title, review.extra["rating"]) == ("review", "Maps", 4)


def test_a_single_item_order_carries_the_total_as_its_price():
    (event,) = events(parse(parse_orders, [{"orderHistory": {
        "creationTime": "2021-07-08T09:10:11.000Z", "totalPrice": "$0.99",
        "lineItem": [{"doc": {"title": "Sticker pack"}}]}}]))

    assert event.price == "$0.99"


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ({"install": {"doc": {"title": "No time"}}}, "missing_timestamp"),
        ({"install": {"doc": {"title": "Bad time"}, "firstInstallationTime": "last tuesday"}}, "timestamp_malformed"),
        ({"install": {"doc": {"title": "Too late"}, "firstInstallationTime": "9999-01-01T00:00:00Z"}},
         "timestamp_implausible"),
        ({"install": {"doc": {"title": "Numeric"}, "firstInstallationTime": 1577836800000}}, "timestamp_malformed"),
        ({"install": {"doc": {}, "firstInstallationTime": "2020-01-01T00:00:00Z"}}, "malformed_record"),
        ({"install": {"doc": {"title": ["a", "list"]}, "firstInstallationTime": "2020-01-01T00:00:00Z"}},
         "malformed_record"),
        ({"install": "not an object"}, "malformed_record"),
        ({"somethingElse": {}}, "malformed_record"),
        (42, "malformed_record"),
        ({"install": {"doc": {"title": "x"}, "firstInstallationTime": "2020-01-01T00:00:00Z",
                      "deviceAttribute": ["not", "an", "object"]}}, "malformed_record"),
    ],
)
def test_a_bad_record_is_rejected_with_its_reason_and_the_rest_kept(bad, reason):
    items = parse(parse_installs, [INSTALLS[0], bad, INSTALLS[1]])

    assert reasons(items) == [reason]
    assert [e.title for e in events(items)] == ["Google Maps", "Signal Private Messenger"]


def test_an_order_with_one_bad_line_item_is_refused_whole():
    items = parse(parse_orders, [{"orderHistory": {
        "creationTime": "2021-07-08T09:10:11.000Z",
        "lineItem": [{"doc": {"title": "Good"}}, {"doc": {"documentType": "No title"}}]}},
        {"orderHistory": {"creationTime": "2021-07-08T09:10:11.000Z", "lineItem": []}}])

    assert reasons(items) == ["malformed_record", "malformed_record"]
    assert events(items) == []


def test_a_huge_title_is_bounded():
    (event,) = events(parse(parse_installs, [install("x" * 100_000, "2020-01-01T00:00:00Z")]))

    assert len(event.title) == 2000


@pytest.mark.parametrize(
    "data",
    [
        json.dumps(INSTALLS).encode()[:200],  # cut mid-record
        json.dumps(INSTALLS).encode().replace(b'"Pixel 6"', b"9" * 5000, 1),  # an integer no decoder holds
        b"[" * 100_000,
        b'[{"install": {"doc": {"title": "x"}, "firstInstallationTime": Infinity}}]',
        b'[{"install": {"doc": {"title": "' + b"x" * (2 * 1024 * 1024) + b'"}}}]',  # a token past 1 MiB
    ],
)
def test_a_broken_document_ends_with_one_bad_json(data):
    items = parse(parse_installs, data)

    assert reasons(items).count("bad_json") == 1 and reasons(items)[-1] == "bad_json"


@pytest.mark.parametrize(
    ("name", "records", "expected"),
    [
        ("Takeout/Google Play Store/Installs.json", INSTALLS, "play.installs"),
        ("Takeout/Google Play Store/Installationen.json", INSTALLS, "play.installs"),
        ("Takeout/Google Play Store/Library.json", [{"libraryDoc": {}}], "play.library"),
        ("Takeout/Google Play Store/Purchase History.json", [{"purchaseHistory": {}}], "play.purchases"),
        ("Takeout/Google Play Store/Order History.json", [{"orderHistory": {}}], "play.orders"),
        ("Takeout/Google Play Store/Reviews.json", [{"review": {}}], "play.reviews"),
        # Not ours: My Activity, other Play files, mixed or empty arrays.
        ("Takeout/My Activity/Google Play Store/MyActivity.json",
         [{"header": "Google Play Store", "title": "Used Maps", "time": "2020-01-01T00:00:00Z"}], None),
        ("Takeout/Google Play Store/Devices.json", [{"device": {"mostRecentData": {}}}], None),
        ("mixed.json", [{"install": {}}, {"review": {}}], None),
        ("empty.json", [], None),
    ],
)
def test_detection_is_by_the_wrapper_key_of_the_first_records(name, records, expected):
    assert detect(Head(name, json.dumps(records).encode())) == expected


def test_location_keeps_its_own_arrays():
    from sources.location.detect import detect as location

    ios = b'[{"endTime": "2024-01-01T18:00:00.000+02:00", "startTime": "2024-01-01T12:00:00.000+02:00", "visit": {}}]'
    assert identify("location-history.json", ios, (location, detect)) == "location.ios"
    assert identify("Installs.json", json.dumps(INSTALLS).encode(), (location, detect)) == "play.installs"


def test_no_real_sample_of_another_product_is_taken_for_google_play(shared_samples):
    from sources.detect import HEAD_BYTES

    files = sorted(path for path in shared_samples.iterdir() if path.is_file() and path.suffix in (".json", ".html"))
    assert len(files) >= 8
    for path in files:
        assert detect(Head(f"Takeout/{path.name}", path.read_bytes()[:HEAD_BYTES])) is None, path.name

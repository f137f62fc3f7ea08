"""Streaming parsers for the Google Play Store's JSON files.

Each file is a bare array of one-key objects whose key names the kind:
``Installs.json`` ``[{"install": {...}}]``, ``Library.json`` ``[{"libraryDoc": …}]``,
``Purchase History.json`` ``[{"purchaseHistory": …}]``, ``Order History.json``
``[{"orderHistory": …}]`` and ``Reviews.json`` ``[{"review": …}]``. Records are
decoded one at a time with ijson; each parser yields ``PlayEvent`` and
``Rejection`` values in file order.

Contract, as for every parser of the lake: a record that cannot be taken
(no time, no title, the wrong shape) is one ``Rejection`` and parsing goes on;
a document that stops being JSON ends with one ``bad_json`` Rejection; an
exception of the stream itself propagates.
"""

import hashlib
import uuid
from collections.abc import Callable, Iterable, Iterator

import ijson

from sources.play.records import INSTALL, LIBRARY, ORDER, PURCHASE, REVIEW, PlayEvent
from sources.records import Rejection
from sources.sanitize import (
    BAD_JSON,
    MALFORMED_RECORD,
    MISSING_TIMESTAMP,
    MemberStream,
    RecordRejected,
    SafeJSONStream,
    Window,
    clean_text,
    instant_from_iso,
    plausible_window,
    sample_of,
)

type Item = PlayEvent | Rejection

# Bounds for the text columns that are no title: a device or price longer than this is noise.
_SHORT = 200

_JSON_ERRORS = (ijson.JSONError, ValueError, RecursionError, UnicodeError, OverflowError)
_RECORD_ERRORS = (TypeError, ValueError, AttributeError, KeyError, IndexError, OverflowError)


def parse_installs(stream) -> Iterator[Item]:
    """``Installs.json``: when each app was first installed, and on which device."""
    return _parse(stream, "install", _install)


def parse_library(stream) -> Iterator[Item]:
    """``Library.json``: apps, books, films added to the library, with ``acquisitionTime``."""
    return _parse(stream, "libraryDoc", _library)


def parse_purchases(stream) -> Iterator[Item]:
    """``Purchase History.json``: ``purchaseTime``, ``invoicePrice``, ``paymentMethodTitle``."""
    return _parse(stream, "purchaseHistory", _purchase)


def parse_orders(stream) -> Iterator[Item]:
    """``Order History.json``: one event per line item of an order (``creationTime``, ``totalPrice``)."""
    return _parse(stream, "orderHistory", _order)


def parse_reviews(stream) -> Iterator[Item]:
    """``Reviews.json``: a review's star rating and comment."""
    return _parse(stream, "review", _review)


def _install(body: dict, window: Window) -> Iterable[PlayEvent]:
    title, document_type = _doc(body.get("doc"))
    device = _dict(body.get("deviceAttribute"))
    name = _text(device.get("deviceDisplayName")) or " ".join(
        part for part in (_text(device.get("manufacturer")), _text(device.get("model"))) if part) or None
    extra = _facts(last_update=_optional_iso(body.get("lastUpdateTime"), window),
                   manufacturer=_text(device.get("manufacturer")), model=_text(device.get("model")),
                   carrier=_text(device.get("carrier")))
    yield _event(_instant(body, "firstInstallationTime", window), INSTALL, title, document_type, name, None, extra)


def _library(body: dict, window: Window) -> Iterable[PlayEvent]:
    title, document_type = _doc(body.get("doc"))
    yield _event(_instant(body, "acquisitionTime", window), LIBRARY, title, document_type, None, None, {})


def _purchase(body: dict, window: Window) -> Iterable[PlayEvent]:
    title, document_type = _doc(body.get("doc"))
    extra = _facts(payment_method=_text(body.get("paymentMethodTitle")))
    yield _event(_instant(body, "purchaseTime", window), PURCHASE, title, document_type, None,
                 _text(body.get("invoicePrice")), extra)


def _order(body: dict, window: Window) -> Iterable[PlayEvent]:
    at = _instant(body, "creationTime", window)
    items = body.get("lineItem")
    if not isinstance(items, list) or not items:
        raise RecordRejected(MALFORMED_RECORD, "The order has no line items.")
    total = _text(body.get("totalPrice"))
    extra = _facts(order_id=_text(body.get("orderId")), total_price=total,
                   payment_method=_text(body.get("paymentMethodTitle")))
    # Materialized first: an order with one bad line item is refused whole, not half-kept.
    events = []
    for item in items:
        item = _dict(item)
        title, document_type = _doc(item.get("doc"))
        price = _text(item.get("price")) or (total if len(items) == 1 else None)
        events.append(_event(at, ORDER, title, document_type, None, price, extra))
    yield from events


def _review(body: dict, window: Window) -> Iterable[PlayEvent]:
    title, document_type = _doc(body.get("document", body.get("doc")))
    when = body.get("creationTime") if body.get("creationTime") is not None else body.get("lastUpdateTime")
    if when is None:
        raise RecordRejected(MISSING_TIMESTAMP, "The review has no creationTime.")
    rating = body.get("starRating")
    extra = _facts(rating=rating if isinstance(rating, int) and not isinstance(rating, bool) and 0 <= rating <= 5
                   else None, comment=clean_text(body.get("comment")), review_title=_text(body.get("title")))
    yield _event(instant_from_iso(when, window)[0], REVIEW, title, document_type, None, None, extra)


# --- shared ----------------------------------------------------------------------


def _parse(stream, wrapper: str, build: Callable[[dict, Window], Iterable[PlayEvent]]) -> Iterator[Item]:
    window = plausible_window()
    for raw in _json_values(stream, "item"):
        if isinstance(raw, Rejection):
            yield raw
            continue
        try:
            if not isinstance(raw, dict) or not isinstance(raw.get(wrapper), dict):
                raise RecordRejected(MALFORMED_RECORD, f"Expected an object under {wrapper!r}.")
            # Materialized, so a record that fails half-way yields a Rejection only.
            yield from list(build(raw[wrapper], window))
        except RecordRejected as exc:
            yield Rejection(exc.reason, exc.detail, sample_of(raw))
        except _RECORD_ERRORS as exc:
            yield Rejection(MALFORMED_RECORD, f"The record has an unexpected shape ({type(exc).__name__}).",
                            sample_of(raw))


def _event(at, kind, title, document_type, device, price, extra) -> PlayEvent:
    return PlayEvent(at, kind, item_key(title, document_type), title, document_type, device, price, extra)


def item_key(title: str, document_type: str | None) -> uuid.UUID:
    """uuid of md5(document type, title): what the event is about, stable across exports."""
    return uuid.UUID(bytes=hashlib.md5(f"{document_type or ''}\n{title}".encode(), usedforsecurity=False).digest())


def _doc(value: object) -> tuple[str, str | None]:
    doc = _dict(value)
    title = clean_text(doc.get("title"))
    if title is None:
        raise RecordRejected(MALFORMED_RECORD, "The record names no title.")
    return title, _text(doc.get("documentType"))


def _instant(body: dict, key: str, window: Window):
    value = body.get(key)
    if value is None:
        raise RecordRejected(MISSING_TIMESTAMP, f"The record has no {key}.")
    return instant_from_iso(value, window)[0]


def _optional_iso(value: object, window: Window) -> str | None:
    if value is None:
        return None
    try:
        return instant_from_iso(value, window)[0].isoformat()
    except RecordRejected:
        return None  # a secondary time; the event itself stands on its own


def _text(value: object) -> str | None:
    text = clean_text(value, _SHORT)
    return (text.strip() or None) if text else None


def _facts(**values) -> dict:
    return {name: value for name, value in values.items() if value is not None}


def _dict(value: object) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise RecordRejected(MALFORMED_RECORD, f"Expected a JSON object, got {type(value).__name__}.")
    return value


def _json_values(stream, prefix: str) -> Iterator[object]:
    """The values under ``prefix``, then one ``bad_json`` Rejection if the document breaks off."""
    member = MemberStream(stream)
    try:
        # use_float=True: yajl2_c dereferences NULL on an int past CPython's 4,300 digits.
        yield from ijson.items(SafeJSONStream(member), prefix, use_float=True)
    except _JSON_ERRORS as exc:
        if member.failure is not None:
            raise
        first, _, context = str(exc).strip().partition("\n")
        detail = clean_text(f"Parsing stopped: {first[:200] or type(exc).__name__}")
        yield Rejection(BAD_JSON, detail or "Parsing stopped.", clean_text(context.strip()[:300]) or "")



FORMATS: dict[str, Callable[[object], Iterator[Item]]] = {
    "play.installs": parse_installs,
    "play.library": parse_library,
    "play.purchases": parse_purchases,
    "play.orders": parse_orders,
    "play.reviews": parse_reviews,
}

"""Google Play's signatures: a bare array whose records are one-key wrappers naming the kind. Pure."""

from sources.detect import Head

_WRAPPERS = {
    "install": "play.installs",
    "libraryDoc": "play.library",
    "purchaseHistory": "play.purchases",
    "orderHistory": "play.orders",
    "review": "play.reviews",
}


def detect(head: Head) -> str | None:
    if head.kind != "json" or not head.is_array:
        return None
    keys = head.record_keys("item")
    # Every record of one file has the same single wrapper key; My Activity's
    # arrays (header, title, time, …) and anything mixed are not Play's.
    if len(keys) != 1:
        return None
    return _WRAPPERS.get(next(iter(keys)))

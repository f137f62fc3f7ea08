"""Saved places' signatures: which of its formats a member's head holds. Pure.

Judged by content: a GeoJSON FeatureCollection whose features' properties
are Google Maps' (a saved place's URL and location, or a label's name and
address), or a CSV whose header row is a saved list's. The names of these
files follow the account language and the list's own name.
"""

import csv
import io

import ijson

from sources.detect import Head
from sources.sanitize import SafeJSONStream

_SAVED_PROPERTIES = {"google_maps_url", "Google Maps URL", "location", "Location"}
_LIST_HEADER = {"title", "note", "url"}
_LIST_CELLS = _LIST_HEADER | {"comment", "tags"}
_MAX_EVENTS = 20_000


def detect(head: Head) -> str | None:
    if head.kind == "json":
        return _geojson(head)
    if head.kind == "text":
        return "places.list" if _is_list_header(head.first_line) else None
    return None


def _geojson(head: Head) -> str | None:
    if head.is_array or "features" not in head.top_keys or "properties" not in head.record_keys("features.item"):
        return None
    keys = _property_keys(head.data)
    if keys & _SAVED_PROPERTIES:
        return "places.saved"
    if {"name", "address"} <= keys:
        return "places.labeled"
    return None


def _property_keys(data: bytes) -> frozenset[str]:
    """Keys of the first features' ``properties`` (the head is usually cut mid-document)."""
    keys: set[str] = set()
    try:
        events = ijson.parse(SafeJSONStream(io.BytesIO(data)), use_float=True)
        for count, (prefix, event, value) in enumerate(events):
            if count > _MAX_EVENTS:
                break
            if event == "map_key" and prefix == "features.item.properties":
                keys.add(value)
    except (ijson.JSONError, ValueError, RecursionError, UnicodeError, OverflowError):
        pass
    return frozenset(keys)


def _is_list_header(line: str) -> bool:
    try:
        cells = next(csv.reader([line]), [])
    except csv.Error:
        return False
    names = {cell.strip().casefold() for cell in cells}
    return _LIST_HEADER <= names <= _LIST_CELLS

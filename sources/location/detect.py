"""Location history's signatures: which of its formats a member's head holds. Pure.

Google's own JSON files first; then the formats other apps write (sources/location/tracks.py),
each by its structure: a ``<gpx>`` or ``<kml>`` root element, a GeoJSON FeatureCollection
whose features carry times (Google's saved places and labels carry none, and are the places
family's), an OwnTracks Recorder line, a CSV header naming latitude, longitude and time.
"""

import csv
import io
import re

import ijson

from sources.detect import Head
from sources.location.tracks import REC_LINE, TIME_KEYS, csv_columns
from sources.sanitize import SafeJSONStream

_GPX_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?gpx[\s>/]")
_KML_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?kml[\s>/]")
_MAX_EVENTS = 20_000

_PHONE_SEGMENT_KEYS = {"visit", "activity", "timelinePath", "timelineMemory"}
_SETTINGS_KEYS = {"deviceSettings", "historyEnabled", "retentionWindowDays", "hasReportedLocations"}


def detect(head: Head) -> str | None:
    if head.kind == "html":
        return _xml(head)
    if head.kind == "text":
        return _text(head)
    if head.kind != "json":
        return None
    if head.is_array:
        keys = head.record_keys("item")
        return "location.ios" if "startTime" in keys and keys & _PHONE_SEGMENT_KEYS else None
    top_keys = head.top_keys
    if "locations" in top_keys:
        # Records.json switched from timestampMs to ISO timestamps around 2022; an
        # older Records.json and the original Location History.json look alike.
        keys = head.record_keys("locations.item")
        ms_only = "timestampMs" in keys and "timestamp" not in keys
        return "location.legacy" if ms_only and head.basename != "records.json" else "location.records"
    if "timelineObjects" in top_keys:
        return "location.semantic"
    if "semanticSegments" in top_keys or "rawSignals" in top_keys or "userLocationProfile" in top_keys:
        return "location.android"
    if "timelineEdits" in top_keys:
        return "location.timeline_edits"
    if top_keys & _SETTINGS_KEYS:
        return "location.settings"
    if "features" in top_keys and _feature_keys(head.data) & TIME_KEYS:
        return "location.geojson"
    return None


def _xml(head: Head) -> str | None:
    start = head.data[:4096]
    if _GPX_ROOT.search(start):
        return "location.gpx"
    if _KML_ROOT.search(start):
        return "location.kml"
    return None


def _text(head: Head) -> str | None:
    if REC_LINE.fullmatch(head.first_line):
        return "location.owntracks"
    try:
        header = next(csv.reader([head.first_line]), [])
    except csv.Error:
        return None
    return "location.csv" if csv_columns(header) is not None else None


def _feature_keys(data: bytes) -> frozenset[str]:
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

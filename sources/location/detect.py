"""Location history's signatures: which of its formats a member's head holds. Pure."""

from sources.detect import Head

_PHONE_SEGMENT_KEYS = {"visit", "activity", "timelinePath", "timelineMemory"}
_SETTINGS_KEYS = {"deviceSettings", "historyEnabled", "retentionWindowDays", "hasReportedLocations"}


def detect(head: Head) -> str | None:
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
    return None

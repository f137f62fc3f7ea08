"""Takeout products the lake recognizes but does not import yet, so a report can say exactly
what of a Takeout is in the lake and what is not. Pure: no Django.

Judged by content like everything else (a mailbox's first line, a calendar's
BEGIN:VCALENDAR, a photo's magic bytes), never by folder names, which follow the
account language. A family that learns to import one of these takes its
product code, and its entry here goes.
"""

from sources.detect import Head

# product code -> (what a person calls it, why it is not in the lake)
NOT_YET = {
    "photos.media": ("Google Photos media", "Photos and videos themselves are not stored in the lake."),
    "photos.sidecar": ("Google Photos metadata", "Photo metadata (sidecars) is not imported yet."),
    "photos.album": ("Google Photos albums", "Album metadata is not imported yet."),
    "mail.mbox": ("Gmail", "Mail is not imported yet."),
    "keep.note": ("Keep", "Keep notes are not imported yet."),
    "fit.data": ("Google Fit", "Fit data is not imported yet."),
    "fit.tcx": ("Google Fit workouts", "Fit workouts (TCX) are not imported yet."),
}

_MEDIA_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"RIFF")
_MP4_BRANDS = (b"ftyp",)
_SIDECAR_KEYS = {"photoTakenTime", "geoData", "geoDataExif", "imageViews"}
_KEEP_KEYS = {"textContent", "listContent", "isTrashed", "userEditedTimestampUsec"}
_FIT_KEYS = {"Data Source", "Data Points", "fitnessActivity", "activityType", "startTime"}


def detect(head: Head) -> str | None:
    data = head.data
    if data.startswith(_MEDIA_MAGIC) or data[4:8] in _MP4_BRANDS:
        return "photos.media"
    if head.kind == "json" and not head.is_array:
        keys = head.top_keys
        # An album's metadata.json has geoData too, but no photo's time.
        if "albumData" in keys or ({"title", "date", "access"} <= keys and "photoTakenTime" not in keys):
            return "photos.album"
        if keys & _SIDECAR_KEYS and "title" in keys:
            return "photos.sidecar"
        if keys & _KEEP_KEYS and "title" in keys:
            return "keep.note"
        if {"Data Source", "Data Points"} <= keys or {"fitnessActivity", "startTime"} <= keys:
            return "fit.data"
        return None
    if head.kind == "text" and data.startswith(b"From ") and b"\n" in data[:400]:
        return "mail.mbox"
    if head.kind == "html" and b"trainingcenterdatabase" in head.lowered[:4096]:
        return "fit.tcx"
    return None


def label(product: str | None) -> str | None:
    found = NOT_YET.get(product or "")
    return found[0] if found else None


def reasons() -> dict[str, str]:
    return {product: why for product, (_label, why) in NOT_YET.items()}

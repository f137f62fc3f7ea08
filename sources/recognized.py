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
    "mail.mbox": ("Gmail", "Mail is not imported yet."),
    "calendar.ics": ("Calendar", "Calendars are not imported yet."),
    "contacts.vcf": ("Contacts", "Contacts are not imported yet."),
    "keep.note": ("Keep", "Keep notes are not imported yet."),
    "fit.data": ("Google Fit", "Fit data is not imported yet."),
    "fit.tcx": ("Google Fit workouts", "Fit workouts (TCX) are not imported yet."),
}

_KEEP_KEYS = {"textContent", "listContent", "isTrashed", "userEditedTimestampUsec"}
_FIT_KEYS = {"Data Source", "Data Points", "fitnessActivity", "activityType", "startTime"}


def detect(head: Head) -> str | None:
    data = head.data
    if head.kind == "json" and not head.is_array:
        keys = head.top_keys
        if keys & _KEEP_KEYS and "title" in keys:
            return "keep.note"
        if {"Data Source", "Data Points"} <= keys or {"fitnessActivity", "startTime"} <= keys:
            return "fit.data"
        return None
    if head.kind == "text":
        if data.startswith(b"From ") and b"\n" in data[:400]:
            return "mail.mbox"
        upper = data[:64].upper()
        if upper.startswith(b"BEGIN:VCALENDAR"):
            return "calendar.ics"
        if upper.startswith(b"BEGIN:VCARD"):
            return "contacts.vcf"
    if head.kind == "html" and b"trainingcenterdatabase" in head.lowered[:4096]:
        return "fit.tcx"
    return None


def label(product: str | None) -> str | None:
    found = NOT_YET.get(product or "")
    return found[0] if found else None


def reasons() -> dict[str, str]:
    return {product: why for product, (_label, why) in NOT_YET.items()}

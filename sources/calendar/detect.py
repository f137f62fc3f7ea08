"""Calendar's signature: an iCalendar stream begins with BEGIN:VCALENDAR, in any file name. Pure."""

from sources.detect import Head


def detect(head: Head) -> str | None:
    if head.kind == "text" and head.data[:64].upper().startswith(b"BEGIN:VCALENDAR"):
        return "calendar.ics"
    return None

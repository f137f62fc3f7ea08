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
    "calendar.ics": ("Calendar", "Calendars are not imported yet."),
    "contacts.vcf": ("Contacts", "Contacts are not imported yet."),
}


def detect(head: Head) -> str | None:
    data = head.data
    if head.kind == "text":
        upper = data[:64].upper()
        if upper.startswith(b"BEGIN:VCALENDAR"):
            return "calendar.ics"
        if upper.startswith(b"BEGIN:VCARD"):
            return "contacts.vcf"
    return None


def label(product: str | None) -> str | None:
    found = NOT_YET.get(product or "")
    return found[0] if found else None


def reasons() -> dict[str, str]:
    return {product: why for product, (_label, why) in NOT_YET.items()}

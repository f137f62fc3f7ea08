"""How mail and chat messages appear on a local day's page."""

import datetime as dt

from sources.base import DayPart
from sources.localtime import MAX_EAST, MAX_WEST, local, offset_label
from sources.mail.models import MailMessage

# A day of a busy inbox is bounded on the page; the last entry says how many more there were.
MAX_ENTRIES = 2_000


def label_of(message) -> str:
    return "Chat" if message.is_chat else "Mail"


def title_of(message) -> str:
    if message.subject:
        return message.subject
    return message.body[:120] if message.is_chat and message.body else "(no subject)"


def detail_of(message) -> str:
    """One line: who wrote to whom, and how many attachments."""
    parts = [message.sender]
    if message.recipients:
        parts.append(f"→ {message.recipients}")
    if message.attachments:
        count = len(message.attachments)
        parts.append(f"{count} attachment{'s' if count != 1 else ''}")
    return " · ".join(part for part in parts if part)[:500]


def day_part(day: dt.date, start: dt.datetime, end: dt.datetime) -> DayPart:
    """The messages of local `day` (each in its own Date header's offset); `start`..`end` is the UTC window."""
    entries = []
    rows = (MailMessage.objects.filter(sent_at__gte=start, sent_at__lt=end)
            .only("sent_at", "utc_offset_minutes", "subject", "sender", "recipients", "attachments", "is_chat", "body")
            .order_by("sent_at", "message_key"))
    seen = 0
    for message in rows.iterator(chunk_size=500):
        when = local(message.sent_at, message.utc_offset_minutes)
        if when.date() != day:
            continue
        seen += 1
        if len(entries) < MAX_ENTRIES:
            # Mail links nowhere from here: nothing of a message is fetched or followed.
            entries.append({"kind": "event", "start": when, "tz": offset_label(message.utc_offset_minutes),
                            "source": "mail", "label": label_of(message), "title": title_of(message), "url": "",
                            "detail": detail_of(message)})
    entries.sort(key=lambda entry: entry["start"])
    if seen > len(entries):
        entries[-1]["more"] = seen - len(entries)
    return DayPart(entries)


def neighbour_day(before: dt.date | None = None, after: dt.date | None = None) -> dt.date | None:
    """The nearest local day before `before` (or after `after`) with a message on it."""
    rows = MailMessage.objects.order_by()
    if before is not None:
        limit = dt.datetime.combine(before, dt.time(), tzinfo=dt.UTC) + MAX_WEST
        candidates = rows.filter(sent_at__lt=limit).order_by("-sent_at")
        keep = lambda day: day < before  # noqa: E731
    else:
        limit = dt.datetime.combine(after, dt.time(), tzinfo=dt.UTC) + dt.timedelta(days=1) - MAX_EAST
        candidates = rows.filter(sent_at__gte=limit).order_by("sent_at")
        keep = lambda day: day > after  # noqa: E731
    # Offsets differ per message, so UTC order is not quite local order: the nearest few decide.
    days = [local(sent_at, offset).date()
            for sent_at, offset in candidates.values_list("sent_at", "utc_offset_minutes")[:200]]
    kept = [day for day in days if keep(day)]
    if not kept:
        return None
    return max(kept) if before is not None else min(kept)


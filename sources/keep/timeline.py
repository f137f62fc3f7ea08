"""How Keep notes appear on a local day's page: on the day each was created and the day it was
last edited. Keep states no offset, so the wall clock shown is UTC."""

import datetime as dt
from urllib.parse import urlsplit

from django.db.models import Max, Min, Q

from sources.base import DayPart
from sources.keep.models import KeepNote
from sources.localtime import local, offset_label

SOURCE_NAME = "keep"
TITLE_CHARS = 140
MAX_ENTRIES = 2_000


def safe_url(url: str) -> str:
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return ""
    return url if scheme in ("http", "https") else ""


def shorten(text: str, limit: int = TITLE_CHARS) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def note_title(note) -> str:
    if note.title:
        return shorten(note.title)
    if note.text:
        return shorten(note.text)
    first = next((item.get("text") for item in note.checklist if isinstance(item, dict) and item.get("text")), "")
    return shorten(first) if first else "Untitled note"


def note_detail(note) -> str:
    parts = []
    if note.checklist:
        done = sum(1 for item in note.checklist if isinstance(item, dict) and item.get("checked"))
        parts.append(f"{done}/{len(note.checklist)} checked")
    if note.labels:
        parts.append(", ".join(str(label) for label in note.labels))
    parts += [flag for flag, on in (("Pinned", note.is_pinned), ("Archived", note.is_archived),
                                    ("Trashed", note.is_trashed)) if on]
    return " · ".join(parts)


def first_link(note) -> str:
    for link in note.annotations:
        if isinstance(link, dict) and (url := safe_url(str(link.get("url") or ""))):
            return url
    return ""


def day_part(day: dt.date, start: dt.datetime, end: dt.datetime) -> DayPart:
    """Notes created or edited on local `day`; `start`..`end` is the UTC window around it."""
    entries = []
    notes = KeepNote.objects.filter(Q(created_at__gte=start, created_at__lt=end)
                                    | Q(edited_at__gte=start, edited_at__lt=end))
    for note in notes.order_by("note_key").iterator(1000):
        for when, label in ((note.created_at, "Keep note created"), (note.edited_at, "Keep note edited")):
            if when is None or (label.endswith("edited") and when == note.created_at):
                continue
            begin = local(when, None)
            if begin.date() != day:
                continue
            entries.append({"kind": "event", "start": begin, "tz": offset_label(None), "source": SOURCE_NAME,
                            "label": label, "title": note_title(note), "url": first_link(note),
                            "detail": note_detail(note)})
    entries.sort(key=lambda entry: entry["start"])
    if len(entries) > MAX_ENTRIES:
        entries = entries[:MAX_ENTRIES]
        entries[-1] = {**entries[-1], "more": True}
    return DayPart(entries)


def neighbour_day(before: dt.date | None = None, after: dt.date | None = None) -> dt.date | None:
    """The nearest day before `before` (or after `after`) with a note created or edited on it."""
    notes = KeepNote.objects.order_by()
    if before is not None:
        edge = dt.datetime.combine(before, dt.time(), tzinfo=dt.UTC)
        found = [notes.filter(**{f"{column}__lt": edge}).aggregate(at=Max(column))["at"]
                 for column in ("created_at", "edited_at")]
        found = max((at for at in found if at), default=None)
    elif after is not None:
        edge = dt.datetime.combine(after + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
        found = [notes.filter(**{f"{column}__gte": edge}).aggregate(at=Min(column))["at"]
                 for column in ("created_at", "edited_at")]
        found = min((at for at in found if at), default=None)
    else:
        return None
    return local(found, None).date() if found else None

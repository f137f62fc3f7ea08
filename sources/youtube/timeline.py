"""How YouTube appears on a local day's page: each comment and live chat message as an event."""

import datetime as dt

from sources.base import DayPart
from sources.localtime import local, offset_label
from sources.youtube.models import YoutubeComment
from sources.youtube.parsers import watch_url

SOURCE_NAME = "youtube"
LABELS = {YoutubeComment.Kind.COMMENT: "YouTube comment", YoutubeComment.Kind.LIVE_CHAT: "Live chat"}
TITLE_CHARS = 140


def shorten(text: str, limit: int = TITLE_CHARS) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def detail(comment: YoutubeComment) -> str:
    parts = []
    if comment.parent_id:
        parts.append("Reply")
    if comment.post_id and not comment.video_id:
        parts.append("On a post")
    if comment.price and comment.price not in ("0", "0.0"):
        parts.append(f"Paid {comment.price}")
    return " · ".join(parts)


def day_part(day: dt.date, start: dt.datetime, end: dt.datetime) -> DayPart:
    """Comments and live chat messages of local `day`; `start`..`end` is the UTC window around it."""
    entries = []
    # The export states no offset: UTC is the wall clock shown.
    comments = YoutubeComment.objects.filter(created_at__gte=start, created_at__lt=end).order_by("created_at")
    for comment in comments.iterator(2000):
        begin = local(comment.created_at, None)
        if begin.date() != day:
            continue
        entries.append({"kind": "event", "start": begin, "tz": offset_label(None), "source": SOURCE_NAME,
                        "label": LABELS.get(comment.kind, "YouTube"), "title": shorten(comment.text),
                        "url": watch_url(comment.video_id), "detail": detail(comment)})
    return DayPart(entries)


def neighbour_day(before: dt.date | None = None, after: dt.date | None = None) -> dt.date | None:
    """The nearest local day before `before` (or after `after`) with a comment or live chat message.

    Local days are UTC days here (the export states no offset), so the
    primary key's leading columns answer it with one index probe.
    """
    comments = YoutubeComment.objects.order_by()
    if before is not None:
        edge = dt.datetime.combine(before, dt.time(), tzinfo=dt.UTC)
        found = comments.filter(created_at__lt=edge).order_by("-created_at").values_list("created_at", flat=True)
    elif after is not None:
        edge = dt.datetime.combine(after + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
        found = comments.filter(created_at__gte=edge).order_by("created_at").values_list("created_at", flat=True)
    else:
        return None
    when = found.first()
    return local(when, None).date() if when else None

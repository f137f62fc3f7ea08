"""How Google Fit appears on a local day's page: each session, and the day's summary.

Sessions state instants in UTC only (``Z``), so the wall clock shown is UTC; a
summary row is a local date, shown at that day's start. The runs' tracks are on
the day's map through the location tables (product ``fit.tcx``).
"""

import datetime as dt

from django.db.models import Max, Min

from sources.base import DayPart
from sources.fit.models import FitDaily, FitSession
from sources.localtime import local, offset_label

SOURCE_NAME = "fit"
MAX_ENTRIES = 2_000


def duration_text(seconds: float | None) -> str:
    if not seconds:
        return ""
    minutes = round(seconds / 60)
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


def session_title(session) -> str:
    activity = (session.activity or "workout").replace("_", " ").replace(".", " ").capitalize()
    parts = [session.name or activity]
    if session.distance_m:
        parts.append(f"{session.distance_m / 1000:.2f} km")
    if text := duration_text(session.duration_s):
        parts.append(text)
    return " · ".join(parts)


def session_detail(session) -> str:
    parts = []
    if session.calories_kcal:
        parts.append(f"{session.calories_kcal:.0f} kcal")
    if session.steps:
        parts.append(f"{session.steps} steps")
    if session.name and session.activity:
        parts.append(session.activity)
    return " · ".join(parts)


def day_title(row) -> str:
    parts = []
    if row.steps is not None:
        parts.append(f"{row.steps} steps")
    if row.distance_m:
        parts.append(f"{row.distance_m / 1000:.2f} km")
    if row.calories_kcal:
        parts.append(f"{row.calories_kcal:.0f} kcal")
    return " · ".join(parts) or "Daily activity"


def day_detail(row) -> str:
    parts = []
    if row.move_minutes:
        parts.append(f"{row.move_minutes:.0f} move minutes")
    if row.heart_points:
        parts.append(f"{row.heart_points:.0f} heart points")
    return " · ".join(parts)


def day_part(day: dt.date, start: dt.datetime, end: dt.datetime) -> DayPart:
    entries = []
    sessions = FitSession.objects.filter(started_at__gte=start, started_at__lt=end).order_by("started_at")
    for session in sessions.iterator(1000):
        begin = local(session.started_at, None)
        if begin.date() != day:
            continue
        entries.append({"kind": "event", "start": begin, "tz": offset_label(None), "source": SOURCE_NAME,
                        "label": "Workout", "title": session_title(session), "url": "",
                        "detail": session_detail(session)})
    midnight = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    for row in FitDaily.objects.filter(span=FitDaily.Span.DAY, started_at=midnight):
        entries.append({"kind": "event", "start": local(row.started_at, None), "tz": offset_label(None),
                        "source": SOURCE_NAME, "label": "Daily activity", "title": day_title(row), "url": "",
                        "detail": day_detail(row)})
    entries.sort(key=lambda entry: entry["start"])
    if len(entries) > MAX_ENTRIES:
        entries = entries[:MAX_ENTRIES]
        entries[-1] = {**entries[-1], "more": True}
    return DayPart(entries)


def neighbour_day(before: dt.date | None = None, after: dt.date | None = None) -> dt.date | None:
    """The nearest day before `before` (or after `after`) with a session or a daily summary."""
    tables = (FitSession.objects.order_by(), FitDaily.objects.filter(span=FitDaily.Span.DAY).order_by())
    if before is not None:
        edge = dt.datetime.combine(before, dt.time(), tzinfo=dt.UTC)
        found = [rows.filter(started_at__lt=edge).aggregate(at=Max("started_at"))["at"] for rows in tables]
        when = max((at for at in found if at), default=None)
    elif after is not None:
        edge = dt.datetime.combine(after + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
        found = [rows.filter(started_at__gte=edge).aggregate(at=Min("started_at"))["at"] for rows in tables]
        when = min((at for at in found if at), default=None)
    else:
        return None
    return local(when, None).date() if when else None

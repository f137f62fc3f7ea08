"""Local wall-clock time as the sources state it. Pure: no Django."""

import datetime as dt

# Offsets in the wild stay within UTC-12..UTC+14: a local day lies inside this UTC window.
MAX_WEST, MAX_EAST = dt.timedelta(hours=12), dt.timedelta(hours=14)


def local(when: dt.datetime, offset_minutes: int | None) -> dt.datetime | None:
    """The wall-clock time the source stated (UTC when it stated no offset).

    Naive on purpose: templates convert aware datetimes to the server's zone.
    """
    if when is None:
        return None
    return (when.astimezone(dt.UTC) + dt.timedelta(minutes=offset_minutes or 0)).replace(tzinfo=None)


def offset_label(offset_minutes: int | None) -> str:
    minutes = offset_minutes or 0
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def utc_window(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The UTC instants any moment of local `day` can fall between, whatever its offset."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    return start - MAX_EAST, start + dt.timedelta(days=1) + MAX_WEST


def local_day(when: dt.datetime, offset_minutes: int | None) -> dt.date | None:
    """The one local-day rule: the calendar day of the wall-clock time at `when`, in the offset
    the source stated, or where it stated none the offset of the place's time zone (derived rows
    store it), or UTC. Day pages, filters, exports and stats place a thing on this day."""
    at = local(when, offset_minutes)
    return at.date() if at is not None else None

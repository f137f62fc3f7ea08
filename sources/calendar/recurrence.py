"""Occurrences of a recurring event within a bounded window, computed on the fly. Pure: no Django.

The lake stores a series as written (RRULE, RDATE, EXDATE) and expands it
only for the window a page asks about. A rule is walked from its start for at
most ``MAX_STEPS`` occurrences: a rule that has not reached the window by then
(a MINUTELY rule from decades ago) shows nothing there, rather than costing
unbounded time.
"""

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rruleset, rrulestr

MAX_STEPS = 50_000
# Occurrences a COUNT rule may have for its end to be computed at import; beyond this it counts as open-ended.
MAX_COUNTED = 10_000


def zone_of(tzid: str | None, offset_minutes: int | None) -> dt.tzinfo:
    """The event's zone: an IANA name where it is one, else the fixed offset it started with."""
    if tzid:
        try:
            return ZoneInfo(tzid)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return dt.timezone(dt.timedelta(minutes=offset_minutes or 0))


def occurrence_key(when: dt.date | dt.datetime) -> str:
    """How an occurrence is named (RECURRENCE-ID, EXDATE): a date, or the UTC instant in ISO form."""
    if isinstance(when, dt.datetime):
        return when.astimezone(dt.UTC).isoformat()
    return when.isoformat()


def build(rules: Iterable[str], dtstart: dt.datetime, rdates: Iterable[dt.datetime]) -> rruleset:
    """The series as a dateutil rruleset (raises ValueError/TypeError for a rule it cannot read)."""
    series = rruleset()
    for rule in rules:
        # Google writes UNTIL in UTC even for all-day (floating) series; dateutil wants them alike.
        series.rrule(rrulestr(_until_like(rule, dtstart), dtstart=dtstart))
    for when in rdates:
        series.rdate(when)
    # DTSTART is always the first instance (RFC 5545 3.8.5.3), even where the rule would not produce it.
    series.rdate(dtstart)
    return series


def _until_like(rule: str, dtstart: dt.datetime) -> str:
    parts = []
    for part in rule.split(";"):
        name, _, value = part.partition("=")
        if name.upper() == "UNTIL":
            value = value.strip()
            if dtstart.tzinfo is None and value.endswith(("Z", "z")):
                value = value[:-1]
            elif dtstart.tzinfo is not None and len(value) == 8:
                value += "T235959Z"
            elif dtstart.tzinfo is not None and not value.endswith(("Z", "z")):
                value += "Z"
        parts.append(f"{name}={value}" if value or name else part)
    return ";".join(parts)


def local_start(starts_at: dt.datetime, all_day: bool, zone: dt.tzinfo) -> dt.datetime:
    if all_day:
        return dt.datetime.combine(starts_at.astimezone(dt.UTC).date(), dt.time())
    return starts_at.astimezone(zone)


def open_ended(rules: Iterable[str]) -> bool:
    return any(not {part.partition("=")[0].strip().upper() for part in rule.split(";")} & {"UNTIL", "COUNT"}
               for rule in rules)


def last_start(series: rruleset) -> dt.datetime | None:
    """The last occurrence of a bounded series (UNTIL, COUNT, RDATEs), or None past MAX_COUNTED of them.

    Call only for a series that is not open_ended.
    """
    last = None
    for step, when in enumerate(series):
        if step > MAX_COUNTED:
            return None
        last = when
    return last


def between(series: rruleset, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """Occurrences with start <= t < end, walking at most MAX_STEPS of them."""
    found = []
    for step, when in enumerate(series):
        if step >= MAX_STEPS or when >= end:
            break
        if when >= start:
            found.append(when)
    return found

"""What the Google Fit parsers yield: plain values, no Django, no database.

Instants are aware UTC; ``utc_offset_minutes`` only where the file states one
(the 15-minute rows of ``Daily activity metrics/<day>.csv``). TCX track points
are ``sources.location.records.LocationPoint`` values: they go to the location
tables, so workouts show on the map.
"""

from dataclasses import dataclass, field
from datetime import datetime

DAY = "day"  # one row of the daily summary CSV
INTERVAL = "interval"  # one 15-minute row of a day's CSV


@dataclass(frozen=True, slots=True)
class FitSession:
    started_at: datetime
    ended_at: datetime | None
    activity: str | None
    name: str | None = None
    duration_s: float | None = None
    distance_m: float | None = None
    calories_kcal: float | None = None
    steps: int | None = None
    # What else the file says: aggregate metrics by name, TCX laps and point counts.
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class FitDaily:
    started_at: datetime
    ended_at: datetime
    span: str
    utc_offset_minutes: int | None = None
    steps: int | None = None
    distance_m: float | None = None
    calories_kcal: float | None = None
    move_minutes: float | None = None
    heart_points: float | None = None
    # Every non-empty cell by its header, as numbers: the localized names are kept verbatim.
    metrics: dict = field(default_factory=dict)

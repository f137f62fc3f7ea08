"""What the Takeout location parsers yield: plain values, no Django, no database.

Coordinates are integers in degrees x 10^7 (Google's own E7 form), so nothing is
lost to float rounding between the file and the database.  Instants are aware
and in UTC; ``utc_offset_minutes`` keeps the wall-clock offset only when the
source states one (a phone export's ``+02:00``), never an offset we guessed.
Confidences are probabilities in 0..1 whatever scale the source used, except
``LocationPoint.activity_confidence``, which is Records.json's own 0..100 integer.
"""

from dataclasses import dataclass, fields
from datetime import datetime


@dataclass(frozen=True, slots=True)
class LocationPoint:
    recorded_at: datetime
    lat_e7: int
    lng_e7: int
    utc_offset_minutes: int | None = None
    accuracy_m: float | None = None
    altitude_m: float | None = None
    vertical_accuracy_m: float | None = None
    velocity_mps: float | None = None
    heading_deg: float | None = None
    source: str | None = None
    device_tag: int | None = None
    platform: str | None = None
    activity_type: str | None = None
    activity_confidence: int | None = None


@dataclass(frozen=True, slots=True)
class PlaceVisit:
    started_at: datetime
    ended_at: datetime | None
    lat_e7: int
    lng_e7: int
    utc_offset_minutes: int | None = None
    place_id: str | None = None
    name: str | None = None
    address: str | None = None
    semantic_type: str | None = None
    confidence: float | None = None
    is_child: bool = False


@dataclass(frozen=True, slots=True)
class ActivitySegment:
    started_at: datetime
    ended_at: datetime | None
    start_lat_e7: int | None
    start_lng_e7: int | None
    end_lat_e7: int | None
    end_lng_e7: int | None
    utc_offset_minutes: int | None = None
    distance_m: float | None = None
    activity_type: str | None = None
    confidence: float | None = None
    waypoints: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True, slots=True)
class Device:
    device_tag: int
    name: str | None
    platform: str | None


class _LocationPointBuilder:
    """Same slot layout as ``LocationPoint``, but mutable.

    A frozen dataclass's ``__init__`` stores each field through
    ``object.__setattr__``; for LocationPoint's 14 fields that costs about 1.7 us,
    more than half of what parsing one Records.json point may cost at all.
    Filling this twin and then switching its ``__class__`` (allowed between
    classes with identical slots) yields a genuine, still-frozen LocationPoint
    for a fifth of that.
    """

    __slots__ = LocationPoint.__slots__

    def __init__(
        self,
        recorded_at,
        lat_e7,
        lng_e7,
        utc_offset_minutes,
        accuracy_m,
        altitude_m,
        vertical_accuracy_m,
        velocity_mps,
        heading_deg,
        source,
        device_tag,
        platform,
        activity_type,
        activity_confidence,
    ):
        self.recorded_at = recorded_at
        self.lat_e7 = lat_e7
        self.lng_e7 = lng_e7
        self.utc_offset_minutes = utc_offset_minutes
        self.accuracy_m = accuracy_m
        self.altitude_m = altitude_m
        self.vertical_accuracy_m = vertical_accuracy_m
        self.velocity_mps = velocity_mps
        self.heading_deg = heading_deg
        self.source = source
        self.device_tag = device_tag
        self.platform = platform
        self.activity_type = activity_type
        self.activity_confidence = activity_confidence


# A field added to LocationPoint but not to the builder must fail at import, not
# produce points with an unset slot.
if tuple(f.name for f in fields(LocationPoint)) != _LocationPointBuilder.__slots__:
    raise RuntimeError("_LocationPointBuilder.__init__ must list LocationPoint's fields in order")


def fast_location_point(*values) -> LocationPoint:
    """``LocationPoint(*values)`` for hot loops; all 14 fields, positionally."""
    point = _LocationPointBuilder(*values)
    point.__class__ = LocationPoint
    return point

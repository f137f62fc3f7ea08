"""OwnTracks and Overland payloads in, location points out. Pure: no Django, no database.

OwnTracks, HTTP mode (owntracks.org/booklet/tech/json): a JSON object per
message, or an array of them when the app flushes its queue; only
`"_type": "location"` carries a position (lat, lon, tst in Unix seconds, acc,
alt, vac, vel in km/h, cog, tid, topic). Other types (transition, waypoint,
card, lwt, status) are skipped, not rejected.

Overland (github.com/aaronpk/Overland-iOS): `{"locations": [Feature, ...]}`,
each a GeoJSON Point with properties timestamp (ISO 8601 with its offset),
altitude, speed (m/s), horizontal_accuracy, vertical_accuracy, course,
motion [...], device_id. Unknown numbers are -1 there.
"""

import datetime as dt
import hashlib
import math
from dataclasses import dataclass, field

OWNTRACKS = "owntracks"
OVERLAND = "overland"
# Far enough back for any phone, far enough ahead for a skewed clock; later is an error.
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
AHEAD = dt.timedelta(days=2)

# Overland's motion words -> the activity types Google's location history uses.
_MOTION = {"driving": "IN_VEHICLE", "walking": "WALKING", "running": "RUNNING", "cycling": "ON_BICYCLE",
           "stationary": "STILL"}


class BadPayload(ValueError):
    """The body as a whole is not what the app sends (a sentence for the problem's detail)."""


@dataclass(frozen=True)
class Point:
    recorded_at: dt.datetime
    utc_offset_minutes: int | None
    lat_e7: int
    lng_e7: int
    accuracy_m: float | None
    altitude_m: float | None
    vertical_accuracy_m: float | None
    velocity_mps: float | None
    heading_deg: float | None
    device: str  # the app's name for the phone ("ph", "owntracks/alice/phone", a device_id)
    activity_type: str = ""


@dataclass
class Parsed:
    points: list[Point] = field(default_factory=list)
    skipped: int = 0  # messages that carry no position (OwnTracks transitions, cards, ...)
    rejected: dict[str, int] = field(default_factory=dict)  # reason -> count

    def reject(self, reason: str) -> None:
        self.rejected[reason] = self.rejected.get(reason, 0) + 1


def device_tag(product: str, device: str) -> int:
    """A stable, non-negative 63-bit tag for the app's device name: the devices table's key."""
    return int.from_bytes(hashlib.sha256(f"{product}:{device}".encode()).digest()[:8], "big") >> 1


def _name(value) -> str:
    """The app's device name as text PostgreSQL takes: no NUL, valid UTF-8, at most 200 characters."""
    text = str(value or "")[:200].replace("\x00", "")
    return text.encode("utf-8", "replace").decode("utf-8")


def _number(value, *, unknown_below: float | None = None) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    if unknown_below is not None and value < unknown_below:
        return None
    return float(value)


def _coordinates(lat, lng, parsed: Parsed) -> tuple[int, int] | None:
    lat, lng = _number(lat), _number(lng)
    if lat is None or lng is None:
        parsed.reject("missing or non-numeric coordinates")
        return None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        parsed.reject("coordinates out of range")
        return None
    return round(lat * 1e7), round(lng * 1e7)


def _plausible(when: dt.datetime, now: dt.datetime, parsed: Parsed) -> bool:
    if not EARLIEST <= when <= now + AHEAD:
        parsed.reject("time before 2000 or in the future")
        return False
    return True


def owntracks(payload, *, now: dt.datetime) -> Parsed:
    messages = payload if isinstance(payload, list) else [payload]
    if not all(isinstance(m, dict) for m in messages):
        raise BadPayload("OwnTracks sends a JSON object, or an array of objects, per request.")
    parsed = Parsed()
    for message in messages:
        if message.get("_type") != "location":
            parsed.skipped += 1
            continue
        place = _coordinates(message.get("lat"), message.get("lon"), parsed)
        if place is None:
            continue
        tst = message.get("tst")
        if isinstance(tst, bool) or not isinstance(tst, int):
            parsed.reject("missing or non-integer tst")
            continue
        try:
            when = dt.datetime.fromtimestamp(tst, dt.UTC)
        except (OverflowError, OSError, ValueError):
            parsed.reject("time before 2000 or in the future")
            continue
        if not _plausible(when, now, parsed):
            continue
        velocity = _number(message.get("vel"), unknown_below=0)
        device = _name(message.get("topic") or message.get("tid"))
        parsed.points.append(Point(
            recorded_at=when, utc_offset_minutes=None, lat_e7=place[0], lng_e7=place[1],
            accuracy_m=_number(message.get("acc"), unknown_below=0), altitude_m=_number(message.get("alt")),
            vertical_accuracy_m=_number(message.get("vac"), unknown_below=0),
            velocity_mps=None if velocity is None else velocity / 3.6,
            heading_deg=_number(message.get("cog"), unknown_below=0), device=device))
    return parsed


def _timestamp(value) -> dt.datetime | None:
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo is not None else None


def overland(payload, *, now: dt.datetime) -> Parsed:
    if not isinstance(payload, dict) or not isinstance(payload.get("locations"), list):
        raise BadPayload('Overland sends {"locations": [GeoJSON Feature, ...]}.')
    parsed = Parsed()
    for feature in payload["locations"]:
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        properties = feature.get("properties") if isinstance(feature, dict) else None
        coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
        if not isinstance(properties, dict) or not isinstance(coordinates, list) or len(coordinates) < 2 \
                or geometry.get("type") != "Point":
            parsed.reject("not a GeoJSON Point feature with properties")
            continue
        place = _coordinates(coordinates[1], coordinates[0], parsed)
        if place is None:
            continue
        when = _timestamp(properties.get("timestamp"))
        if when is None:
            parsed.reject("missing or unreadable timestamp")
            continue
        if not _plausible(when.astimezone(dt.UTC), now, parsed):
            continue
        offset = when.utcoffset()
        motion = properties.get("motion")
        first = motion[0] if isinstance(motion, list) and motion and isinstance(motion[0], str) else ""
        parsed.points.append(Point(
            recorded_at=when.astimezone(dt.UTC), utc_offset_minutes=int(offset.total_seconds() // 60),
            lat_e7=place[0], lng_e7=place[1],
            accuracy_m=_number(properties.get("horizontal_accuracy"), unknown_below=0),
            altitude_m=_number(properties.get("altitude")),
            vertical_accuracy_m=_number(properties.get("vertical_accuracy"), unknown_below=0),
            velocity_mps=_number(properties.get("speed"), unknown_below=0),
            heading_deg=_number(properties.get("course"), unknown_below=0),
            device=_name(properties.get("device_id")), activity_type=_MOTION.get(first, "")))
    return parsed

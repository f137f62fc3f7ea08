"""Place names and time zones from coordinates, offline. Pure: no Django.

Both lookups load their data lazily, once per process, on first use: the
gazetteer (`reverse_geocode`, GeoNames cities of 1,000+ people in a k-d tree)
and the time-zone polygons (`timezonefinder`, read from its files on demand).
`bench/enrich_bench.py` reports what they cost in memory.
"""

import datetime as dt
import functools
import zoneinfo
from dataclasses import dataclass


@dataclass(frozen=True)
class PlaceName:
    city: str
    region: str
    country: str
    country_code: str

    @property
    def label(self) -> str:
        return ", ".join(part for part in (self.city, self.country) if part) or "Unknown place"


@functools.cache
def _gazetteer():
    import reverse_geocode  # imported here: loading its k-d tree costs ~0.5 s, paid only when a name is needed

    return reverse_geocode


@functools.cache
def _zones():
    from timezonefinder import TimezoneFinder  # its polygons are memory-mapped on first lookup

    return TimezoneFinder()


def place_names(coordinates: list[tuple[float, float]]) -> list[PlaceName]:
    """The nearest gazetteer city of each (lat, lng), in one batch (the k-d tree's fast path)."""
    if not coordinates:
        return []
    return [PlaceName(found.get("city", ""), found.get("state", ""), found.get("country", ""),
                      found.get("country_code", ""))
            for found in _gazetteer().search(coordinates)]


def place_name(lat: float, lng: float) -> PlaceName:
    return place_names([(lat, lng)])[0]


def zone_name(lat: float, lng: float) -> str:
    """The IANA zone at a point; at sea, the nautical Etc/GMT zone timezonefinder gives."""
    return _zones().timezone_at(lng=lng, lat=lat) or "UTC"


def offset_minutes(zone: str, when: dt.datetime) -> int:
    """The zone's UTC offset at instant `when` (DST included)."""
    try:
        tz = zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return 0
    return int(when.astimezone(tz).utcoffset().total_seconds() // 60)

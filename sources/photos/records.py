"""What the Google Photos parsers yield: plain values, no Django, no database.

Paths are the member's path inside its upload (the same in every zip part);
`folder` is that path without the file name. Positions are degrees x 10^7,
None where the export states none (Google writes 0, 0 for "no position").
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Media:
    """A photo or video file of the export: where it is and what it is, never its bytes."""

    path: str
    folder: str
    name: str
    size: int
    kind: str  # "jpeg", "heic", "mp4", … from its magic bytes
    # The same file in a year folder and in album folders is one photo: sha-256 of its size
    # and first 64 KiB (which hold its EXIF), as a UUID.
    content_key: uuid.UUID


@dataclass(frozen=True, slots=True)
class Sidecar:
    """A media file's metadata JSON, as Takeout wrote it."""

    path: str
    folder: str
    name: str
    title: str | None
    description: str | None
    taken_at: datetime | None
    created_at: datetime | None
    lat_e7: int | None
    lng_e7: int | None
    altitude: float | None
    exif_lat_e7: int | None
    exif_lng_e7: int | None
    people: list = field(default_factory=list)
    favorited: bool = False
    archived: bool = False
    trashed: bool = False
    device_type: str | None = None
    partner_shared: bool = False
    url: str | None = None
    enrichments: list = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Album:
    """An album folder's metadata.json (localized names, and the old {"albumData": …})."""

    folder: str
    title: str | None
    description: str | None
    access: str | None
    album_date: datetime | None
    lat_e7: int | None
    lng_e7: int | None
    location: str | None
    enrichments: list = field(default_factory=list)

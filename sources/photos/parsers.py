"""Streaming parsers for Google Photos: sidecars, album metadata, and the media files themselves.

* A sidecar (``IMG.JPG.json``, ``….supplemental-metadata.json``, any cut of it)
  is one small JSON object, read with ijson through SafeJSONStream (a 400 MB
  string is a broken document, not a sidecar).
* An album folder's ``metadata.json`` (name localized: ``métadonnées.json``,
  ``Metadaten.json``, …) is one object, or ``{"albumData": {…}}`` in old exports.
* A media file: the lake keeps its path, folder, size, kind and a content
  key, never its bytes. Only its first 64 KiB are read when the stream
  declares its size (``stream.size``, the archive's word for it): a stored
  zip member then costs a seek and one read, not a pass over gigabytes.

The member's path (``stream.name``) is what pairs a sidecar with its media
(sources/photos/naming.py); a member without one is rejected.

Contract, as for every parser of the lake: a record that cannot be taken is a
``Rejection`` with a reason code; a document that stops being JSON ends with
one ``bad_json`` Rejection, and the pipeline keeps nothing of the member.
"""

import hashlib
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import ijson

from sources.photos.detect import media_kind
from sources.photos.records import Album, Media, Sidecar
from sources.records import Rejection
from sources.sanitize import (
    BAD_JSON,
    MALFORMED_RECORD,
    MemberStream,
    RecordRejected,
    SafeJSONStream,
    clean_code,
    clean_text,
    e7_from_degrees,
    instant_from_epoch,
    plausible_window,
    sample_of,
    to_float,
)

MISSING_PATH = "missing_path"
NOT_MEDIA = "not_media"

_CHUNK = 1024 * 1024
_HEAD = 64 * 1024
_MAX_PEOPLE = 200
_JSON_ERRORS = (ijson.JSONError, ValueError, RecursionError, UnicodeError, OverflowError)
_RECORD_ERRORS = (TypeError, ValueError, AttributeError, KeyError, IndexError, OverflowError)


def _window():
    # Scanned prints go back long before 1990, the lake's floor for recorded points;
    # epoch 0 is Takeout's "unknown" and is read as absent before this applies.
    return datetime(1970, 1, 1, tzinfo=UTC), plausible_window()[1]


def split_path(path: str) -> tuple[str, str]:
    """``Takeout/Google Photos/Photos from 2020/IMG.JPG`` → (its folder, ``IMG.JPG``)."""
    path = path.replace("\\", "/")
    folder, _, name = path.rpartition("/")
    return folder, name


# --- media -------------------------------------------------------------------------


def parse_media(stream) -> Iterator[Media | Rejection]:
    """One media file: its head keys the content; the rest is not read when its size is declared."""
    path = getattr(stream, "name", "") or ""
    declared = getattr(stream, "size", None)
    head = bytearray()
    size = 0
    while len(head) < _HEAD and (chunk := stream.read(_HEAD - len(head))):
        head += chunk
    size = len(head)
    if isinstance(declared, int) and declared >= size:
        # Not read, so not checked against its CRC either: nothing of these bytes is kept.
        size = declared
    else:
        while chunk := stream.read(_CHUNK):
            size += len(chunk)
    kind = media_kind(bytes(head))
    if not path:
        yield Rejection(MISSING_PATH, "A media file without a path cannot be placed or paired.", "")
        return
    if kind is None:
        yield Rejection(NOT_MEDIA, "The file's first bytes are no known photo or video format.", clean_text(path) or "")
        return
    folder, name = split_path(path)
    digest = hashlib.sha256(size.to_bytes(8, "big") + bytes(head)).digest()
    yield Media(path, folder, name, size, kind, uuid.UUID(bytes=digest[:16]))


# --- JSON documents ----------------------------------------------------------------


def _document(stream) -> Iterator[object]:
    """The top-level value, or one ``bad_json`` Rejection."""
    member = MemberStream(stream)
    try:
        yield from ijson.items(SafeJSONStream(member), "", use_float=True)
    except _JSON_ERRORS as exc:
        if member.failure is not None:
            raise
        first, _, context = str(exc).strip().partition("\n")
        detail = clean_text(f"Parsing stopped: {first[:200] or type(exc).__name__}")
        yield Rejection(BAD_JSON, detail or "Parsing stopped.", clean_text(context.strip()[:300]) or "")


def parse_sidecar(stream) -> Iterator[Sidecar | Rejection]:
    path = getattr(stream, "name", "") or ""
    for raw in _document(stream):
        if isinstance(raw, Rejection):
            yield raw
        elif not path:
            yield Rejection(MISSING_PATH, "A sidecar without a path cannot be paired with its media.", sample_of(raw))
        else:
            yield _guarded(_sidecar, raw, path)


def parse_album(stream) -> Iterator[Album | Rejection]:
    path = getattr(stream, "name", "") or ""
    for raw in _document(stream):
        if isinstance(raw, Rejection):
            yield raw
        elif not path:
            yield Rejection(MISSING_PATH, "Album metadata without a path names no folder.", sample_of(raw))
        else:
            yield _guarded(_album, raw, path)


def _sidecar(raw: object, path: str) -> Sidecar:
    data = _dict(raw)
    window = _window()
    folder, name = split_path(path)
    lat, lng, altitude = _geo(data.get("geoData"))
    exif_lat, exif_lng, _ = _geo(data.get("geoDataExif"))
    origin = _dict(data.get("googlePhotosOrigin"))
    upload = _dict(origin.get("mobileUpload"))
    return Sidecar(
        path, folder, name,
        title=clean_text(data.get("title")),
        description=clean_text(data.get("description")),
        taken_at=_instant(data.get("photoTakenTime"), window),
        created_at=_instant(data.get("creationTime"), window),
        lat_e7=lat, lng_e7=lng, altitude=altitude, exif_lat_e7=exif_lat, exif_lng_e7=exif_lng,
        people=_people(data.get("people")),
        favorited=_flag(data.get("favorited")),
        archived=_flag(data.get("archived")),
        trashed=_flag(data.get("trashed")),
        device_type=clean_code(upload.get("deviceType")),
        partner_shared="fromPartnerSharing" in origin or _flag(data.get("fromPartnerSharing")),
        url=clean_text(data.get("url")),
        enrichments=_enrichments(data.get("enrichments")),
    )


def _album(raw: object, path: str) -> Album:
    data = _dict(raw)
    if "albumData" in data:
        data = _dict(data["albumData"])
    folder, _ = split_path(path)
    lat, lng, _ = _geo(data.get("geoData"))
    return Album(folder, title=clean_text(data.get("title")), description=clean_text(data.get("description")),
                 access=clean_code(data.get("access")), album_date=_instant(data.get("date"), _window()),
                 lat_e7=lat, lng_e7=lng, location=clean_text(data.get("location")),
                 enrichments=_enrichments(data.get("enrichments")))


def _instant(value: object, window) -> datetime | None:
    """``{"timestamp": "1696574331", "formatted": …}`` (seconds, as a string) → UTC; "0" or none → None."""
    if value is None:
        return None
    stamp = _dict(value).get("timestamp")
    if stamp in (None, "", "0", 0):
        return None
    return instant_from_epoch(stamp, "seconds", window)


def _geo(value: object) -> tuple[int | None, int | None, float | None]:
    """A geoData object → (lat_e7, lng_e7, altitude); 0, 0 is Google's "no position"."""
    geo = _dict(value)
    if geo.get("latitude") is None and geo.get("longitude") is None:
        return None, None, None
    lat, lng = e7_from_degrees(geo.get("latitude"), geo.get("longitude"))
    if (lat, lng) == (0, 0):
        return None, None, None
    altitude = geo.get("altitude")
    return lat, lng, None if altitude is None else to_float(altitude, "altitude")


def _people(value: object) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise RecordRejected(MALFORMED_RECORD, f"Expected a list of people, got {type(value).__name__}.")
    names = [clean_text(_dict(person).get("name"), 200) for person in value[:_MAX_PEOPLE]]
    return [name for name in names if name]


def _enrichments(value: object) -> list:
    """Album and 2025 sidecar enrichments (narrative text, locations, maps), kept as bounded text."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise RecordRejected(MALFORMED_RECORD, f"Expected a list of enrichments, got {type(value).__name__}.")
    found = []
    for entry in value[:100]:
        for kind, detail in _dict(entry).items():
            found.append({"kind": clean_text(kind, 60) or "", "value": sample_of(detail)})
    return found


def _flag(value: object) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    raise RecordRejected(MALFORMED_RECORD, f"Expected true or false, got {type(value).__name__}.")


def _dict(value: object) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise RecordRejected(MALFORMED_RECORD, f"Expected a JSON object, got {type(value).__name__}.")
    return value


def _guarded(build: Callable, raw: object, path: str):
    try:
        return build(raw, path)
    except RecordRejected as exc:
        return Rejection(exc.reason, exc.detail, sample_of(raw))
    except _RECORD_ERRORS as exc:
        return Rejection(MALFORMED_RECORD, f"The record has an unexpected shape ({type(exc).__name__}).",
                         sample_of(raw))



FORMATS: dict[str, Callable[..., Iterator]] = {
    "photos.sidecar": parse_sidecar,
    "photos.album": parse_album,
    "photos.media": parse_media,
}

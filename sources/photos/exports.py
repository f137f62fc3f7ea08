"""How Google Photos exports: NDJSON of its three tables, and CSV of one row per media file with
the metadata of its own sidecar (empty where pairing found none).

A time window applies to the photo's taken time: media and sidecars outside
it (or without one) are left out; albums go with an unbounded export only.
"""

import json

from sources.export import CHUNK_ROWS, CsvLines, deg, iso, plain, rows
from sources.photos.models import PhotoAlbum, PhotoMedia, PhotoSidecar

MEDIA_FIELDS = ("path", "folder", "name", "size", "kind", "content_key", "part", "sidecar_path", "original_path",
                "taken_at", "product", "import_run_id")
SIDECAR_FIELDS = ("path", "folder", "name", "title", "description", "taken_at", "created_at", "lat_e7", "lng_e7",
                  "altitude", "exif_lat_e7", "exif_lng_e7", "people", "favorited", "archived", "trashed",
                  "device_type", "partner_shared", "url", "enrichments", "product", "import_run_id")
ALBUM_FIELDS = ("folder", "title", "description", "access", "album_date", "lat_e7", "lng_e7", "location",
                "enrichments", "product", "import_run_id")
CSV_COLUMNS = ("path", "part", "size", "media_kind", "title", "description", "taken_at", "lat", "lng", "people",
               "favorited", "archived", "trashed", "device_type", "partner_shared", "url", "sidecar_path")


def _bounded(window) -> bool:
    return bool(window.start or window.end)


def _media(window):
    # A media file's taken_at is its own sidecar's (copied at pairing), so a window finds paired files.
    media = window.filter(PhotoMedia.objects.all(), "taken_at")
    return media.order_by("path").values(*MEDIA_FIELDS).iterator(chunk_size=CHUNK_ROWS)


def _line(kind: str, row: dict) -> str:
    # "kind" names the line's table, as in every source's NDJSON; a media file's own kind is media_kind.
    row = plain(row)
    if "kind" in row:
        row["media_kind"] = row.pop("kind")
    return json.dumps({"kind": kind, **row}, separators=(",", ":"), ensure_ascii=False) + "\n"


def ndjson(window, counts):
    for row in _media(window):
        counts["photo_media"] += 1
        yield _line("photo_media", row)
    for row in rows(PhotoSidecar, SIDECAR_FIELDS, "taken_at", window):
        counts["photo_sidecar"] += 1
        yield _line("photo_sidecar", row)
    if not _bounded(window):
        for row in PhotoAlbum.objects.order_by("folder").values(*ALBUM_FIELDS).iterator(chunk_size=CHUNK_ROWS):
            counts["photo_album"] += 1
            yield _line("photo_album", row)


def csv_rows(window, counts):
    line = CsvLines().line
    for number, row in enumerate(_media(window)):
        if number == 0:
            yield line(CSV_COLUMNS)  # with the first row: a family with nothing adds nothing to the file
        counts["photo_media"] += 1
        meta = _sidecar(row["sidecar_path"])
        yield line([row["path"], row["part"], row["size"], row["kind"], meta.get("title"), meta.get("description"),
                    iso(meta.get("taken_at")), deg(meta.get("lat_e7")), deg(meta.get("lng_e7")),
                    "; ".join(meta.get("people") or []), meta.get("favorited"), meta.get("archived"),
                    meta.get("trashed"), meta.get("device_type"), meta.get("partner_shared"), meta.get("url"),
                    row["sidecar_path"]])


def _sidecar(path: str | None) -> dict:
    if not path:
        return {}
    return PhotoSidecar.objects.filter(path=path).values(*SIDECAR_FIELDS).first() or {}


WRITERS = {"ndjson": ndjson, "csv": csv_rows}

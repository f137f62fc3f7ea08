"""One photo's page: what its own sidecar says, the albums holding it, and where its media file sits.

A photo is its sidecar (as on the day page and the map). Its copies are the
sidecars of the same photo in album folders (the same identity as on the day
page); its media files are those paired with any of those sidecars, and every
file with the same content key (an album copy that has no sidecar of its own).
Nothing of another photo's is shown: only files paired with exactly this
photo's sidecars, or byte-identical to them, appear.
"""

from django.db import connection

from sources.base import ItemPage
from sources.photos.models import PhotoMedia, PhotoSidecar
from sources.photos.pairing import albums_of
from sources.photos.timeline import photo_title, safe_url

MAX_FILES = 50
# Which upload and part holds a file: the run's own file list (sources may read, not import, that app).
_UPLOADS = """
SELECT m.path, f.original_name
  FROM user_data.photo_media AS m
  JOIN imports.import_file AS f ON f.run_id = m.import_run_id AND f.part = m.part
 WHERE m.user_id = %s AND m.path = ANY(%s)
"""
DEVICE_TYPES = {"ANDROID_PHONE": "Android phone", "IOS_PHONE": "iPhone", "IOS_TABLET": "iPad",
                "ANDROID_TABLET": "Android tablet", "DESKTOP": "Computer"}


def photo_page(path: str, *, user_id: int) -> ItemPage | None:
    sidecar = PhotoSidecar.objects.filter(user_id=user_id, path=path).first()
    if sidecar is None:
        return None
    copies = PhotoSidecar.objects.filter(user_id=user_id)
    copies = copies.filter(url=sidecar.url) if sidecar.url else copies.filter(title=sidecar.title,
                                                                              taken_at=sidecar.taken_at)
    copy_paths = sorted(set(copies.values_list("path", flat=True)) | {path})
    paired = PhotoMedia.objects.filter(user_id=user_id, sidecar_path__in=copy_paths)
    keys = set(paired.values_list("content_key", flat=True))
    files = list(PhotoMedia.objects.filter(user_id=user_id, content_key__in=keys)
                 .order_by("path").values("path", "folder", "size", "kind", "part", "sidecar_path")[:MAX_FILES])
    with connection.cursor() as cursor:
        cursor.execute(_UPLOADS, [user_id, [f["path"] for f in files]])
        uploads = dict(cursor.fetchall())
    for entry in files:
        entry["upload"] = uploads.get(entry["path"], "")
    albums = sorted({title for titles in albums_of(keys).values() for title in titles})
    position = exif = None
    if sidecar.lat_e7 is not None:
        position = [sidecar.lat_e7 / 1e7, sidecar.lng_e7 / 1e7]
    if sidecar.exif_lat_e7 is not None and [sidecar.exif_lat_e7, sidecar.exif_lng_e7] != [sidecar.lat_e7,
                                                                                          sidecar.lng_e7]:
        exif = [sidecar.exif_lat_e7 / 1e7, sidecar.exif_lng_e7 / 1e7]
    title = photo_title({"title": sidecar.title, "name": sidecar.name})
    return ItemPage("photos/photo.html", title, {
        "photo": sidecar, "position": position, "exif_position": exif, "files": files, "albums": albums,
        "device": DEVICE_TYPES.get(sidecar.device_type, sidecar.device_type.replace("_", " ").lower()),
        "google_url": safe_url(sidecar.url), "copies": [p for p in copy_paths if p != path],
        "day": sidecar.taken_at.date() if sidecar.taken_at else None,
    })

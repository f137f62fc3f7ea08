"""Pairing media files with their own sidecars, once a whole run (every zip part) has settled.

Called from Source.on_run_finished in the run's user scope and transaction. A
sidecar in part 2 and its photo in part 5 share a folder path, so the folders
this run touched are re-paired over every row of the person there (an
export uploaded across two runs pairs too). Names are decided by
sources/photos/naming.py: exactly one own sidecar, or none.
"""

from django.db import connection

from sources.photos.models import PhotoAlbum, PhotoMedia, PhotoSidecar
from sources.photos.naming import pair_folder

_UPDATE = """
UPDATE user_data.photo_media AS m
   SET sidecar_path = v.sidecar, original_path = v.original, taken_at = s.taken_at
  FROM (SELECT unnest(%(paths)s::text[]) AS path, unnest(%(sidecars)s::text[]) AS sidecar,
               unnest(%(originals)s::text[]) AS original) AS v
  LEFT JOIN user_data.photo_sidecar AS s ON s.user_id = %(user)s AND s.path = v.sidecar
 WHERE m.user_id = %(user)s AND m.path = v.path
   AND (m.sidecar_path IS DISTINCT FROM v.sidecar OR m.original_path IS DISTINCT FROM v.original
        OR m.taken_at IS DISTINCT FROM s.taken_at)
"""
_PARTS = """
UPDATE user_data.photo_media AS m SET part = f.part
  FROM imports.import_member im JOIN imports.import_file f ON f.id = im.file_id
 WHERE im.run_id = %s AND im.product = 'photos.media' AND m.user_id = %s AND m.path = im.name
"""


def on_run_finished(*, run_id: int, user_id: int) -> None:
    folders = _touched_folders(run_id)
    for folder in sorted(folders):
        pair(folder, user_id)
    if folders:
        # The run's members say which part each file came in (sources may read, not import, that app).
        with connection.cursor() as cursor:
            cursor.execute(_PARTS, [run_id, user_id])


def _touched_folders(run_id: int) -> set[str]:
    folders = set(PhotoMedia.objects.filter(import_run_id=run_id).values_list("folder", flat=True).distinct())
    folders |= set(PhotoSidecar.objects.filter(import_run_id=run_id).values_list("folder", flat=True).distinct())
    return folders


def pair(folder: str, user_id: int) -> None:
    """Set (or clear) each media file's sidecar and original in `folder`."""
    media = dict(PhotoMedia.objects.filter(folder=folder).values_list("name", "path"))
    sidecars = dict(PhotoSidecar.objects.filter(folder=folder).values_list("name", "path"))
    found = pair_folder(media, sidecars)
    paths, sidecar_paths, originals = [], [], []
    for name, path in media.items():
        sidecar = found.sidecar_of.get(name)
        original = found.original_of.get(name)
        paths.append(path)
        sidecar_paths.append(sidecars[sidecar] if sidecar else None)
        originals.append(media[original] if original else None)
    with connection.cursor() as cursor:
        cursor.execute(_UPDATE, {"paths": paths, "sidecars": sidecar_paths, "originals": originals, "user": user_id})


def albums_of(content_keys) -> dict:
    """content key -> titles of the albums holding a copy of that photo."""
    titles = dict(PhotoAlbum.objects.values_list("folder", "title"))
    found: dict = {}
    for key, folder in PhotoMedia.objects.filter(content_key__in=content_keys).values_list("content_key", "folder"):
        if folder in titles:
            found.setdefault(key, set()).add(titles[folder] or folder.rsplit("/", 1)[-1])
    return {key: sorted(names) for key, names in found.items()}

"""Google Photos' load targets: unpartitioned tables of things (a photo's time is metadata, not an event key)."""

from core.loading import PlainTable, Target
from sources.photos.models import PhotoAlbum, PhotoMedia, PhotoSidecar

PHOTO_MEDIA = PlainTable("user_data", "photo_media")
PHOTO_SIDECAR = PlainTable("user_data", "photo_sidecar", "taken_at")
PHOTO_ALBUM = PlainTable("user_data", "photo_album", "album_date")

LOAD_MEDIA = Target(PHOTO_MEDIA, ("path", "folder", "name", "size", "kind", "content_key"), PhotoMedia)
LOAD_SIDECARS = Target(
    PHOTO_SIDECAR,
    ("path", "folder", "name", "title", "description", "taken_at", "created_at", "lat_e7", "lng_e7", "altitude",
     "exif_lat_e7", "exif_lng_e7", "people", "favorited", "archived", "trashed", "device_type", "partner_shared",
     "url", "enrichments"),
    PhotoSidecar,
    fill={"title": "coalesce(title, '')", "description": "coalesce(description, '')",
          "device_type": "coalesce(device_type, '')", "url": "coalesce(url, '')"},
)
LOAD_ALBUMS = Target(
    PHOTO_ALBUM,
    ("folder", "title", "description", "access", "album_date", "lat_e7", "lng_e7", "location", "enrichments"),
    PhotoAlbum,
    fill={name: f"coalesce({name}, '')" for name in ("title", "description", "access", "location")},
)

"""Google Photos in the lake: media files (where, not bytes), their sidecars, and albums.

Plain per-user tables in `user_data` with FORCE'd row-level security. A
media row's `sidecar_path` points at its own sidecar once pairing (run finish,
sources/photos/pairing.py) found exactly one; its metadata is always read
through that pointer, so deleting the sidecar's run takes the metadata along.
"""

from django.conf import settings
from django.db import models

from core.schemas import qualified


class PhotoMedia(models.Model):
    pk = models.CompositePrimaryKey("user_id", "path")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DB_CASCADE, related_name="+", db_index=False)
    path = models.TextField()
    folder = models.TextField()
    name = models.TextField()
    size = models.BigIntegerField()
    kind = models.CharField(max_length=16)
    # One photo in a year folder and in albums: the same key (sources/photos/records.py).
    content_key = models.UUIDField()
    # Which upload (zip part) holds it; filled when the run finishes.
    part = models.IntegerField(null=True)
    sidecar_path = models.TextField(null=True)
    # An edited copy's original in the same folder (it inherits none of its metadata).
    original_path = models.TextField(null=True)
    # Its own sidecar's photoTakenTime, copied at pairing: a date range (deletion, export) finds the
    # file with its metadata. Null while it has no certain sidecar.
    taken_at = models.DateTimeField(null=True)
    product = models.CharField(max_length=48)
    import_run_id = models.BigIntegerField(null=True)

    class Meta:
        db_table = qualified("user_data", "photo_media")
        indexes = [
            models.Index(fields=["user", "import_run_id"], name="photo_media_run_idx"),
            models.Index(fields=["user", "folder"], name="photo_media_folder_idx"),
            models.Index(fields=["user", "content_key"], name="photo_media_content_idx"),
            models.Index(fields=["user", "sidecar_path"], name="photo_media_sidecar_idx"),
            models.Index(fields=["user", "taken_at"], name="photo_media_taken_idx"),
        ]

    def __str__(self):
        return self.path


class PhotoSidecar(models.Model):
    pk = models.CompositePrimaryKey("user_id", "path")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DB_CASCADE, related_name="+", db_index=False)
    path = models.TextField()
    folder = models.TextField()
    name = models.TextField()
    title = models.TextField(blank=True)
    description = models.TextField(blank=True)
    taken_at = models.DateTimeField(null=True)
    created_at = models.DateTimeField(null=True)
    # Degrees x 10^7; null where the export says 0, 0 (no position).
    lat_e7 = models.IntegerField(null=True)
    lng_e7 = models.IntegerField(null=True)
    altitude = models.FloatField(null=True)
    exif_lat_e7 = models.IntegerField(null=True)
    exif_lng_e7 = models.IntegerField(null=True)
    people = models.JSONField(default=list)
    favorited = models.BooleanField(default=False)
    archived = models.BooleanField(default=False)
    trashed = models.BooleanField(default=False)
    device_type = models.CharField(max_length=40, blank=True)
    partner_shared = models.BooleanField(default=False)
    url = models.TextField(blank=True)
    enrichments = models.JSONField(default=list)
    product = models.CharField(max_length=48)
    import_run_id = models.BigIntegerField(null=True)
    # `search`: a generated tsvector with a GIN index made by migration 0001 (sources/photos/search.py).

    class Meta:
        db_table = qualified("user_data", "photo_sidecar")
        indexes = [
            models.Index(fields=["user", "import_run_id"], name="photo_sidecar_run_idx"),
            models.Index(fields=["user", "folder"], name="photo_sidecar_folder_idx"),
            models.Index(fields=["user", "taken_at"], name="photo_sidecar_taken_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(lat_e7__isnull=True, lng_e7__isnull=True)
                                   | models.Q(lat_e7__isnull=False, lng_e7__isnull=False),
                                   name="photo_sidecar_position_check"),
        ]

    def __str__(self):
        return self.title or self.path


class PhotoAlbum(models.Model):
    pk = models.CompositePrimaryKey("user_id", "folder")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DB_CASCADE, related_name="+", db_index=False)
    folder = models.TextField()
    title = models.TextField(blank=True)
    description = models.TextField(blank=True)
    access = models.CharField(max_length=40, blank=True)
    album_date = models.DateTimeField(null=True)
    lat_e7 = models.IntegerField(null=True)
    lng_e7 = models.IntegerField(null=True)
    location = models.TextField(blank=True)
    enrichments = models.JSONField(default=list)
    product = models.CharField(max_length=48)
    import_run_id = models.BigIntegerField(null=True)

    class Meta:
        db_table = qualified("user_data", "photo_album")
        indexes = [models.Index(fields=["user", "import_run_id"], name="photo_album_run_idx")]

    def __str__(self):
        return self.title or self.folder

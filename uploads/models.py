"""Uploads in progress and the batches they form, in the `imports` schema.

Both tables are per-user and protected by row-level security (see the
migration). The bytes themselves live on disk: incomplete uploads under
TEMP_DIR/uploads/, complete ones in the content-addressed raw store
DATA_DIR/raw/<sha256[:2]>/<sha256>.
"""

import uuid

from django.conf import settings
from django.db import models

from core.schemas import qualified


class UploadBatch(models.Model):
    """Files chosen together (the parts of one export): they become one import run."""

    class State(models.TextChoices):
        OPEN = "open", "Uploading"
        IMPORTING = "importing", "Imported"  # its run exists; the run page tells the rest
        ABANDONED = "abandoned", "Abandoned"  # a file expired or every file was cancelled

    # No index of its own: upload_batch_user_idx leads with this column.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DB_CASCADE, related_name="+", db_index=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # How many files the page announced; the run starts when that many are complete.
    expected_files = models.PositiveIntegerField(default=1)
    state = models.CharField(max_length=16, choices=State, default=State.OPEN)
    # imports.ImportRun's id. No foreign key, so neither app's migrations wait
    # for the other's; the run keeps its own copy of the raw files it reads.
    import_run_id = models.BigIntegerField(null=True)
    # True when every file repeated bytes an earlier run had already imported,
    # so import_run_id names that run rather than one made for this batch.
    reused_run = models.BooleanField(default=False, db_default=False)

    class Meta:
        db_table = qualified("imports", "upload_batch")
        indexes = [
            # The upload page's "recent uploads" list: a user's newest batches.
            models.Index(fields=["user", "-created_at"], name="upload_batch_user_idx"),
        ]

    def __str__(self):
        return f"batch {self.pk} ({self.state})"


class Upload(models.Model):
    """One tus upload: a file arriving in pieces, resumable until it expires."""

    class State(models.TextChoices):
        RECEIVING = "receiving"
        COMPLETE = "complete"
        EXPIRED = "expired"
        CANCELLED = "cancelled"

    # Opaque: the URL is handed to the client and kept in its local storage,
    # and a sequence number would tell one user how busy the others are.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # No index of its own: upload_user_state_idx leads with this column.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DB_CASCADE, related_name="+", db_index=False)
    batch = models.ForeignKey(UploadBatch, on_delete=models.DB_CASCADE, related_name="uploads")
    filename = models.CharField(max_length=255)
    filetype = models.CharField(max_length=255, blank=True)
    # Upload-Metadata exactly as the client sent it: tus returns it on HEAD.
    metadata = models.TextField(blank=True, db_default="")
    size = models.BigIntegerField()
    # Bytes acknowledged to the client: advanced only after they were fsynced.
    upload_offset = models.BigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    state = models.CharField(max_length=16, choices=State, default=State.RECEIVING)
    # The earlier upload of the same bytes by the same user, when there was one.
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.DB_SET_NULL, related_name="+"
    )
    # Relative to DATA_DIR once complete ("raw/ab/ab12..."), empty before.
    raw_path = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    expires_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = qualified("imports", "upload")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(upload_offset__gte=0, upload_offset__lte=models.F("size")),
                name="upload_offset_within_size",
            ),
        ]
        indexes = [
            # The quota check at creation: a user's receiving and complete uploads.
            models.Index(fields=["user", "state"], name="upload_user_state_idx"),
            # The expiry job: receiving uploads past their expiry.
            models.Index(fields=["expires_at"], name="upload_receiving_expiry_idx",
                         condition=models.Q(state="receiving")),
            # "Has this user uploaded these bytes before?" at completion.
            models.Index(fields=["user", "sha256"], name="upload_user_sha_idx",
                         condition=models.Q(state="complete")),
        ]

    def __str__(self):
        return f"{self.filename} ({self.upload_offset}/{self.size}, {self.state})"

    @property
    def is_receiving(self):
        return self.state == self.State.RECEIVING

"""Keep's per-user table: notes are saved things (user_data), with row-level security."""

from django.conf import settings
from django.db import models

from core.schemas import qualified


class KeepNote(models.Model):
    """One Keep note, from its JSON file or its HTML page (the two are one note: same key)."""

    pk = models.CompositePrimaryKey("user_id", "note_key")
    # No index of its own: the primary key leads with this column.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DB_CASCADE, related_name="+", db_index=False)
    # uuid5 of the note file's stem, which its JSON and HTML share (sources/keep/parsers.py).
    note_key = models.UUIDField()
    file_stem = models.CharField(max_length=500, blank=True)
    title = models.TextField(blank=True)
    text = models.TextField(blank=True)
    checklist = models.JSONField(default=list)
    labels = models.JSONField(default=list)
    color = models.CharField(max_length=32, blank=True)
    is_pinned = models.BooleanField(default=False)
    is_archived = models.BooleanField(default=False)
    is_trashed = models.BooleanField(default=False)
    # Older notes state no creation time; HTML pages state only the edit time.
    created_at = models.DateTimeField(null=True)
    edited_at = models.DateTimeField(null=True)
    annotations = models.JSONField(default=list)
    attachments = models.JSONField(default=list)
    # Why a note has no day ("" when it has one): no time stated, or a date the lake could not read.
    undated_reason = models.TextField(blank=True)
    product = models.CharField(max_length=48)
    import_run_id = models.BigIntegerField(null=True)
    # Also `search`, a generated tsvector over title, text, list items and labels with a GIN
    # index (migration 0001), unknown to the ORM on purpose (see sources/keep/search.py).

    class Meta:
        db_table = qualified("user_data", "keep_note")
        indexes = [
            models.Index(fields=["user", "import_run_id"], name="keep_note_run_idx"),
            # The day page: notes edited within a day's UTC window.
            models.Index(fields=["user", "edited_at"], name="keep_note_edited_at_idx"),
            models.Index(fields=["user", "created_at"], name="keep_note_created_at_idx"),
        ]

    def __str__(self):
        return self.title or self.file_stem or str(self.note_key)

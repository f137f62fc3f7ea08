"""One search document per text-bearing row of the lake, with its embedding: `vectors.embedding`.

One table for every dataset rather than one per dataset: hybrid search ranks
across products in one query, one HNSW index per model serves them all, and
row-level security, deletion and re-embedding are written once.
"""

from django.conf import settings
from django.db import models

from core.schemas import qualified


class Embedding(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DB_CASCADE, related_name="+", db_index=False)
    # The source row: its dataset (sources.base.Dataset.name, also its table's name) and its key,
    # the primary key's values after user_id, joined with "|".
    dataset = models.CharField(max_length=64)
    row_key = models.CharField(max_length=600)
    # The embedding model (vectors.embedders.MODELS) and its dimension, so a changed setting re-embeds.
    model = models.CharField(max_length=48)
    dim = models.SmallIntegerField()
    # What a result shows, copied from the row when it was embedded (rows never change after import).
    title = models.TextField()
    detail = models.TextField(blank=True)
    content = models.TextField()  # the text that was embedded
    at = models.DateTimeField(null=True)  # the row's time (UTC); null for things without one
    utc_offset_minutes = models.SmallIntegerField(null=True)
    product = models.CharField(max_length=48, blank=True)
    import_run_id = models.BigIntegerField(null=True)
    # Made by migration 0001 and unknown to the ORM: `embedding` (pgvector's `vector` where the
    # server has it, `real[]` elsewhere) and `search`, a generated tsvector of `content`.

    class Meta:
        db_table = qualified("vectors", "embedding")
        constraints = [
            # Re-embedding (a job run twice, a backfill after imports) adds nothing.
            models.UniqueConstraint(fields=["user", "dataset", "row_key", "model"], name="embedding_natural_key"),
        ]
        indexes = [
            # Deleting an import run removes its vectors.
            models.Index(fields=["user", "import_run_id"], name="embedding_run_idx"),
            # Deleting a date range, archiving a month of one table.
            models.Index(fields=["dataset", "at"], name="embedding_dataset_at_idx"),
        ]

    def __str__(self):
        return f"{self.dataset}:{self.row_key}"

"""Lifecycle metadata: policies, their runs, archived partitions and their files.

Everything here lives in schema `ops` (operational metadata the app role may
read and write, so admins manage it through the console), except the
per-user summaries, which carry a real `user_id` and row-level security:
analytics reads them inside a user's scope once the rows themselves have
left for the archive.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from core import partitions
from core.schemas import qualified
from lifecycle.paths import archive_path


def table_choices():
    return [(label, label) for label in sorted(partitions.REGISTRY)]


class Policy(models.Model):
    """How long one partitioned table's partitions stay hot, and when their archives go."""

    class Schedule(models.TextChoices):
        HOURLY = "hourly"
        DAILY = "daily"
        WEEKLY = "weekly"

        @property
        def interval(self) -> dt.timedelta:
            return {"hourly": dt.timedelta(hours=1), "daily": dt.timedelta(days=1),
                    "weekly": dt.timedelta(weeks=1)}[self.value]

    name = models.SlugField(max_length=80, unique=True)
    enabled = models.BooleanField(default=True)
    table = models.CharField(max_length=120, help_text="The partitioned table, as schema.table.")
    archive_after_days = models.PositiveIntegerField(
        help_text="Archive a month once its last day is this many days old.")
    delete_after_days = models.PositiveIntegerField(
        null=True, blank=True,
        help_text="Delete the archive files once the month is this many days old (empty: keep them).")
    quarantine_days = models.PositiveIntegerField(
        default=7, help_text="Days a detached partition waits in the archive schema before it is dropped.")
    schedule = models.CharField(max_length=16, choices=Schedule, default=Schedule.DAILY)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_run_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = qualified("ops", "lifecycle_policy")
        ordering = ["name"]
        constraints = [
            # Two policies on one table would contradict each other; one per table.
            models.UniqueConstraint(fields=["table"], name="lifecycle_policy_table_uniq"),
            # The database refuses what validation explains: files cannot go
            # before the partition was archived and its quarantine has passed.
            models.CheckConstraint(
                condition=Q(delete_after_days__isnull=True)
                | Q(delete_after_days__gte=F("archive_after_days") + F("quarantine_days")),
                name="lifecycle_policy_delete_after_archive",
            ),
            models.CheckConstraint(condition=Q(archive_after_days__gte=1), name="lifecycle_policy_archive_positive"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.table and self.table not in partitions.REGISTRY:
            errors["table"] = (f"{self.table} is not a partitioned table the lake manages; "
                               f"choose one of {', '.join(sorted(partitions.REGISTRY))}.")
        if self.archive_after_days is not None and self.archive_after_days < 1:
            errors["archive_after_days"] = "Archive after must be at least one day."
        if self.delete_after_days is not None and self.archive_after_days is not None:
            earliest = self.archive_after_days + (self.quarantine_days or 0)
            if self.delete_after_days < earliest:
                errors["delete_after_days"] = (
                    f"Delete after ({self.delete_after_days} days) comes before the data is safely archived: "
                    f"archiving starts at {self.archive_after_days} days and the quarantine adds "
                    f"{self.quarantine_days or 0}, so the archive files could be deleted before (or while) the "
                    f"partition is archived and checked. Use at least {earliest} days, or leave it empty."
                )
        if errors:
            raise ValidationError(errors)

    @property
    def partitioned_table(self) -> partitions.PartitionedTable:
        return partitions.REGISTRY[self.table]

    def is_due(self, now) -> bool:
        return self.last_run_at is None or now - self.last_run_at >= self.Schedule(self.schedule).interval


class LifecycleRun(models.Model):
    """One archive run, restore or raw-file clean-up: what moved, how long, how it ended."""

    class Kind(models.TextChoices):
        ARCHIVE = "archive"
        RESTORE = "restore"
        RAW_CLEANUP = "raw_cleanup", "Raw upload clean-up"

    class Outcome(models.TextChoices):
        RUNNING = "running"
        OK = "ok"
        FAILED = "failed"
        SKIPPED = "skipped", "Skipped (another run held the lock)"

    kind = models.CharField(max_length=16, choices=Kind, default=Kind.ARCHIVE)
    policy = models.ForeignKey(Policy, null=True, blank=True, on_delete=models.DB_SET_NULL, related_name="runs")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True)
    outcome = models.CharField(max_length=16, choices=Outcome, default=Outcome.RUNNING)
    partitions_archived = models.PositiveIntegerField(default=0)
    partitions_dropped = models.PositiveIntegerField(default=0)
    rows = models.BigIntegerField(default=0)
    bytes = models.BigIntegerField(default=0)
    details = models.JSONField(default=dict)
    error = models.TextField(blank=True)

    class Meta:
        db_table = qualified("ops", "lifecycle_run")
        ordering = ["-started_at", "-id"]
        indexes = [
            # "Recent runs" on the lifecycle page and "repeated failures" on the ops overview.
            models.Index(fields=["kind", "-started_at"], name="lifecycle_run_kind_idx"),
        ]

    def __str__(self):
        return f"{self.kind} {self.started_at:%Y-%m-%d %H:%M} {self.outcome}"

    @property
    def duration(self):
        return self.finished_at - self.started_at if self.finished_at else None


class ArchivedPartition(models.Model):
    """One monthly partition on its way out (or back): the state machine of a run.

    exporting -> verified -> detached -> dropped -> expired; restored from
    detached or dropped. Each step is committed before the next starts, so a
    run that dies anywhere resumes from the recorded state.
    """

    class State(models.TextChoices):
        EXPORTING = "exporting"
        VERIFIED = "verified", "Verified (still attached)"
        DETACHED = "detached", "Detached (in quarantine)"
        DROPPED = "dropped", "Dropped (files only)"
        EXPIRED = "expired", "Expired (files deleted)"
        RESTORED = "restored"
        FAILED = "failed"

    # States in which the archive is the copy of record, or on its way to be.
    ACTIVE_STATES = (State.EXPORTING, State.VERIFIED, State.DETACHED, State.DROPPED, State.EXPIRED)

    policy = models.ForeignKey(Policy, null=True, blank=True, on_delete=models.DB_SET_NULL, related_name="archives")
    run = models.ForeignKey(LifecycleRun, null=True, blank=True, on_delete=models.DB_SET_NULL, related_name="archives")
    table_label = models.CharField(max_length=120)
    partition_name = models.CharField(max_length=120)
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    state = models.CharField(max_length=16, choices=State, default=State.EXPORTING)
    rows = models.BigIntegerField(default=0)
    table_bytes = models.BigIntegerField(default=0)
    file_bytes = models.BigIntegerField(default=0)
    min_at = models.DateTimeField(null=True)
    max_at = models.DateTimeField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    verified_at = models.DateTimeField(null=True)
    detached_at = models.DateTimeField(null=True)
    drop_after = models.DateTimeField(null=True)
    dropped_at = models.DateTimeField(null=True)
    delete_files_after = models.DateTimeField(null=True)
    expired_at = models.DateTimeField(null=True)
    restored_at = models.DateTimeField(null=True)
    error = models.TextField(blank=True)

    class Meta:
        db_table = qualified("ops", "archived_partition")
        ordering = ["table_label", "-period_start"]
        constraints = [
            # One live archive per partition: a second run must resume this
            # record, never start another export of the same month.
            models.UniqueConstraint(
                fields=["table_label", "period_start"],
                condition=Q(state__in=["exporting", "verified", "detached", "dropped", "expired"]),
                name="archived_partition_active_uniq",
            ),
        ]
        indexes = [
            # The run's "what is in flight or due to drop?" scan.
            models.Index(fields=["state", "drop_after"], name="archived_partition_state_idx"),
        ]

    def __str__(self):
        return f"{self.table_label} {self.period_start:%Y-%m} ({self.state})"

    @property
    def table(self) -> partitions.PartitionedTable:
        return partitions.REGISTRY[self.table_label]

    @property
    def period(self) -> str:
        return f"{self.period_start:%Y-%m}"


class ArchiveFile(models.Model):
    """The manifest of one encrypted Parquet file: one user's rows of one partition."""

    # No index of its own: archive_file_owner_uniq leads with this column.
    archived_partition = models.ForeignKey(
        ArchivedPartition, on_delete=models.DB_CASCADE, related_name="files", db_index=False,
    )
    # Deliberately not a `user_id` foreign key: this is admin-facing metadata
    # (no row contents) that must outlive the account, e.g. to show that a
    # shredded user's files are unreadable. Row-level summaries are in ArchivedSummary.
    data_owner_id = models.BigIntegerField()
    relative_path = models.CharField(max_length=400)
    key_id = models.CharField(max_length=120)
    rows = models.BigIntegerField()
    plaintext_bytes = models.BigIntegerField()
    ciphertext_bytes = models.BigIntegerField()
    plaintext_sha256 = models.CharField(max_length=64)
    ciphertext_sha256 = models.CharField(max_length=64)
    # sha256 over the rows themselves (canonical form): what verification compares with the table.
    rows_sha256 = models.CharField(max_length=64)
    min_at = models.DateTimeField(null=True)
    max_at = models.DateTimeField(null=True)
    arrow_schema = models.TextField()

    class Meta:
        db_table = qualified("ops", "archive_file")
        ordering = ["archived_partition", "data_owner_id"]
        constraints = [
            # One file per user per partition: what makes crypto-shredding one user work.
            models.UniqueConstraint(fields=["archived_partition", "data_owner_id"], name="archive_file_owner_uniq"),
        ]

    def __str__(self):
        return self.relative_path

    @property
    def path(self):
        # Resolved and checked: a run unlinks this path, so it must be inside ARCHIVE_DIR.
        return archive_path(self.relative_path)


class ArchivedSummary(models.Model):
    """Per-user, per-product totals of an archived month, so totals still answer.

    Keyed by the month, not by the archive record: written by the run (owner
    connection) in the transaction that records the partition as verified,
    deleted by the restore that brings the rows back, so nothing is counted twice.
    """

    # No index of its own: archived_summary_uniq leads with this column.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DB_CASCADE, related_name="+", db_index=False)
    table_label = models.CharField(max_length=120)
    period = models.DateField()
    product = models.CharField(max_length=48)
    rows = models.BigIntegerField()
    first_at = models.DateTimeField(null=True)
    last_at = models.DateTimeField(null=True)

    class Meta:
        db_table = qualified("ops", "archived_summary")
        constraints = [
            # Analytics: "this user's archived totals per table and month" is this key's prefix.
            models.UniqueConstraint(fields=["user", "table_label", "period", "product"],
                                    name="archived_summary_uniq"),
        ]

    def __str__(self):
        return f"{self.table_label} {self.period:%Y-%m} {self.product}: {self.rows}"

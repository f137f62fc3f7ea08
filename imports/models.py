"""Import runs, their input files and their members: the record of truth.

PostgreSQL, not Redis, says what happened to an import. A run is claimed by
one worker (conditional UPDATE plus an advisory lock), each member is
committed in one transaction with its rows, so a killed worker's successor
skips what is done and redoes only the member that was in flight.

Every table carries `user_id` and row-level security, like the data they load.
"""

from django.conf import settings
from django.db import models

from core.schemas import qualified


class ImportRun(models.Model):
    """One import: the files chosen together (the parts of one export, a phone file)."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        # Something was loaded, something was not (a truncated part, a failed member).
        PARTIAL = "partial"
        FAILED = "failed"

    class Stage(models.TextChoices):
        WAITING = "waiting", "Waiting for a worker"
        SCANNING = "scanning", "Listing the archives"
        LOADING = "loading", "Loading members"
        ANALYZING = "analyzing", "Updating statistics"
        FINISHED = "finished", "Finished"

    class Source(models.TextChoices):
        UPLOAD = "upload"
        COMMAND = "command"

    FINAL = (Status.SUCCEEDED, Status.PARTIAL, Status.FAILED)

    # No index of its own: import_run_user_created_idx leads with this column.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DB_CASCADE, related_name="+", db_index=False)
    status = models.CharField(max_length=16, choices=Status, default=Status.QUEUED)
    stage = models.CharField(max_length=16, choices=Stage, default=Stage.WAITING)
    source = models.CharField(max_length=16, choices=Source, default=Source.UPLOAD)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)
    # Liveness: the worker refreshes heartbeat_at with every committed member
    # and holds a session advisory lock on the run; see imports.jobs.reconcile.
    heartbeat_at = models.DateTimeField(null=True)
    claimed_by = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    job_id = models.CharField(max_length=64, blank=True)
    # Progress: members are known up front for zip parts, as met for tgz parts.
    members_total = models.PositiveIntegerField(default=0)
    members_done = models.PositiveIntegerField(default=0)
    # Declared uncompressed bytes of all members, and of the committed ones: the ETA's basis.
    bytes_total = models.BigIntegerField(default=0)
    bytes_done = models.BigIntegerField(default=0)
    accepted = models.BigIntegerField(default=0)
    rejected = models.BigIntegerField(default=0)
    duplicates = models.BigIntegerField(default=0)
    # Seconds spent loading committed members, for rows/s without the queue wait.
    load_seconds = models.FloatField(default=0)
    # {"location.records": {"accepted", "rejected", "duplicates", "first", "last"}}
    products = models.JSONField(default=dict)
    # {"reason": {"count": n, "samples": [{"detail", "sample", "member"}, ...at most 5]}}
    rejections = models.JSONField(default=dict)
    # Sentences for the user: why there is no location data, a truncated part, ...
    notices = models.JSONField(default=list)
    error = models.TextField(blank=True)
    # When the person deleted the rows this run added (lake.deletion): its report
    # then describes the past, and the same bytes uploaded again import anew.
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = qualified("imports", "import_run")
        indexes = [
            # "My imports", newest first, on the run list.
            models.Index(fields=["user", "-created_at"], name="import_run_user_created_idx"),
            # The reconciler's scan for queued and running runs.
            models.Index(fields=["status"], name="import_run_open_idx",
                         condition=models.Q(status__in=["queued", "running"])),
        ]

    def __str__(self):
        return f"import {self.pk} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def duration(self):
        if self.started_at is None:
            return None
        from django.utils import timezone

        return (self.finished_at or timezone.now()) - self.started_at

    @property
    def duration_text(self) -> str:
        if self.duration is None:
            return ""
        minutes, seconds = divmod(int(self.duration.total_seconds()), 60)
        hours, minutes = divmod(minutes, 60)
        return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min {seconds:02d} s"

    @property
    def rows_per_second(self) -> float | None:
        rows = self.accepted + self.rejected + self.duplicates
        return rows / self.load_seconds if self.load_seconds > 0 else None


class ImportFile(models.Model):
    """One uploaded file of a run (a part of a split export, or a bare JSON)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DB_CASCADE, related_name="+")
    # No index of its own: import_file_run_part_uniq leads with this column.
    run = models.ForeignKey(ImportRun, on_delete=models.DB_CASCADE, related_name="files", db_index=False)
    part = models.PositiveSmallIntegerField()
    original_name = models.CharField(max_length=500)
    sha256 = models.CharField(max_length=64)
    size = models.BigIntegerField()
    # Where the raw store keeps it (named by its SHA-256); the pipeline reads from here.
    path = models.CharField(max_length=1000)
    # Why the whole file could not be read (not an archive, a bomb, truncated).
    error = models.TextField(blank=True)

    class Meta:
        db_table = qualified("imports", "import_file")
        ordering = ["run", "part"]
        constraints = [
            # The pipeline reads a run's files in part order.
            models.UniqueConstraint(fields=["run", "part"], name="import_file_run_part_uniq"),
        ]

    def __str__(self):
        return self.original_name


class ImportMember(models.Model):
    """One file inside an upload, and what became of it.

    A member row reaches `done`/`skipped`/`failed` in the same transaction as
    its rows, which is what makes a resumed run skip it.
    """

    class Status(models.TextChoices):
        PENDING = "pending"
        DONE = "done"
        SKIPPED = "skipped"
        FAILED = "failed"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DB_CASCADE, related_name="+")
    # No index of its own: import_member_run_file_name_uniq leads with this column.
    run = models.ForeignKey(ImportRun, on_delete=models.DB_CASCADE, related_name="members", db_index=False)
    file = models.ForeignKey(ImportFile, on_delete=models.DB_CASCADE, related_name="members")
    name = models.CharField(max_length=1024)
    size = models.BigIntegerField(null=True)
    product = models.CharField(max_length=48, null=True)
    status = models.CharField(max_length=16, choices=Status, default=Status.PENDING)
    accepted = models.BigIntegerField(default=0)
    rejected = models.BigIntegerField(default=0)
    duplicates = models.BigIntegerField(default=0)
    first_at = models.DateTimeField(null=True)
    last_at = models.DateTimeField(null=True)
    # {"reason": n}; the run keeps the samples.
    rejections = models.JSONField(default=dict)
    # Why it was skipped or failed, in a sentence for the user.
    error = models.TextField(blank=True)
    seconds = models.FloatField(default=0)
    committed_at = models.DateTimeField(null=True)
    # Attempts at reading it, each committed before its first byte: a member
    # that was started this often and never settled took its worker down.
    starts = models.PositiveSmallIntegerField(default=0, db_default=0)
    # A long member (an mbox) commits its rows in steps while still pending: the byte (from the
    # member's start) up to which its rows and counts are committed, and where the attempt that
    # settled it began reading, 0 for the first. A resumed attempt skips the committed bytes.
    checkpoint_offset = models.BigIntegerField(null=True, blank=True)
    resumed_from = models.BigIntegerField(null=True, blank=True)

    class Meta:
        db_table = qualified("imports", "import_member")
        ordering = ["file_id", "id"]
        constraints = [
            # Resume: "is this member of this run already committed?"
            models.UniqueConstraint(fields=["run", "file", "name"], name="import_member_run_file_name_uniq"),
        ]

    def __str__(self):
        return self.name

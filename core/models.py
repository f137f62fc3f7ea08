"""Platform records: what the lake's own maintenance did, and when."""

from django.db import models

from core.schemas import qualified


class MaintenanceRun(models.Model):
    """One run of a maintenance routine, so ops can see when it last ran and how it ended."""

    class Outcome(models.TextChoices):
        RUNNING = "running"
        OK = "ok"
        FAILED = "failed"

    kind = models.CharField(max_length=48)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True)
    outcome = models.CharField(max_length=16, choices=Outcome, default=Outcome.RUNNING)
    details = models.JSONField(default=dict)
    error = models.TextField(blank=True)

    class Meta:
        db_table = qualified("ops", "maintenance_run")
        indexes = [
            # "When did partition maintenance last run?" on the health pages.
            models.Index(fields=["kind", "-started_at"], name="maintenance_run_kind_idx"),
        ]

    def __str__(self):
        return f"{self.kind} {self.started_at:%Y-%m-%d %H:%M} {self.outcome}"

from django.db import models


class Event(models.Model):
    """One append-only audit record. Written only through audit.actions.record_event.

    The app role may INSERT and SELECT, nothing else, and a trigger refuses
    UPDATE, DELETE and TRUNCATE for everyone (see the migration). Another
    trigger stamps `at` and `db_role` on insert, and for roles under row-level
    security takes the actor from the transaction's user (see migration 0002).
    """

    at = models.DateTimeField(db_default=models.functions.Now())
    actor_id = models.BigIntegerField(null=True)
    # Kept as text too: the account may be deleted later, the record stays.
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=64)
    target = models.CharField(max_length=300, blank=True)
    remote_addr = models.GenericIPAddressField(null=True)
    user_agent = models.CharField(max_length=300, blank=True)
    details = models.JSONField(default=dict)
    # The database role that wrote the record (set by the insert trigger): the
    # app role's actors are the transaction's user, the owner's are its jobs' callers.
    db_role = models.CharField(max_length=63, blank=True, editable=False, db_default="")

    class Meta:
        db_table = 'audit"."event'  # a schema of its own: see audit/migrations/0001
        ordering = ["-at", "-id"]
        indexes = [
            # The admin page: newest first, filtered by action or actor.
            models.Index(fields=["-at"], name="audit_event_at_idx"),
            models.Index(fields=["action", "-at"], name="audit_event_action_idx"),
            models.Index(fields=["actor_id", "-at"], name="audit_event_actor_idx"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username or '-'} {self.action} {self.target}"

"""Who has a database login of their own, and what their sessions did.

Both tables live in the `sql_access` schema, which only the owner role may
use: the app role cannot read them (a row here is a key to someone's data),
and the logins read their own mapping only through the SECURITY DEFINER
function `user_data.sql_login_user_id()` (see migrations/0001_initial.py).
Queries go through the "owner" connection.
"""

from django.db import models


class SqlLogin(models.Model):
    class QuotaState(models.TextChoices):
        OK = "ok", "Within quota"
        WARNED = "warned", "Near its quota"
        BLOCKED = "blocked", "Over quota"

    # No foreign key to the account: Django's cascade would read this table
    # through the app role, which may not (deleting a person revokes first).
    user_id = models.BigIntegerField()
    role_name = models.CharField(max_length=63)
    workspace = models.CharField(max_length=63)
    created_at = models.DateTimeField(db_default=models.functions.Now())
    rotated_at = models.DateTimeField(null=True)
    workspace_bytes = models.BigIntegerField(default=0)
    quota_state = models.CharField(max_length=8, choices=QuotaState.choices, default=QuotaState.OK)
    checked_at = models.DateTimeField(null=True)
    # Days up to and including this one have their session count in the audit log.
    sessions_counted_through = models.DateField(null=True)

    class Meta:
        db_table = 'sql_access"."login'
        constraints = [
            # One login per person; the page and the command look it up by user.
            models.UniqueConstraint(fields=["user_id"], name="sql_login_one_per_user"),
            # sql_login_user_id() looks the session's login up by name, on every policy check.
            models.UniqueConstraint(fields=["role_name"], name="sql_login_role_unique"),
        ]

    def __str__(self):
        return f"{self.role_name} (user {self.user_id})"


class SqlSession(models.Model):
    """One session of a login, as the periodic check saw it in pg_stat_activity."""

    user_id = models.BigIntegerField()
    role_name = models.CharField(max_length=63)
    pid = models.IntegerField()
    backend_start = models.DateTimeField()
    last_seen = models.DateTimeField()

    class Meta:
        db_table = 'sql_access"."session'
        constraints = [
            # A session is one backend from its start: seen again, it is the same session.
            models.UniqueConstraint(fields=["role_name", "pid", "backend_start"], name="sql_session_seen_once"),
        ]
        indexes = [
            # Sessions per day for a person: the daily audit count and the ops page.
            models.Index(fields=["user_id", "backend_start"], name="sql_session_user_day_idx"),
        ]

    def __str__(self):
        return f"{self.role_name} pid {self.pid} from {self.backend_start:%Y-%m-%d %H:%M}"

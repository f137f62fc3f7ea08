"""Gmail messages: a per-user table in `timeseries`, range-partitioned by month on `sent_at`."""

from django.conf import settings
from django.db import models

from core.schemas import qualified


class MailMessage(models.Model):
    """One message of the mbox: a mail or a chat message, with its headers, search text and attachment list."""

    pk = models.CompositePrimaryKey("user_id", "sent_at", "message_key")
    # No index of its own: the primary key leads with this column.
    # No foreign key: one per row cost every insert a probe of auth_user; deleting a
    # user goes through the delete-everything path instead (explore/apps.py).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, related_name="+", db_index=False,
                             db_constraint=False)
    sent_at = models.DateTimeField()
    utc_offset_minutes = models.SmallIntegerField(null=True)
    # uuid of md5 of the Message-ID, or of the raw headers when there is none (sources/mail/parsers.py).
    message_key = models.UUIDField()
    message_id = models.TextField(blank=True)
    thread_id = models.TextField(blank=True)
    labels = models.TextField(blank=True)  # X-Gmail-Labels, verbatim
    label_meanings = models.JSONField(default=list)  # ["inbox", "unread", …]: sources/mail/labels.py
    sender = models.TextField(blank=True)
    sender_address = models.TextField(blank=True)
    recipients = models.TextField(blank=True)
    cc = models.TextField(blank=True)
    subject = models.TextField(blank=True)
    body = models.TextField(blank=True)  # search text, at most parsers.BODY_CHARS characters
    attachments = models.JSONField(default=list)  # [{"name", "type", "size"}]
    size_bytes = models.BigIntegerField()
    is_chat = models.BooleanField(default=False)
    clipped = models.BooleanField(default=False)
    product = models.CharField(max_length=48)
    import_run_id = models.BigIntegerField(null=True)
    # The table also has `search`, a generated tsvector with a GIN index made by
    # migration 0001, unknown to the ORM on purpose (see sources/mail/search.py).

    class Meta:
        db_table = qualified("timeseries", "mail_message")
        indexes = [
            # Deleting or reporting one import run's rows.
            models.Index(fields=["user", "import_run_id"], name="mail_message_run_idx"),
        ]

    def __str__(self):
        return f"{self.subject or '(no subject)'} at {self.sent_at:%Y-%m-%d %H:%M}"

"""Gmail's table: declared to the platform's partition registry, and as a load target."""

from core.loading import Target
from core.partitions import PartitionedTable, register
from sources.mail.models import MailMessage

MAIL_MESSAGE = register(PartitionedTable("timeseries", "mail_message", "sent_at"))

LOAD_MESSAGES = Target(
    MAIL_MESSAGE,
    ("sent_at", "utc_offset_minutes", "message_key", "message_id", "thread_id", "labels", "label_meanings", "sender",
     "sender_address", "recipients", "cc", "subject", "body", "attachments", "size_bytes", "is_chat", "clipped"),
    MailMessage,
    # A message row carries up to 4,000 characters of body and its headers: 5,000 of them
    # keep an import's memory near 30 MB (50,000 took about 100 MB, and was slower).
    batch_rows=5_000,
)

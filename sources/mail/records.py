"""What the Gmail parser yields: plain values, no Django, no database."""

import uuid
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class MailMessage:
    sent_at: datetime  # aware, UTC
    utc_offset_minutes: int | None  # the Date header's own offset; None for "-0000" or none stated
    # uuid of md5 of the Message-ID, or of the raw headers for messages that have none (chats)
    message_key: uuid.UUID
    message_id: str
    thread_id: str  # X-GM-THRID
    labels: str  # X-Gmail-Labels, verbatim
    label_meanings: list  # canonical meanings of the labels known in some language ("inbox", "unread", …)
    sender: str  # the decoded From header
    sender_address: str  # its address alone, lower-cased
    recipients: str  # To
    cc: str
    subject: str
    body: str  # text for search: text/plain, else the text of the HTML part; bounded
    # [{"name", "type", "size"}]: attachments are listed, their bytes are not kept
    attachments: list
    size_bytes: int  # the message's bytes in the mbox
    is_chat: bool
    # True when the message was larger than the parser buffers: parts past the bound were listed only
    clipped: bool

"""Gmail's signature: an mbox, i.e. a "From " separator line followed by mail headers. Pure."""

import re

from sources.detect import Head

# "From 1780133326917537410@xxx Sat Oct 14 17:18:56 +0000 2023": the separator ends with a time and a year.
FROM_LINE = re.compile(rb"From \S+ +[^\r\n]*\d{1,2}:\d{2}(:\d{2})?[^\r\n]*\d{4}\r?$")
_HEADER = re.compile(rb"^[!-9;-~]+:", re.MULTILINE)
_MAIL_HEADERS = (b"\ndate:", b"\nfrom:", b"\nmessage-id:", b"\nx-gm-thrid:", b"\nx-gmail-labels:", b"\nsubject:")


def detect(head: Head) -> str | None:
    if head.kind != "text" or not head.data.startswith(b"From "):
        return None
    first, _, rest = head.data.partition(b"\n")
    if not FROM_LINE.match(first) or not _HEADER.match(rest):
        return None
    # A text that merely starts with "From " is no mailbox: mail headers must follow the separator.
    headers = b"\n" + head.lowered[len(first) + 1:16384]
    return "mail.mbox" if any(marker in headers for marker in _MAIL_HEADERS) else None

"""Contacts' signature: a vCard file begins with BEGIN:VCARD, in any file name. Pure."""

from sources.detect import Head


def detect(head: Head) -> str | None:
    if head.kind == "text" and head.data[:64].upper().startswith(b"BEGIN:VCARD"):
        return "contacts.vcf"
    return None

"""What the contacts parser yields: plain values, no Django, no database.

A contact's photo is never kept: ``photo`` says what there was (an embedded
image's type and size, or a URL, stored as text and never fetched).
"""

import uuid
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Contact:
    address_book: str  # the file's name: "All Contacts", "Kontakte auf Gerät – Samsung"
    card_key: uuid.UUID  # uuid5 of the card's UID, else of its text without PHOTO and REV
    version: str | None
    full_name: str | None
    name: dict  # {"family", "given", "additional", "prefix", "suffix"} as given
    nickname: str | None
    emails: list  # [{"value", "types": [...]}, ...]
    phones: list
    addresses: list  # [{"street", "locality", "region", "code", "country", "types"}, ...]
    birthday: str | None  # as written ("1990-05-17", "--05-17")
    birthday_month: int | None
    birthday_day: int | None
    organization: str | None
    title: str | None
    groups: list  # CATEGORIES
    note: str | None
    urls: list
    photo: dict  # {} | {"kind": "embedded", "type", "bytes"} | {"kind": "url", "url"}
    vcf: str  # the card as written, without embedded photo data, for the .vcf export

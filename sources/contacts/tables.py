"""Contacts' load target: an unpartitioned table of saved things with no time of their own."""

from core.loading import PlainTable, Target
from sources.contacts.models import Contact

CONTACT = PlainTable("user_data", "contact", None)

_TEXT = ("version", "full_name", "nickname", "birthday", "organization", "title", "note")

LOAD_CONTACTS = Target(
    CONTACT,
    ("address_book", "card_key", "version", "full_name", "name", "nickname", "emails", "phones", "addresses",
     "birthday", "birthday_month", "birthday_day", "organization", "title", "groups", "note", "urls", "photo", "vcf"),
    Contact,
    fill={name: f"coalesce({name}, '')" for name in _TEXT},
)

"""A person's contacts: a plain per-user table in `user_data`, with row-level security."""

from django.conf import settings
from django.db import models

from core.schemas import qualified


class Contact(models.Model):
    """One vCard of one address book (a .vcf file): the same person in two books is two rows."""

    pk = models.CompositePrimaryKey("user_id", "address_book", "card_key")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DB_CASCADE, related_name="+", db_index=False)
    address_book = models.CharField(max_length=200)
    # uuid5 of the card's UID, else of its text without PHOTO and REV (sources/contacts/parsers.py)
    card_key = models.UUIDField()
    version = models.CharField(max_length=10, blank=True)
    full_name = models.TextField(blank=True)
    name = models.JSONField(default=dict)
    nickname = models.TextField(blank=True)
    emails = models.JSONField(default=list)
    phones = models.JSONField(default=list)
    addresses = models.JSONField(default=list)
    birthday = models.CharField(max_length=40, blank=True)
    # For the day page: a birthday recurs on its month and day, whether or not the year is known.
    birthday_month = models.SmallIntegerField(null=True)
    birthday_day = models.SmallIntegerField(null=True)
    organization = models.TextField(blank=True)
    title = models.TextField(blank=True)
    groups = models.JSONField(default=list)
    note = models.TextField(blank=True)
    urls = models.JSONField(default=list)
    # What the photo was ({"kind": "embedded", "type", "bytes"} or {"kind": "url", "url"}), never the image.
    photo = models.JSONField(default=dict)
    vcf = models.TextField()
    product = models.CharField(max_length=48)
    import_run_id = models.BigIntegerField(null=True)
    # The table also has `search`, a generated tsvector with a GIN index made by migration 0001.

    class Meta:
        db_table = qualified("user_data", "contact")
        indexes = [
            models.Index(fields=["user", "import_run_id"], name="contact_run_idx"),
            models.Index(fields=["user", "birthday_month", "birthday_day"], name="contact_birthday_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(birthday_month__isnull=True)
                                   | models.Q(birthday_month__gte=1, birthday_month__lte=12),
                                   name="contact_birthday_month_check"),
        ]

    def __str__(self):
        return self.full_name or str(self.card_key)

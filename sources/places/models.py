"""The saved places of a person: a plain per-user table in `user_data`, with row-level security."""

from django.conf import settings
from django.db import models

from core.schemas import qualified


class SavedPlace(models.Model):
    """A place the person saved: starred, labeled (Home, Work, …) or on one of their lists."""

    class Kind(models.TextChoices):
        SAVED = "saved"
        LABELED = "labeled"
        LIST = "list"

    # The same place starred and on two lists is three rows: each says something.
    pk = models.CompositePrimaryKey("user_id", "kind", "list_name", "place_key")
    # No index of its own: the primary key leads with this column.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DB_CASCADE, related_name="+", db_index=False)
    kind = models.CharField(max_length=8, choices=Kind)
    # "" for starred and labeled places; a list's name comes from its file's name.
    list_name = models.CharField(max_length=200, blank=True)
    # uuid5 of the place's URL, else its title and address (sources/places/parsers.py).
    place_key = models.UUIDField()
    title = models.TextField(blank=True)
    address = models.TextField(blank=True)
    note = models.TextField(blank=True)
    url = models.TextField(blank=True)
    # Degrees x 10^7; null when the export gives no position (lists, GeoJSON's [0, 0]).
    lat_e7 = models.IntegerField(null=True)
    lng_e7 = models.IntegerField(null=True)
    country_code = models.CharField(max_length=8, blank=True)
    # When it was saved (not a visit); null for labels and lists, which do not say.
    saved_at = models.DateTimeField(null=True)
    product = models.CharField(max_length=48)
    import_run_id = models.BigIntegerField(null=True)
    # The table also has `search`, a generated tsvector with a GIN index made by
    # migration 0001, unknown to the ORM on purpose (see sources/places/search.py).

    class Meta:
        db_table = qualified("user_data", "saved_place")
        indexes = [
            # Deleting or reporting one import run's rows.
            models.Index(fields=["user", "import_run_id"], name="saved_place_run_idx"),
            # The day page: places saved within a day's UTC window.
            models.Index(fields=["user", "saved_at"], name="saved_place_saved_at_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=["saved", "labeled", "list"]),
                                   name="saved_place_kind_check"),
            # A position is both halves or neither.
            models.CheckConstraint(condition=models.Q(lat_e7__isnull=True, lng_e7__isnull=True)
                                   | models.Q(lat_e7__isnull=False, lng_e7__isnull=False),
                                   name="saved_place_position_check"),
        ]

    def __str__(self):
        return self.title or self.address or str(self.place_key)

"""The API's datasets, derived from the source registry: a new family gets endpoints by landing.

Each registered `sources.base.Dataset` becomes `/api/v1/<family>/<short name>`.
The short name is the table's last word, in the plural ("location_point" ->
"points", "place_visit" -> "visits", "photo_media" -> "media"); should two
tables of a family end alike, both keep their whole name. docs/api.md lists them.
"""

from dataclasses import dataclass
from functools import cache

from django.db import models

from sources import registry

# Words whose plural is themselves, or that are not nouns to pluralize.
_INVARIANT = {"media", "daily", "series"}


@dataclass(frozen=True)
class Column:
    name: str  # the database column, also the JSON key
    kind: str  # "integer" | "number" | "string" | "boolean" | "datetime" | "date" | "uuid" | "json"
    null: bool


@dataclass(frozen=True)
class ApiDataset:
    family: str  # "location": also the scope read:location
    name: str  # "points"
    label: str
    table: tuple[str, str]  # ("timeseries", "location_point")
    columns: tuple[Column, ...]  # every column but user_id (and a surrogate id), in model order
    pk: tuple[str, ...]  # the primary key's columns without user_id: an item's id
    time: str | None  # the time column, None for things without one
    time_null: bool
    searchable: bool  # the family has full-text search (the table's `search` tsvector, where it has one)

    @property
    def path(self) -> str:
        return f"{self.family}/{self.name}"

    def has(self, column: str) -> bool:
        return any(c.name == column for c in self.columns)

    @property
    def key(self) -> tuple[str, ...]:
        """The keyset order: time first (when there is one), then the primary key."""
        if self.time is None or (self.pk and self.pk[0] == self.time):
            return self.pk
        return (self.time, *self.pk)

    @property
    def located(self) -> bool:
        return self.has("lat_e7") and self.has("lng_e7")


def _kind(field) -> str:
    if isinstance(field, (models.BooleanField,)):
        return "boolean"
    if isinstance(field, models.DateTimeField):
        return "datetime"
    if isinstance(field, models.DateField):
        return "date"
    if isinstance(field, models.UUIDField):
        return "uuid"
    if isinstance(field, models.JSONField):
        return "json"
    if isinstance(field, (models.IntegerField, models.BigIntegerField, models.SmallIntegerField,
                          models.AutoField, models.BigAutoField, models.PositiveIntegerField)):
        return "integer"
    if isinstance(field, (models.FloatField, models.DecimalField)):
        return "number"
    return "string"


def _plural(word: str) -> str:
    if word in _INVARIANT or word.endswith("s"):
        return word
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def _pk_columns(model) -> tuple[str, ...]:
    pk = model._meta.pk
    fields = getattr(pk, "fields", None) or [pk]
    # A table keyed by the user alone (one row each: settings) keeps user_id as its key.
    return tuple(f.column for f in fields if f.column != "user_id") or ("user_id",)


def _build(source, dataset, name: str) -> ApiDataset:
    model = dataset.model
    schema, _, table = model._meta.db_table.partition('"."')
    # A surrogate "id" column gives way to the API's opaque id, which encodes it.
    columns = tuple(Column(f.column, _kind(f), bool(f.null)) for f in model._meta.concrete_fields
                    if f.column not in ("user_id", "id"))
    time = model._meta.get_field(dataset.time_field).column if dataset.time_field else None
    time_null = bool(time and model._meta.get_field(dataset.time_field).null)
    return ApiDataset(source.name, name, dataset.label, (schema, table), columns, _pk_columns(model), time,
                      time_null, source.search is not None)


@cache
def all_datasets() -> tuple[ApiDataset, ...]:
    found = []
    for source in registry.SOURCES:
        short = [_plural(dataset.name.rsplit("_", 1)[-1]) for dataset in source.datasets]
        for dataset, name in zip(source.datasets, short, strict=True):
            if short.count(name) > 1:
                name = _plural(dataset.name)
            found.append(_build(source, dataset, name))
    return tuple(found)


def families() -> list[str]:
    return [source.name for source in registry.SOURCES]

"""The API's typed shapes, for validation and the OpenAPI document. Dataset rows are built per table."""

import datetime as dt
import uuid
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import create_model

from api.datasets import ApiDataset

_TYPES = {"integer": int, "number": float, "string": str, "boolean": bool, "datetime": dt.datetime,
          "date": dt.date, "uuid": uuid.UUID, "json": Any}


class ProblemOut(Schema):
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    field: str | None = None
    scope: str | None = None
    errors: list[dict] | None = None


def row_schema(ds: ApiDataset):
    fields: dict[str, Any] = {"id": (str, Field(..., description="Opaque; the item endpoint's id."))}
    for column in ds.columns:
        kind = _TYPES[column.kind]
        fields[column.name] = ((kind | None) if column.null and kind is not Any else kind, ...)
    name = "".join(part.title() for part in ds.path.replace("/", "_").split("_"))
    return create_model(f"{name}Row", **fields)


def page_schema(ds: ApiDataset, row):
    name = row.__name__.removesuffix("Row")
    return create_model(f"{name}Page", items=(list[row], ...),
                        next_cursor=(str | None, Field(None, description="Pass as cursor for the next page; "
                                                                          "null on the last.")),
                        count=(int | None, Field(None, description="With count=exact or estimated.")))


def query_schema(ds: ApiDataset):
    fields: dict[str, Any] = {
        "limit": (int, Field(100, ge=1, le=1000)),
        "cursor": (str | None, Field(None, max_length=2000, description="next_cursor of the previous page.")),
        "after": (str | None, Field(None, max_length=2000, description="Continue after this item id "
                                                                        "(resume a stream).")),
        "count": (Literal["exact", "estimated"] | None, None),
        "format": (Literal["json", "ndjson", "csv", "geojson"] | None,
                   Field(None, description="Instead of Accept: application/x-ndjson, text/csv, "
                                           "application/geo+json.")),
    }
    if ds.has("product"):
        fields["product"] = (str | None, Field(None, max_length=48))
    if ds.time is not None:
        fields["since"] = (dt.datetime | None, Field(None, description=f"{ds.time} at or after (UTC)."))
        fields["until"] = (dt.datetime | None, Field(None, description=f"{ds.time} before (UTC)."))
        fields["local_from"] = (dt.date | None, Field(None, description="First local day (the offset the "
                                                                         "source stated, else UTC)."))
        fields["local_to"] = (dt.date | None, Field(None, description="Last local day, inclusive."))
    if ds.has("device_tag"):
        fields["device"] = (int | None, Field(None, description="A device_tag (location/devices)."))
    if ds.located:
        fields["bbox"] = (str | None, Field(None, max_length=100, description="min_lng,min_lat,max_lng,max_lat"))
    if ds.searchable:
        fields["q"] = (str | None, Field(None, min_length=1, max_length=200, description="Full-text search."))
    name = "".join(part.title() for part in ds.path.replace("/", "_").split("_"))
    return create_model(f"{name}Query", **fields)


class ImportIn(Schema):
    uploads: list[uuid.UUID] = Field(..., min_length=1, max_length=100,
                                     description="Ids of tus uploads made with this token's user (the last "
                                                 "segment of each upload's Location).")


class ImportRunOut(Schema):
    id: int
    status: str
    stage: str
    source: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    members_total: int
    members_done: int
    accepted: int
    rejected: int
    duplicates: int
    products: dict
    rejections: dict
    notices: list
    error: str
    deleted_at: dt.datetime | None


class ImportPage(Schema):
    items: list[ImportRunOut]
    next_cursor: str | None = None


class RangeIn(Schema):
    start: dt.date
    end: dt.date


class DeletionOut(Schema):
    scope: str
    deleted: dict[str, int]
    remaining: dict[str, int]
    verified: bool
    total: int
    notes: list[str]


class IngestOut(Schema):
    result: str = "ok"
    received: int
    accepted: int
    duplicates: int
    skipped: int
    rejected: dict[str, int]

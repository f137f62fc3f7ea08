"""What of a row is embedded and shown: the dataset's text columns, as one search document.

Generic over sources.registry: a dataset names its text columns
(sources.base.Dataset.text) and nothing here knows a product.
"""

from dataclasses import dataclass

from sources import registry

TITLE_CHARS = 300
DETAIL_CHARS = 300
# Static and small transformer models read a few hundred words at most; mail bodies and notes
# are cut here (their first lines say most of what they are about).
CONTENT_CHARS = 1000


@dataclass(frozen=True)
class Document:
    dataset: str
    row_key: str
    title: str
    detail: str
    content: str
    at: object
    utc_offset_minutes: int | None
    product: str
    import_run_id: int | None


def embedded_datasets():
    """(source, dataset) of every dataset with text columns."""
    return [(source, dataset) for source, dataset in registry.datasets() if dataset.text]


def dataset_named(name: str):
    return next((dataset for _source, dataset in registry.datasets() if dataset.name == name), None)


def key_fields(dataset) -> list[str]:
    """The primary key's columns after user_id: what row_key is made of, in order."""
    return [field.attname for field in dataset.model._meta.pk_fields if field.attname != "user_id"]


def _has(model, name: str) -> bool:
    return any(field.attname == name for field in model._meta.concrete_fields)


def columns(dataset) -> list[str]:
    """The columns `document()` reads, in the order it reads them."""
    model = dataset.model
    extra = [name for name in ("utc_offset_minutes", "product", "import_run_id") if _has(model, name)]
    time = [dataset.time_field] if dataset.time_field else []
    return ["pk", *dataset.text, *time, *extra]


def _clean(value) -> str:
    return " ".join(str(value or "").split())


def document(dataset, values: dict) -> Document | None:
    """The search document of one row (as `columns()` read it), or None when it has no words."""
    texts = [_clean(values[name]) for name in dataset.text]
    present = [text for text in texts if text]
    if not present:
        return None
    pk = values["pk"]
    parts = pk if isinstance(pk, tuple) else (pk,)
    names = [field.attname for field in dataset.model._meta.pk_fields]
    key = "|".join(str(value) for name, value in zip(names, parts, strict=True) if name != "user_id")
    return Document(
        dataset=dataset.name, row_key=key, title=present[0][:TITLE_CHARS],
        detail=" · ".join(present[1:])[:DETAIL_CHARS], content=" · ".join(present)[:CONTENT_CHARS],
        at=values.get(dataset.time_field) if dataset.time_field else None,
        utc_offset_minutes=values.get("utc_offset_minutes"), product=values.get("product") or "",
        import_run_id=values.get("import_run_id"),
    )

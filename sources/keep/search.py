"""Full-text search over Keep notes: title, text, list items and labels.

A generated tsvector `search` on user_data.keep_note with a GIN index (migration
keep.0001), reached through `matching()`; the 'simple' configuration, as notes
are written in every language. Undated notes are found too (no day to link).
"""

from django.db.models import BooleanField, FloatField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from sources.keep.models import KeepNote
from sources.keep.timeline import first_link, note_detail, note_title
from sources.localtime import local

CONFIG = "simple"


def matching(queryset, text: str):
    query = f"websearch_to_tsquery('{CONFIG}', %s)"
    return queryset.alias(
        hit=RawSQL(f"search @@ {query}", [text], output_field=BooleanField()),  # noqa: S611 - text is bound
    ).filter(hit=True).annotate(
        rank=RawSQL(f"ts_rank(search, {query})", [text], output_field=FloatField()),  # noqa: S611 - text is bound
    )


def search(text: str, *, product: str = "", start=None, end=None, limit: int = 200) -> list[dict]:
    """Notes matching `text`, best first; `start`/`end` bound the edit (else creation) time, UTC."""
    notes = matching(KeepNote.objects.annotate(at=Coalesce("edited_at", "created_at")), text)
    if product:
        notes = notes.filter(product=product)
    if start:
        notes = notes.filter(at__gte=start)
    if end:
        notes = notes.filter(at__lt=end)
    results = []
    for note in notes.order_by("-rank", "note_key")[:limit]:
        when = local(note.at, None)
        results.append({"kind": "Keep note", "title": note_title(note), "detail": note_detail(note), "when": when,
                        "day": when.date() if when else None, "product": note.product, "rank": note.rank,
                        "url": first_link(note)})
    return results


def search_products() -> list[str]:
    return list(KeepNote.objects.order_by("product").values_list("product", flat=True).distinct())

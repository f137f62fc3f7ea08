"""Full-text search over a source's generated `search` tsvector column (GIN-indexed by its migration).

The ORM does not know the column; queries reach it through `matching()`, with
the person's words bound as parameters (web-search syntax: "a phrase", or, -word).
"""

from django.db.models import BooleanField, FloatField
from django.db.models.expressions import RawSQL

# Names, titles and queries come in every language: stemming them with one
# language's rules would mangle the rest (My Activity adds the stemmed form
# where an export states its language, sources/activity/search.py).
SIMPLE = "websearch_to_tsquery('simple', %s)"


def matching(queryset, text: str, query: str = SIMPLE):
    """Rows of `queryset` whose `search` matches `text`, annotated with their `rank`.

    `query` is a tsquery expression with one or more `%s`, each bound to `text`.
    """
    params = [text] * query.count("%s")
    return queryset.alias(
        hit=RawSQL(f"search @@ {query}", params, output_field=BooleanField()),  # noqa: S611 - text is bound
    ).filter(hit=True).annotate(
        rank=RawSQL(f"ts_rank(search, {query})", params, output_field=FloatField()),  # noqa: S611 - text is bound
    )


def within(queryset, column: str, product: str = "", start=None, end=None):
    """The search page's filters: one product, and a UTC window on `column` (start inclusive)."""
    if product:
        queryset = queryset.filter(product=product)
    if start:
        queryset = queryset.filter(**{f"{column}__gte": start})
    if end:
        queryset = queryset.filter(**{f"{column}__lt": end})
    return queryset

"""Full-text search over what the lake holds in words (place names and addresses now).

A generated tsvector column `search` on timeseries.place_visit with a GIN
index, created on the partitioned parent by migration 0003 (so partitions
made later get both through `LIKE ... INCLUDING ALL`). The ORM does not know
the column; queries reach it through `matching()`.

The 'simple' configuration: place names and addresses come in every
language, and stemming them with one language's rules would mangle the rest.
"""

from django.db.models import BooleanField, FloatField
from django.db.models.expressions import RawSQL
from psycopg import sql

CONFIG = "simple"
TABLE = sql.Identifier("timeseries", "place_visit")


def create_statements() -> list[sql.Composed]:
    return [
        sql.SQL(
            "ALTER TABLE {} ADD COLUMN IF NOT EXISTS search tsvector GENERATED ALWAYS AS "
            "(to_tsvector({}::regconfig, coalesce(name, '') || ' ' || coalesce(address, ''))) STORED"
        ).format(TABLE, sql.Literal(CONFIG)),
        # The search page: `search @@ websearch_to_tsquery(...)` (matching() below).
        sql.SQL("CREATE INDEX IF NOT EXISTS place_visit_search_idx ON {} USING gin (search)").format(TABLE),
    ]


def drop_statements() -> list[sql.Composed]:
    return [
        sql.SQL("DROP INDEX IF EXISTS timeseries.place_visit_search_idx"),
        sql.SQL("ALTER TABLE {} DROP COLUMN IF EXISTS search").format(TABLE),
    ]


def matching(queryset, text: str):
    """Visits matching `text` in web-search syntax ("a phrase", or, -word), with a `rank`."""
    query = f"websearch_to_tsquery('{CONFIG}', %s)"
    return queryset.alias(
        hit=RawSQL(f"search @@ {query}", [text], output_field=BooleanField()),  # noqa: S611 - text is bound
    ).filter(hit=True).annotate(
        rank=RawSQL(f"ts_rank(search, {query})", [text], output_field=FloatField()),  # noqa: S611 - text is bound
    )

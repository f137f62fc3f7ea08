"""The SQL of vectors.embedding: writing vectors, nearest neighbours, full-text rank.

Two storage paths behind one interface, chosen by the column migration 0001
made: pgvector's `vector` with a partial HNSW index per model (cosine), or
`real[]` searched exactly, row by row, over one person's vectors (fine at a
person's scale: the fallback for servers without pgvector).

Every query runs as the app role in the caller's user scope, and names the
user as well: row-level security decides what is visible, and the explicit
`user_id =` lets the planner pick the per-user path.
"""

import numpy as np
from django.db import connection

from vectors.embedders import MODELS

HNSW = "hnsw"
EXACT = "exact"
# Neighbours the HNSW scan keeps while it walks the graph (pgvector's default is 40): more than a
# page so one person's results survive the filter on other people's rows close by.
EF_SEARCH = 200

_paths: dict[str, str] = {}


def path() -> str:
    """HNSW where the column is pgvector's, exact where it is real[]."""
    alias = connection.settings_dict["NAME"]
    if alias not in _paths:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                "WHERE attrelid = 'vectors.embedding'::regclass AND attname = 'embedding'")
            row = cursor.fetchone()
        _paths[alias] = HNSW if row and row[0] == "vector" else EXACT
    return _paths[alias]


def path_label() -> str:
    if path() == HNSW:
        return "pgvector: HNSW index (cosine), one per model"
    return "no pgvector: vectors as real[], exact search over one person's vectors"


def literal(vector) -> str:
    """A vector as text in the column's own syntax ([..] for pgvector, {..} for real[])."""
    body = ",".join(f"{x:.6g}" for x in np.asarray(vector, dtype=np.float32).tolist())
    return f"[{body}]" if path() == HNSW else f"{{{body}}}"


def insert(user_id: int, model: str, documents, vectors) -> int:
    """Store documents with their vectors; those already there (same row and model) are left. Returns how many new."""
    if not documents:
        return 0
    dim = MODELS[model].dim
    cast = "vector" if path() == HNSW else "real[]"
    columns = list(zip(*[(d.dataset, d.row_key, d.title, d.detail, d.content, d.at, d.utc_offset_minutes,
                          d.product, d.import_run_id) for d in documents], strict=True))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO vectors.embedding (user_id, model, dim, dataset, row_key, title, detail, content, at,
                                           utc_offset_minutes, product, import_run_id, embedding)
            SELECT %s, %s, %s, d.dataset, d.row_key, d.title, d.detail, d.content, d.at, d.utc_offset_minutes,
                   d.product, d.import_run_id, d.e::{cast}
              FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::timestamptz[],
                          %s::smallint[], %s::text[], %s::bigint[], %s::text[]) AS d(dataset, row_key, title, detail,
                   content, at, utc_offset_minutes, product, import_run_id, e)
            ON CONFLICT ON CONSTRAINT embedding_natural_key DO NOTHING
            """,  # noqa: S608 - the cast is one of two constants
            [user_id, model, dim, *[list(c) for c in columns], [literal(v) for v in vectors]],
        )
        return cursor.rowcount


def existing_keys(user_id: int, model: str, dataset: str, keys: list[str]) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT row_key FROM vectors.embedding WHERE user_id = %s AND model = %s AND dataset = %s "
            "AND row_key = ANY(%s)", [user_id, model, dataset, keys])
        return {row[0] for row in cursor.fetchall()}


def _nearest_hnsw(cursor, user_id, model, query, limit, exclude):
    dim = MODELS[model].dim
    cursor.execute("SELECT set_config('hnsw.ef_search', %s, true)", [str(max(EF_SEARCH, limit * 2))])
    cursor.execute(
        f"""
        SELECT id, embedding::vector({dim}) <=> %s::vector({dim}) AS distance
          FROM vectors.embedding
         WHERE user_id = %s AND model = %s AND id <> %s
         ORDER BY embedding::vector({dim}) <=> %s::vector({dim})
         LIMIT %s
        """,  # noqa: S608 - dim is an int from MODELS
        [query, user_id, model, exclude, query, limit])
    return cursor.fetchall()


def _nearest_exact(cursor, user_id, model, query, limit, exclude):
    if path() == HNSW:
        dim = MODELS[model].dim
        # `+ 0` keeps the planner off the index: this is the exact answer HNSW is checked against.
        distance = f"(embedding::vector({dim}) <=> %s::vector({dim})) + 0"
    else:
        distance = "1 - vectors.dot(embedding, %s::real[])"
    cursor.execute(
        f"""
        SELECT id, {distance} AS distance FROM vectors.embedding
         WHERE user_id = %s AND model = %s AND id <> %s
         ORDER BY 2, id LIMIT %s
        """,  # noqa: S608 - distance is one of two constants
        [query, user_id, model, exclude, limit])
    return cursor.fetchall()


def nearest(user_id: int, model: str, vector, limit: int = 50, *, exclude: int = 0,
            exact: bool = False) -> list[tuple[int, float]]:
    """(embedding id, cosine distance) of the user's `limit` nearest documents of `model`, nearest first.

    With pgvector the HNSW index answers. An approximate scan filters people
    after it walks the graph, so someone whose every close neighbour is
    another person's could get fewer rows than they have: then the exact scan
    over their own rows answers instead. Nobody ever gets another's rows:
    both queries name the user and run under row-level security.
    """
    query = literal(vector)
    with connection.cursor() as cursor:
        if path() == HNSW and not exact:
            found = _nearest_hnsw(cursor, user_id, model, query, limit, exclude)
            if len(found) >= limit:
                return found
            cursor.execute("SELECT count(*) FROM vectors.embedding WHERE user_id = %s AND model = %s AND id <> %s",
                           [user_id, model, exclude])
            if len(found) >= cursor.fetchone()[0]:
                return found
        return _nearest_exact(cursor, user_id, model, query, limit, exclude)


def matching(user_id: int, model: str, text: str, limit: int = 50) -> list[tuple[int, float]]:
    """(embedding id, rank) of the user's documents whose words match `text` (web-search syntax), best first."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT id, ts_rank(search, websearch_to_tsquery('simple', %s)) AS rank FROM vectors.embedding
             WHERE user_id = %s AND model = %s AND search @@ websearch_to_tsquery('simple', %s)
             ORDER BY rank DESC, id LIMIT %s
            """, [text, user_id, model, text, limit])
        return cursor.fetchall()


def vector_of(embedding_id: int):
    """The stored vector of one document (visible in the caller's scope), as float32, or None."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT embedding::text FROM vectors.embedding WHERE id = %s", [embedding_id])
        row = cursor.fetchone()
    if row is None:
        return None
    return np.array([float(x) for x in row[0].strip("[]{}").split(",")], dtype=np.float32)

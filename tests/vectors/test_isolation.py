"""Alice's searches never return Bob's items, through the HNSW index (pgvector) and the exact fallback.

The hard case for an approximate index: every one of Alice's query's nearest
neighbours is Bob's. The HNSW scan walks the graph over everyone's vectors
and row-level security filters afterwards, so it would find none of hers;
the search must still answer with her own nearest items, and only hers.
"""

import numpy as np
import pytest
from django.db import connection, connections

from core.rls import user_scope
from vectors import embedders, store
from vectors.documents import Document
from vectors.search import hybrid_search

MODEL = "wordllama-256"


def documents(prefix: str, texts: list[str]) -> list[Document]:
    return [Document(dataset="place_visit", row_key=f"{prefix}{i}", title=text, detail="", content=text, at=None,
                     utc_offset_minutes=None, product="location.semantic", import_run_id=None)
            for i, text in enumerate(texts)]


def store_for(user, docs):
    vectors = embedders.load(MODEL).documents([doc.content for doc in docs])
    with user_scope(user.pk):
        store.insert(user.pk, MODEL, docs, vectors)


@pytest.fixture
def crowded(alice, bob):
    """Bob: 1,500 coffee places. Alice: as many things, none of them coffee."""
    store_for(bob, documents("b", [f"Coffee house espresso bar café number {i}" for i in range(1500)]))
    mine = [f"Tax office appointment {i}" for i in range(750)] + [f"Hiking trail summit {i}" for i in range(750)]
    store_for(alice, documents("a", mine))
    with connections["owner"].cursor() as cursor:  # as autovacuum would: the planner's statistics
        cursor.execute("ANALYZE vectors.embedding")
    return mine


def uses_hnsw(user, vector) -> bool:
    """Whether the planner answers the approximate query through the HNSW index."""
    with user_scope(user.pk), connection.cursor() as cursor:
        query = store.literal(vector)
        cursor.execute(
            "EXPLAIN SELECT id FROM vectors.embedding WHERE user_id = %s AND model = %s AND id <> 0 "
            "ORDER BY embedding::vector(256) <=> %s::vector(256) LIMIT 10", [user.pk, MODEL, query])
        return "embedding_wordllama_256_hnsw" in " ".join(row[0] for row in cursor.fetchall())


def test_alices_nearest_are_hers_when_all_the_closest_vectors_are_bobs(crowded, alice, bob, settings):
    settings.EMBEDDING_MODEL = MODEL
    coffee = embedders.load(MODEL).query("coffee")
    with user_scope(bob.pk):
        bobs = {pk for pk, _ in store.nearest(bob.pk, MODEL, coffee, 200)}
    if store.path() == store.HNSW:
        assert uses_hnsw(alice, coffee)
        with user_scope(alice.pk), connection.cursor() as cursor:
            walked = store._nearest_hnsw(cursor, alice.pk, MODEL, store.literal(coffee), 10, 0)
        # The graph walk meets Bob's rows first and row-level security drops them: too few of hers.
        assert len(walked) < 10 and not {pk for pk, _ in walked} & bobs

    with user_scope(alice.pk):
        found = store.nearest(alice.pk, MODEL, coffee, 10)
        exact = store.nearest(alice.pk, MODEL, coffee, 10, exact=True)

    assert len(found) == 10
    assert not {pk for pk, _ in found} & bobs
    assert [pk for pk, _ in found] == [pk for pk, _ in exact]
    assert hybrid_search(alice.pk, "coffee", "meaning", limit=50) == []  # nothing of hers means coffee
    results = hybrid_search(alice.pk, "tax appointment", "meaning", limit=50)
    assert len(results) == 50 and {hit["title"] for hit in results} <= set(crowded)


def test_more_like_this_of_bobs_item_is_nothing_for_alice(crowded, alice, bob, settings):
    settings.EMBEDDING_MODEL = MODEL
    with user_scope(bob.pk):
        bobs_item = store.nearest(bob.pk, MODEL, embedders.load(MODEL).query("coffee"), 1)[0][0]

    assert hybrid_search(alice.pk, like=bobs_item) == []
    assert len(hybrid_search(bob.pk, like=bobs_item, limit=5)) == 5


def test_row_level_security_hides_bobs_vectors_even_from_a_query_that_forgets_the_user(crowded, alice, bob):
    with user_scope(alice.pk), connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT user_id FROM vectors.embedding")
        assert cursor.fetchall() == [(alice.pk,)]
    with connection.cursor() as cursor:  # no scope at all: nobody's
        cursor.execute("SELECT count(*) FROM vectors.embedding")
        assert cursor.fetchone() == (0,)


def test_the_stored_vector_is_the_models_unit_vector(crowded, alice):
    with user_scope(alice.pk):
        pk, _ = store.nearest(alice.pk, MODEL, embedders.load(MODEL).query("tax"), 1)[0]
        vector = store.vector_of(pk)
    assert vector.shape == (256,)
    assert np.isclose(np.linalg.norm(vector), 1.0, atol=1e-3)

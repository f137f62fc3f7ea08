"""Hybrid search over fixtures of ours: fixed query sets with their expected top results."""

import datetime as dt

import pytest

from core.rls import user_scope
from vectors import indexing
from vectors.models import Embedding
from vectors.search import by_day, hybrid_search

# Query -> the item it must find first, with the default model. Most share no word with the item
# (full-text search alone finds nothing for them); WORDS_SHARED do, and must stay first.
WORDS_SHARED = {"fitness", "museum"}
DEFAULT_QUERIES = {
    "coffee": "Café Central",
    "bakery": "Bäckerei Ströck",
    "animals": "Schönbrunn Zoo",
    "books": "Stadtbibliothek",
    "church": "Stephansdom",
    "gas station": "Shell",
    "fitness": "FitInn gym",
    "museum": "Louvre Museum",
    "Kaffee": "Café Central",
}
# With the multilingual model: German queries find English items and English queries German ones.
MULTILINGUAL_QUERIES = {
    "Tankstelle": "Shell",  # German for petrol station; the item is in English
    "Kirche": "Stephansdom",  # "Cathedral, Stephansplatz 3"
    "Tiere": "Schönbrunn Zoo",
    "Louvre besuchen": "Louvre Museum",
    "dentist": "Zahnarzt Dr. Huber",  # English query, German item
    "bakery": "Bäckerei Ströck",
}


@pytest.fixture
def embedded(import_files, lake_zip, alice):
    run = import_files(lake_zip())
    assert run.status == "succeeded"
    indexing.embed_rows(alice.pk, pause=0)
    return run


def titles(user, q, mode="meaning", n=1, **options):
    return [hit["title"] for hit in hybrid_search(user.pk, q, mode, limit=n, **options)]


def recall_at(user, queries: dict, n: int) -> float:
    return sum(expected in titles(user, q, n=n) for q, expected in queries.items()) / len(queries)


def test_every_visit_and_saved_place_is_embedded_once_with_its_model_and_dimension(embedded, alice):
    again = indexing.embed_rows(alice.pk, pause=0)

    assert again["embedded"] == 0 and again["rows"] == 12
    with user_scope(alice.pk):
        rows = list(Embedding.objects.values_list("dataset", "model", "dim", "import_run_id"))
    assert len(rows) == 12
    assert {(dataset, model, dim) for dataset, model, dim, _ in rows} == {
        ("place_visit", "wordllama-256", 256), ("saved_place", "wordllama-256", 256)}
    assert {run for *_, run in rows} == {embedded.pk}


@pytest.mark.parametrize(("query", "expected"), DEFAULT_QUERIES.items())
def test_the_default_model_finds_what_a_query_means_first(embedded, alice, query, expected):
    assert titles(alice, query, "exact") == ([expected] if query in WORDS_SHARED else [])
    assert titles(alice, query) == [expected]


def test_the_multilingual_model_finds_across_languages(import_files, lake_zip, alice, settings):
    settings.EMBEDDING_MODEL = "e5-small-384"
    import_files(lake_zip())
    indexing.embed_rows(alice.pk, pause=0)

    found = {q: titles(alice, q) for q in MULTILINGUAL_QUERIES}

    assert found == {q: [expected] for q, expected in MULTILINGUAL_QUERIES.items()}
    assert recall_at(alice, MULTILINGUAL_QUERIES, 1) == 1.0


def test_exact_words_rank_first_and_meaning_adds_what_the_words_miss(embedded, alice):
    exact = titles(alice, "Hauptbahnhof", "exact", n=10)
    meaning = titles(alice, "Hauptbahnhof", n=10)

    assert exact == ["Wien Hauptbahnhof"]
    # Both lists put it first, so fusion does too; the rest come by meaning alone (other places in Wien).
    assert meaning[0] == "Wien Hauptbahnhof" and len(meaning) > 1


def test_more_like_this_finds_neighbours_of_an_item_but_not_the_item(embedded, alice):
    museum = hybrid_search(alice.pk, "museum", limit=1)[0]

    like = hybrid_search(alice.pk, like=museum["id"], limit=20)

    assert museum["id"] not in [hit["id"] for hit in like]
    assert like[0]["title"] == "Eiffel Tower"  # the other sight in Paris
    assert len(like) < 11  # not simply everything else of hers


def test_results_are_grouped_by_day_and_filtered_by_product_and_days(embedded, alice):
    everything = hybrid_search(alice.pk, "Wien", limit=50)
    groups = by_day(everything)

    assert {hit["kind"] for hit in everything} == {"Place visits", "Saved places"}
    assert len(groups) == 10  # nine days of visits, one of saved places
    assert all(hit["day"] == day for day, hits in groups for hit in hits)
    assert groups[0][1][0] == everything[0]  # the best result's day comes first
    only_saved = hybrid_search(alice.pk, "Wien", limit=50, product="places.saved")
    assert {hit["title"] for hit in only_saved} == {"Wiener Prater"}
    in_may = hybrid_search(alice.pk, "Wien", limit=50, start=dt.date(2019, 5, 3), end=dt.date(2019, 5, 4))
    assert {hit["title"] for hit in in_may} == {"Wien Hauptbahnhof", "Zahnarzt Dr. Huber"}


def test_a_query_that_means_nothing_here_finds_nothing(embedded, alice):
    assert titles(alice, "quantum physics lecture", n=50) == []


def test_an_unknown_mode_is_refused(alice):
    with pytest.raises(ValueError, match="mode must be one of"):
        hybrid_search(alice.pk, "coffee", "fuzzy")

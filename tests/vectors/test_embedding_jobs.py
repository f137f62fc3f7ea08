"""Embedding in the background: queued as import members commit, run by a real RQ worker on the
low-priority "vectors" queue, backfilled with progress on the ops Queues page, and removed with
the rows they were made from."""

import datetime as dt

import django_rq
import pytest
from django.core.management import call_command

from core.rls import user_scope
from explore.deletion import delete_import_run, delete_range
from tests.vectors.conftest import VISITS
from vectors import indexing, jobs
from vectors.models import Embedding
from vectors.search import hybrid_search


@pytest.fixture
def vectors_queue():
    queue = django_rq.get_queue(jobs.QUEUE)
    queue.empty()
    redis = django_rq.get_connection(jobs.QUEUE)
    for key in redis.scan_iter("vectors:*"):
        redis.delete(key)
    return queue


def vectors_of(user, **filters) -> int:
    with user_scope(user.pk):
        return Embedding.objects.filter(**filters).count()


def test_a_committed_import_queues_one_embedding_job_and_a_worker_embeds_its_rows(
        import_files, lake_zip, alice, vectors_queue, run_worker):
    run = import_files(lake_zip())  # two members: one job waits for both

    assert vectors_queue.count == 1
    assert vectors_of(alice) == 0
    done = run_worker(jobs.QUEUE)
    assert done.returncode == 0, done.stderr[-2000:]
    assert vectors_of(alice, import_run_id=run.pk) == 12
    assert hybrid_search(alice.pk, "coffee", limit=1)[0]["title"] == "Café Central"


def test_a_run_that_adds_nothing_new_queues_nothing(import_files, lake_zip, alice, vectors_queue, run_worker):
    import_files(lake_zip())
    run_worker(jobs.QUEUE)

    import_files(lake_zip(name="again.zip"))  # the same rows: every one a duplicate

    assert vectors_queue.count == 0
    assert vectors_of(alice) == 12


def test_an_interrupted_embedding_resumes_without_doubles(import_files, lake_zip, alice, vectors_queue):
    import_files(lake_zip())
    batches = []

    def stop_after_first(progress):
        batches.append(progress)
        raise KeyboardInterrupt  # the worker killed between two batches

    with pytest.raises(KeyboardInterrupt):
        indexing.embed_rows(alice.pk, batch_rows=4, pause=0, progress=stop_after_first)
    assert vectors_of(alice) == 4  # the first batch committed

    rest = indexing.embed_rows(alice.pk, batch_rows=4, pause=0)

    assert rest["embedded"] == 8 and vectors_of(alice) == 12


def test_deleting_a_run_removes_its_vectors_and_leaves_other_runs(import_files, lake_zip, alice, bob):
    first = import_files(lake_zip(places=[]))
    second = import_files(lake_zip(visits=[], name="places.zip"))
    bobs = import_files(lake_zip(name="bob.zip"), user=bob)
    for user in (alice, bob):
        indexing.embed_rows(user.pk, pause=0)
    assert (vectors_of(alice, import_run_id=first.pk), vectors_of(alice, import_run_id=second.pk)) == (10, 2)

    with user_scope(alice.pk):
        result = delete_import_run(alice, first.pk)

    assert vectors_of(alice, import_run_id=first.pk) == 0
    assert vectors_of(alice, import_run_id=second.pk) == 2
    assert vectors_of(bob, import_run_id=bobs.pk) == 12
    assert "search: 10 vectors removed" in result.notes
    found = hybrid_search(alice.pk, "Prater or Paris", "exact", limit=50)  # the Louvre visit went with its run
    assert {hit["title"] for hit in found} == {"Wiener Prater", "Eiffel Tower"}


def test_deleting_a_date_range_removes_the_vectors_of_those_days(import_files, lake_zip, alice):
    import_files(lake_zip())
    indexing.embed_rows(alice.pk, pause=0)

    with user_scope(alice.pk):
        delete_range(alice, dt.date(2019, 5, 1), dt.date(2019, 5, 3))

    with user_scope(alice.pk):
        left = set(Embedding.objects.values_list("title", flat=True))
    assert left == {name for name, _, day in VISITS if day > "2019-05-03"} | {"Wiener Prater", "Eiffel Tower"}
    assert hybrid_search(alice.pk, "Hauptbahnhof", "exact") == []


def test_the_backfill_embeds_what_is_there_and_the_queues_page_shows_its_progress(
        import_files, lake_zip, alice, bob, make_user, client, vectors_queue):
    import_files(lake_zip())
    import_files(lake_zip(visits=VISITS[:3], places=[], name="bob.zip"), user=bob)
    vectors_queue.empty()

    call_command("embed_backfill")

    assert (vectors_of(alice), vectors_of(bob)) == (12, 3)
    progress = jobs.backfill_progress()
    assert progress["state"] == "finished"
    assert (progress["rows"], progress["rows_total"], progress["embedded"]) == (15, 15, 15)
    client.force_login(make_user("otto", "ops"))
    page = client.get("/ops/queues/").content.decode()
    assert "Embedding backfill" in page and "finished" in page and "15 rows read of 15, 15 embedded" in page
    extensions = client.get("/ops/extensions/").content.decode()
    assert "Vector search:" in extensions and "wordllama-256" in extensions
    assert ("HNSW index" in extensions) != ("exact search" in extensions)  # says which path is active


def test_the_backfill_can_be_queued_for_a_worker(alice, vectors_queue, run_worker, capsys):
    call_command("embed_backfill", "--enqueue")

    assert "queued on the vectors queue" in capsys.readouterr().out
    assert jobs.backfill_progress()["state"] == "queued"
    assert run_worker(jobs.QUEUE).returncode == 0
    assert jobs.backfill_progress()["state"] == "finished"

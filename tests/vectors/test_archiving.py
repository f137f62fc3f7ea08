"""Archiving a month of place visits takes their vectors out of search; restoring embeds them again."""

import datetime as dt

import django_rq
import pytest
from django.utils import timezone

from core.rls import user_scope
from lifecycle import lifecycle
from lifecycle.models import ArchivedPartition, Policy
from sources.location.tables import PLACE_VISIT
from tests.lifecycle.conftest import clean_archive_schema, months_back  # noqa: F401 - a fixture, found by name
from vectors import indexing, jobs
from vectors.models import Embedding
from vectors.search import hybrid_search

pytestmark = pytest.mark.usefixtures("clean_archive_schema")


def test_an_archived_months_vectors_leave_with_it_and_come_back_with_a_restore(make_user, run_worker):
    from core.maintenance import ensure_partitions_for
    from sources.location.models import PlaceVisit

    alice = make_user("alice", "user")
    now = timezone.now()
    old, recent = months_back(now, 15), now - dt.timedelta(days=3)
    ensure_partitions_for(PLACE_VISIT, old, recent)
    with user_scope(alice.pk):
        PlaceVisit.objects.create(user=alice, started_at=old + dt.timedelta(hours=5), lat_e7=1, lng_e7=2,
                                  name="Café Central", address="Herrengasse 14, Wien", product="location.semantic")
        PlaceVisit.objects.create(user=alice, started_at=recent, lat_e7=1, lng_e7=2, name="Bäckerei Ströck",
                                  address="Wien", product="location.semantic")
    indexing.embed_rows(alice.pk, pause=0)
    assert hybrid_search(alice.pk, "coffee", limit=1)[0]["title"] == "Café Central"
    Policy.objects.create(name="visits", table="timeseries.place_visit", archive_after_days=365, quarantine_days=0)

    run = lifecycle.run_lifecycle(now=now)

    assert run.partitions_archived >= 1, run.error  # the visit's month, and empty ones past the year
    with user_scope(alice.pk):
        assert list(Embedding.objects.values_list("title", flat=True)) == ["Bäckerei Ströck"]
    assert [hit["title"] for hit in hybrid_search(alice.pk, "coffee")] == []

    django_rq.get_queue(jobs.QUEUE).empty()
    for record in ArchivedPartition.objects.all():
        lifecycle.restore_archive(record.pk)
    assert run_worker(jobs.QUEUE).returncode == 0  # the backfill the restore queued

    assert hybrid_search(alice.pk, "coffee", limit=1)[0]["title"] == "Café Central"

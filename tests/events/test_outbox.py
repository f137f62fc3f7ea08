"""The outbox: one event per committed member and dataset, per finished run, per deletion;
written in the transaction of the change (a rolled-back change leaves none); numbered in
commit order per user."""

import datetime as dt
import threading
import time

import pytest
from django.db import connections, transaction

from core.rls import user_scope
from events import outbox
from explore import deletion
from imports.actions import create_run
from imports.pipeline import process_run
from tests.events.conftest import events_of
from tests.imports.conftest import LH, make_zip, minute_points, raw_file, records_json


def two_member_export(tmp_path, name="takeout-001.zip"):
    return make_zip(tmp_path / name, {
        f"{LH}/Records.json": records_json(minute_points(300, day="2021-03-04")),
        f"{LH}/Older/Records.json": records_json(minute_points(200, day="2020-01-02")),
    })


def test_an_import_writes_one_event_per_member_and_dataset_and_one_when_it_finishes(alice, bob, tmp_path):
    run = create_run(alice, [raw_file(two_member_export(tmp_path))], enqueue=False)
    process_run(run.pk)

    events = events_of(alice)
    assert [e.type for e in events] == ["dataset.rows_added", "dataset.rows_added", "import.finished"]
    assert [e.seq for e in events] == [1, 2, 3]
    added = sorted((e.data for e in events[:2]), key=lambda d: d["first"])
    # Not one per row: 500 points, two events, with their counts and time ranges.
    assert [(d["dataset"], d["family"], d["rows_added"], d["duplicates"]) for d in added] == [
        ("location_point", "location", 200, 0), ("location_point", "location", 300, 0)]
    assert added[0]["first"].startswith("2020-01-02T00:00:00") and added[0]["last"].startswith("2020-01-02T03:19:00")
    assert added[1]["first"].startswith("2021-03-04T00:00:00") and added[1]["last"].startswith("2021-03-04T04:59:00")
    finished = events[2]
    assert finished.data["status"] == "succeeded" and finished.data["accepted"] == 500
    assert finished.import_run_id == run.pk and all(e.import_run_id == run.pk for e in events)
    assert len({e.event_id for e in events}) == 3
    assert events_of(bob) == []


def test_importing_the_same_export_again_adds_no_rows_and_says_only_that_it_finished(alice, tmp_path):
    archive = two_member_export(tmp_path)
    process_run(create_run(alice, [raw_file(archive)], enqueue=False).pk)
    again = create_run(alice, [raw_file(archive, "takeout-again.zip")], enqueue=False)
    process_run(again.pk)

    later = [e for e in events_of(alice) if e.import_run_id == again.pk]
    assert [e.type for e in later] == ["import.finished"]
    assert later[0].data["duplicates"] == 500 and later[0].data["accepted"] == 0


def test_a_member_that_rolls_back_leaves_no_event(alice, tmp_path):
    broken = records_json(minute_points(50))[:-40]  # the JSON breaks off: nothing of the member is kept
    archive = make_zip(tmp_path / "takeout-001.zip", {f"{LH}/Records.json": broken})
    run = create_run(alice, [raw_file(archive)], enqueue=False)
    process_run(run.pk)

    assert [(e.type, e.data["status"]) for e in events_of(alice)] == [("import.finished", "failed")]


def test_each_deletion_writes_one_event_in_its_transaction(alice, tmp_path):
    run = create_run(alice, [raw_file(two_member_export(tmp_path))], enqueue=False)
    process_run(run.pk)
    with user_scope(alice.pk):
        deletion.delete_range(alice, dt.date(2020, 1, 2), dt.date(2020, 1, 2))
        deletion.delete_import_run(alice, run.pk)

    deleted = [e for e in events_of(alice) if e.type == "data.deleted"]
    assert [(e.seq, e.data["scope"], e.data["deleted"]["location_point"]) for e in deleted] == [
        (4, "range", 200), (5, "import_run", 300)]
    assert deleted[0].data["start"] == "2020-01-02" and deleted[1].import_run_id == run.pk


def test_delete_everything_leaves_only_its_own_event_and_the_numbering_goes_on(alice, bob, tmp_path):
    process_run(create_run(alice, [raw_file(two_member_export(tmp_path))], enqueue=False).pk)
    process_run(create_run(bob, [raw_file(two_member_export(tmp_path, "bobs.zip"))], enqueue=False).pk)
    with user_scope(alice.pk):
        result = deletion.delete_everything(alice)

    assert result.deleted["event_outbox"] == 3
    # A reader that had seen seq 3 resumes after it and still hears of the deletion.
    assert [(e.seq, e.type, e.data["scope"]) for e in events_of(alice)] == [(4, "data.deleted", "everything")]
    assert [e.seq for e in events_of(bob)] == [1, 2, 3]


def test_a_rolled_back_change_takes_its_event_with_it(alice):
    with pytest.raises(RuntimeError), user_scope(alice.pk):
        outbox.record(alice.pk, outbox.DATA_DELETED, {"scope": "range"})
        raise RuntimeError("the change failed after recording its event")
    with user_scope(alice.pk):
        later = outbox.record(alice.pk, outbox.DATA_DELETED, {"scope": "range"})
    assert later.seq == 1 and [e.seq for e in events_of(alice)] == [1]


def test_recording_outside_a_transaction_is_refused(alice):
    with pytest.raises(RuntimeError, match="inside one"):
        outbox.record(alice.pk, outbox.DATA_DELETED, {})
    with pytest.raises(ValueError, match="unknown event type"), user_scope(alice.pk):
        outbox.record(alice.pk, "rows.everything", {})


def test_seq_follows_commit_order_when_writers_overlap(alice):
    """Writer A draws first but commits last: B waits for A's end, so A's seq is below B's
    and no reader ever sees B's event while A's could still appear below it."""
    a_recorded, a_may_commit = threading.Event(), threading.Event()
    b_done = threading.Event()
    seqs = {}

    def writer(name, before_commit=None):
        try:
            with user_scope(alice.pk):
                seqs[name] = outbox.record(alice.pk, outbox.DATA_DELETED, {"writer": name}).seq
                if before_commit:
                    before_commit()
        finally:
            connections.close_all()

    a = threading.Thread(target=writer, args=("a", lambda: (a_recorded.set(), a_may_commit.wait(30))))
    a.start()
    assert a_recorded.wait(30)
    b = threading.Thread(target=lambda: (writer("b"), b_done.set()))
    b.start()
    time.sleep(0.5)
    assert not b_done.is_set(), "B drew a number while A's transaction was open"
    # A reader now sees nothing: A has not committed, and B cannot have overtaken it.
    assert events_of(alice) == []
    a_may_commit.set()
    a.join(30)
    b.join(30)
    assert (seqs["a"], seqs["b"]) == (1, 2)
    assert [e.data["writer"] for e in events_of(alice)] == ["a", "b"]


def test_the_redis_stream_gets_each_event_after_commit_and_stays_bounded(alice, settings):
    import django_rq

    settings.EVENTS_STREAM_MAXLEN = 5
    redis = django_rq.get_connection("default")
    redis.delete(outbox.stream_key(alice.pk))
    with user_scope(alice.pk):
        outbox.record(alice.pk, outbox.DATA_DELETED, {"n": 0})
        assert redis.xlen(outbox.stream_key(alice.pk)) == 0  # nothing before the commit
    for n in range(1, 12):
        with transaction.atomic(), user_scope(alice.pk):
            outbox.record(alice.pk, outbox.DATA_DELETED, {"n": n})
    entries = redis.xrange(outbox.stream_key(alice.pk))
    assert [int(fields[b"seq"]) for _, fields in entries] == [8, 9, 10, 11, 12]
    assert entries[-1][1][b"type"] == b"data.deleted"
    redis.delete(outbox.stream_key(alice.pk))

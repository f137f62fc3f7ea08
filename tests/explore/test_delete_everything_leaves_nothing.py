"""After "delete everything", no table holds anything of the person's content.

Alice uploads an export through the tus functions, a real worker imports it
(with a rejected record, whose sample carries raw coordinates), she renames a
device, exports, and leaves a second upload half-sent. Then she deletes
everything. Every table, partition and materialized view of the database is
searched, past row-level security, for the values that were hers: file and
member names, the file's hash, place names and ids, the rejected coordinate,
the device name. The audit log keeps each event (who, what, when), not its
content. Bob's data, with values of his own, stays whole.
"""

import datetime as dt
import hashlib
import io
import json
import subprocess
import sys
import time
import zipfile

import django_rq
import pytest
from django.db import connections
from django.db.models import Q

from audit.models import Event
from core.rls import user_scope
from explore import deletion
from imports.actions import create_run
from imports.models import ImportMember
from lifecycle.models import ArchivedSummary
from tests.conftest import ROOT
from tests.imports.conftest import LH, make_zip, raw_file, records_json
from uploads import actions as uploads
from uploads import storage
from uploads.models import Upload

# Hers: none of these may survive anywhere.
FILE_NAME = "quokka-takeout-001.zip"
HALF_SENT = "quokka-takeout-002.zip"
MEMBER = "Takeout/Quokka Standortverlauf/Records.json"
PLACE = "Quokka Bakery Rottnest"
PLACE_ID = "ChIJquokkaRottnest"
DEVICE = "Quokka Phone"
RENAMED = "Quokka Pocket"
BAD_LATITUDE = 912345678  # 91.2°: rejected, and sampled with the record
POINT_LATITUDE = 487654321


def export_of(person: str, member: str, place: str, place_id: str, device: str, latitude: int,
              bad_latitude: int) -> bytes:
    records = json.dumps({"locations": [
        {"timestamp": f"2022-03-04T10:{m:02d}:00Z", "latitudeE7": latitude + m, "longitudeE7": 114900000,
         "deviceTag": 4242} for m in range(5)
    ] + [{"timestamp": "2022-03-04T11:00:00Z", "latitudeE7": bad_latitude, "longitudeE7": 114900000}]}).encode()
    semantic = json.dumps({"timelineObjects": [{"placeVisit": {
        "location": {"latitudeE7": latitude, "longitudeE7": 114900000, "placeId": place_id, "name": place,
                     "address": f"{place} Street"},
        "duration": {"startTimestamp": "2022-03-04T12:00:00Z", "endTimestamp": "2022-03-04T13:00:00Z"}}}]})
    settings = json.dumps({"deviceSettings": [{"deviceTag": 4242, "devicePrettyName": device}]})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(member, records)
        archive.writestr(f"Takeout/{person} Semantic/2022/2022_MARCH.json", semantic)
        archive.writestr(f"Takeout/{person} Settings/Settings.json", settings)
    return buffer.getvalue()


def upload(user, name: str, body: bytes, *, send: int | None = None):
    created = uploads.create_upload(user, size=len(body), metadata={"filename": name})
    uploads.receive(user, created.pk, offset=0, stream=io.BytesIO(body[:send]), length=len(body[:send]))
    return created


def rename_device(user, name: str) -> None:
    from explore.actions import rename_device as rename
    from sources.location.models import Device

    with user_scope(user.pk):
        rename(Device.objects.get(device_tag=4242), name)


def hits(needles: list[str]) -> dict[str, list[str]]:
    """{table: [needles found in any of its rows]} over every table, partition and materialized view."""
    found = {}
    with connections["owner"].cursor() as cursor:
        cursor.execute("""
            SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind IN ('r', 'p', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
               AND n.nspname NOT LIKE 'pg_toast%%' AND n.nspname NOT LIKE 'pg_temp%%'
             ORDER BY 1
        """)
        tables = [name for (name,) in cursor.fetchall()]
        for table in tables:
            cursor.execute(f"SELECT array_agg(n) FROM unnest(%s::text[]) n "  # noqa: S608 - catalog names
                           f"WHERE EXISTS (SELECT 1 FROM {table} t WHERE strpos(t::text, n) > 0)", [needles])
            if matched := cursor.fetchone()[0]:
                found[table] = sorted(matched)
    return found


@pytest.fixture
def alice(committed, make_user):
    return make_user("alice", "user")


@pytest.fixture
def bob(committed, make_user):
    return make_user("bob", "user")


@pytest.fixture
def queues(child_env):
    for name in ("imports", "maintenance"):
        django_rq.get_queue(name).empty()
    yield
    for name in ("imports", "maintenance"):
        django_rq.get_queue(name).empty()


def test_delete_everything_leaves_no_value_of_hers_in_any_table(alice, bob, queues, run_worker):
    hers = export_of("Alice", MEMBER, PLACE, PLACE_ID, DEVICE, POINT_LATITUDE, BAD_LATITUDE)
    his = export_of("Bob", "Takeout/Wombat Standortverlauf/Records.json", "Wombat Diner", "ChIJwombat",
                    "Wombat Phone", 401111111, 934343434)
    upload(alice, FILE_NAME, hers)
    upload(bob, "wombat-takeout-001.zip", his)
    half = upload(alice, HALF_SENT, b"PK" + b"q" * 5000, send=1000)
    worker = run_worker("imports", "maintenance", timeout=180)
    assert worker.returncode == 0, worker.stderr[-2000:]
    rename_device(alice, RENAMED)

    needles = [FILE_NAME, HALF_SENT, "Quokka Standortverlauf", PLACE, PLACE_ID, DEVICE, RENAMED,
               str(BAD_LATITUDE), str(POINT_LATITUDE), hashlib.sha256(hers).hexdigest()]
    before = hits(needles)
    # The fixture reaches where the issue found leftovers: run pages, uploads, members, the audit log.
    assert {"imports.import_run", "imports.import_file", "imports.import_member", "imports.upload",
            "audit.event", "timeseries.location_point", "timeseries.place_visit", "user_data.device"} <= set(before)
    assert str(BAD_LATITUDE) in before["imports.import_run"]  # the rejection's sample
    assert storage.temp_path(half.pk).exists()
    # Hers, and the rename that named no actor (no request): found through its target, her device.
    about_her = Q(actor_id=alice.pk) | Q(action="device.renamed")
    events_before = Event.objects.using("owner").filter(about_her).count()

    for person in (alice, bob):  # a month of each already archived by the lifecycle
        ArchivedSummary.objects.using("owner").create(user=person, table_label="timeseries.location_point",
                                                      period=dt.date(2020, 1, 1), product="location.records",
                                                      rows=1234)

    with user_scope(alice.pk):
        result = deletion.delete_everything(alice)
    worker = run_worker("maintenance", timeout=180)  # the analytics refresh the deletion queued
    assert worker.returncode == 0, worker.stderr[-2000:]

    assert result.verified
    assert (left := hits(needles)) == {}, left
    assert not storage.temp_path(half.pk).exists()
    # The audit log keeps every event of hers, without its content.
    kept = Event.objects.using("owner").filter(about_her).exclude(action="data.deleted")
    assert kept.count() == events_before
    assert {e.action for e in kept} >= {"upload.created", "upload.completed", "import.created", "device.renamed"}
    assert all(e.details == {"redacted": "deleted with everything else"} for e in kept)
    deleted = Event.objects.using("owner").get(actor_id=alice.pk, action="data.deleted")
    assert deleted.details["deleted"]["import_run"] == 1 and deleted.details["deleted"]["upload"] == 2
    # Bob's export is untouched, content and all.
    his_needles = ["wombat-takeout-001.zip", "Wombat Diner", "ChIJwombat", "Wombat Phone", "934343434"]
    assert {n for found in hits(his_needles).values() for n in found} == set(his_needles)
    with user_scope(bob.pk):
        assert Upload.objects.count() == 1
    assert list(ArchivedSummary.objects.using("owner").values_list("user_id", flat=True)) == [bob.pk]


def test_delete_everything_during_an_import_leaves_no_row_of_it(alice, queues, child_env, tmp_path):
    """A member in flight when the runs go cannot settle afterwards: its rows roll back with it."""
    start = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    archive = make_zip(tmp_path / "takeout-001.zip", {
        f"{LH}/Records.json": records_json([((start + dt.timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                                             450000000 + i, 10000000 + i) for i in range(400_000)]),
        f"{LH}/Later/Records.json": records_json([("2021-01-01T00:00:00Z", 1, 2)]),
    })
    run = create_run(alice, [raw_file(archive)])
    worker = subprocess.Popen([sys.executable, str(ROOT / "manage.py"), "rqworker", "--burst", "imports"],
                              env=child_env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while True:
            with user_scope(alice.pk):
                started = ImportMember.objects.filter(run_id=run.pk, name=f"{LH}/Records.json", starts=1,
                                                      status=ImportMember.Status.PENDING).exists()
            if started or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        assert started, "the big member never started"
        with user_scope(alice.pk):
            result = deletion.delete_everything(alice)
        worker.wait(timeout=120)
    finally:
        if worker.poll() is None:
            worker.kill()

    assert result.verified and result.deleted["import_run"] == 1
    with connections["owner"].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM timeseries.location_point WHERE user_id = %s", [alice.pk])
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT count(*) FROM imports.import_member WHERE user_id = %s", [alice.pk])
        assert cursor.fetchone()[0] == 0

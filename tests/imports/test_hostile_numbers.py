"""A number no decoder can hold must end as a rejected member, never as a dead worker.

ijson's C backend (yajl2_c) dereferences a NULL when it turns an integer of
more than 4,300 digits into a Python int (CPython's int/str conversion limit),
which takes the whole process down with SIGSEGV. With ``use_float=True`` the
same backend reports an overflow instead. The parsers run in child processes
here, so the test suite itself outlives a parser that still crashes.
"""

import ast
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

from core.rls import user_scope
from imports import liveness
from imports.actions import create_run
from imports.jobs import reconcile
from imports.models import ImportMember, ImportRun
from imports.pipeline import MAX_MEMBER_STARTS
from tests.conftest import ROOT
from tests.imports.conftest import LH, count_rows, make_zip, raw_file, records_json

HUGE = b"9" * 4301

# One document per product, each with the 4,301-digit number where its parser reads a number.
DOCUMENTS = {
    "location.records": b'{"locations":[{"latitudeE7":' + HUGE + b"}]}",
    "location.semantic": b'{"timelineObjects":[{"placeVisit":{"location":{"latitudeE7":' + HUGE + b"}}}]}",
    "location.settings": b'{"deviceSettings":[{"deviceTag":' + HUGE + b"}]}",
    "location.timeline_edits": b'{"timelineEdits":[{"deviceId":' + HUGE + b"}]}",
    "location.android": b'{"semanticSegments":[{"startTimeTimezoneUtcOffsetMinutes":' + HUGE + b"}]}",
    "location.ios": b'[{"startTime":"2020-01-01T00:00:00Z","visit":{"probability":' + HUGE + b"}}]",
}

CHILD = """
import io, sys
from sources.detect import identify
from sources.location.detect import detect
from sources.location.parsers import FORMATS
data = sys.stdin.buffer.read()
product = identify(sys.argv[1], data[:65536], [detect])
reasons = [] if product is None else [getattr(item, "reason", "") for item in FORMATS[product](io.BytesIO(data))]
print(product, " ".join(r for r in reasons if r))
"""


def run_child(name: str, data: bytes) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", CHILD, name], input=data, capture_output=True, cwd=ROOT,
                          timeout=60, check=False)


@pytest.mark.parametrize("product", sorted(DOCUMENTS))
def test_a_4301_digit_number_ends_the_document_as_bad_json_without_crashing(product):
    name = "location-history.json" if product == "location.ios" else "Records.json"

    child = run_child(name, DOCUMENTS[product])

    assert child.returncode == 0, f"the parser process died with {child.returncode}: {child.stderr[-500:]!r}"
    detected, _, reasons = child.stdout.decode().strip().partition(" ")
    # The keys before the number still tell the product; the parser then refuses the number.
    assert (detected, reasons.split()) == (product, ["bad_json"])


def test_every_ijson_call_on_user_bytes_asks_for_floats():
    """yajl2_c crashes only on the path that builds big ints; use_float=True avoids it everywhere."""
    unsafe = []
    for path in sorted((ROOT / "imports").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "ijson"):
                flags = {k.arg: k.value for k in node.keywords}
                value = flags.get("use_float")
                if not (isinstance(value, ast.Constant) and value.value is True):
                    unsafe.append(f"{path.relative_to(ROOT)}:{node.lineno} ijson.{node.func.attr}")
    assert unsafe == []


@pytest.fixture
def imports_queue(child_env):
    import django_rq

    queue = django_rq.get_queue("imports")
    queue.empty()
    yield queue
    queue.empty()


def members(user, run_id) -> dict[str, ImportMember]:
    with user_scope(user.pk):
        return {m.name: m for m in ImportMember.objects.filter(run_id=run_id)}


def test_the_4301_digit_file_fails_its_member_and_the_worker_imports_the_rest(
        alice, child_env, run_worker, imports_queue, tmp_path):
    archive = make_zip(tmp_path / "takeout-001.zip", {
        f"{LH}/Records.json": DOCUMENTS["location.records"],
        f"{LH}/Semantic Location History/2020/2020_JANUARY.json": json.dumps({"timelineObjects": [
            {"placeVisit": {"location": {"latitudeE7": 1, "longitudeE7": 2},
                            "duration": {"startTimestamp": "2020-01-01T00:00:00Z"}}}]}).encode(),
    })
    run = create_run(alice, [raw_file(archive)])

    burst = run_worker("imports", timeout=120)

    assert burst.returncode == 0, burst.stderr[-2000:]
    assert "Work-horse terminated unexpectedly" not in burst.stderr + burst.stdout
    with user_scope(alice.pk):
        finished = ImportRun.objects.get(pk=run.pk)
    assert finished.status == ImportRun.Status.PARTIAL, finished.error
    hostile = members(alice, run.pk)[f"{LH}/Records.json"]
    assert hostile.status == ImportMember.Status.FAILED
    assert "overflow" in hostile.error and "nothing from it was imported" in hostile.error
    assert count_rows(alice, "timeseries.place_visit") == 1
    assert count_rows(alice, "timeseries.location_point") == 0


def _wait(condition, timeout=120.0):
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.02)
    return result


def test_a_member_that_kills_its_worker_twice_is_rejected_not_retried_forever(
        alice, child_env, imports_queue, tmp_path):
    """Whatever the cause (a C extension's crash, the OOM killer), the third attempt gives that member up."""
    target = f"{LH}/Records.json"
    archive = make_zip(tmp_path / "takeout-001.zip", {
        f"{LH}/Semantic Location History/2020/2020_JANUARY.json": json.dumps({"timelineObjects": [
            {"placeVisit": {"location": {"latitudeE7": 1, "longitudeE7": 2},
                            "duration": {"startTimestamp": "2020-01-01T00:00:00Z"}}}]}).encode(),
        target: records_json([(f"2021-03-{4 + i // 86400:02d}T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}Z",
                               480000000 + i, 20000000 + i) for i in range(300_000)]),
        f"{LH}/Settings.json": json.dumps({"deviceSettings": [{"deviceTag": 1234, "devicePrettyName": "phone"}]})
        .encode(),
    })
    run = create_run(alice, [raw_file(archive)])
    worker = subprocess.Popen([sys.executable, str(ROOT / "manage.py"), "rqworker", "imports"], env=child_env,
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for attempt in range(1, MAX_MEMBER_STARTS + 1):
            _wait(lambda attempt=attempt: (m := members(alice, run.pk).get(target)) is not None
                  and m.status == ImportMember.Status.PENDING and m.starts == attempt)
            # The work horse crashes inside the member, as yajl2_c did.
            horses = _wait(lambda: psutil.Process(worker.pid).children(recursive=True))
            for horse in horses:
                os.kill(horse.pid, signal.SIGSEGV)
            _wait(lambda: not liveness.is_held_elsewhere(run.pk))
            assert reconcile(stale_after=dt.timedelta(0)) == {"requeued": [run.pk]}

        with user_scope(alice.pk):
            _wait(lambda: ImportRun.objects.get(pk=run.pk).status in ImportRun.FINAL)
            finished = ImportRun.objects.get(pk=run.pk)
    finally:
        worker.kill()
        worker.wait(timeout=20)

    assert finished.status == ImportRun.Status.PARTIAL, finished.error
    assert finished.attempts == MAX_MEMBER_STARTS
    crashed = members(alice, run.pk)[target]
    assert crashed.status == ImportMember.Status.FAILED
    assert f"stopped the import worker {MAX_MEMBER_STARTS} times" in crashed.error
    assert "nothing from it was imported" in crashed.error
    assert count_rows(alice, "timeseries.location_point") == 0
    assert count_rows(alice, "timeseries.place_visit") == 1
    with user_scope(alice.pk):
        assert ImportMember.objects.get(run_id=run.pk, name=f"{LH}/Settings.json").status == \
            ImportMember.Status.DONE


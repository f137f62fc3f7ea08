"""A long mbox commits in steps: a worker SIGKILLed inside it resumes at its last checkpoint.

The mbox here is a few MiB and the step (IMPORT_CHECKPOINT_BYTES) 256 KiB, so
that a kill lands well inside the member; in production the step is 64 MiB of
a mbox of many GB. What proves the resume started at the checkpoint is the
accounting: rows committed before the kill are never read again, so the rerun
counts no duplicate, and the member row says which byte it resumed from.
"""

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import time

import django_rq
import psutil
import pytest

from core.rls import user_scope
from imports import liveness
from imports.actions import create_run
from imports.jobs import reconcile
from imports.models import ImportMember, ImportRun
from tests.conftest import ROOT
from tests.imports.conftest import count_rows, make_zip, raw_file
from tests.sources.mail.fixtures import message

TABLE = "timeseries.mail_message"
MBOX = "Takeout/Mail/All mail Including Spam and Trash.mbox"
STEP = 256 * 1024
MESSAGES = 2400
# Outside the plausible window (1990 on): refused, one in each half of the mbox.
IMPLAUSIBLE = {300, 2100}
WORDS = ("lac", "montagne", "train", "réunion", "budget", "vacances", "photo", "merci", "demain", "rapport")


def long_mbox(count: int = MESSAGES) -> bytes:
    rng = random.Random(7)
    out = []
    for i in range(count):
        at = dt.datetime(2015, 1, 1, tzinfo=dt.UTC) + dt.timedelta(hours=7 * i)
        date = "Mon, 01 Jan 1979 00:00:00 +0000" if i in IMPLAUSIBLE else at.strftime("%a, %d %b %Y %H:%M:%S +0000")
        body = "\n".join(" ".join(rng.choice(WORDS) for _ in range(12)) for _ in range(40))
        out.append(message(f"""X-GM-THRID: {1780133326917530000 + i // 3}
X-Gmail-Labels: Inbox,Opened
Message-ID: <m{i}@example.org>
Date: {date}
From: Bob <bob@example.org>
To: alice@example.org
Subject: Message {i}
Content-Type: text/plain; charset=UTF-8
""", body + "\n", separator=f"From {1780133326917530000 + i}@xxx {at:%a %b %d %H:%M:%S} +0000 {at:%Y}\r\n"))
    return b"".join(out)


def member_row(user, run_id) -> ImportMember:
    with user_scope(user.pk):
        return ImportMember.objects.get(run_id=run_id, name=MBOX)


@pytest.fixture
def checkpoint_env(child_env):
    queue = django_rq.get_queue("imports")
    queue.empty()
    yield {**child_env, "IMPORT_CHECKPOINT_BYTES": str(STEP)}
    queue.empty()


def test_a_clean_run_in_steps_counts_every_message_once(import_files, alice, settings, tmp_path):
    settings.IMPORT_CHECKPOINT_BYTES = STEP
    data = long_mbox(600)
    run = import_files(make_zip(tmp_path / "takeout-001.zip", {MBOX: data}))

    member = member_row(alice, run.pk)
    assert run.status == ImportRun.Status.SUCCEEDED
    assert (run.accepted, run.rejected, run.duplicates) == (599, 1, 0)
    assert (member.accepted, member.rejected, member.rejections, member.resumed_from) == (
        599, 1, {"timestamp_implausible": 1}, 0)
    assert run.products["mail.mbox"]["accepted"] == 599 and run.rejections["timestamp_implausible"]["count"] == 1
    # It did commit in steps: the last one lies past the member's first quarter, on a separator.
    assert member.checkpoint_offset > len(data) // 4 and data[member.checkpoint_offset:].startswith(b"From ")
    assert count_rows(alice, TABLE) == 599


def test_a_worker_killed_inside_an_mbox_resumes_at_its_checkpoint_and_adds_exactly_the_rest(
        alice, checkpoint_env, run_worker, tmp_path):
    data = long_mbox()
    run = create_run(alice, [raw_file(make_zip(tmp_path / "takeout-001.zip", {MBOX: data}))])

    worker = subprocess.Popen([sys.executable, str(ROOT / "manage.py"), "rqworker", "imports"], env=checkpoint_env,
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with user_scope(alice.pk):
                reached = ImportMember.objects.filter(run_id=run.pk, name=MBOX).values_list(
                    "checkpoint_offset", flat=True).first()
            if (reached or 0) >= len(data) // 3:
                break
            time.sleep(0.02)
    finally:
        for process in [*psutil.Process(worker.pid).children(recursive=True), worker]:
            os.kill(process.pid, signal.SIGKILL)
        worker.wait(timeout=20)

    killed = member_row(alice, run.pk)
    offset = killed.checkpoint_offset
    assert killed.status == ImportMember.Status.PENDING
    assert len(data) // 3 <= offset < len(data) and data[offset:].startswith(b"From ")
    # What is committed is exactly the messages before the checkpoint, counted once.
    before = data[:offset].count(b"\r\nFrom 17801333269175") + 1
    refused_before = sum(i < before for i in IMPLAUSIBLE)
    assert count_rows(alice, TABLE) == killed.accepted == before - refused_before
    assert killed.rejected == refused_before

    deadline = time.monotonic() + 20
    while liveness.is_held_elsewhere(run.pk) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert reconcile(stale_after=dt.timedelta(0)) == {"requeued": [run.pk]}
    burst = subprocess.run([sys.executable, str(ROOT / "manage.py"), "rqworker", "--burst", "imports"],
                           env=checkpoint_env, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert burst.returncode == 0, burst.stderr[-2000:]

    with user_scope(alice.pk):
        resumed = ImportRun.objects.get(pk=run.pk)
    member = member_row(alice, run.pk)
    expected = MESSAGES - len(IMPLAUSIBLE)
    assert resumed.status == ImportRun.Status.SUCCEEDED, resumed.error
    # The rerun read on from the checkpoint: no message before it was offered again (no duplicate).
    assert member.resumed_from == offset
    assert (resumed.accepted, resumed.rejected, resumed.duplicates) == (expected, len(IMPLAUSIBLE), 0)
    assert (member.accepted, member.rejected, member.duplicates) == (expected, len(IMPLAUSIBLE), 0)
    assert resumed.products["mail.mbox"]["accepted"] == expected
    assert resumed.rejections["timestamp_implausible"]["count"] == len(IMPLAUSIBLE)
    assert count_rows(alice, TABLE) == expected
    assert count_rows(alice, TABLE, "WHERE subject = 'Message 2399'") == 1

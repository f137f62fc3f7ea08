"""`serve` keeps the console up when a child dies, and stops cleanly when its database does.

A SIGKILLed worker used to make serve stop everything, embedded PostgreSQL
included; a dead postmaster left serve up with no database. Now a dead
worker (or scheduler, or web server) is restarted with backoff, a dead
embedded server stops serve with a sentence and a non-zero status, and
nothing serve started outlives it.
"""

import os
import signal
import subprocess
import sys
import time
import uuid

import psutil

from tests.console.test_embedded_default import ROOT, free_port, wait_for


def marked_processes(mark: str) -> list[str]:
    """Processes that inherited our marker: everything serve started, and their children."""
    found = []
    for process in psutil.process_iter(["pid", "cmdline"]):
        try:
            if process.environ().get("SUPERVISION_TEST_MARK") == mark and process.status() != psutil.STATUS_ZOMBIE:
                found.append(f"{process.pid} {' '.join(process.info['cmdline'] or [])}")
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


def rq_workers(serve: psutil.Process) -> list[psutil.Process]:
    found = []
    for child in serve.children():
        try:
            if "rqworker" in " ".join(child.cmdline()):
                found.append(child)
        except psutil.Error:  # a killed child not reaped yet
            continue
    return found


def wait_until(predicate, timeout, message):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.3)
    raise AssertionError(message)


def test_a_killed_worker_is_restarted_and_a_dead_postmaster_stops_serve_cleanly(tmp_path):
    var, mark = tmp_path / "var", uuid.uuid4().hex
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "CACHE_REDIS_URL"}}
    env.update(VAR_DIR=str(var), ADMIN_PASSWORD="first-admin-pass", WEB_WORKERS="1", SUPERVISION_TEST_MARK=mark)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "serve", "--bind", f"127.0.0.1:{port}"],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/health/live")
        serve = psutil.Process(process.pid)
        wait_until(lambda: len(rq_workers(serve)) == 1, 30, "no RQ worker started")
        first = rq_workers(serve)[0]
        first.send_signal(signal.SIGKILL)
        wait_until(lambda: [w.pid for w in rq_workers(serve)] not in ([], [first.pid]), 30,
                   "the killed worker was not restarted")
        assert process.poll() is None  # serve, the web server and PostgreSQL stayed up
        assert wait_for(f"http://127.0.0.1:{port}/health/live")[0] == 200

        postmaster = int((var / "postgres" / "postmaster.pid").read_text().split()[0])
        os.kill(postmaster, signal.SIGKILL)
        output, _ = process.communicate(timeout=90)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            process.communicate(timeout=90)
    assert process.returncode == 1, output[-3000:]
    assert "worker exited with status -9; restarting it in 1s" in output
    assert f"the embedded PostgreSQL (postmaster pid {postmaster}) has stopped" in output
    assert "stopping everything" in output
    wait_until(lambda: marked_processes(mark) == [], 20, f"left running: {marked_processes(mark)}")


def test_restarts_back_off_start_over_once_stable_and_give_up_on_a_crash_loop():
    from console.management.commands.serve import GIVE_UP_AFTER, STABLE_SECONDS, Child

    child = Child("worker", ["true"])
    delays = []
    for n in range(GIVE_UP_AFTER):
        child.started_at = n * 100.0
        delays.append(child.died(n * 100.0 + 1))  # died a second after each start
    assert delays == [1, 2, 4, 8, 16, 30, 30, 30][:GIVE_UP_AFTER]
    child.started_at = 10_000.0
    assert child.died(10_001.0) is None  # crashed every time it started: give up
    child.started_at = 20_000.0
    assert child.died(20_000.0 + STABLE_SECONDS) == 1  # ran a minute: a fresh start

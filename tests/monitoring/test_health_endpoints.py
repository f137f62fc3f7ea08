"""Liveness and readiness as JSON with per-check status and timing, 200 or 503."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import django_rq
from rq import Worker

ROOT = Path(__file__).resolve().parents[2]


def test_liveness_needs_nothing(client):
    response = client.get("/health/live")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def _wait_for_worker(connection, present, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if bool(Worker.all(connection=connection)) == present:
            return
        time.sleep(0.2)
    raise AssertionError(f"worker present={present} not reached in {timeout}s")


def test_readiness_fails_without_a_worker_and_passes_with_one(client, committed, child_env):
    connection = django_rq.get_connection("default")
    for worker in Worker.all(connection=connection):
        worker.register_death()
    response = client.get("/health/ready")
    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "fail"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["redis"]["status"] == "ok"
    assert body["checks"]["workers"]["status"] == "fail"
    assert all(isinstance(check["ms"], float | int) for check in body["checks"].values())

    worker = subprocess.Popen([sys.executable, str(ROOT / "manage.py"), "rqworker", "default"],
                              env=child_env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_worker(connection, present=True)
        response = client.get("/health/ready")
        assert response.status_code == 200
        assert response.json()["checks"]["workers"]["status"] == "ok"
    finally:
        os.kill(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
    _wait_for_worker(connection, present=False)

"""Liveness and readiness checks, in the django-health-check style.

Each check returns (ok, detail); `run_checks` times them. Readiness means
this instance can do its job: the database answers as the app role, Redis
answers, and at least one RQ worker is alive to run imports.
"""

import time
from dataclasses import dataclass

import django_rq
from django.db import connections
from rq import Worker

from monitoring.runtime import worker_alive


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str
    ms: float

    def as_dict(self):
        return {"status": "ok" if self.ok else "fail", "detail": self.detail, "ms": round(self.ms, 2)}


def check_database():
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT current_user, version()")
        user, version = cursor.fetchone()
    return True, f"{version.split(',')[0]} as {user}"


def check_redis():
    connection = django_rq.get_connection("default")
    connection.ping()
    return True, "PONG"


def check_workers():
    workers = [w for w in Worker.all(connection=django_rq.get_connection("default")) if worker_alive(w)]
    if not workers:
        return False, "no RQ worker is running: uploads will wait until one starts"
    return True, f"{len(workers)} worker(s): " + ", ".join(sorted(w.name for w in workers))[:200]


READINESS = {"database": check_database, "redis": check_redis, "workers": check_workers}


def run_checks(checks: dict) -> list[CheckResult]:
    results = []
    for name, check in checks.items():
        started = time.perf_counter()
        try:
            ok, detail = check()
        except Exception as error:  # noqa: BLE001 - a health check reports any failure, never raises it
            ok, detail = False, f"{type(error).__name__}: {error}"[:300]
        results.append(CheckResult(name, ok, detail, (time.perf_counter() - started) * 1000))
    return results

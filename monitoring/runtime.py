"""What lives outside PostgreSQL: Redis, the RQ queues and workers, the storage areas."""

import datetime as dt
import functools
import os
import shutil
from pathlib import Path

import django_rq
from django.conf import settings
from django.core.cache import cache
from rq import Queue, Worker
from rq.cron import CronScheduler
from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry

REDIS_FIELDS = (
    "used_memory", "maxmemory", "mem_fragmentation_ratio", "evicted_keys", "rejected_connections",
    "connected_clients", "maxclients", "keyspace_hits", "keyspace_misses", "expired_keys",
    "total_commands_processed", "uptime_in_seconds", "redis_version", "blocked_clients",
)


@functools.cache
def redis():
    """One client (and connection pool) per process: django_rq builds a new one, and a new TCP
    connection, on every call, which costs more than the INFO it would send."""
    return django_rq.get_connection("default")


def redis_info() -> dict:
    """The Redis server's INFO figures we watch, and its key count per database."""
    connection = redis()
    info = connection.info()
    figures = {field: info.get(field) for field in REDIS_FIELDS}
    if figures["maxclients"] is None:
        # INFO lists maxclients only from Redis 7; older servers answer CONFIG GET.
        try:
            figures["maxclients"] = int(connection.config_get("maxclients").get("maxclients", 0))
        except Exception:  # noqa: BLE001 - CONFIG may be renamed away on managed Redis
            figures["maxclients"] = None
    figures["keys"] = sum(db["keys"] for name, db in info.items() if name.startswith("db") and isinstance(db, dict))
    return figures


def _age_seconds(when: dt.datetime | None, now: dt.datetime) -> float | None:
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (now - when).total_seconds())


def worker_alive(worker: Worker, now: dt.datetime | None = None) -> bool:
    """A worker renews its heartbeat every (worker_ttl - 15) s; one that missed a
    whole TTL died without deregistering (OOM kill, lost host) though its key lingers."""
    age = _age_seconds(worker.last_heartbeat, now or dt.datetime.now(dt.UTC))
    return age is not None and age <= worker.worker_ttl


def queues(now: dt.datetime) -> dict:
    """RQ queues, workers, the cron scheduler and recent failures."""
    connection = redis()
    live_workers = {}
    workers = []
    for worker in Worker.all(connection=connection):
        age = _age_seconds(worker.last_heartbeat, now)
        alive = worker_alive(worker, now)
        if alive:
            live_workers[worker.name] = worker
        workers.append({
            "name": worker.name, "queues": worker.queue_names(), "state": worker.get_state(),
            "heartbeat_age": age, "alive": alive, "current_job": worker.get_current_job_id(),
            "successful": worker.successful_job_count, "failed": worker.failed_job_count,
            "birth": worker.birth_date,
        })
    result = {"queues": [], "workers": workers, "failed_jobs": [], "orphaned_jobs": []}
    for name in settings.RQ_QUEUES:
        queue = Queue(name, connection=connection)
        started = StartedJobRegistry(queue=queue)
        failed = FailedJobRegistry(queue=queue)
        first = queue.get_job_ids(0, 1)
        oldest = None
        if first:
            job = queue.fetch_job(first[0])
            oldest = _age_seconds(job.enqueued_at, now) if job else None
        for job_id, execution_id in started.get_job_and_execution_ids(cleanup=False):
            worker_name = connection.hget(f"rq:execution:{job_id}:{execution_id}", "worker_name")
            worker_name = worker_name.decode() if worker_name else ""
            if worker_name not in live_workers:
                result["orphaned_jobs"].append({"queue": name, "job": job_id, "worker": worker_name})
        result["queues"].append({
            "name": name, "depth": queue.count, "oldest_age": oldest, "started": started.count,
            "failed": failed.count, "scheduled": ScheduledJobRegistry(queue=queue).count,
        })
        for job_id in failed.get_job_ids(0, 19, desc=True, cleanup=False):
            job = queue.fetch_job(job_id)
            if job is None:
                continue
            error = (job.exc_info or "").strip().splitlines()
            result["failed_jobs"].append({
                "queue": name, "id": job_id, "function": job.func_name, "ended_at": job.ended_at,
                "error": (error[-1] if error else "")[:300],
            })
    schedulers = []
    for scheduler in CronScheduler.all(connection, cleanup=False):
        schedulers.append({"name": scheduler.name, "heartbeat_age": _age_seconds(scheduler.last_heartbeat, now),
                           "jobs": [job.name or job.func_name for job in scheduler.get_jobs()]})
    result["schedulers"] = schedulers
    return result


def _tree_bytes(folder: Path) -> int:
    total, stack = 0, [folder]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                elif entry.is_file(follow_symlinks=False):
                    total += entry.stat(follow_symlinks=False).st_blocks * 512
            except OSError:
                continue
    return total


STORAGE_AREAS = {"data": "DATA_DIR", "archive": "ARCHIVE_DIR", "temp": "TEMP_DIR"}


STORAGE_CACHE_KEY = "monitoring:storage:v1"
# Walking a data area of many files takes a while; its size changes slowly.
STORAGE_CACHE_SECONDS = 300


def storage(*, fresh: bool = False) -> list[dict]:
    """Each file area's use against its budget (walked at most every 5 min unless `fresh`)."""
    if not fresh:
        cached = cache.get(STORAGE_CACHE_KEY)
        if cached is not None:
            return cached
    areas = measure_storage()
    cache.set(STORAGE_CACHE_KEY, areas, STORAGE_CACHE_SECONDS)
    return areas


def measure_storage() -> list[dict]:
    """Each file area's use against its budget, and the free space on its filesystem."""
    areas = []
    for area, setting in STORAGE_AREAS.items():
        folder = Path(getattr(settings, setting))
        # Binary, like every size the console shows (filesizeformat): 100 GB here is 100 × 1024³ bytes,
        # so a budget of 100 reads "100.0 GB", not 93.1.
        budget = int(settings.STORAGE_BUDGETS_GB[area] * 1024**3)
        used = _tree_bytes(folder) if folder.is_dir() else 0
        free = shutil.disk_usage(folder).free if folder.is_dir() else None
        areas.append({"area": area, "path": str(folder), "bytes": used, "budget": budget,
                      "used": used / budget if budget else None, "free": free, "exists": folder.is_dir()})
    return areas

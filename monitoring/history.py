"""The health history: take a sample, prune old ones, and compute rates over windows.

Counters such as buffer hits or Redis keyspace misses only ever grow (until
a restart resets them), so a ratio of the totals says what happened since
the server started, not what happens now. Ratios here are deltas between
two readings: the latest sample and now ("current window"), and between
consecutive earlier samples ("baseline").
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone
from psycopg import sql

from core import partitions
from core.rls import maintenance_scope
from monitoring.models import HEALTH_SAMPLE, HealthSample

log = logging.getLogger(__name__)
# Fewer lookups than this in a window are too few to judge a hit ratio by.
MIN_LOOKUPS = 100
# A chart point needs fewer: a quiet five minutes shows as a gap, not as 0 % or 100 %.
CHART_LOOKUPS = 20


def figures_of(snapshot: dict) -> dict:
    """The part of a snapshot worth keeping: counters and sizes, not lists of sessions."""
    server, redis = snapshot["server"], snapshot["redis"]
    tables = {
        t["label"]: [t["heap_blks_hit"], t["heap_blks_read"], t["idx_blks_hit"], t["idx_blks_read"]]
        for t in snapshot["tables"] if (t["heap_blks_hit"] or 0) + (t["heap_blks_read"] or 0) > 0
    }
    return {
        "pg": {"blks_hit": server["blks_hit"], "blks_read": server["blks_read"],
               "database_bytes": server["database_bytes"], "xid_age": server["xid_age"],
               "connections": server["connections"],
               "dead_tuples": sum(t["n_dead_tup"] or 0 for t in snapshot["tables"])},
        "redis": {k: snapshot["redis"].get(k) for k in (
            "keyspace_hits", "keyspace_misses", "used_memory", "evicted_keys", "rejected_connections",
            "connected_clients", "keys")} | {"maxmemory": redis.get("maxmemory")},
        "queues": {q["name"]: {"depth": q["depth"], "failed": q["failed"]} for q in snapshot["rq"]["queues"]},
        "workers": sum(1 for w in snapshot["rq"]["workers"] if w["alive"]),
        "storage": {a["area"]: a["bytes"] for a in snapshot["storage"]},
        "schemas": snapshot["schema_bytes"],
        "tables": tables,
        "states": {c.key: c.state for c in snapshot["checks"]},
    }


def prune(now: dt.datetime | None = None, days: int | None = None) -> dict:
    """The history's lifecycle rule: keep `HEALTH_RETENTION_DAYS` of samples.

    Rows older than the window are deleted; a monthly partition lying wholly
    before it is dropped instead (by the owner, audited), which frees its
    space at once rather than leaving it to vacuum.
    """
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=days if days is not None else settings.HEALTH_RETENTION_DAYS)
    with connections["default"].cursor() as cursor:
        # The leaves are the owner's; listing them needs only the catalogs.
        leaves = partitions.list_partitions(cursor, HEALTH_SAMPLE)
    expired = [leaf.name for leaf in leaves if leaf.upper is not None and leaf.upper <= cutoff]
    if expired:
        with maintenance_scope("health.prune", target=HEALTH_SAMPLE.label,
                               details={"drop": expired}) as connection, connection.cursor() as cursor:
            for name in expired:
                cursor.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(HEALTH_SAMPLE.schema, name)))
    with transaction.atomic():
        deleted, _ = HealthSample.objects.filter(taken_at__lt=cutoff).delete()
    return {"deleted": deleted, "dropped": expired}


def recent(now: dt.datetime, hours: int = 24) -> list[tuple[dt.datetime, dict]]:
    """(taken_at, figures without per-table counters) of the last `hours`, oldest first."""
    rows = (HealthSample.objects.filter(taken_at__gte=now - dt.timedelta(hours=hours), taken_at__lte=now)
            .order_by("taken_at").values_list("taken_at", "figures__pg", "figures__redis", "figures__queues",
                                              "figures__workers", "figures__storage"))
    return [(taken_at, {"pg": pg or {}, "redis": redis or {}, "queues": queues or {}, "workers": workers,
                        "storage": storage or {}})
            for taken_at, pg, redis, queues, workers, storage in rows]


def latest_tables(before: dt.datetime) -> tuple[dt.datetime | None, dict]:
    row = (HealthSample.objects.filter(taken_at__lte=before).order_by("-taken_at")
           .values_list("taken_at", "figures__tables").first())
    return (row[0], row[1] or {}) if row else (None, {})


def delta(current: int | None, earlier: int | None) -> int:
    """Growth of a counter; a counter that went down was reset, so all of it is new."""
    current = current or 0
    if earlier is None or current < earlier:
        return current
    return current - earlier


def ratio(hits: int, misses: int, minimum: int = MIN_LOOKUPS) -> float | None:
    total = hits + misses
    return hits / total if total >= minimum else None


def hit_window(samples, live: dict, section: str, hit: str, miss: str) -> dict:
    """The hit ratio now (latest sample to live counters) and its baseline (earlier pairs)."""
    if not samples:
        return {"ratio": ratio(live.get(hit) or 0, live.get(miss) or 0), "window": None,
                "baseline": None, "since_reset": True, "lookups": (live.get(hit) or 0) + (live.get(miss) or 0)}
    last_at, last = samples[-1]
    hits = delta(live.get(hit), last[section].get(hit))
    misses = delta(live.get(miss), last[section].get(miss))
    base_hits = base_misses = 0
    for (_, earlier), (_, later) in zip(samples, samples[1:], strict=False):
        base_hits += delta(later[section].get(hit), earlier[section].get(hit))
        base_misses += delta(later[section].get(miss), earlier[section].get(miss))
    return {"ratio": ratio(hits, misses), "window_start": last_at, "baseline": ratio(base_hits, base_misses),
            "since_reset": False, "lookups": hits + misses}


def counter_growth(samples, live: dict, section: str, name: str) -> int | None:
    if not samples:
        return None
    return delta(live.get(name), samples[-1][1][section].get(name))


def series(samples) -> dict:
    """Chart data: one point per sample, rates between consecutive samples."""
    labels, out = [], {"db_bytes": [], "pg_hit": [], "redis_hit": [], "redis_memory": [], "dead_tuples": [],
                       "connections": [], "workers": [], "queue_depth": [], "failed": [], "storage": {}}
    previous = None
    for taken_at, figures in samples:
        labels.append(taken_at.isoformat())
        pg, redis = figures["pg"], figures["redis"]
        out["db_bytes"].append(pg.get("database_bytes"))
        out["dead_tuples"].append(pg.get("dead_tuples"))
        out["connections"].append(pg.get("connections"))
        out["redis_memory"].append(redis.get("used_memory"))
        out["workers"].append(figures.get("workers"))
        out["queue_depth"].append(sum(q.get("depth", 0) for q in figures["queues"].values()))
        out["failed"].append(sum(q.get("failed", 0) for q in figures["queues"].values()))
        for area, size in figures["storage"].items():
            out["storage"].setdefault(area, []).append(size)
        if previous is None:
            out["pg_hit"].append(None)
            out["redis_hit"].append(None)
        else:
            out["pg_hit"].append(ratio(delta(pg.get("blks_hit"), previous["pg"].get("blks_hit")),
                                       delta(pg.get("blks_read"), previous["pg"].get("blks_read")), CHART_LOOKUPS))
            out["redis_hit"].append(ratio(delta(redis.get("keyspace_hits"), previous["redis"].get("keyspace_hits")),
                                          delta(redis.get("keyspace_misses"),
                                                previous["redis"].get("keyspace_misses")), CHART_LOOKUPS))
        previous = figures
    return {"labels": labels, **out}

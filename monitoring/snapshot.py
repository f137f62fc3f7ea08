"""One reading of everything the dashboards show, rolled up and cached.

`collect()` runs the catalog queries, asks Redis and RQ, rolls partitions up
to their roots and evaluates the checks. `current()` serves it from the
Django cache (Redis) for HEALTH_CACHE_SECONDS, so a room full of ops people
refreshing the console costs the database one reading per window.
"""

import datetime as dt
import statistics
from collections import defaultdict

from django.conf import settings
from django.core.cache import cache
from django.db import connections, transaction
from django.utils import timezone

from core import partitions
from core.models import MaintenanceRun
from lifecycle.health import lifecycle_status
from monitoring import catalog, history, runtime
from monitoring.checks import evaluate
from monitoring.models import HEALTH_SAMPLE, HealthSample
from monitoring.policies import due_at, lag_state, retention_policies

CACHE_KEY = "monitoring:snapshot:v1"
SUMMARY_KEY = "monitoring:summary:v1"


def current(*, full: bool = True) -> dict:
    """The cached snapshot, or a fresh one. `full=False` returns just the checks and headline figures."""
    key = CACHE_KEY if full else SUMMARY_KEY
    found = cache.get(key)
    if found is None:
        snapshot = collect()
        summary = summary_of(snapshot)
        # The full reading (every partition) is large: only the pages that show
        # it pay for pickling it into Redis; the overview keeps the summary.
        store(summary, snapshot if full else None)
        found = snapshot if full else summary
    return found


def store(summary: dict, snapshot: dict | None = None) -> None:
    entries = {SUMMARY_KEY: summary}
    if snapshot is not None:
        entries[CACHE_KEY] = snapshot
    cache.set_many(entries, settings.HEALTH_CACHE_SECONDS)


def forget() -> None:
    cache.delete_many([CACHE_KEY, SUMMARY_KEY])


def summary_of(snapshot: dict) -> dict:
    keys = ("taken_at", "checks", "server", "redis", "headline", "windows", "counts", "series")
    return {k: snapshot[k] for k in keys}


def collect(now: dt.datetime | None = None, *, fresh_storage: bool = False) -> dict:
    """Read everything now (uncached). A fixed number of queries, whatever the lake's size."""
    now = now or timezone.now()
    with connections["default"].cursor() as cursor:
        catalog.fresh_statistics(cursor)
        server = catalog.server(cursor)
        relations = catalog.relations(cursor)
        indexes = catalog.indexes(cursor)
        sessions = catalog.activity(cursor)
        holders = catalog.horizon_holders(cursor)
        progress = catalog.vacuum_progress(cursor)
        sequences = catalog.sequences(cursor)
    runs = {run.kind: run for run in MaintenanceRun.objects.order_by("kind", "-started_at").distinct("kind")}
    policies = retention_policies()
    lifecycle = lifecycle_status()
    samples = history.recent(now)
    table_sample_at, table_counters = history.latest_tables(now)
    redis = runtime.redis_info()
    rq = runtime.queues(now)
    storage = runtime.storage(fresh=fresh_storage)

    settings_ = server["settings"]
    tables = [r for r in relations if r["kind"] in ("r", "m")]
    for table in tables:
        _vacuum_figures(table, settings_, now)
    roots = roll_up(relations, now, policies, runs)
    live_pg = {"blks_hit": server["blks_hit"], "blks_read": server["blks_read"]}
    windows = {
        "pg": history.hit_window(samples, {**live_pg}, "pg", "blks_hit", "blks_read"),
        "redis": history.hit_window(samples, redis, "redis", "keyspace_hits", "keyspace_misses"),
        "evicted": history.counter_growth(samples, redis, "redis", "evicted_keys"),
        "rejected": history.counter_growth(samples, redis, "redis", "rejected_connections"),
        "failed_new": (sum(history.delta(q["failed"], samples[-1][1]["queues"].get(q["name"], {}).get("failed"))
                           for q in rq["queues"]) if samples else None),
        "last_sample_at": samples[-1][0] if samples else None,
    }
    _table_cache_windows(tables, roots, table_counters, table_sample_at)
    schema_bytes = defaultdict(int)
    for table in tables:
        schema_bytes[table["schema"]] += table["bytes"]
    snapshot = {
        "taken_at": now, "server": server, "tables": tables, "roots": roots, "indexes": indexes,
        "sessions": sessions, "holders": holders, "progress": progress, "sequences": sequences,
        "runs": {kind: _run_dict(run) for kind, run in runs.items()}, "policies": policies, "lifecycle": lifecycle,
        "redis": redis, "rq": rq, "storage": storage, "windows": windows, "schema_bytes": dict(schema_bytes),
        "matviews": [r["label"] for r in relations if r["kind"] == "m" and r["schema"] == "analytics"],
        "series": history.series(samples),
    }
    snapshot["checks"] = evaluate(snapshot, now)
    snapshot["headline"] = {
        "database_bytes": server["database_bytes"], "partitioned_tables": len(roots),
        "partitions": sum(r["partitions"] for r in roots), "connections": server["connections"],
        "workers": sum(1 for w in rq["workers"] if w["alive"]),
        "queued": sum(q["depth"] for q in rq["queues"]),
    }
    snapshot["counts"] = {state: sum(1 for c in snapshot["checks"] if c.state == state)
                          for state in ("crit", "warn", "info", "ok")}
    return snapshot


def _run_dict(run: MaintenanceRun) -> dict:
    return {"kind": run.kind, "started_at": run.started_at, "finished_at": run.finished_at,
            "outcome": run.outcome, "error": run.error}


def reloption(options: list | None, name: str) -> str | None:
    for option in options or []:
        key, _, value = option.partition("=")
        if key == name:
            return value
    return None


def _vacuum_figures(table: dict, pg_settings: dict, now: dt.datetime) -> None:
    """The table's autovacuum trigger, honouring its own reloptions, and how overdue it is."""
    options = table["reloptions"]
    threshold = float(reloption(options, "autovacuum_vacuum_threshold")
                      or pg_settings.get("autovacuum_vacuum_threshold") or 50)
    scale = float(reloption(options, "autovacuum_vacuum_scale_factor")
                  or pg_settings.get("autovacuum_vacuum_scale_factor") or 0.2)
    # Autovacuum reads a never-analyzed table's reltuples (-1) as 0.
    table["trigger"] = int(threshold + scale * max(table["reltuples"] or 0, 0))
    table["over_trigger"] = (table["n_dead_tup"] or 0) > table["trigger"]
    table["autovacuum_off"] = (reloption(options, "autovacuum_enabled") in ("false", "off", "0")
                               or reloption(table["toast_reloptions"], "autovacuum_enabled") in ("false", "off", "0"))
    vacuumed = [t for t in (table["last_vacuum"], table["last_autovacuum"]) if t]
    table["last_vacuumed"] = max(vacuumed) if vacuumed else None
    analyzed = [t for t in (table["last_analyze"], table["last_autoanalyze"]) if t]
    table["last_analyzed"] = max(analyzed) if analyzed else None
    table["rows"] = table["n_live_tup"] if table["n_live_tup"] is not None else max(table["reltuples"] or 0, 0)
    live, dead = table["n_live_tup"] or 0, table["n_dead_tup"] or 0
    table["dead_ratio"] = dead / (live + dead) if live + dead else 0.0
    table["bloat_bytes"] = int(table["heap_bytes"] * table["dead_ratio"])


def roll_up(relations: list[dict], now: dt.datetime, policies: dict, runs: dict) -> list[dict]:
    """One row per partitioned table, its leaves summed up; the leaves kept for the drill-down."""
    parents, members = {}, defaultdict(list)
    for rel in relations:
        if not rel["root"]:
            continue
        if rel["depth"] == 0:
            parents[rel["root"]] = rel
        else:
            members[rel["root"]].append(rel)
    roots = []
    for label, parent in sorted(parents.items()):
        children = [m for m in members[label] if m["depth"] == 1]
        leaves = [m for m in members[label] if m["kind"] != "p"]
        ranged = sorted((c for c in children if isinstance(c["lower"], dt.datetime)
                         and isinstance(c["upper"], dt.datetime)), key=lambda c: c["lower"])
        default = next((c for c in children if c["is_default"]), None)
        registered = partitions.REGISTRY.get(label)
        premake = registered.premake if registered else settings.HEALTH_THRESHOLDS["premake"][0]
        current_index = next((i for i, c in enumerate(ranged) if c["lower"] <= now < c["upper"]), None)
        ahead = 0
        if current_index is not None:
            for earlier, later in zip(ranged[current_index:], ranged[current_index + 1:], strict=False):
                if later["lower"] != earlier["upper"]:
                    break
                ahead += 1
        widths = [(c["upper"] - c["lower"]) for c in ranged]
        width = statistics.median(widths) if widths else None
        policy = policies.get(label)
        lag, retention_state = None, "ok"
        if policy and ranged:
            # How long the oldest partition has outstayed its policy (never longer than the policy exists).
            lag = now - due_at(policy, ranged[0]["upper"])
            retention_state = lag_state(lag, policy, width)
        vacuumed = [t for leaf in leaves for t in (leaf["last_vacuum"], leaf["last_autovacuum"]) if t]
        analyzed = [t for leaf in leaves for t in (leaf["last_analyze"], leaf["last_autoanalyze"]) if t]
        run = runs.get("partitions") if registered else None
        roots.append({
            "label": label, "schema": parent["schema"], "name": parent["name"], "registered": bool(registered),
            "column": registered.column if registered else None, "premake": premake,
            "partitions": sum(1 for c in children if not c["is_default"]), "leaves": leaves,
            "children": children, "ranged": bool(ranged) or not children,
            "bytes": sum(leaf["bytes"] for leaf in leaves),
            "rows": sum(_estimate(leaf) for leaf in leaves),
            "default_label": default["label"] if default else None,
            "default_rows": _estimate(default) if default else 0,
            "covers_now": current_index is not None, "ahead": ahead,
            "oldest": ranged[0]["lower"] if ranged else None, "oldest_upper": ranged[0]["upper"] if ranged else None,
            "newest": ranged[-1]["upper"] if ranged else None, "width": width,
            "policy": policy, "retention_lag": lag, "retention_state": retention_state,
            "managed": sum(1 for c in children if c["comment"] == partitions.MANAGED_COMMENT),
            "detach_pending": [c["label"] for c in children if c["detach_pending"]],
            "dead_tuples": sum(leaf["n_dead_tup"] or 0 for leaf in leaves),
            "last_leaf_vacuum": max(vacuumed) if vacuumed else None,
            "last_leaf_analyze": max(analyzed) if analyzed else None,
            "parent_analyzed": parent["last_analyze"],
            "xid_age": max((leaf["xid_age"] or 0 for leaf in leaves), default=0),
            "maintenance": _run_dict(run) if run else None,
            "heap_blks_hit": sum(leaf["heap_blks_hit"] or 0 for leaf in leaves),
            "heap_blks_read": sum(leaf["heap_blks_read"] or 0 for leaf in leaves),
            "idx_blks_hit": sum(leaf["idx_blks_hit"] or 0 for leaf in leaves),
            "idx_blks_read": sum(leaf["idx_blks_read"] or 0 for leaf in leaves),
        })
    return roots


def _estimate(rel: dict) -> int:
    """Rows by estimate: the collector's live count, else the planner's (-1: never analyzed)."""
    if rel["n_live_tup"] is not None:
        return rel["n_live_tup"]
    return max(rel["reltuples"] or 0, 0)


def _table_cache_windows(tables, roots, counters: dict, sample_at) -> None:
    """Per-table and per-root buffer hit ratios since the latest sample (or since reset without one)."""
    by_label = {t["label"]: t for t in tables}
    root_of = {t["label"]: t["root"] for t in tables}
    root_sums = defaultdict(lambda: [0, 0, 0, 0])
    for label, table in by_label.items():
        now_counts = [table["heap_blks_hit"] or 0, table["heap_blks_read"] or 0,
                      table["idx_blks_hit"] or 0, table["idx_blks_read"] or 0]
        before = counters.get(label) or [None] * 4
        window = [history.delta(n, b) for n, b in zip(now_counts, before, strict=True)]
        table["cache_window"] = window
        table["heap_hit_ratio"] = history.ratio(window[0], window[1], 1)
        table["idx_hit_ratio"] = history.ratio(window[2], window[3], 1)
        if root_of[label]:
            sums = root_sums[root_of[label]]
            for i in range(4):
                sums[i] += window[i]
    for root in roots:
        window = root_sums.get(root["label"], [0, 0, 0, 0])
        root["heap_hit_ratio"] = history.ratio(window[0], window[1], 1)
        root["idx_hit_ratio"] = history.ratio(window[2], window[3], 1)
        root["cache_window"] = window
    for table in tables:
        table["cache_since"] = sample_at


# --- the history's samples -----------------------------------------------------------

def take_sample(now: dt.datetime | None = None) -> HealthSample:
    """Record the current figures (bypassing the page cache: a sample must be fresh)."""
    now = now or timezone.now()
    snapshot = collect(now=now, fresh_storage=True)
    with transaction.atomic():
        return HealthSample.objects.create(taken_at=now, figures=history.figures_of(snapshot))


def sample_and_prune() -> dict:
    """The scheduled job: premake the history's partitions, sample, prune."""
    with transaction.atomic(using="owner"), connections["owner"].cursor() as cursor:
        partitions.ensure_ahead(cursor, HEALTH_SAMPLE, timezone.now())
    sample = take_sample()
    pruned = history.prune()
    return {"taken_at": sample.taken_at.isoformat(), **pruned}

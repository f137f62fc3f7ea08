"""The snapshot as OpenMetrics text for Prometheus: every name prefixed `datalake_`."""

from django.conf import settings

# Said by /metrics, the health page and `serve`: with no token every scrape
# is refused, and a newcomer cannot tell that from a wrong token.
METRICS_UNCONFIGURED_HELP = (
    "METRICS_TOKEN is not set on this server, so /metrics refuses every request. "
    "Set METRICS_TOKEN to a long random string (python -c 'import secrets; print(secrets.token_urlsafe(32))') "
    "in the environment or docker/.env, restart, and scrape with 'Authorization: Bearer <token>'."
)


def token_configured() -> bool:
    return bool(settings.METRICS_TOKEN)


def _escape(value) -> str:
    return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


class _Writer:
    def __init__(self):
        self.lines = []

    def family(self, name, kind, help_text, samples):
        """`samples`: [(labels dict, value)]; None values are left out (unknown is not zero)."""
        name = f"datalake_{name}"
        self.lines.append(f"# TYPE {name} {kind}")
        self.lines.append(f"# HELP {name} {help_text}")
        suffix = "_total" if kind == "counter" else ""
        for labels, value in samples:
            if value is None:
                continue
            text = ",".join(f'{k}="{_escape(v)}"' for k, v in labels.items())
            self.lines.append(f"{name}{suffix}{{{text}}} {float(value):g}" if text
                              else f"{name}{suffix} {float(value):g}")

    def text(self):
        return "\n".join(self.lines) + "\n# EOF\n"


def render_metrics(snap: dict) -> str:
    out = _Writer()
    roots = snap["roots"]
    out.family("partitions", "gauge", "Partitions of each partitioned table (default excluded).",
               [({"table": r["label"]}, r["partitions"]) for r in roots])
    out.family("partitions_ahead", "gauge", "Contiguous partitions premade after the current one.",
               [({"table": r["label"]}, r["ahead"]) for r in roots if r["ranged"]])
    out.family("partition_covers_now", "gauge", "1 if a partition covers the current time.",
               [({"table": r["label"]}, int(r["covers_now"])) for r in roots if r["ranged"]])
    out.family("default_partition_rows", "gauge", "Estimated rows in the default partition.",
               [({"table": r["label"]}, r["default_rows"]) for r in roots])
    out.family("table_rows", "gauge", "Estimated live rows, partitions rolled up to their root.",
               [({"table": r["label"]}, r["rows"]) for r in roots]
               + [({"table": t["label"]}, t["rows"]) for t in snap["tables"] if not t["root"]])
    out.family("table_bytes", "gauge", "Size with indexes and TOAST, partitions rolled up.",
               [({"table": r["label"]}, r["bytes"]) for r in roots]
               + [({"table": t["label"]}, t["bytes"]) for t in snap["tables"] if not t["root"]])
    out.family("dead_tuples", "gauge", "Dead tuples, partitions rolled up to their root.",
               [({"table": r["label"]}, r["dead_tuples"]) for r in roots]
               + [({"table": t["label"]}, t["n_dead_tup"] or 0) for t in snap["tables"] if not t["root"]])
    out.family("tables_over_autovacuum_trigger", "gauge", "Tables whose dead tuples exceed their trigger.",
               [({}, sum(1 for t in snap["tables"] if t["over_trigger"]))])
    server = snap["server"]
    out.family("wraparound_age", "gauge", "Transaction ID age (database datfrozenxid, oldest table incl. TOAST).",
               [({"scope": "database"}, server["xid_age"]),
                ({"scope": "oldest_table"}, max([t["xid_age"] or 0 for t in snap["tables"]], default=0))])
    out.family("multixact_age", "gauge", "MultiXact ID age of the database.", [({}, server["mxid_age"])])
    out.family("database_bytes", "gauge", "Size of the lake's database.", [({}, server["database_bytes"])])
    out.family("connections", "gauge", "Client connections to the server.", [({}, server["connections"])])
    windows = snap["windows"]
    out.family("cache_hit_ratio", "gauge", "Hit ratio since the latest health sample (or since reset without one).",
               [({"cache": "postgresql"}, windows["pg"]["ratio"]), ({"cache": "redis"}, windows["redis"]["ratio"])])
    out.family("buffer_blocks", "counter", "PostgreSQL buffer lookups of the database since stats reset.",
               [({"result": "hit"}, server["blks_hit"]), ({"result": "read"}, server["blks_read"])])
    redis = snap["redis"]
    out.family("redis_keyspace_lookups", "counter", "Redis keyspace lookups since Redis started.",
               [({"result": "hit"}, redis["keyspace_hits"]), ({"result": "miss"}, redis["keyspace_misses"])])
    out.family("redis_memory_bytes", "gauge", "Redis used memory.", [({}, redis["used_memory"])])
    out.family("redis_maxmemory_bytes", "gauge", "Redis maxmemory (0: unlimited).", [({}, redis["maxmemory"])])
    out.family("redis_evicted_keys", "counter", "Keys Redis evicted.", [({}, redis["evicted_keys"])])
    out.family("redis_rejected_connections", "counter", "Connections Redis rejected.",
               [({}, redis["rejected_connections"])])
    out.family("redis_clients", "gauge", "Connected Redis clients.", [({}, redis["connected_clients"])])
    rq = snap["rq"]
    out.family("queue_depth", "gauge", "Jobs waiting per RQ queue.",
               [({"queue": q["name"]}, q["depth"]) for q in rq["queues"]])
    out.family("queue_oldest_seconds", "gauge", "Age of the oldest waiting job.",
               [({"queue": q["name"]}, q["oldest_age"]) for q in rq["queues"]])
    out.family("queue_failed", "gauge", "Jobs in each queue's failed registry.",
               [({"queue": q["name"]}, q["failed"]) for q in rq["queues"]])
    out.family("workers", "gauge", "RQ workers by liveness (heartbeat within their TTL).",
               [({"state": "alive"}, sum(1 for w in rq["workers"] if w["alive"])),
                ({"state": "dead"}, sum(1 for w in rq["workers"] if not w["alive"]))])
    out.family("storage_bytes", "gauge", "File storage area use.",
               [({"area": a["area"]}, a["bytes"]) for a in snap["storage"]])
    out.family("storage_budget_bytes", "gauge", "File storage area budget.",
               [({"area": a["area"]}, a["budget"]) for a in snap["storage"]])
    rank = {"ok": 0, "info": 1, "warn": 2, "crit": 3}
    out.family("check_state", "gauge", "Each health check: 0 ok, 1 note, 2 warning, 3 critical.",
               [({"check": c.key}, rank[c.state]) for c in snap["checks"]])
    return out.text()

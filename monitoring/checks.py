"""The health checks (PostgreSQL, Redis, RQ, storage), each judged against HEALTH_THRESHOLDS.

Each check reads a snapshot (monitoring/snapshot.py) and says, in plain
words, what is wrong and what fixes it. States, worst first: crit, warn,
info, ok. Thresholds are (warn, critical) pairs from settings.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings

STATES = ("crit", "warn", "info", "ok")
RANK = {state: i for i, state in enumerate(STATES)}
LABELS = {"crit": "critical", "warn": "warning", "info": "note", "ok": "ok"}
# Where Django keeps its own tables; the lake's live in the schemas of core.schemas.
DJANGO_SCHEMA = "public"


@dataclass
class Check:
    key: str
    title: str
    page: str  # the url name of the page with the details
    state: str = "ok"
    summary: str = ""
    action: str = ""
    items: list = field(default_factory=list)  # (state, text) per offending object

    @property
    def label(self) -> str:
        return LABELS[self.state]

    def flag(self, state: str, text: str) -> None:
        self.items.append((state, text))
        if RANK[state] < RANK[self.state]:
            self.state = state

    def as_dict(self) -> dict:
        return {"key": self.key, "title": self.title, "state": self.state, "summary": self.summary,
                "action": self.action, "items": [{"state": s, "text": t} for s, t in self.items]}


def thresholds(name: str) -> tuple:
    warn, crit = settings.HEALTH_THRESHOLDS[name]
    return warn, crit


def level(value, name: str, *, below: bool = False) -> str:
    """ok/warn/crit for `value` against the (warn, critical) pair; `below` when less is worse."""
    if value is None:
        return "ok"
    warn, crit = thresholds(name)
    if below:
        return "crit" if value < crit else "warn" if value < warn else "ok"
    return "crit" if value >= crit else "warn" if value >= warn else "ok"


def _n(value) -> str:
    value = float(value or 0)
    for unit, size in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(value) >= size:
            return f"{value / size:.1f}{unit}"
    return f"{value:.0f}"


def _bytes(value) -> str:
    value = float(value or 0)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if abs(value) < 1024 or unit == "TB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return ""


def _ago(seconds) -> str:
    if seconds is None:
        return "never"
    seconds = int(seconds)
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    if seconds < 172800:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} days"


def _pct(value) -> str:
    return "n/a" if value is None else f"{value * 100:.1f} %"


# --- PostgreSQL: wraparound and the xmin horizon --------------------------------------------


def check_xid(snap, now) -> Check:
    check = Check("xid_wraparound", "Transaction ID wraparound", "monitoring:vacuum")
    freeze_max = int(snap["server"]["settings"].get("autovacuum_freeze_max_age", 200_000_000))
    for db in snap["server"]["databases"] or []:
        state = level(db["xid_age"], "xid_age")
        if state != "ok":
            check.flag(state, f"database {db['database']} is {_n(db['xid_age'])} transactions old")
    for table in snap["tables"]:
        age = table["xid_age"] or 0
        state = level(age, "xid_age")
        if state == "ok" and age >= freeze_max - 2_000_000:
            state = "info"
        if state != "ok":
            check.flag(state, f"{table['label']} (with its TOAST) is {_n(age)} transactions old")
    oldest = max([t["xid_age"] or 0 for t in snap["tables"]] + [snap["server"]["xid_age"]])
    check.summary = f"oldest unfrozen: {_n(oldest)} transactions (autovacuum forces a freeze at {_n(freeze_max)})"
    check.action = ("Run VACUUM (FREEZE) on the oldest tables from the Vacuum page, and end whatever holds the "
                    "xmin horizon back (long transactions, stale replication slots).")
    return check


def check_mxid(snap, now) -> Check:
    check = Check("mxid_wraparound", "MultiXact wraparound", "monitoring:vacuum")
    freeze_max = int(snap["server"]["settings"].get("autovacuum_multixact_freeze_max_age", 400_000_000))
    for db in snap["server"]["databases"] or []:
        state = level(db["mxid_age"], "mxid_age")
        if state != "ok":
            check.flag(state, f"database {db['database']} MultiXact age {_n(db['mxid_age'])}")
    for table in snap["tables"]:
        state = level(table["mxid_age"], "mxid_age")
        if state == "ok" and (table["mxid_age"] or 0) >= freeze_max - 2_000_000:
            state = "info"
        if state != "ok":
            check.flag(state, f"{table['label']} MultiXact age {_n(table['mxid_age'])}")
    oldest = max([t["mxid_age"] or 0 for t in snap["tables"]] + [snap["server"]["mxid_age"]])
    check.summary = f"oldest MultiXact: {_n(oldest)} (freeze forced at {_n(freeze_max)})"
    check.action = "VACUUM (FREEZE) the tables listed; row locks held by many sessions (FOR SHARE) use MultiXacts."
    return check


def check_xmin(snap, now) -> Check:
    check = Check("xmin_horizon", "xmin horizon holders", "monitoring:activity")
    worst = 0
    for session in snap["sessions"]:
        age = session["xmin_age"]
        if age is None:
            continue
        worst = max(worst, age)
        state = level(age, "xmin_age")
        if state != "ok":
            check.flag(state, f"session {session['pid']} ({session['role']}, {session['state']}) holds the "
                              f"horizon {_n(age)} transactions back")
    for holder in snap["holders"]:
        worst = max(worst, holder["xmin_age"] or 0)
        state = level(holder["xmin_age"], "xmin_age")
        if holder["kind"] == "replication slot" and not holder["active"]:
            state = "crit" if state == "crit" else "warn"
            check.flag(state, f"inactive replication slot {holder['name']} holds the horizon "
                              f"{_n(holder['xmin_age'])} transactions back")
        elif state != "ok":
            check.flag(state, f"{holder['kind']} {holder['name']} holds the horizon {_n(holder['xmin_age'])} back")
    check.summary = f"oldest xmin held: {_n(worst)} transactions ago"
    check.action = ("Vacuum cannot remove rows newer than the oldest xmin: end the session (Activity page, "
                    "pg_terminate_backend), COMMIT or ROLLBACK PREPARED the transaction, or drop the unused slot.")
    return check


# --- PostgreSQL: vacuum and analyze -------------------------------------------------------------


def _hours_since(when, now):
    return None if when is None else (now - when).total_seconds() / 3600


def check_dead_tuples(snap, now) -> Check:
    check = Check("dead_tuples", "Dead tuples over the autovacuum trigger", "monitoring:vacuum")
    warn_h, crit_h = thresholds("dead_tuples_hours")
    over = [t for t in snap["tables"] if t["over_trigger"]]
    for table in over:
        hours = _hours_since(table["last_vacuumed"], now)
        # Never vacuumed: no age to judge by, so a warning rather than an alarm.
        state = "warn" if hours is None else "crit" if hours >= crit_h else "warn" if hours >= warn_h else "info"
        if table["autovacuum_off"] and state == "info":
            state = "warn"
        check.flag(state, f"{table['label']}: {_n(table['n_dead_tup'])} dead rows, trigger {_n(table['trigger'])}, "
                          f"last vacuum {_ago(None if hours is None else hours * 3600)}"
                          f"{' ago' if hours is not None else ''}"
                          f"{' (autovacuum is off for it)' if table['autovacuum_off'] else ''}")
    check.summary = (f"{len(over)} table(s) over their trigger" if over else
                     "every table is under its autovacuum trigger")
    check.action = ("VACUUM (ANALYZE) the table from the Vacuum page; if it keeps happening, lower its "
                    "autovacuum_vacuum_scale_factor or look for what holds the xmin horizon.")
    return check


def check_analyze_parents(snap, now) -> Check:
    check = Check("parent_analyze", "ANALYZE of partitioned parents", "monitoring:vacuum")
    warn_d, crit_d = thresholds("parent_analyze_days")
    stale = 0
    for root in snap["roots"]:
        if not root["rows"]:
            continue
        when = root["parent_analyzed"]
        days = None if when is None else (now - when).total_seconds() / 86400
        state = "warn" if days is None else ("crit" if days >= crit_d else "warn" if days >= warn_d else "ok")
        if state != "ok":
            stale += 1
            check.flag(state, f"{root['label']}: {_n(root['rows'])} rows, parent "
                              + ("never analyzed" if days is None else f"last analyzed {days:.0f} days ago"))
    check.summary = (f"{stale} partitioned table(s) with stale parent statistics" if stale
                     else "parent statistics are fresh")
    check.action = ("Autovacuum never ANALYZEs a partitioned parent, so the planner guesses at queries across "
                    "partitions: run \"ANALYZE partitioned parents\" (it also runs daily from the scheduler).")
    return check


def check_vacuum_running(snap, now) -> Check:
    check = Check("vacuum_running", "Vacuums in progress", "monitoring:vacuum")
    for vacuum in snap["progress"]:
        state = level(vacuum["seconds"], "vacuum_running_seconds")
        done = (vacuum["heap_blks_scanned"] / vacuum["heap_blks_total"]) if vacuum["heap_blks_total"] else None
        if state != "ok":
            check.flag(state, f"{'auto' if vacuum['is_auto'] else ''}vacuum of {vacuum['relation']} has run "
                              f"{_ago(vacuum['seconds'])}, phase {vacuum['phase']}, {_pct(done)} scanned")
    check.summary = f"{len(snap['progress'])} vacuum(s) running"
    check.action = ("A long vacuum is usually waiting on I/O cost limits or a lock: raise "
                    "autovacuum_vacuum_cost_limit, or check the Activity page for what blocks it.")
    return check


def check_autovacuum_disabled(snap, now) -> Check:
    check = Check("autovacuum_disabled", "Autovacuum disabled", "monitoring:vacuum")
    pg = snap["server"]["settings"]
    if pg.get("autovacuum") == "off":
        check.flag("crit", "autovacuum is off for the whole server")
    if pg.get("track_counts") == "off":
        check.flag("crit", "track_counts is off: autovacuum has no statistics to act on")
    for table in snap["tables"]:
        if table["autovacuum_off"]:
            check.flag("warn", f"{table['label']} has autovacuum_enabled = off")
    check.summary = ("autovacuum is on everywhere" if check.state == "ok"
                     else f"autovacuum is off in {len(check.items)} place(s)")
    server_off = pg.get("autovacuum") == "off" or pg.get("track_counts") == "off"
    check.action = (
        ("Set autovacuum = on and track_counts = on in postgresql.conf and reload. " if server_off else "")
        + "ALTER TABLE … RESET (autovacuum_enabled) on each table listed; a table nobody vacuums bloats and "
        "ages toward wraparound."
    )
    return check


def check_bloat(snap, now) -> Check:
    check = Check("table_bloat", "Table bloat (estimate)", "monitoring:vacuum")
    total = 0
    for table in snap["tables"]:
        if (table["pages"] or 0) < 128:
            continue
        state = level(table["dead_ratio"], "bloat_ratio")
        if state != "ok":
            total += table["bloat_bytes"]
            check.flag(state, f"{table['label']}: about {_pct(table['dead_ratio'])} dead "
                              f"({_bytes(table['bloat_bytes'])} of {_bytes(table['heap_bytes'])})")
    check.summary = f"estimated reclaimable: {_bytes(total)}"
    check.action = ("VACUUM makes the space reusable; to give it back to the disk, pg_repack or VACUUM FULL in a "
                    "maintenance window (it locks the table).")
    return check


def check_indexes(snap, now) -> Check:
    check = Check("index_health", "Index health", "monitoring:vacuum")
    warn_bytes, crit_bytes = thresholds("unused_index_bytes")
    by_table = {}
    for index in snap["indexes"]:
        if not index["valid"]:
            check.flag("crit", f"{index['label']} on {index['table']} is INVALID (a failed CREATE INDEX "
                               "CONCURRENTLY): writes maintain it, queries never use it")
        if index["schema"] == DJANGO_SCHEMA:
            # Django's own tables (auth_*, sessions) come as Django builds them: not ours to tune.
            continue
        if (index["kind"] == "i" and not (index["is_unique"] or index["is_primary"]) and index["idx_scan"] == 0
                and index["bytes"] >= warn_bytes):
            state = "crit" if index["bytes"] >= crit_bytes else "warn"
            check.flag(state, f"{index['label']} ({_bytes(index['bytes'])}) was never scanned")
        by_table.setdefault(index["table"], []).append(index)
    for table, found in by_table.items():
        for index in found:
            # A partition's copy of a partitioned index is judged once, on the parent.
            if (index["is_unique"] or index["is_primary"] or index["expressions"] or index["predicate"]
                    or index["on_partition"]):
                continue
            columns = index["columns"].split()
            for other in found:
                if other is index or other["method"] != index["method"] or other["expressions"] or other["predicate"]:
                    continue
                other_columns, other_classes = other["columns"].split(), other["opclasses"].split()
                # A prefix with the same operator classes: `(a)` is redundant beside `(a, b)`,
                # but not beside a varchar_pattern_ops index on `a` (that one serves LIKE).
                prefix = (other_columns[:len(columns)] == columns
                          and other_classes[:len(columns)] == index["opclasses"].split())
                if prefix and (len(other_columns) > len(columns) or other["oid"] < index["oid"]):
                    check.flag("warn", f"{index['label']} is redundant beside {other['label']} on {table}")
                    break
    check.summary = "indexes are valid and used" if check.state == "ok" else f"{len(check.items)} index problem(s)"
    check.action = ("DROP INDEX CONCURRENTLY the invalid or duplicate index and, for an invalid unique one, fix "
                    "the duplicate rows before building it again.")
    return check


def check_sequences(snap, now) -> Check:
    check = Check("sequences", "Sequence / ID exhaustion", "monitoring:vacuum")
    worst = 0.0
    for seq in snap["sequences"]:
        if seq["used"] is None:
            continue
        worst = max(worst, seq["used"])
        state = level(seq["used"], "sequence_used")
        if state != "ok":
            check.flag(state, f"{seq['schema']}.{seq['name']} has used {_pct(seq['used'])} of its range "
                              f"({seq['column_type'] or seq['data_type']})")
    check.summary = f"most used sequence: {_pct(worst)} of its range"
    check.action = "ALTER the column (and sequence) to bigint before it runs out; inserts fail when it does."
    return check


# --- PostgreSQL: cache and sessions ----------------------------------------------------------


def check_pg_cache(snap, now) -> Check:
    check = Check("pg_cache", "PostgreSQL buffer cache hit ratio", "monitoring:cache")
    window = snap["windows"]["pg"]
    ratio = window["ratio"]
    span = "since the server started (no sample yet)" if window["since_reset"] else "since the last sample"
    if ratio is None:
        check.summary = f"too few reads {span} to judge"
        return check
    state = level(ratio, "cache_hit_ratio", below=True)
    if state != "ok":
        check.flag(state, f"database hit ratio {_pct(ratio)} {span}")
    for table in snap["tables"]:
        hits, reads = table["cache_window"][0], table["cache_window"][1]
        if hits + reads >= 1000:
            table_state = level(hits / (hits + reads), "cache_hit_ratio", below=True)
            if table_state != "ok":
                check.flag("info", f"{table['label']}: {_pct(hits / (hits + reads))} of {_n(hits + reads)} reads")
    check.summary = f"{_pct(ratio)} {span}"
    check.action = ("Reads are going to disk: raise shared_buffers (about 25 % of RAM), or find the sequential "
                    "scans behind it (a missing index) on the Cache page.")
    return check


def check_queries(snap, now) -> Check:
    check = Check("queries", "Long, blocked and idle-in-transaction sessions", "monitoring:activity")
    idle = [s for s in snap["sessions"] if (s["state"] or "").startswith("idle in transaction")]
    for session in snap["sessions"]:
        if session["backend_type"] != "client backend":
            continue
        if session["state"] == "active":
            state = level(session["query_seconds"], "query_seconds")
            if state != "ok":
                check.flag(state, f"session {session['pid']} ({session['role']}) has run one query for "
                                  f"{_ago(session['query_seconds'])}")
        if session["blocked_by"]:
            state = "crit" if (session["query_seconds"] or 0) >= thresholds("query_seconds")[1] else "warn"
            check.flag(state, f"session {session['pid']} is blocked by {', '.join(map(str, session['blocked_by']))}"
                              f" for {_ago(session['state_seconds'])}")
    state = level(len(idle), "idle_in_transaction")
    if state != "ok":
        check.flag(state, f"{len(idle)} session(s) idle in transaction (the longest for "
                          f"{_ago(max(s['state_seconds'] or 0 for s in idle))})")
    active = sum(1 for s in snap["sessions"] if s["state"] == "active")
    check.summary = f"{active} active, {len(idle)} idle in transaction"
    check.action = ("Cancel or terminate the session from the Activity page (pg_cancel_backend / "
                    "pg_terminate_backend) and fix the code path that leaves transactions open.")
    return check


def check_connections(snap, now) -> Check:
    check = Check("connections", "Connections", "monitoring:activity")
    pg = snap["server"]["settings"]
    limit = int(pg.get("max_connections", 100)) - int(pg.get("superuser_reserved_connections", 3))
    used = snap["server"]["connections"] / limit if limit else 0
    state = level(used, "connections_used")
    if state != "ok":
        check.flag(state, f"{snap['server']['connections']} of {limit} connections in use")
    check.summary = f"{snap['server']['connections']} of {limit} ({_pct(used)})"
    check.action = "Lower gunicorn/RQ concurrency or CONN_MAX_AGE, or put PgBouncer in front of PostgreSQL."
    return check


# --- Partitions ---------------------------------------------------------------------------------


def check_default_rows(snap, now) -> Check:
    check = Check("default_partition", "Rows in default partitions", "monitoring:partitions")
    for root in snap["roots"]:
        state = level(root["default_rows"], "default_partition_rows")
        if state != "ok":
            check.flag(state, f"{root['default_label']} holds about {_n(root['default_rows'])} rows")
    check.summary = "default partitions are empty" if check.state == "ok" else f"{len(check.items)} not empty"
    check.action = ("Rows landed where no partition covered them: run \"Create partitions ahead\" (partition "
                    "maintenance moves each month out of the default partition into its own).")
    return check


def check_future(snap, now) -> Check:
    check = Check("future_partitions", "Future partition coverage", "monitoring:partitions")
    crit_ahead = thresholds("premake")[1]
    for root in snap["roots"]:
        if not root["partitions"] or not root["ranged"]:
            continue
        if not root["covers_now"]:
            check.flag("crit", f"{root['label']} has no partition for now: new rows go to its default partition")
        elif root["ahead"] < crit_ahead:
            check.flag("crit", f"{root['label']} has no partition after the current one")
        elif root["ahead"] < root["premake"]:
            check.flag("warn", f"{root['label']} has {root['ahead']} partition(s) ahead, wants {root['premake']}")
    check.summary = ("every partitioned table is covered ahead" if check.state == "ok"
                     else f"{len(check.items)} table(s) short of partitions")
    check.action = "Run \"Create partitions ahead\" now, then check the scheduler runs partition maintenance hourly."
    return check


def check_maintenance(snap, now) -> Check:
    check = Check("maintenance", "Partition maintenance freshness", "monitoring:partitions")
    run = snap["runs"].get("partitions")
    warn_n, crit_n = thresholds("maintenance_age_intervals")
    interval = 3600
    if run is None:
        check.flag("warn", "partition maintenance has never run")
        check.summary = "never ran"
    else:
        age = (now - run["started_at"]).total_seconds()
        check.summary = f"last run {_ago(age)} ago, {run['outcome']}"
        if run["outcome"] == "failed":
            check.flag("crit", f"the last run failed: {run['error'][:200]}")
        state = "crit" if age >= crit_n * interval else "warn" if age >= warn_n * interval else "ok"
        if state != "ok":
            check.flag(state, f"the last run started {_ago(age)} ago; it should run hourly")
    sample_at = snap["windows"]["last_sample_at"]
    sample_age = None if sample_at is None else (now - sample_at).total_seconds()
    if sample_age is None or sample_age > 3 * settings.HEALTH_SAMPLE_SECONDS:
        check.flag("info", "the health history is not being sampled" if sample_age is None
                   else f"the last health sample is {_ago(sample_age)} old")
    check.action = ("Start the scheduler (manage.py rqcron datalake.cron, part of manage.py serve) and a worker "
                    "on the maintenance queue; a failed run's error says what to fix.")
    return check


def check_retention(snap, now) -> Check:
    check = Check("retention_lag", "Retention lag against lifecycle policies", "monitoring:partitions")
    with_policy = 0
    for root in snap["roots"]:
        if root["policy"] is None or root["retention_lag"] is None:
            continue
        with_policy += 1
        state, lag = root["retention_state"], root["retention_lag"]
        if state != "ok":
            check.flag(state, f"{root['label']}: its oldest partition ended {root['oldest_upper']:%Y-%m-%d} and "
                              f"is {lag.days} days past policy {root['policy'].name}")
    check.summary = (f"{with_policy} table(s) under a policy" if with_policy else
                     "no policy: nothing is archived or dropped automatically")
    # Ops read this but cannot open Lifecycle (admin-only): say who acts and what ops can check.
    check.action = ("An administrator runs the policy from the Lifecycle page and reads its last run's error. "
                    "Ops can check that the scheduler and a worker on the maintenance queue are running "
                    "(Queues page): the policy runs from there.")
    return check


def check_lifecycle_runs(snap, now) -> Check:
    check = Check("lifecycle_runs", "Lifecycle runs", "monitoring:partitions")
    status = snap["lifecycle"]
    failures = status["consecutive_failures"]
    if status["last_run"] is None:
        check.summary = "no archive run yet"
    else:
        check.summary = f"last run {_ago((now - status['last_run']).total_seconds())} ago"
    if failures:
        check.flag(status["state"], f"{failures} archive run(s) in a row failed; the last: "
                                    f"{status['last_error'][:200]}")
    if status["partitions_in_flight"]:
        check.flag("info", f"{status['partitions_in_flight']} partition(s) are being exported or verified")
    check.action = ("An admin can see each run's error on the Lifecycle page and run the policy again once the "
                    "cause (often a full or unwritable ARCHIVE_DIR) is fixed.")
    return check


# --- Redis, RQ, storage ------------------------------------------------------------------------------


def check_redis_memory(snap, now) -> Check:
    check = Check("redis_memory", "Redis memory", "monitoring:cache")
    redis = snap["redis"]
    used, limit = redis["used_memory"] or 0, redis["maxmemory"] or 0
    if limit:
        state = level(used / limit, "redis_memory_used")
        if state != "ok":
            check.flag(state, f"{_bytes(used)} of maxmemory {_bytes(limit)}")
        check.summary = f"{_bytes(used)} of {_bytes(limit)} ({_pct(used / limit)})"
    else:
        check.summary = f"{_bytes(used)}, no maxmemory set"
    frag = redis["mem_fragmentation_ratio"] or 0
    # Fragmentation of a small instance is noise (a few MB of allocator overhead).
    if used >= 64 * 2**20:
        state = level(frag, "redis_fragmentation")
        if state != "ok":
            check.flag(state, f"fragmentation ratio {frag:.2f}")
    check.action = ("Raise maxmemory or free keys (old RQ results: lower result_ttl); for fragmentation, "
                    "CONFIG SET activedefrag yes.")
    return check


def check_redis_hits(snap, now) -> Check:
    check = Check("redis_hits", "Redis hit ratio", "monitoring:cache")
    window = snap["windows"]["redis"]
    ratio, baseline = window["ratio"], window["baseline"]
    if window["since_reset"]:
        check.summary = f"{_pct(ratio)} since Redis started (no sample yet to compare windows)"
        return check
    if ratio is None:
        check.summary = "too few lookups since the last sample to judge"
        return check
    check.summary = f"{_pct(ratio)} since the last sample, baseline {_pct(baseline)}"
    if baseline is not None:
        state = level(baseline - ratio, "redis_hit_ratio_drop")
        if state != "ok":
            check.flag(state, f"hit ratio fell from {_pct(baseline)} to {_pct(ratio)} over "
                              f"{_n(window['lookups'])} lookups")
    check.action = ("Something asks Redis for keys that are gone: look for evictions (raise maxmemory), a cache "
                    "prefix change after a deploy, or a flushed database.")
    return check


def check_redis_clients(snap, now) -> Check:
    check = Check("redis_clients", "Redis evictions, rejections and clients", "monitoring:cache")
    redis, windows = snap["redis"], snap["windows"]
    if windows["rejected"]:
        check.flag("crit", f"{windows['rejected']} connection(s) rejected since the last sample")
    if windows["evicted"]:
        check.flag("warn", f"{windows['evicted']} key(s) evicted since the last sample (RQ jobs may be lost)")
    if redis.get("maxclients"):
        state = level(redis["connected_clients"] / redis["maxclients"], "redis_clients_used")
        if state != "ok":
            check.flag(state, f"{redis['connected_clients']} of {redis['maxclients']} clients")
    check.summary = (f"{redis['connected_clients']} clients, {redis['evicted_keys']} evicted and "
                     f"{redis['rejected_connections']} rejected since start, {_n(redis['keys'])} keys")
    check.action = ("Raise maxclients or find the leaking client; evictions mean maxmemory is too small for the "
                    "queues: set maxmemory-policy noeviction for the RQ database.")
    return check


def check_rq(snap, now) -> Check:
    check = Check("rq", "RQ queues and workers", "monitoring:queues")
    rq, windows = snap["rq"], snap["windows"]
    alive = [w for w in rq["workers"] if w["alive"]]
    if not alive:
        check.flag("crit", "no RQ worker is running: imports and maintenance wait")
    for worker in rq["workers"]:
        if not worker["alive"]:
            job = f" while running job {worker['current_job']}" if worker["current_job"] else ""
            check.flag("crit" if job else "warn",
                       f"worker {worker['name']} stopped heartbeating {_ago(worker['heartbeat_age'])} ago{job}")
    for orphan in rq["orphaned_jobs"]:
        check.flag("crit", f"job {orphan['job']} on {orphan['queue']} is marked started by "
                           f"{orphan['worker'] or 'an unknown worker'}, which is not alive")
    for queue in rq["queues"]:
        state = level(queue["oldest_age"], "queue_oldest_seconds")
        if state != "ok":
            check.flag(state, f"queue {queue['name']}: {queue['depth']} waiting, the oldest for "
                              f"{_ago(queue['oldest_age'])}")
        if queue["depth"] and not any(queue["name"] in w["queues"] for w in alive):
            check.flag("crit", f"queue {queue['name']} has {queue['depth']} job(s) and no live worker listens to it")
    new_failed = windows["failed_new"]
    if new_failed:
        check.flag(level(new_failed, "queue_failed_new"), f"{new_failed} job(s) failed since the last sample")
    if not rq["schedulers"]:
        check.flag("warn", "no scheduler is running: partition maintenance and health samples will not happen")
    for scheduler in rq["schedulers"]:
        if scheduler["heartbeat_age"] is None or scheduler["heartbeat_age"] > 180:
            check.flag("warn", f"scheduler {scheduler['name']} last beat {_ago(scheduler['heartbeat_age'])} ago")
    failed = sum(q["failed"] for q in rq["queues"])
    check.summary = (f"{len(alive)} worker(s), {sum(q['depth'] for q in rq['queues'])} queued, "
                     f"{failed} failed, {len(rq['schedulers'])} scheduler(s)")
    check.action = ("Start workers (manage.py rqworker imports maintenance default vectors) and the scheduler; requeue "
                    "failed jobs from the Queues page once their cause is fixed.")
    return check


def check_storage(snap, now) -> Check:
    check = Check("storage", "File storage against budgets", "monitoring:storage")
    for area in snap["storage"]:
        state = level(area["used"], "storage_used")
        if state != "ok":
            check.flag(state, f"{area['area']} uses {_bytes(area['bytes'])} of its {_bytes(area['budget'])} budget")
        if area["free"] is not None and area["free"] < max(area["budget"] - area["bytes"], 0) * 0.1:
            check.flag("warn", f"the disk under {area['area']} has only {_bytes(area['free'])} free")
    check.summary = ", ".join(f"{a['area']} {_pct(a['used'])}" for a in snap["storage"])
    check.action = "Archive or delete old data (Lifecycle), clear the temp area, or raise STORAGE_BUDGET_*_GB."
    return check


CHECKS = [
    check_xid, check_mxid, check_xmin, check_dead_tuples, check_analyze_parents, check_vacuum_running,
    check_autovacuum_disabled, check_bloat, check_indexes, check_pg_cache, check_default_rows, check_future,
    check_maintenance, check_retention, check_lifecycle_runs, check_sequences, check_queries, check_connections,
    check_redis_memory, check_redis_hits, check_redis_clients, check_rq, check_storage,
]


def evaluate(snapshot: dict, now: dt.datetime) -> list[Check]:
    """Every check, problems first."""
    checks = [check(snapshot, now) for check in CHECKS]
    for check in checks:
        check.items.sort(key=lambda item: RANK[item[0]])
    return sorted(checks, key=lambda c: RANK[c.state])

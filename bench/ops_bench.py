"""Health overview benchmark: the ops overview on a lake with N partitions.

    python bench/ops_bench.py --partitions 1000

Builds a scratch database (test_<name>_opsbench, bootstrapped and migrated
like the test suite's) with one extra partitioned table of N monthly
partitions, each holding rows and an index, and drops it afterwards. In one
run it measures (median of --repeat runs each):

* queries: the bare catalog queries behind the overview (server figures,
  every relation with its statistics and partition root, indexes, sessions,
  horizon holders, vacuum progress, sequences), as the app role: the baseline;
* page: GET /ops/ as an ops user with the cache emptied first: the same
  queries plus Redis/RQ/storage readings, the roll-up, the checks, caching
  and rendering;
* cached: GET /ops/ again within the cache window.

The three are measured in interleaved rounds (medians), so load from other
processes on the machine weighs on all of them alike.

Targets at N = 1000: page <= 1.5 x queries, cached <= 0.1 x queries.
The last line printed is one JSON object.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "datalake.settings")

SCHEMA = "bench_ops"


def build(partitions: int, rows_per_partition: int) -> None:
    """N monthly partitions from 1950 on, with rows, an index and fresh statistics."""
    from django.conf import settings

    from core.bootstrap import admin_connect

    with admin_connect(dbname=settings.DATABASES["default"]["NAME"]) as conn:
        conn.execute(f"CREATE SCHEMA {SCHEMA}")
        conn.execute(f"CREATE TABLE {SCHEMA}.events (at timestamptz NOT NULL, v int, note text) "
                     "PARTITION BY RANGE (at)")
        conn.execute(f"CREATE INDEX events_v_idx ON {SCHEMA}.events (v)")
        with conn.transaction():
            for i in range(partitions):
                year, month = 1950 + i // 12, i % 12 + 1
                upper = (year + month // 12, month % 12 + 1)
                conn.execute(f"CREATE TABLE {SCHEMA}.events_p{i:05d} PARTITION OF {SCHEMA}.events "
                             f"FOR VALUES FROM ('{year:04d}-{month:02d}-01') TO ('{upper[0]:04d}-{upper[1]:02d}-01')")
            conn.execute(f"CREATE TABLE {SCHEMA}.events_default PARTITION OF {SCHEMA}.events DEFAULT")
        conn.execute(
            f"INSERT INTO {SCHEMA}.events SELECT timestamptz '1950-01-01' + (g * interval '1 hour') * "
            f"(({partitions} * 730.0) / {partitions * rows_per_partition}), g, 'row ' || g "
            f"FROM generate_series(0, {partitions * rows_per_partition - 1}) g"
        )
        conn.execute(f"ANALYZE {SCHEMA}.events")


def bare_queries() -> None:
    from django.db import connections

    from monitoring import catalog

    with connections["default"].cursor() as cursor:
        catalog.fresh_statistics(cursor)
        catalog.server(cursor)
        catalog.relations(cursor)
        catalog.indexes(cursor)
        catalog.activity(cursor)
        catalog.horizon_holders(cursor)
        catalog.vacuum_progress(cursor)
        catalog.sequences(cursor)


def timed(function, repeat: int) -> float:
    """Median wall time of `function` in milliseconds."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partitions", type=int, default=1000)
    parser.add_argument("--rows", type=int, default=20, help="rows per partition")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    os.environ["PYTEST_XDIST_WORKER"] = "opsbench"
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client, override_settings

    from console.personas import grant_persona
    from core.testing import create_test_database, drop_test_database
    from monitoring import snapshot

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    name = create_test_database()
    # Plain static storage: the page renders without a collectstatic manifest.
    storages = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    try:
        started = time.perf_counter()
        build(args.partitions, args.rows)
        build_s = time.perf_counter() - started
        otto = get_user_model().objects.create_user(username="otto-bench")
        grant_persona(otto, "ops")
        client = Client()
        client.force_login(otto)
        with override_settings(STORAGES=storages):

            def page_uncached():
                snapshot.forget()
                response = client.get("/ops/")
                assert response.status_code == 200, response.status_code

            def page_cached():
                assert client.get("/ops/").status_code == 200

            page_uncached()  # warm: connections, templates, permission caches
            bare_queries()
            # Interleaved rounds, so a neighbour's load on the shared machine hits all three alike.
            queries, pages, cached = [], [], []
            for _ in range(args.repeat):
                queries.append(timed(bare_queries, 1))
                pages.append(timed(page_uncached, 1))
                cached.append(timed(page_cached, 3))
            queries_ms, page_ms, cached_ms = map(statistics.median, (queries, pages, cached))
            snap = snapshot.current()
            roots = {r["label"]: r for r in snap["roots"]}
            assert roots[f"{SCHEMA}.events"]["partitions"] == args.partitions
    finally:
        drop_test_database(name)
    print(f"{args.partitions} partitions built in {build_s:.1f} s; catalog queries {queries_ms:.1f} ms, "
          f"overview uncached {page_ms:.1f} ms, cached {cached_ms:.2f} ms", file=sys.stderr)
    print(json.dumps({
        "partitions": args.partitions,
        "queries_ms": round(queries_ms, 2),
        "page_ms": round(page_ms, 2),
        "cached_ms": round(cached_ms, 2),
        "ratio_page_vs_queries": round(page_ms / queries_ms, 3),
        "ratio_cached_vs_queries": round(cached_ms / queries_ms, 4),
    }))


if __name__ == "__main__":
    main()

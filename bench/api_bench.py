"""API streaming benchmark: N location points as NDJSON, against COPY of the same rows, in one run.

    python bench/api_bench.py --rows 1000000

Builds a scratch lake (bench/scratch.py), loads N points for one user over a
year, starts the production server (gunicorn, one worker) and measures, one
after the other and --repeat times each (the best round counts):

* stream: GET /api/v1/location/points with Accept: application/x-ndjson and
  a read:location token, read to the end over HTTP (every line counted);
* copy:   the baseline, `COPY (SELECT <the same columns> FROM
          timeseries.location_point ORDER BY <the same key>) TO STDOUT` as the
          app role in the same user scope, read to the end.

While the stream runs, the server worker's RSS is sampled every 50 ms;
`server_rss_growth_mb` is the peak minus the RSS just before the request.
The last line printed is one JSON object: rows, stream_rows_per_s,
copy_rows_per_s, ratio_vs_copy, server_rss_growth_mb (and details).
"""

import argparse
import datetime as dt
import json
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "datalake.settings")

from bench.scratch import scratch_lake  # noqa: E402

START = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
END = dt.datetime(2024, 12, 31, 23, tzinfo=dt.UTC)

LOAD_SQL = """
INSERT INTO timeseries.location_point (user_id, recorded_at, utc_offset_minutes, lat_e7, lng_e7, accuracy_m,
                                       altitude_m, velocity_mps, source, device_tag, platform, activity_type,
                                       product, import_run_id)
SELECT %(user)s, %(start)s::timestamptz + (g * %(step)s) * interval '1 second', 60,
       (41.3 + random() * 9.8) * 1e7, (-5.2 + random() * 14.8) * 1e7, 20, 35.5, 1.25, 'GPS', 1, 'ANDROID', '',
       'location.records', 1
  FROM generate_series(%(first)s, %(last)s) AS g
"""


def load(user_id: int, rows: int) -> float:
    from django.db import connection

    from core.maintenance import ensure_partitions_for
    from core.rls import user_scope
    from sources.location.tables import LOCATION_POINT

    ensure_partitions_for(LOCATION_POINT, START, END)
    step = (END - START).total_seconds() / rows
    began = time.perf_counter()
    for first in range(0, rows, 500_000):
        with user_scope(user_id), connection.cursor() as cursor:
            cursor.execute(LOAD_SQL, {"user": user_id, "start": START, "step": step, "first": first,
                                      "last": min(rows, first + 500_000) - 1})
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE timeseries.location_point")
    return time.perf_counter() - began


def _worker(server):
    import psutil

    children = psutil.Process(server.pid).children(recursive=True)
    return children[0] if children else psutil.Process(server.pid)


def stream(url: str, token: str, worker) -> tuple[int, float, float]:
    """(rows, seconds, RSS growth in MB) of one NDJSON stream read to its end."""
    import requests

    before = worker.memory_info().rss
    peak = [before]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], worker.memory_info().rss)
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    rows = 0
    began = time.perf_counter()
    with requests.get(f"{url}/api/v1/location/points", stream=True, timeout=600, headers={
            "Authorization": f"Bearer {token}", "Accept": "application/x-ndjson"}) as answer:
        answer.raise_for_status()
        for chunk in answer.iter_content(1 << 20):
            rows += chunk.count(b"\n")
    seconds = time.perf_counter() - began
    done.set()
    sampler.join()
    return rows, seconds, (peak[0] - before) / 2**20


def copy(user_id: int) -> tuple[int, float]:
    from django.db import connection
    from psycopg import sql

    from api import queries
    from api.datasets import all_datasets
    from core.rls import user_scope

    ds = next(d for d in all_datasets() if d.path == "location/points")
    statement = sql.SQL("COPY ({}) TO STDOUT").format(queries.select(
        ds, sql.SQL(", ").join(sql.Identifier(c.name) for c in ds.columns), queries.Filters()))
    rows = 0
    began = time.perf_counter()
    with user_scope(user_id), connection.cursor() as cursor, cursor.connection.cursor().copy(statement) as copying:
        for block in copying:
            rows += bytes(block).count(b"\n")
    return rows, time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()

    with scratch_lake("api_bench"):
        from django.contrib.auth import get_user_model

        from api import tokens
        from console.personas import grant_persona
        from core.testing import database_url_for_children, running_console

        user = get_user_model().objects.create_user("bench")
        grant_persona(user, "user")
        load_seconds = load(user.pk, args.rows)
        _, token = tokens.create_token(user, ["read:location"])
        env = dict(os.environ, DATABASE_URL=database_url_for_children(), API_RATE_LIMIT_PER_MINUTE="100000")
        streams, copies = [], []
        with running_console(env, threads=2) as (url, server):
            worker = _worker(server)
            for _ in range(args.repeat):
                streams.append(stream(url, token, worker))
                copies.append(copy(user.pk))
        best_stream = min(streams, key=lambda s: s[1])
        best_copy = min(copies, key=lambda c: c[1])
        if best_stream[0] != args.rows or best_copy[0] != args.rows:
            sys.exit(f"row counts differ: stream {best_stream[0]}, copy {best_copy[0]}, loaded {args.rows}")
        stream_rate, copy_rate = args.rows / best_stream[1], args.rows / best_copy[1]
        result = {
            "rows": args.rows,
            "stream_rows_per_s": round(stream_rate),
            "copy_rows_per_s": round(copy_rate),
            "ratio_vs_copy": round(stream_rate / copy_rate, 3),
            "server_rss_growth_mb": round(max(s[2] for s in streams), 1),
            "stream_seconds": [round(s[1], 2) for s in streams],
            "copy_seconds": [round(c[1], 2) for c in copies],
            "load_seconds": round(load_seconds, 1),
        }
    print(json.dumps(result))


if __name__ == "__main__":
    main()

"""Map endpoint benchmark: N points for one user spread over a country.

    python bench/map_bench.py --points 2000000

Builds a scratch database (test_<name>_mapbench, bootstrapped and migrated
like the test suite's) and drops it afterwards. It loads N points for one
user over France: half around a few cities, half anywhere, over two years.
Then, in one run, as the app role under row-level security, it measures:

* map_low:  GET /lake/map/data for a France-sized viewport at zoom 6 (grid);
* map_high: the same for central Paris at zoom 16 (raw points, capped);
* count:    the baseline, a bare `SELECT count(*)` over the France viewport
            in the same user scope: the least any grid answer must do.

Each figure is the median of --repeat rounds after one warm-up; within a
round the contenders run one after another, so contention hits them alike. The endpoint
is measured through Django's test client (middleware, user scope, form
parsing, JSON), once per index path: `btree` (user_id, lat_e7, lng_e7) and,
where PostGIS is installed, `postgis` (GiST over the geography column).
The top-level figures are those of the configured MAP_BACKEND. The last line printed
is one JSON object.
"""

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path

from sources.location.tables import LOCATION_POINT

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "datalake.settings")

FRANCE = "-5.2,41.3,9.6,51.1"
PARIS = "2.30,48.84,2.40,48.88"
START = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
END = dt.datetime(2024, 12, 31, 23, tzinfo=dt.UTC)

# (lat, lng, spread in degrees) of the cities half the points cluster around.
CITIES = ((48.8566, 2.3522, 0.08), (45.764, 4.8357, 0.06), (43.2965, 5.3698, 0.06), (44.8378, -0.5792, 0.05),
          (50.6292, 3.0573, 0.05))

LOAD_SQL = """
INSERT INTO timeseries.location_point (user_id, recorded_at, utc_offset_minutes, lat_e7, lng_e7, accuracy_m,
                                       source, device_tag, platform, activity_type, product, import_run_id)
SELECT %(user)s,
       %(start)s::timestamptz + (g * %(step)s) * interval '1 second',
       60,
       CASE WHEN g %% 2 = 0 THEN (c.lat + (random() - 0.5) * c.spread) * 1e7
            ELSE (41.3 + random() * 9.8) * 1e7 END,
       CASE WHEN g %% 2 = 0 THEN (c.lng + (random() - 0.5) * c.spread * 1.5) * 1e7
            ELSE (-5.2 + random() * 14.8) * 1e7 END,
       20, 'GPS', 1, 'ANDROID', '', 'location.records', 1
  FROM generate_series(%(first)s, %(last)s) AS g
  JOIN (SELECT row_number() OVER () - 1 AS i, * FROM unnest(%(lats)s::float8[], %(lngs)s::float8[],
                                                         %(spreads)s::float8[]) AS t(lat, lng, spread)) AS c
    ON c.i = g %% %(cities)s
ON CONFLICT DO NOTHING
"""


def load(user_id: int, points: int) -> float:
    from django.db import connections, transaction

    from core.maintenance import ensure_partitions_for

    for table in (LOCATION_POINT,):
        ensure_partitions_for(table, START, END)
    step = (END - START).total_seconds() / points
    started = time.perf_counter()
    batch = 250_000
    for first in range(0, points, batch):
        with transaction.atomic(using="owner"), connections["owner"].cursor() as cursor:
            cursor.execute(LOAD_SQL, {
                "user": user_id, "start": START, "step": step, "first": first,
                "last": min(first + batch, points) - 1, "cities": len(CITIES),
                "lats": [c[0] for c in CITIES], "lngs": [c[1] for c in CITIES], "spreads": [c[2] for c in CITIES],
            })
    with connections["owner"].cursor() as cursor:
        # Fresh statistics and a visibility map, as autovacuum would leave them:
        # without it no scan can be index-only.
        cursor.execute("VACUUM (ANALYZE) timeseries.location_point")
    return time.perf_counter() - started


def interleaved(functions: dict, repeat: int) -> dict:
    """Median milliseconds and last result of each function, run round-robin.

    Round-robin rather than one after the other: on a shared machine a busy
    spell then slows every contender alike, and the ratios stay fair.
    """
    for function in functions.values():
        function()  # warm-up: caches, plans
    samples = {name: [] for name in functions}
    results = {}
    for _ in range(repeat):
        for name, function in functions.items():
            started = time.perf_counter()
            results[name] = function()
            samples[name].append((time.perf_counter() - started) * 1000)
    return {name: (round(statistics.median(samples[name]), 1), results[name]) for name in functions}


def measure(client, user_id: int, repeat: int) -> dict:
    from django.conf import settings
    from django.urls import reverse

    from core.rls import user_scope
    from explore import mapdata

    url = reverse("lake:map_data")
    configured = settings.MAP_BACKEND

    def get(backend, bbox, zoom):
        def run():
            settings.MAP_BACKEND = backend
            response = client.get(url, {"bbox": bbox, "zoom": zoom})
            assert response.status_code == 200, response.content[:300]
            return response.json()
        return run

    def count():
        with user_scope(user_id):
            return mapdata.viewport_count(mapdata.Viewport.parse(FRANCE), backend="btree")

    backends = ["btree"] + (["postgis"] if _has_postgis() else [])
    functions = {"count": count}
    for backend in backends:
        functions[f"{backend}_low"] = get(backend, FRANCE, 6)
        functions[f"{backend}_high"] = get(backend, PARIS, 16)
    timings = interleaved(functions, repeat)
    count_ms, viewport_points = timings["count"]
    results = {"count_ms": count_ms, "viewport_points": viewport_points}
    for backend in backends:
        low_ms, low = timings[f"{backend}_low"]
        high_ms, high = timings[f"{backend}_high"]
        assert low["total"] == viewport_points, (low["total"], viewport_points)
        results[backend] = {"map_low_ms": low_ms, "map_high_ms": high_ms, "features_low": len(low["features"]),
                            "features_high": len(high["features"]), "high_truncated": high["truncated"]}
    settings.MAP_BACKEND = configured
    results["auto"] = "postgis" if mapdata._backend(None) else "btree"
    return results


def _has_postgis() -> bool:
    """Whether the postgis path can be measured: where PostGIS is installed, its
    geography column is added as a migrate with MAP_BACKEND=postgis would
    (the btree default leaves it out)."""
    from django.conf import settings
    from django.db import connections

    from explore import mapdata
    from sources.location import geography

    configured, settings.MAP_BACKEND = settings.MAP_BACKEND, "postgis"
    try:
        with connections["owner"].cursor() as cursor:
            geography.sync(cursor)
    finally:
        settings.MAP_BACKEND = configured
    mapdata._postgis = None
    return mapdata.has_geography()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep-db", action="store_true", help="leave the scratch database for inspection")
    args = parser.parse_args()

    # Its own scratch database, so it never collides with a test run's.
    os.environ["PYTEST_XDIST_WORKER"] = "mapbench"
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from console.personas import grant_persona
    from core.testing import create_test_database, drop_test_database

    name = create_test_database()
    try:
        user = get_user_model().objects.create_user(username="bench")  # signed in by force_login
        grant_persona(user, "user")
        load_s = load(user.pk, args.points)
        print(f"loaded {args.points} points in {load_s:.1f} s", file=sys.stderr)
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        results = measure(client, user.pk, args.repeat)
    finally:
        if not args.keep_db:
            drop_test_database(name)
    chosen = results[results["auto"]]
    for backend in ("btree", "postgis"):
        if backend in results:
            print(f"{backend:8} low {results[backend]['map_low_ms']:8.1f} ms  high "
                  f"{results[backend]['map_high_ms']:8.1f} ms", file=sys.stderr)
    print(json.dumps({
        "points": args.points,
        "viewport_points": results["viewport_points"],
        "features_low": chosen["features_low"],
        "features_high": chosen["features_high"],
        "high_truncated": chosen["high_truncated"],
        "map_low_ms": chosen["map_low_ms"],
        "map_high_ms": chosen["map_high_ms"],
        "count_ms": results["count_ms"],
        "ratio_low_vs_count": round(chosen["map_low_ms"] / results["count_ms"], 2),
        "backend": results["auto"],
        "backends": {b: results[b] for b in ("btree", "postgis") if b in results},
        "load_s": round(load_s, 1),
    }))


if __name__ == "__main__":
    main()

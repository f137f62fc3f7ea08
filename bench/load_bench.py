"""Load benchmark: people browsing their lakes while others import, over loopback, bounded in time.

    python bench/load_bench.py --users 20 --seconds 120 --importers 2 --points 200000

Builds a scratch database (test_load_bench_<name>) and drops it afterwards.
`--users` signed-in people, each with a few thousand points of her own,
browse overview, map (its data at a city and a street zoom), a day, search
and stats in a loop, one request at a time each, for `--seconds`, against
the production web server (gunicorn, gthread) started by
core.testing.running_console. Meanwhile `--importers` people import a
`--points`-point Takeout each through `manage.py import_takeout` (the whole
pipeline in a child process, as a worker runs it; the tus upload before it
is measured by bench/upload_bench.py). The same import is first run alone,
so the rate under load has its baseline in the same run.

Reports requests and errors, p50/p95 per page, and the import rate under
load against alone. The last line printed is one JSON object.
"""

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "datalake.settings")

DAY = dt.date(2024, 5, 20)
POINTS_PER_BROWSER = 3000


def pages(day: dt.date) -> dict[str, tuple[str, dict]]:
    return {
        "overview": ("/", {}),  # the home page is the overview for a lake user
        "map": ("/lake/map/", {}),
        "map_data_city": ("/lake/map/data", {"bbox": "2.2,48.8,2.5,48.9", "zoom": 12}),
        "map_data_street": ("/lake/map/data", {"bbox": "2.33,48.85,2.36,48.87", "zoom": 16}),
        "day": (f"/lake/day/{day:%Y-%m-%d}/", {}),
        "search": ("/lake/search/", {"q": "cafe"}),
        "stats": ("/lake/stats/", {}),
    }


def fill(user_id: int, seed: int) -> None:
    """A day of points around Paris for one browsing person, straight into her partition."""
    from django.db import connections

    start = dt.datetime.combine(DAY, dt.time(6), tzinfo=dt.UTC)
    with connections["owner"].cursor() as cursor:
        cursor.execute(
            "INSERT INTO timeseries.location_point (user_id, recorded_at, lat_e7, lng_e7, product, source, "
            "platform, activity_type) SELECT %s, %s + make_interval(secs => g * 10), "
            "488566000 + ((g * 7919 + %s) %% 200000) - 100000, 23522000 + ((g * 104729 + %s) %% 300000) - 150000, "
            "'location.records', '', '', '' FROM generate_series(1, %s) g",
            [user_id, start, seed, seed, POINTS_PER_BROWSER])


def import_takeout(env: dict, username: str, archive: Path) -> float:
    """Points per second of one `import_takeout`, from the run row's start and finish."""
    from django.db import connections

    result = subprocess.run([sys.executable, str(ROOT / "manage.py"), "import_takeout", "--user", username,
                             str(archive), "--json"], env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"import failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    with connections["owner"].cursor() as cursor:
        cursor.execute("SELECT extract(epoch FROM finished_at - started_at) FROM imports.import_run WHERE id = %s",
                       [summary["run"]])
        seconds = float(cursor.fetchone()[0])
    return summary["products"]["location.records"]["accepted"] / seconds


class Browser(threading.Thread):
    """One person: the pages in turn, one request at a time, until `stop` is set."""

    def __init__(self, url: str, cookie: str, stop: threading.Event, day: dt.date):
        super().__init__(daemon=True)
        import requests

        self.session = requests.Session()
        self.session.cookies.set("sessionid", cookie)
        self.url, self.stop, self.pages = url, stop, pages(day)
        self.timings: dict[str, list[float]] = {name: [] for name in self.pages}
        self.errors: list[str] = []

    def run(self):
        while not self.stop.is_set():
            for name, (path, params) in self.pages.items():
                if self.stop.is_set():
                    return
                started = time.perf_counter()
                try:
                    response = self.session.get(self.url + path, params=params, timeout=30)
                    ok = response.status_code == 200 and "/accounts/login" not in response.url
                except Exception as error:  # noqa: BLE001 - every failure is counted and named
                    ok, response = False, error
                self.timings[name].append((time.perf_counter() - started) * 1000)
                if not ok:
                    self.errors.append(f"{name}: {getattr(response, 'status_code', response)}")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--importers", type=int, default=2)
    parser.add_argument("--points", type=int, default=200_000)
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads of the one web worker")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from import_bench import write_takeout

    from console.personas import grant_persona
    from core.embedded import EmbeddedServices
    from core.maintenance import ensure_partitions_for
    from core.testing import create_test_database, database_url_for_children, drop_test_database, running_console
    from sources.location.tables import LOCATION_POINT

    services = EmbeddedServices().start()
    settings.DATABASE_ADMIN["NAME"] = f"test_load_bench_{settings.DATABASE_ADMIN['NAME']}"
    name = create_test_database()
    work = Path(tempfile.mkdtemp(prefix="load-bench-"))
    try:
        people = get_user_model().objects
        ensure_partitions_for(LOCATION_POINT, dt.datetime.combine(DAY, dt.time(), tzinfo=dt.UTC),
                              dt.datetime.combine(DAY, dt.time(23), tzinfo=dt.UTC))
        browsers_users = []
        for i in range(args.users):
            user = people.create_user(f"browser{i}")
            grant_persona(user, "user")
            fill(user.pk, seed=i * 31)
            browsers_users.append(user)
        importers = []
        for i in range(args.importers + 1):  # the first imports alone, for the baseline
            user = people.create_user(f"importer{i}")
            grant_persona(user, "user")
            importers.append(user)
        archives = []
        for i in range(args.importers + 1):
            archive = work / f"takeout-{i}.zip"
            write_takeout(archive, args.points, seed=100 + i)
            archives.append(archive)
        env = dict(os.environ, DATABASE_URL=database_url_for_children(), REDIS_URL=settings.REDIS_URL,
                   VAR_DIR=str(settings.VAR_DIR), DEBUG="false")

        alone = import_takeout(env, importers[0].username, archives[0])
        print(f"import alone: {alone:,.0f} points/s", flush=True)

        # As `manage.py serve` does before serving: the pages need the static manifest.
        call_command("collectstatic", interactive=False, verbosity=0)
        cookies = []
        for user in browsers_users:
            client = Client()
            client.force_login(user)
            cookies.append(client.cookies["sessionid"].value)
        with running_console(env, threads=args.threads) as (url, _server):
            stop = threading.Event()
            browsers = [Browser(url, cookie, stop, DAY) for cookie in cookies]
            rates: list[float] = []
            failures: list[str] = []

            def run_import(user, archive):
                try:
                    rates.append(import_takeout(env, user.username, archive))
                except RuntimeError as error:
                    failures.append(str(error)[:500])

            imports = [threading.Thread(target=run_import, args=(user, archive))
                       for user, archive in zip(importers[1:], archives[1:], strict=True)]
            started = time.monotonic()
            for thread in browsers + imports:
                thread.start()
            time.sleep(args.seconds)
            stop.set()
            for thread in browsers:
                thread.join(timeout=60)
            for thread in imports:  # an import longer than the browsing is waited for, not cut
                thread.join()
            elapsed = time.monotonic() - started
    finally:
        for path in sorted(work.glob("*")):
            path.unlink()
        work.rmdir()
        drop_test_database(name)
        services.stop()

    per_page = {}
    for page in pages(DAY):
        values = [v for b in browsers for v in b.timings[page]]
        per_page[page] = {"requests": len(values), "p50_ms": round(percentile(values, 50), 1),
                          "p95_ms": round(percentile(values, 95), 1)}
    errors = [e for b in browsers for e in b.errors] + failures
    under_load = statistics.mean(rates) if rates else 0.0
    for page, figures in per_page.items():
        print(f"{page:>16}: {figures['requests']:5d} requests, p50 {figures['p50_ms']:7.1f} ms, "
              f"p95 {figures['p95_ms']:7.1f} ms", flush=True)
    if errors:
        print("errors (first 10):", *errors[:10], sep="\n  ", flush=True)
    print(json.dumps({
        "users": args.users, "seconds": round(elapsed, 1), "importers": args.importers, "points": args.points,
        "requests": sum(p["requests"] for p in per_page.values()), "errors": len(errors),
        "p95_ms_max": max(p["p95_ms"] for p in per_page.values()),
        "pages": per_page,
        "import_alone_points_per_s": round(alone),
        "import_under_load_points_per_s": round(under_load),
        "import_ratio_under_load": round(under_load / alone, 3) if alone else None,
        "load_avg_1m": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }))


if __name__ == "__main__":
    main()

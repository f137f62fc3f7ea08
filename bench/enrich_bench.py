"""Enrichment benchmark: stays, trips, places and zones from N generated points, against a plain scan.

    python bench/enrich_bench.py --points 2000000

It generates a multi-year history in a scratch lake (bench/scratch.py): nights at
home, weekday commutes by car to work, weekend outings to a few dozen spots in
the city, and every seventh week a trip abroad (a flight, hotel nights, walks),
fixes every 3 minutes when still and every 20 seconds when moving, as
Records.json has them (no stated offset: every zone comes from the coordinates).
The rows are COPY'd in as the owner. Then:

* scan: ``SELECT`` of the same points in time order through a server-side cursor
  (what enrichment reads, without doing anything with it): the baseline;
* full: ``manage.py enrich --user bench --rebuild --json`` in a child process,
  whose peak RSS (getrusage) is ``peak_rss_mb``, gazetteer and zone data included;
* incremental_day: one more day of points appended, then ``enrich`` of that day
  in this process, as an import run's end asks for it, warm (a worker loads the
  gazetteer once); ``checksum_pass_ms`` is the pass a deletion asks for instead,
  which compares every day's checksum.

The last line printed is one JSON object: points, full_seconds, scan_seconds,
ratio_vs_scan, incremental_day_ms, peak_rss_mb (and what the run produced).
"""

import argparse
import datetime as dt
import io
import json
import math
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "datalake.settings")

from bench.scratch import PEAK_WRAPPER, scratch_lake  # noqa: E402

M_PER_DEG = 111_195.0
HOME, WORK = (48.8566, 2.3522), (48.8925, 2.2369)
CITIES = ((41.3874, 2.1686), (52.5200, 13.4050), (40.4168, -3.7038), (45.4642, 9.1900), (51.5072, -0.1276),
          (40.7128, -74.0060), (35.6762, 139.6503), (38.7223, -9.1393), (59.3293, 18.0686), (-33.8688, 151.2093))
STILL, MOVING = dt.timedelta(minutes=3), dt.timedelta(seconds=20)


class History:
    """Fixes of a generated life, streamed: (at, lat_e7, lng_e7, accuracy)."""

    def __init__(self, seed: int = 13):
        self.rng = random.Random(seed)
        self.spots = [(HOME[0] + self.rng.uniform(-0.06, 0.06), HOME[1] + self.rng.uniform(-0.09, 0.09))
                      for _ in range(40)]

    def _fix(self, at, lat, lng, jitter):
        cos = math.cos(math.radians(lat))
        return (at, round((lat + self.rng.gauss(0, jitter) / M_PER_DEG) * 1e7),
                round((lng + self.rng.gauss(0, jitter) / (M_PER_DEG * cos)) * 1e7), round(self.rng.uniform(5, 40)))

    def dwell(self, at, until, where):
        while at < until:
            yield self._fix(at, *where, 15.0)
            at += STILL

    def move(self, at, until, a, b):
        seconds = (until - at).total_seconds()
        start = at
        while at < until:
            f = (at - start).total_seconds() / seconds
            yield self._fix(at, a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, 6.0)
            at += MOVING

    def day(self, day: dt.date, where=None):
        """One day (UTC times; Paris is close enough to UTC for a generated routine)."""
        t = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
        h = dt.timedelta(hours=1)
        base = where or HOME
        if where is not None:  # abroad: hotel night, two walks to sights, hotel evening
            sight = (base[0] + self.rng.uniform(-0.02, 0.02), base[1] + self.rng.uniform(-0.02, 0.02))
            yield from self.dwell(t, t + 9 * h, base)
            yield from self.move(t + 9 * h, t + 9.5 * h, base, sight)
            yield from self.dwell(t + 9.5 * h, t + 17 * h, sight)
            yield from self.move(t + 17 * h, t + 17.5 * h, sight, base)
            yield from self.dwell(t + 17.5 * h, t + 24 * h, base)
        elif day.weekday() < 5:
            yield from self.dwell(t, t + 7.5 * h, HOME)
            yield from self.move(t + 7.5 * h, t + 8 * h, HOME, WORK)
            yield from self.dwell(t + 8 * h, t + 16.5 * h, WORK)
            yield from self.move(t + 16.5 * h, t + 17 * h, WORK, HOME)
            yield from self.dwell(t + 17 * h, t + 24 * h, HOME)
        else:
            spot = self.rng.choice(self.spots)
            yield from self.dwell(t, t + 10 * h, HOME)
            yield from self.move(t + 10 * h, t + 10.75 * h, HOME, spot)
            yield from self.dwell(t + 10.75 * h, t + 15 * h, spot)
            yield from self.move(t + 15 * h, t + 15.75 * h, spot, HOME)
            yield from self.dwell(t + 15.75 * h, t + 24 * h, HOME)

    def days(self, first: dt.date):
        """(day, fixes) from `first` on, forever; a week abroad every seventh week (the flights are gaps)."""
        day = first
        while True:
            week = (day - first).days // 7
            abroad = CITIES[week // 7 % len(CITIES)] if week % 7 == 6 else None
            yield day, list(self.day(day, abroad))
            day += dt.timedelta(days=1)


def _copy(cursor, user_id: int, rows) -> None:
    buffer = io.StringIO()
    for at, lat, lng, accuracy in rows:
        buffer.write(f"{user_id}\t{at.isoformat()}\t{lat}\t{lng}\t{accuracy}\tGPS\t\t\tlocation.records\n")
    buffer.seek(0)
    with cursor.copy("COPY timeseries.location_point (user_id, recorded_at, lat_e7, lng_e7, accuracy_m, source,"
                     " platform, activity_type, product) FROM STDIN") as copy:
        while chunk := buffer.read(1 << 20):
            copy.write(chunk)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", type=int, default=200_000)
    args = parser.parse_args()

    with scratch_lake("enrich_bench"):
        from django.contrib.auth import get_user_model
        from django.db import connections

        from core.maintenance import ensure_partitions_for
        from core.rls import user_scope
        from core.testing import database_url_for_children
        from sources import geo
        from sources.derived import actions
        from sources.location.tables import LOCATION_POINT

        user = get_user_model().objects.create_user("bench")
        history = History()
        first = dt.date(2016, 1, 4)
        days = history.days(first)
        written, last_day = 0, first
        with connections["owner"].cursor() as cursor:
            batch = []
            for day, fixes in days:
                if written + len(batch) + len(fixes) > args.points:
                    break
                batch += fixes
                last_day = day
                if len(batch) >= 200_000:
                    _copy(cursor, user.pk, batch)
                    written, batch = written + len(batch), []
            _copy(cursor, user.pk, batch)
            written += len(batch)
        ensure_partitions_for(LOCATION_POINT, dt.datetime.combine(first, dt.time(), tzinfo=dt.UTC),
                              dt.datetime.combine(last_day, dt.time(), tzinfo=dt.UTC) + dt.timedelta(days=40))
        with connections["owner"].cursor() as cursor:
            cursor.execute("ANALYZE timeseries.location_point")

        # --- baseline: the same points, in the same order, through a server-side cursor ---------
        started = time.perf_counter()
        scanned = 0
        with user_scope(user.pk), connections["default"].connection.cursor(name="scan") as cursor:
            cursor.itersize = 20_000
            cursor.execute("SELECT recorded_at, lat_e7, lng_e7, accuracy_m, utc_offset_minutes, activity_type"
                           " FROM timeseries.location_point ORDER BY recorded_at, lat_e7, lng_e7")
            for _ in cursor:
                scanned += 1
        scan_seconds = time.perf_counter() - started

        # --- full enrichment in a child of its own: its peak RSS alone ---------------------------
        env = dict(os.environ, DATABASE_URL=database_url_for_children())
        started = time.perf_counter()
        result = subprocess.run([sys.executable, "-c", PEAK_WRAPPER, sys.executable, str(ROOT / "manage.py"),
                                 "enrich", "--user", str(user.pk), "--rebuild", "--json"],
                                env=env, cwd=ROOT, capture_output=True, text=True, check=False)
        full_seconds = time.perf_counter() - started
        if result.returncode != 0:
            sys.exit(f"enrich failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
        peak_rss_mb = int(result.stderr.strip().splitlines()[-1].split()[-1]) / 1024
        full = json.loads(result.stdout.strip().splitlines()[-1])

        # --- one more day, enriched incrementally (warm: a worker loads the gazetteer once) -------
        started = time.perf_counter()
        geo.place_name(*HOME)
        geo.zone_name(*HOME)
        load_ms = (time.perf_counter() - started) * 1000
        day, fixes = next(days)
        with connections["owner"].cursor() as cursor:
            _copy(cursor, user.pk, fixes)
        # As after an import run or a live batch: the days it brought are named.
        after, seconds = actions.timed_enrich(user.pk, days=[day])
        # As after a deletion: every day's checksum compared (nothing left to rebuild here).
        _, check_seconds = actions.timed_enrich(user.pk)

    summary = {
        "points": written, "full_seconds": round(full_seconds, 2), "scan_seconds": round(scan_seconds, 2),
        "ratio_vs_scan": round(full_seconds / scan_seconds, 2), "incremental_day_ms": round(seconds * 1000, 1),
        "peak_rss_mb": round(peak_rss_mb, 1), "scanned": scanned, "days": full["days"], "stays": full["stays"],
        "trips": full["trips"], "places": full["places"], "stays_after_day": after["stays"],
        "gazetteer_and_zones_load_ms": round(load_ms, 1), "checksum_pass_ms": round(check_seconds * 1000, 1),
        "years": round((last_day - first).days / 365.25, 1),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()

"""Import pipeline benchmark: a generated Records.json in a Takeout zip, end to end.

    python bench/import_bench.py --points 1000000

Works against the embedded default and against DATABASE_URL/REDIS_URL; it
builds a scratch database (test_<name>, bootstrapped and migrated like the
test suite's) and drops it afterwards. In one run it measures:

* import: `manage.py import_takeout` in a child process, as the app role,
  through the whole pipeline (zip reader, detection, parser, staging COPY,
  INSERT ... ON CONFLICT under row-level security, partition creation,
  ANALYZE). Rate = points / (run finished - run started) from the run row;
  peak RSS is the child's maximum resident set (getrusage).
* copy: the baseline. The imported rows are exported, the table truncated,
  and the same rows COPY'd FROM STDIN straight back into the same
  partitioned table, with the same partitions and indexes. This runs as the
  owner role: PostgreSQL refuses COPY into a table with row-level security
  to the app role, which is why the pipeline stages and INSERTs at all.
* gtp: google_takeout_parser's parse-only rate on the same Records.json
  (its `_parse_location_history`, which loads the whole file), in a child
  process so its memory does not count against ours.
* peer: dogsheep's google-takeout-to-sqlite 0.2, a peer that parses *and*
  stores: the same history written as the legacy `Location History.json`
  (timestampMs, the only layout it reads) in a Takeout zip, loaded by its
  `save_location_history` into a fresh SQLite file, in a child process.
  Rate = points / the time of that call.

The last line printed is one JSON object.
"""

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "datalake.settings")

COLUMNS = ("user_id, recorded_at, utc_offset_minutes, lat_e7, lng_e7, accuracy_m, altitude_m, vertical_accuracy_m, "
           "velocity_mps, heading_deg, source, device_tag, platform, activity_type, activity_confidence, product, "
           "import_run_id")
ACTIVITIES = ("STILL", "ON_FOOT", "WALKING", "IN_VEHICLE", "ON_BICYCLE", "TILTING", "UNKNOWN")


def _record(rng: random.Random, i: int, at: float, lat: int, lng: int, legacy: bool = False) -> dict:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(at)) + f".{int(at * 1000) % 1000:03d}Z"
    record = {"latitudeE7": lat, "longitudeE7": lng, "accuracy": rng.randint(3, 60),
              "source": rng.choice(("GPS", "WIFI", "CELL")), "deviceTag": 335552189, "platformType": "ANDROID"}
    # The legacy export (Location History.json) stamped fixes in epoch milliseconds.
    record.update({"timestampMs": str(int(at * 1000))} if legacy else {"timestamp": stamp})
    if i % 3 == 0:  # moving fixes carry speed, heading and altitude
        record.update(velocity=rng.randint(0, 30), heading=rng.randint(0, 359), altitude=rng.randint(20, 400),
                      verticalAccuracy=rng.randint(2, 30))
    if i % 10 == 0:
        record["activity"] = [{"activity": [{"type": rng.choice(ACTIVITIES), "confidence": rng.randint(30, 100)}],
                               "timestamp": stamp}]
    return record


def write_takeout(path: Path, points: int, seed: int = 7, legacy: bool = False) -> None:
    """A Takeout zip whose Records.json holds `points` realistic records, written as a stream.
    legacy: the same records as the old `Location History/Location History.json`."""
    rng = random.Random(seed)
    lat, lng = 525121303, 134309551
    at = 1_546_300_800.0  # 2019-01-01, one fix every ~45 s: a few years of history
    settings = {"deviceSettings": [{"deviceTag": 335552189, "devicePrettyName": "Pixel 7",
                                    "platformType": "ANDROID"}]}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        archive.writestr("Takeout/archive_browser.html", "<html><div class='service-details'></div></html>")
        archive.writestr("Takeout/Location History (Timeline)/Settings.json", json.dumps(settings))
        member = ("Takeout/Location History/Location History.json" if legacy
                  else "Takeout/Location History (Timeline)/Records.json")
        with archive.open(member, "w", force_zip64=True) as out:
            out.write(b'{\n  "locations": [')
            chunk, separator = [], ""
            for i in range(points):
                at += rng.uniform(5, 85)
                lat += rng.randint(-900, 900)
                lng += rng.randint(-1400, 1400)
                # Google's layout: two-space indentation, one key per line.
                chunk.append(json.dumps(_record(rng, i, at, lat, lng, legacy), indent=2).replace("\n", "\n    "))
                if len(chunk) == 10_000 or i == points - 1:
                    out.write((separator + ", ".join(chunk)).encode())
                    chunk, separator = [], ", "
            out.write(b"]\n}\n")


GTP_CHILD = """
import sys, time
from pathlib import Path
from google_takeout_parser.parse_json import _parse_location_history
started = time.perf_counter()
count = sum(1 for item in _parse_location_history(Path(sys.argv[1])) if not isinstance(item, Exception))
print(count, time.perf_counter() - started)
"""

PEER_CHILD = """
import sys, time, warnings, zipfile
import sqlite_utils
from google_takeout_to_sqlite.utils import save_location_history
warnings.simplefilter("ignore")  # its datetime.utcfromtimestamp is deprecated, not wrong
db = sqlite_utils.Database(sys.argv[2])
with zipfile.ZipFile(sys.argv[1]) as archive:
    started = time.perf_counter()
    save_location_history(db, archive)
    seconds = time.perf_counter() - started
print(db["location_history"].count, seconds)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--peer-points", type=int, default=None,
                        help="points for google-takeout-to-sqlite (default: --points); it loads the whole file "
                             "and stores a few thousand rows a second, so a shorter history saves minutes")
    parser.add_argument("--keep-db", action="store_true", help="leave the scratch database for inspection")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connections

    from core.embedded import EmbeddedServices
    from core.testing import create_test_database, database_url_for_children, drop_test_database

    services = EmbeddedServices().start()
    # A scratch database of its own, so a test run on the same server is not disturbed.
    settings.DATABASE_ADMIN["NAME"] = f"test_import_bench_{settings.DATABASE_ADMIN['NAME']}"
    name = create_test_database()
    work = Path(tempfile.mkdtemp(prefix="import-bench-"))
    try:
        archive = work / "takeout-20240101T000000Z-001.zip"
        started = time.perf_counter()
        write_takeout(archive, args.points)
        print(f"generated {args.points} points, {archive.stat().st_size / 2**20:.0f} MiB zip, "
              f"{time.perf_counter() - started:.1f} s", flush=True)
        get_user_model().objects.create_user("bench")

        # --- the import, in a child process -----------------------------------
        env = dict(os.environ, DATABASE_URL=database_url_for_children())
        wall = time.perf_counter()
        result = subprocess.run([sys.executable, str(ROOT / "manage.py"), "import_takeout", "--user", "bench",
                                 str(archive), "--json"], env=env, cwd=ROOT, capture_output=True, text=True,
                                check=False)
        wall = time.perf_counter() - wall
        peak_rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        if result.returncode != 0:
            sys.exit(f"import failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
        summary = json.loads(result.stdout.strip().splitlines()[-1])
        accepted = summary["products"]["location.records"]["accepted"]
        with connections["owner"].cursor() as cursor:
            cursor.execute("SELECT extract(epoch FROM finished_at - started_at) FROM imports.import_run WHERE id = %s",
                           [summary["run"]])
            seconds = float(cursor.fetchone()[0])
            cursor.execute("SELECT count(*) FROM timeseries.location_point")
            points_in_table = cursor.fetchone()[0]
        if points_in_table != args.points:
            sys.exit(f"the import left {points_in_table} rows for {args.points} points")
        import_rate = points_in_table / seconds
        print(f"import: {accepted} rows in {seconds:.1f} s = {import_rate:,.0f} rows/s "
              f"(process wall {wall:.1f} s), peak RSS {peak_rss_mb:.0f} MB", flush=True)

        # --- raw COPY of the same rows into the same table, as the owner ------------
        dump = work / "rows.copy"
        owner = connections["owner"]
        owner.ensure_connection()
        raw = owner.connection
        raw.autocommit = True
        with raw.cursor() as cursor:
            with dump.open("wb") as out, cursor.copy(
                    f"COPY (SELECT {COLUMNS} FROM timeseries.location_point) TO STDOUT") as copy:
                for block in copy:
                    out.write(block)
            cursor.execute("TRUNCATE timeseries.location_point")
            started = time.perf_counter()
            with dump.open("rb") as rows, cursor.copy(f"COPY timeseries.location_point ({COLUMNS}) FROM STDIN") as copy:
                while block := rows.read(2**20):
                    copy.write(block)
            copy_seconds = time.perf_counter() - started
            cursor.execute("SELECT count(*) FROM timeseries.location_point")
            copied = cursor.fetchone()[0]
        if copied != points_in_table:
            sys.exit(f"the baseline copied {copied} rows, the import left {points_in_table}")
        copy_rate = copied / copy_seconds
        print(f"copy:   {copied} rows in {copy_seconds:.1f} s = {copy_rate:,.0f} rows/s", flush=True)

        # --- google_takeout_parser, parse only ------------------------------------------
        records = work / "Records.json"
        with zipfile.ZipFile(archive) as source, source.open(
                "Takeout/Location History (Timeline)/Records.json") as member, records.open("wb") as out:
            while block := member.read(2**20):
                out.write(block)
        gtp = subprocess.run([sys.executable, "-c", GTP_CHILD, str(records)], capture_output=True, text=True,
                             check=True)
        gtp_count, gtp_seconds = gtp.stdout.split()
        gtp_rate = int(gtp_count) / float(gtp_seconds)
        print(f"gtp:    {gtp_count} rows parsed in {float(gtp_seconds):.1f} s = {gtp_rate:,.0f} rows/s", flush=True)
        records.unlink()

        # --- google-takeout-to-sqlite, parse and store -----------------------------
        legacy = work / "takeout-legacy.zip"
        peer_points = args.peer_points or args.points
        write_takeout(legacy, peer_points, legacy=True)
        peer = subprocess.run([sys.executable, "-c", PEER_CHILD, str(legacy), str(work / "peer.sqlite")],
                              capture_output=True, text=True, check=True)
        peer_count, peer_seconds = peer.stdout.split()
        if int(peer_count) != peer_points:
            sys.exit(f"the peer stored {peer_count} rows for {peer_points} points")
        peer_rate = int(peer_count) / float(peer_seconds)
        print(f"peer:   {peer_count} rows parsed and stored in {float(peer_seconds):.1f} s = {peer_rate:,.0f} rows/s",
              flush=True)
    finally:
        for path in sorted(work.glob("*")):
            path.unlink()
        work.rmdir()
        if not args.keep_db:
            drop_test_database(name)
        services.stop()

    print(json.dumps({
        "points": args.points,
        "import_rows_per_s": round(import_rate),
        "copy_rows_per_s": round(copy_rate),
        "ratio_vs_copy": round(import_rate / copy_rate, 3),
        "gtp_rows_per_s": round(gtp_rate),
        "ratio_vs_gtp": round(import_rate / gtp_rate, 3),
        "peer_points": peer_points,
        "peer_rows_per_s": round(peer_rate),
        "ratio_vs_peer": round(import_rate / peer_rate, 3),
        "peak_rss_mb": round(peak_rss_mb, 1),
        # Two cores shared with other work: the load says how quiet the machine was.
        "load_avg_1m": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }))


if __name__ == "__main__":
    main()

"""Lifecycle benchmark: archive one month of N points, drop it, restore it from the files.

    python bench/lifecycle_bench.py --points 500000

Builds a scratch database (test_<name>_lifebench, bootstrapped and migrated
like the test suite's) and drops it afterwards; archive files and keys go to
a temporary folder. In one run it measures:

* archive: `run_lifecycle` for the month: export under REPEATABLE READ to
  zstd Parquet encrypted per user, fsync, manifest, re-read + decrypt +
  verify against the table (a second full scan), DETACH into schema archive.
* copy_out: the baseline for it: `COPY (SELECT ... ORDER BY pk) TO STDOUT`
  of the same partition, the cheapest full read PostgreSQL offers.
* restore: `restore_archive` after the drop: decrypt, verify against the
  manifest, COPY into a new partition, verify again, ATTACH.
* copy_in: the baseline for it: the same rows COPY'd FROM STDIN into an
  empty copy of the partition.

The last line printed is one JSON object.
"""

import argparse
import datetime as dt
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "datalake.settings")
MONTH = dt.date(2020, 3, 1)


def load(user_id: int, points: int) -> None:
    from django.db import connections, transaction

    from core import partitions
    from sources.location.tables import LOCATION_POINT

    with transaction.atomic(using="owner"), connections["owner"].cursor() as cursor:
        partitions.ensure_partition(cursor, LOCATION_POINT, MONTH)
        cursor.execute(
            """
            INSERT INTO timeseries.location_point (user_id, recorded_at, utc_offset_minutes, lat_e7, lng_e7,
                   accuracy_m, altitude_m, velocity_mps, source, platform, activity_type, product, device_tag)
            SELECT %s, timestamptz '2020-03-01' + (i * interval '1 second') * (2592000.0 / %s),
                   CASE WHEN i %% 3 = 0 THEN 60 END, 488566000 + (i %% 100000), 23522000 - (i %% 77777),
                   (i %% 50) + 0.5, CASE WHEN i %% 3 = 0 THEN 35.25 END, CASE WHEN i %% 5 = 0 THEN i %% 30 END,
                   'GPS', 'ANDROID', CASE WHEN i %% 10 = 0 THEN 'WALKING' ELSE '' END,
                   CASE WHEN i %% 2 = 0 THEN 'location.records' ELSE 'location.semantic' END, 335552189
              FROM generate_series(0, %s - 1) AS i
            """,
            [user_id, points, points],
        )


def _columns() -> str:
    from django.db import connections

    from lifecycle.sql import columns
    from sources.location.tables import LOCATION_POINT

    # Stored columns only: a generated one (PostGIS geography) cannot be copied in.
    with connections["owner"].cursor() as cursor:
        return ", ".join(c.name for c in columns(cursor, LOCATION_POINT))


def copy_out(name: str) -> tuple[float, bytes]:
    from django.db import connections, transaction

    buffer = io.BytesIO()
    started = time.perf_counter()
    query = f"COPY (SELECT {_columns()} FROM timeseries.{name} ORDER BY user_id, recorded_at, lat_e7, lng_e7) TO STDOUT"
    with transaction.atomic(using="owner"), connections["owner"].cursor() as cursor, \
            cursor.cursor.copy(query) as copy:
        for chunk in copy:
            buffer.write(chunk)
    return time.perf_counter() - started, buffer.getvalue()


def copy_in(data: bytes) -> float:
    from django.db import connections, transaction

    started = time.perf_counter()
    with transaction.atomic(using="owner"), connections["owner"].cursor() as cursor:
        cursor.execute("CREATE TABLE public.bench_copy_in (LIKE timeseries.location_point INCLUDING ALL)")
        with cursor.cursor.copy(f"COPY public.bench_copy_in ({_columns()}) FROM STDIN") as copy:
            copy.write(data)
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE public.bench_copy_in")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=200_000)
    args = parser.parse_args()

    os.environ["PYTEST_XDIST_WORKER"] = "lifebench"
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from core.testing import create_test_database, drop_test_database
    from lifecycle.lifecycle import restore_archive, run_lifecycle
    from lifecycle.models import ArchivedPartition, Policy
    from vault.keyring import ensure_master_key

    folder = Path(tempfile.mkdtemp(prefix="lifebench-"))
    settings.ARCHIVE_DIR, settings.KEYS_DIR = folder / "archive", folder / "keys"
    settings.MASTER_KEY, settings.MASTER_KEY_FILE = "", folder / "keys" / "master.key"
    ensure_master_key()
    name = create_test_database()
    try:
        user = get_user_model().objects.create_user(username="bench")
        load(user.pk, args.points)
        partition = f"location_point_p{MONTH:%Y_%m}"
        copy_out_s, data = copy_out(partition)
        Policy.objects.create(name="bench", table="timeseries.location_point", archive_after_days=365,
                              quarantine_days=0)
        started = time.perf_counter()
        run = run_lifecycle()
        archive_s = time.perf_counter() - started
        record = ArchivedPartition.objects.get(partition_name=partition)
        assert run.outcome == "ok" and record.rows == args.points, run.error
        run_lifecycle(now=timezone.now() + dt.timedelta(seconds=1))  # drop: restore must use the files
        record.refresh_from_db()
        assert record.state == ArchivedPartition.State.DROPPED, record.state
        started = time.perf_counter()
        restore_archive(record.pk)
        restore_s = time.perf_counter() - started
        copy_in_s = copy_in(data)
    finally:
        drop_test_database(name)
    print(f"archive {archive_s:.2f} s vs COPY TO {copy_out_s:.2f} s; restore {restore_s:.2f} s vs COPY FROM "
          f"{copy_in_s:.2f} s; {record.table_bytes} bytes in PostgreSQL, {record.file_bytes} archived",
          file=sys.stderr)
    print(json.dumps({
        "points": args.points,
        "archive_s": round(archive_s, 3),
        "copy_out_s": round(copy_out_s, 3),
        "archive_vs_copy_out": round(archive_s / copy_out_s, 2),
        "archive_rows_per_s": round(args.points / archive_s),
        "restore_s": round(restore_s, 3),
        "copy_in_s": round(copy_in_s, 3),
        "restore_vs_copy_in": round(restore_s / copy_in_s, 2),
        "table_bytes": record.table_bytes,
        "file_bytes": record.file_bytes,
        "size_ratio": round(record.file_bytes / record.table_bytes, 3),
    }))


if __name__ == "__main__":
    main()

"""Builders for Takeout-shaped uploads, and helpers to run and inspect imports.

Every archive is built here in tmp_path; the real samples are read from
../shared/takeout-samples through the `shared_samples` fixture.
"""

import hashlib
import io
import json
import tarfile
import zipfile
from pathlib import Path

import pytest
from django.db import connections

from core.rls import user_scope
from imports.actions import RawFile


def raw_file(path: Path, name: str | None = None) -> RawFile:
    data = path.read_bytes()
    return RawFile(path=path, original_name=name or path.name, sha256=hashlib.sha256(data).hexdigest(),
                   size=len(data))


def records_json(points: list[tuple[str, int, int]], **extra) -> bytes:
    """A Records.json of (ISO timestamp, latE7, lngE7) points."""
    locations = [{"timestamp": at, "latitudeE7": lat, "longitudeE7": lng, "accuracy": 12, "source": "GPS",
                  "deviceTag": 1234, **extra} for at, lat, lng in points]
    return json.dumps({"locations": locations}).encode()


def minute_points(count: int, start_hour: int = 0, day: str = "2021-03-04") -> list[tuple[str, int, int]]:
    return [(f"{day}T{start_hour + i // 60:02d}:{i % 60:02d}:00.000Z", 480000000 + i, 20000000 + i)
            for i in range(count)]


def make_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def make_tgz(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


LH = "Takeout/Location History (Timeline)"


def count_rows(user, table: str, where: str = "") -> int:
    with user_scope(user.pk), connections["default"].cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table} {where}")  # noqa: S608 - test-only table names
        return cursor.fetchone()[0]


def all_rows(user, table: str, columns: str) -> list[tuple]:
    with user_scope(user.pk), connections["default"].cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table} ORDER BY 1, 2, 3")  # noqa: S608
        return cursor.fetchall()


def default_partition_rows(table: str) -> int:
    with connections["owner"].cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}_default")  # noqa: S608
        return cursor.fetchone()[0]


# The pipeline commits member by member on two connections (the app's, and
# the owner's for partition DDL), and workers run in other processes: every
# import test works on committed data, so the personas are made that way here.
@pytest.fixture
def alice(committed, make_user):
    return make_user("alice", "user")


@pytest.fixture
def bob(committed, make_user):
    return make_user("bob", "user")


@pytest.fixture
def import_files(committed, alice):
    """Create a run from files and process it in this process; returns the finished run."""
    from imports.actions import create_run
    from imports.models import ImportRun
    from imports.pipeline import process_run

    def run(*paths, user=alice, batch_rows=50_000):
        created = create_run(user, [raw_file(p) for p in paths], source=ImportRun.Source.COMMAND, enqueue=False)
        process_run(created.pk, batch_rows=batch_rows)
        with user_scope(user.pk):
            created.refresh_from_db()
        return created

    return run

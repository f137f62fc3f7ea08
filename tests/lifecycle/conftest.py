"""Fixtures for the lifecycle tests: a master key, two years of location data, and a clean archive."""

import datetime as dt
import shutil

import pytest
from django.conf import settings
from django.db import connections
from django.utils import timezone
from psycopg import sql

from core import partitions
from core.maintenance import ensure_partitions_for
from core.rls import user_scope
from sources.location.models import LocationPoint
from sources.location.tables import LOCATION_POINT

LOCATION_FIELDS = [f.attname for f in LocationPoint._meta.concrete_fields]


@pytest.fixture(autouse=True)
def master_key(settings, tmp_path):
    """A fresh key setup per test; the archive tree in its own folder."""
    from vault.keyring import ensure_master_key

    settings.KEYS_DIR = tmp_path / "lifecycle-keys"
    settings.MASTER_KEY_FILE = tmp_path / "lifecycle-keys" / "master.key"
    settings.MASTER_KEY = ""
    settings.ARCHIVE_DIR = tmp_path / "lifecycle-archive"
    ensure_master_key()
    yield
    shutil.rmtree(tmp_path / "lifecycle-archive", ignore_errors=True)


@pytest.fixture
def clean_archive_schema(committed):
    """Detached partitions live in schema archive, which the suite's truncation does not touch.

    Past months' partitions that earlier tests made (and emptied) would be
    archived too and change what a run does, so each test starts without them.
    """
    this_month = partitions.month_start(timezone.now())
    with connections["owner"].cursor() as cursor:
        for table in partitions.REGISTRY.values():
            for leaf in partitions.list_partitions(cursor, table):
                if leaf.is_default or leaf.upper.date() > this_month:
                    continue
                ident = sql.Identifier(leaf.schema, leaf.name)
                cursor.execute(sql.SQL("SELECT EXISTS (SELECT FROM {})").format(ident))
                if not cursor.fetchone()[0]:
                    cursor.execute(sql.SQL("DROP TABLE {}").format(ident))
    yield
    with connections["owner"].cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_class WHERE relnamespace = 'archive'::regnamespace AND relkind = 'r'")
        for (name,) in cursor.fetchall():
            cursor.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier("archive", name)))


def months_back(now, count):
    """The first day of the month `count` months before `now`'s month; a negative
    count goes forward (December's `months_back(now, -1)` is next January)."""
    index = now.year * 12 + (now.month - 1) - count
    return dt.datetime(index // 12, index % 12 + 1, 1, tzinfo=dt.UTC)


def add_location_history(user, now, months=24, per_month=12, lat=488566000):
    """`months` months of points before `now`, `per_month` per month, some with every optional field."""
    start = months_back(now, months)
    ensure_partitions_for(LOCATION_POINT, start, now)
    points = []
    for m in range(months + 1):
        first = months_back(now, months - m)
        for i in range(per_month):
            at = first + dt.timedelta(days=i * 2, hours=i, seconds=i, microseconds=7 * i)
            if at >= now:
                break
            full = i % 3 == 0
            points.append(LocationPoint(
                user=user, recorded_at=at, lat_e7=lat + m * 100 + i, lng_e7=23522000 - i,
                utc_offset_minutes=60 if full else None, accuracy_m=12.5 if full else None,
                altitude_m=35.25 if full else None, velocity_mps=1.0 / 3 if full else None,
                heading_deg=None, source="gps" if full else "", device_tag=-7 if full else None,
                platform="ANDROID" if full else "", activity_type="WALKING" if full else "",
                activity_confidence=80 if full else None,
                product="location.records" if i % 2 else "location.semantic", import_run_id=None,
            ))
    with user_scope(user.pk):
        LocationPoint.objects.bulk_create(points)
    return len(points)


def location_rows(user):
    """Everything the user's views can see, through the app role and row-level security."""
    with user_scope(user.pk):
        return list(LocationPoint.objects.order_by("recorded_at", "lat_e7", "lng_e7").values_list(*LOCATION_FIELDS))


def archive_tables():
    with connections["owner"].cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_class WHERE relnamespace = 'archive'::regnamespace AND relkind = 'r' "
                       "ORDER BY relname")
        return [row[0] for row in cursor.fetchall()]


def attached_partitions(table=LOCATION_POINT):
    with connections["owner"].cursor() as cursor:
        return [p.name for p in partitions.list_partitions(cursor, table) if not p.is_default]


def archive_files():
    return sorted(str(p.relative_to(settings.ARCHIVE_DIR)) for p in settings.ARCHIVE_DIR.rglob("*") if p.is_file())

"""Scratch tables for the health checks: built for real, in a schema of their own, dropped after."""

import pytest
from django.conf import settings
from django.core.cache import cache

from core.bootstrap import admin_connect
from monitoring import snapshot
from monitoring.runtime import STORAGE_CACHE_KEY

SCRATCH = "ops_scratch"


@pytest.fixture(autouse=True)
def _no_cached_reading():
    """Each test reads the database it built, not a reading cached by an earlier one."""
    snapshot.forget()
    cache.delete(STORAGE_CACHE_KEY)
    yield
    snapshot.forget()


@pytest.fixture
def scratch(django_db_setup):
    """An autocommit superuser connection on the test database with schema ops_scratch.

    Autocommit, because the checks must see committed state through the app's
    own connection, and some states (an invalid index from a failed
    CREATE INDEX CONCURRENTLY) only exist outside a transaction block.
    """
    conn = admin_connect(dbname=settings.DATABASES["default"]["NAME"])
    conn.execute(f"DROP SCHEMA IF EXISTS {SCRATCH} CASCADE")
    conn.execute(f"CREATE SCHEMA {SCRATCH}")
    conn.execute(f"GRANT USAGE ON SCHEMA {SCRATCH} TO {settings.DB_OWNER_ROLE}")
    yield conn
    conn.execute(f"DROP SCHEMA IF EXISTS {SCRATCH} CASCADE")
    conn.close()


def flush_stats(conn):
    """Make this session's table statistics visible to others now (PostgreSQL 15+)."""
    conn.execute("SELECT pg_stat_force_next_flush()")
    conn.execute("SELECT 1")

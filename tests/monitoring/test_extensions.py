"""Extension detection: what the server has, against the design's minimum versions (core.extensions.KNOWN)."""

import json

import pytest
from django.core.management import call_command
from django.db import connections

from core.extensions import KNOWN, extension_status, version_tuple

pytestmark = pytest.mark.django_db(databases=["default", "owner"])


def test_every_known_extension_is_reported_with_what_the_catalog_says():
    with connections["default"].cursor() as cursor:
        statuses = {s.name: s for s in extension_status(cursor)}
        cursor.execute("SELECT extname, extversion FROM pg_extension")
        installed = dict(cursor.fetchall())
    assert set(statuses) == {k.name for k in KNOWN}
    for name, status in statuses.items():
        assert status.installed == installed.get(name)


def test_available_extensions_without_preload_needs_were_installed_by_bootstrap():
    with connections["default"].cursor() as cursor:
        for status in extension_status(cursor):
            if status.available and not status.note:
                assert status.installed, f"{status.label} is available but bootstrap did not install it"


def test_versions_compare_numerically():
    assert version_tuple("0.10.0") > version_tuple("0.5.1")
    assert version_tuple("3.3.2") < version_tuple("3.4")
    assert version_tuple("5.0.1") >= version_tuple("5.0")


def test_the_command_prints_json(capsys):
    call_command("extensions", "--json")
    rows = json.loads(capsys.readouterr().out)
    assert {row["name"] for row in rows} == {k.name for k in KNOWN}
    assert all(row["state"] in {"installed", "too old", "available", "missing"} for row in rows)


def test_the_page_lists_them_for_ops(client, otto):
    client.force_login(otto)
    page = client.get("/ops/extensions/").content.decode()
    for known in KNOWN:
        assert known.label in page

"""The lifecycle dry run reads totals first; partitions without rows are folded away."""

import re

import pytest
from django.db import connections
from django.urls import reverse
from django.utils import timezone
from psycopg import sql

from core import partitions
from lifecycle.models import Policy
from sources.location.tables import LOCATION_POINT
from tests.lifecycle.conftest import add_location_history, months_back


@pytest.fixture
def drop_emptied_months():
    """Partitions outlive the suite's truncation: drop the empty old months this test leaves behind,
    which later tests (that expect every planned month to hold rows) would otherwise meet."""
    yield
    cutoff = months_back(timezone.now(), 14)
    with connections["owner"].cursor() as cursor:
        for part in partitions.list_partitions(cursor, LOCATION_POINT):
            if part.upper is not None and part.upper <= cutoff:
                cursor.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(part.schema, part.name)))


@pytest.mark.usefixtures("clean_archive_schema", "drop_emptied_months")
def test_the_preview_puts_totals_first_and_folds_empty_partitions(client, make_user):
    dana, alice = make_user("dana", "admin"), make_user("alice", "user")
    now = timezone.now()
    add_location_history(alice, now, months=16, per_month=3)
    # The two oldest months emptied again: their partitions stay, with no rows (as after a deletion).
    with connections["owner"].cursor() as cursor:
        cursor.execute("DELETE FROM timeseries.location_point WHERE recorded_at < %s", [months_back(now, 14)])
    Policy.objects.create(name="location-year", table="timeseries.location_point", archive_after_days=365)
    client.force_login(dana)

    page = client.get(reverse("lifecycle:plan")).content.decode()

    assert page.index('id="plan-totals"') < page.index('id="plan-partitions"')
    totals = re.search(r'id="plan-totals".*?</section>', page, re.S).group(0)
    assert re.search(r"\d+ partitions? with rows", totals) and re.search(r"\d+ empty", totals)
    folded = re.search(r'<details id="plan-empty">(.*?)</details>', page, re.S).group(1)
    assert re.search(r"<summary>\d+ partitions with 0 rows", folded)
    listed = re.search(r'id="plan-partitions".*?</table>', page, re.S).group(0)
    assert '<td class="num">0</td>' not in listed

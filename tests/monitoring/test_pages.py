"""The ops pages: who may see them, what they say, the metrics endpoint, the query count."""

import pytest
from django.core.cache import cache
from django.db import connections
from django.test.utils import CaptureQueriesContext

from monitoring import snapshot

pytestmark = pytest.mark.django_db(databases=["default", "owner"])

PAGES = ["/ops/", "/ops/partitions/", "/ops/partitions/timeseries.location_point/", "/ops/vacuum/",
         "/ops/cache/", "/ops/queues/", "/ops/storage/", "/ops/activity/", "/ops/extensions/",
         "/ops/overview.json", "/ops/actions/vacuum/"]
TOKEN = "scrape-me-please-0123456789"


@pytest.mark.parametrize("path", PAGES)
def test_users_and_admins_without_the_ops_permission_are_refused(client, alice, dana, path):
    for person in (alice, dana):
        client.force_login(person)
        assert client.get(path).status_code == 403, (person.username, path)


@pytest.mark.parametrize("path", PAGES[:-2])
def test_otto_sees_every_page(client, otto, path):
    client.force_login(otto)
    response = client.get(path)
    assert response.status_code == 200
    if path.endswith("/"):
        page = response.content.decode()
        assert 'aria-label="Health"' in page  # the sub-navigation
        assert 'style="' not in page  # CSP: no inline styles


def test_an_unknown_partitioned_table_is_404(client, otto):
    client.force_login(otto)
    assert client.get("/ops/partitions/public.nothing_here/").status_code == 404


def test_the_overview_states_problems_with_their_fix(client, otto):
    client.force_login(otto)
    page = client.get("/ops/").content.decode()
    # The test server runs no RQ worker: the overview must say so, and what to do.
    assert "no RQ worker is running" in page
    assert "What to do:" in page and "rqworker" in page


def test_metrics_needs_the_bearer_token(client, settings):
    settings.METRICS_TOKEN = TOKEN
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/openmetrics-text")
    text = response.content.decode()
    assert text.endswith("# EOF\n")
    for name in ("datalake_partitions{", "datalake_partitions_ahead{", "datalake_default_partition_rows{",
                 "datalake_dead_tuples{", "datalake_wraparound_age{", "datalake_cache_hit_ratio{cache=\"postgresql\"}",
                 "datalake_queue_depth{queue=\"imports\"}", "datalake_queue_failed{", "datalake_workers{"):
        assert name in text, name
    assert 'datalake_partitions{table="timeseries.location_point"} 5' in text
    samples = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert all(line.startswith("datalake_") for line in samples)


def test_metrics_stays_closed_when_no_token_is_configured(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 401


def test_the_overview_json_for_the_token_or_ops(client, otto, settings):
    settings.METRICS_TOKEN = TOKEN
    assert client.get("/ops/overview.json").status_code == 401
    body = client.get("/ops/overview.json", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").json()
    assert len(body["checks"]) == 23 and body["status"] in ("crit", "warn", "info", "ok")
    rq = next(c for c in body["checks"] if c["key"] == "rq")
    assert rq["action"] and rq["items"]
    client.force_login(otto)
    assert client.get("/ops/overview.json").json()["counts"] == body["counts"]


def _queries(client, path):
    with CaptureQueriesContext(connections["default"]) as default, \
            CaptureQueriesContext(connections["owner"]) as owner:
        assert client.get(path).status_code == 200
    return len(default), len(owner)


def test_the_overview_query_count_is_locked(client, otto, django_assert_num_queries, scratch):
    client.force_login(otto)
    cache.clear()
    client.get("/ops/")  # session and permission caches warm
    snapshot.forget()
    # Uncached: session, user, two permission lookups (no per-user scope: the page reads no
    # user's rows), 8 catalog queries, last maintenance runs, policies, the lifecycle runs and partitions
    # in flight, samples, per-table counters.
    with django_assert_num_queries(18, connection=connections["default"]):
        client.get("/ops/")
    uncached = _queries(client, "/ops/")  # now cached
    # A lake ten times bigger costs the same number of queries.
    for i in range(10):
        scratch.execute(f"CREATE TABLE ops_scratch.t{i} (at timestamptz NOT NULL) PARTITION BY RANGE (at)")
        scratch.execute(f"CREATE TABLE ops_scratch.t{i}_d PARTITION OF ops_scratch.t{i} DEFAULT")
    snapshot.forget()
    with django_assert_num_queries(18, connection=connections["default"]):
        client.get("/ops/")
    # Cached: no catalog query at all.
    with django_assert_num_queries(4, connection=connections["default"]):
        client.get("/ops/")
    assert uncached[1] == 0


def test_pages_come_from_the_cache_within_its_window(client, otto):
    client.force_login(otto)
    client.get("/ops/partitions/")
    first = cache.get(snapshot.CACHE_KEY)["taken_at"]
    client.get("/ops/vacuum/")
    assert cache.get(snapshot.CACHE_KEY)["taken_at"] == first

"""The health history: sampled by a real worker, kept by its retention rule, read as windows."""

import datetime as dt

import django_rq
import pytest
from django.db import connections, transaction
from django.utils import timezone

from audit.models import Event
from core import partitions
from monitoring import history
from monitoring.models import HEALTH_SAMPLE, HealthSample


def test_the_history_table_is_registered_for_premaking():
    assert partitions.REGISTRY["ops.health_sample"] is HEALTH_SAMPLE
    assert HEALTH_SAMPLE.per_user is False


def test_the_scheduled_sampler_runs_as_an_rq_job(committed, run_worker):
    from monitoring.jobs import sample_health

    django_rq.get_queue("maintenance").enqueue(sample_health)
    result = run_worker("maintenance")
    assert result.returncode == 0, result.stderr[-2000:]
    sample = HealthSample.objects.get()
    figures = sample.figures
    assert figures["pg"]["database_bytes"] > 0 and figures["redis"]["keyspace_hits"] is not None
    assert set(figures["queues"]) == {"default", "imports", "maintenance", "vectors"}
    assert len(figures["states"]) == 23


def test_the_retention_rule_deletes_old_rows_and_drops_old_partitions(committed):
    now = timezone.now()
    old_month = partitions.month_start(now - dt.timedelta(days=100))
    with transaction.atomic(using="owner"), connections["owner"].cursor() as cursor:
        partitions.ensure_partition(cursor, HEALTH_SAMPLE, old_month)
    old_partition = HEALTH_SAMPLE.partition_name(old_month)
    HealthSample.objects.create(taken_at=now - dt.timedelta(days=95), figures={})
    HealthSample.objects.create(taken_at=now - dt.timedelta(days=20), figures={})
    HealthSample.objects.create(taken_at=now - dt.timedelta(days=2), figures={})
    result = history.prune(now=now, days=14)
    assert result == {"deleted": 1, "dropped": [old_partition]}
    assert HealthSample.objects.count() == 1
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f"ops.{old_partition}"])
        assert cursor.fetchone()[0] is None
    assert Event.objects.filter(action="maintenance.health.prune", target="ops.health_sample").exists()


def _sample(minutes_ago, hits, misses, blks_hit=0, blks_read=0):
    return (timezone.now() - dt.timedelta(minutes=minutes_ago),
            {"pg": {"blks_hit": blks_hit, "blks_read": blks_read},
             "redis": {"keyspace_hits": hits, "keyspace_misses": misses}, "queues": {}, "storage": {}})


def test_ratios_are_deltas_over_the_window_not_since_reset_totals():
    # A million hits long ago, then 10 hits and 990 misses since the last sample.
    samples = [_sample(10, 1_000_000, 0), _sample(5, 1_000_500, 0)]
    window = history.hit_window(samples, {"keyspace_hits": 1_000_510, "keyspace_misses": 990},
                                "redis", "keyspace_hits", "keyspace_misses")
    assert window["ratio"] == pytest.approx(0.01)
    assert window["baseline"] == 1.0
    assert window["lookups"] == 1000


def test_a_counter_reset_counts_as_a_fresh_start():
    samples = [_sample(5, 50_000, 50_000)]
    # Redis restarted since: counters went down, so everything counted is new.
    window = history.hit_window(samples, {"keyspace_hits": 900, "keyspace_misses": 100},
                                "redis", "keyspace_hits", "keyspace_misses")
    assert window["ratio"] == pytest.approx(0.9)


def test_too_few_lookups_are_not_judged():
    window = history.hit_window([_sample(5, 0, 0)], {"keyspace_hits": 3, "keyspace_misses": 7},
                                "redis", "keyspace_hits", "keyspace_misses")
    assert window["ratio"] is None


def test_chart_series_have_one_point_per_sample():
    samples = [_sample(10, 0, 0, 0, 0), _sample(5, 90, 10, 990, 10), _sample(1, 95, 11, 991, 10)]
    series = history.series(samples)
    assert len(series["labels"]) == 3
    assert series["redis_hit"] == [None, pytest.approx(0.9), None]  # 6 lookups: too few to plot
    assert series["pg_hit"] == [None, pytest.approx(0.99), None]


def test_a_threshold_pair_in_the_wrong_order_is_a_system_error(settings):
    from monitoring.system_checks import health_thresholds

    settings.HEALTH_THRESHOLDS = {**settings.HEALTH_THRESHOLDS, "xid_age": (500, 100), "cache_hit_ratio": "high"}
    ids = sorted(problem.id for problem in health_thresholds(None) if problem.id.startswith("monitoring.E"))
    assert ids == ["monitoring.E001", "monitoring.E002"]

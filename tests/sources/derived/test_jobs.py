"""The derived data's jobs on a real RQ worker: an import's days, the full rebuild with its progress."""

import django_rq
from rq.job import Job

from core.rls import user_scope
from sources.derived import jobs
from sources.derived.models import Stay
from tests.imports.conftest import make_zip
from tests.sources.derived import truth
from tests.sources.derived.lake import insert_points, records_json


def test_an_import_is_enriched_by_the_maintenance_worker(tmp_path, import_files, alice, run_worker):
    queue = django_rq.get_queue("maintenance")
    queue.empty()
    import_files(make_zip(tmp_path / "takeout-001.zip", {
        "Takeout/Location History (Timeline)/Records.json": records_json(truth.home_and_work().fixes)}))
    assert queue.count >= 1
    finished = run_worker("maintenance")
    assert finished.returncode == 0, finished.stderr[-2000:]
    with user_scope(alice.pk):
        assert Stay.objects.count() == 3


def test_the_full_rebuild_job_reports_its_progress(alice, committed, run_worker):
    insert_points(alice.pk, truth.multi_week_stay().fixes + truth.flight_with_gap().fixes)
    queue = django_rq.get_queue("maintenance")
    queue.empty()
    job = jobs.enqueue_rebuild(alice.pk)
    finished = run_worker("maintenance")
    assert finished.returncode == 0, finished.stderr[-2000:]
    job = Job.fetch(job.id, connection=queue.connection)
    assert job.meta["progress"] == 1.0
    assert job.return_value() == {"user": alice.pk, "days": 22, "stays": 3, "trips": 2, "places": 3}

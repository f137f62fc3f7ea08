"""The real Takeout samples (../shared/takeout-samples) import without undeserved rejections."""

import shutil

from imports.models import ImportRun
from tests.imports.conftest import LH, count_rows, make_zip


def test_real_location_samples_in_one_export_import_cleanly(import_files, alice, shared_samples, tmp_path):
    archive = make_zip(tmp_path / "takeout-20240101T000000Z-001.zip", {
        f"{LH}/Records.json": (shared_samples / "records-reitti.json").read_bytes(),
        "Takeout/Location History/Location History.json":
            (shared_samples / "location-history-legacy-dogsheep.json").read_bytes(),
        f"{LH}/Semantic Location History/2013/2013_JANUARY.json":
            (shared_samples / "semantic-2013-dawarich.json").read_bytes(),
        "Takeout/My Activity/Search/My Activity.json":
            (shared_samples / "my-activity-search-dogsheep.json").read_bytes(),
    })

    run = import_files(archive)

    assert run.status == ImportRun.Status.SUCCEEDED, run.error
    assert run.rejected == 0, run.rejections
    assert run.products["location.records"]["accepted"] == 95
    assert run.products["location.records"]["first"] == "2013-04-15T06:31:26.860000Z"
    assert run.products["location.records"]["last"] == "2013-04-15T08:53:31.548000Z"
    assert run.products["location.legacy"]["accepted"] > 0
    assert run.products["location.semantic"]["accepted"] > 0
    # My Activity beside the location files, in the same run, with nothing rejected.
    assert run.products["activity.json"]["accepted"] == 2
    assert run.products["activity.json"]["first"] == "2019-05-30T15:37:14.000000Z"


def test_the_real_android_timeline_imports_cleanly(import_files, alice, shared_samples, tmp_path):
    phone = tmp_path / "Timeline.json"
    shutil.copy(shared_samples / "timeline-android-reitti.json", phone)

    run = import_files(phone)

    assert run.status == ImportRun.Status.SUCCEEDED, run.error
    assert run.rejected == 0, run.rejections
    assert run.products["location.android"]["accepted"] > 0
    assert count_rows(alice, "timeseries.place_visit") > 0

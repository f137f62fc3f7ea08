"""A text value longer than its column rejects that one record with a reason, never the whole member.

The over-long values are built from the models' own max_length, so the test
follows the schema: one character past the column is refused, the column's
exact length is kept.
"""

import json
import subprocess
import sys

from imports.models import ImportRun
from sources.location import models as lake
from tests.conftest import ROOT
from tests.imports.conftest import LH, all_rows, count_rows, make_zip


def limit(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def too_long(model, name: str) -> str:
    return "X" * (limit(model, name) + 1)


def point(minute: int, **extra) -> dict:
    return {"timestamp": f"2022-07-01T10:{minute:02d}:00Z", "latitudeE7": 480000000 + minute,
            "longitudeE7": 20000000, **extra}


def test_over_long_codes_in_records_json_reject_their_points_and_the_rest_loads(alice, child_env, tmp_path):
    records = json.dumps({"locations": [
        point(0), point(1, source="GPS"),
        point(2, source=too_long(lake.LocationPoint, "source")),
        point(3, platformType=too_long(lake.LocationPoint, "platform")),
        point(4, activity=[{"activity": [{"type": too_long(lake.LocationPoint, "activity_type"), "confidence": 90}]}]),
        point(5, source="S" * limit(lake.LocationPoint, "source")),  # exactly the column: kept
    ]}).encode()
    archive = make_zip(tmp_path / "takeout-001.zip", {f"{LH}/Records.json": records})

    result = subprocess.run([sys.executable, str(ROOT / "manage.py"), "import_takeout", "--user", "alice",
                             str(archive), "--json"], env=child_env, cwd=ROOT, capture_output=True, text=True,
                            timeout=120, check=False)

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["status"] == "succeeded"
    assert summary["rejections"] == {"text_too_long": 3}
    assert summary["products"]["location.records"]["accepted"] == 3
    assert sorted(s for s, *_ in all_rows(alice, "timeseries.location_point", "source, 1, 2")) == \
        ["", "GPS", "S" * limit(lake.LocationPoint, "source")]


def test_over_long_place_fields_reject_the_visit_with_a_sample_and_a_sentence(import_files, alice, tmp_path):
    def visit(hour: int, **location) -> dict:
        return {"placeVisit": {"location": {"latitudeE7": 1, "longitudeE7": 2, **location},
                               "duration": {"startTimestamp": f"2020-01-01T{hour:02d}:00:00Z"}}}

    semantic = json.dumps({"timelineObjects": [
        visit(1, placeId="ChIJ-good", name="N" * 1500),
        visit(2, placeId=too_long(lake.PlaceVisit, "place_id")),
        visit(3, semanticType=too_long(lake.PlaceVisit, "semantic_type")),
        {"activitySegment": {"duration": {"startTimestamp": "2020-01-01T04:00:00Z",
                                          "endTimestamp": "2020-01-01T05:00:00Z"},
                             "activityType": too_long(lake.ActivitySegment, "activity_type")}},
    ]}).encode()
    settings = json.dumps({"deviceSettings": [
        {"deviceTag": 1, "devicePrettyName": "Pixel 7", "platformType": "ANDROID"},
        {"deviceTag": 2, "devicePrettyName": too_long(lake.Device, "name")},
    ]}).encode()
    archive = make_zip(tmp_path / "takeout-001.zip", {
        f"{LH}/Semantic Location History/2020/2020_JANUARY.json": semantic,
        f"{LH}/Settings.json": settings,
    })

    run = import_files(archive)

    assert run.status == ImportRun.Status.SUCCEEDED, run.error
    assert run.rejections["text_too_long"]["count"] == 4, run.rejections
    details = [s["detail"] for s in run.rejections["text_too_long"]["samples"]]
    assert f"place_id is {limit(lake.PlaceVisit, 'place_id') + 1} characters long" in details[0]
    assert f"at most {limit(lake.PlaceVisit, 'place_id')}" in details[0]
    assert all(len(s["sample"]) <= 300 for s in run.rejections["text_too_long"]["samples"])
    assert '"started_at": "2020-01-01T02:00:00+00:00"' in run.rejections["text_too_long"]["samples"][0]["sample"]
    assert all_rows(alice, "timeseries.place_visit", "place_id, length(name), 1") == [("ChIJ-good", 1500, 1)]
    assert count_rows(alice, "timeseries.activity_segment") == 0
    assert all_rows(alice, "user_data.device", "device_tag, name, platform") == [(1, "Pixel 7", "ANDROID")]

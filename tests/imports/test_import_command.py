"""`manage.py import_takeout --user U FILE... [--json]`: the same pipeline, synchronously."""

import json
import subprocess
import sys

from tests.conftest import ROOT
from tests.imports.conftest import LH, count_rows, make_zip, minute_points, records_json


def import_takeout(child_env, *args):
    return subprocess.run([sys.executable, str(ROOT / "manage.py"), "import_takeout", *map(str, args)],
                          env=child_env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)


def test_json_summary_is_the_last_line_with_products_and_rejections(alice, child_env, tmp_path):
    records = json.dumps({"locations": [
        {"timestamp": f"2022-07-01T10:{i:02d}:00Z", "latitudeE7": 1 + i, "longitudeE7": 2} for i in range(4)
    ] + [{"timestamp": "2022-07-01T10:00:00Z", "latitudeE7": 1, "longitudeE7": 2000000000}]}).encode()
    part1 = make_zip(tmp_path / "takeout-001.zip", {f"{LH}/Records.json": records})
    page = b"<html><p class='service-details'>"
    part2 = make_zip(tmp_path / "takeout-002.zip", {"Takeout/archive_browser.html": page})

    result = import_takeout(child_env, "--user", "alice", part1, part2, "--json")

    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary == {
        "run": summary["run"],
        "status": "succeeded",
        "products": {"location.records": {"accepted": 4, "rejected": 1, "duplicates": 0,
                                          "first": "2022-07-01T10:00:00.000000Z",
                                          "last": "2022-07-01T10:03:00.000000Z"}},
        "rejections": {"longitude_out_of_range": 1},
        "not_imported": {"info.archive_browser": {"files": 1, "bytes": len(page)}},
    }
    assert isinstance(summary["run"], int)
    assert count_rows(alice, "timeseries.location_point") == 4


def test_a_failed_run_exits_non_zero_and_still_prints_its_summary(alice, child_env, tmp_path):
    empty = tmp_path / "takeout.zip"
    empty.write_bytes(b"")

    result = import_takeout(child_env, "--user", "alice", empty, "--json")

    assert result.returncode != 0
    assert json.loads(result.stdout.strip().splitlines()[-1])["status"] == "failed"
    assert "empty" in result.stderr.lower()


def test_an_unknown_user_is_refused(alice, child_env, tmp_path):
    path = make_zip(tmp_path / "t.zip", {f"{LH}/Records.json": records_json(minute_points(1))})

    result = import_takeout(child_env, "--user", "mallory", path)

    assert result.returncode != 0 and "No user named 'mallory'" in result.stderr

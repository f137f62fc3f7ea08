"""SAFETY.md's bad inputs for archives and location files: each ends with a clear
message for the user, counts of what was rejected and why, and nothing half-written."""

import io
import json
import zipfile

import pytest

from core.rls import user_scope
from imports.models import ImportFile, ImportMember, ImportRun
from tests.imports.conftest import LH, count_rows, make_tgz, make_zip, minute_points, records_json

POINTS = "timeseries.location_point"


def members(user, run) -> dict[str, ImportMember]:
    with user_scope(user.pk):
        return {m.name: m for m in ImportMember.objects.filter(run=run)}


def file_errors(user, run) -> list[str]:
    with user_scope(user.pk):
        return [f.error for f in ImportFile.objects.filter(run=run)]


@pytest.mark.parametrize(("content", "name", "message"), [
    (b"", "takeout.zip", "empty"),
    (b"this is not an archive at all, just words\n" * 3, "takeout.zip", "is not a zip or tar archive"),
    (b"PK\x03\x04" + b"\x00" * 40, "takeout-001.zip", "zip"),
])
def test_an_unreadable_file_fails_the_run_with_a_message_and_no_rows(import_files, alice, tmp_path, content, name,
                                                                      message):
    path = tmp_path / name
    path.write_bytes(content)

    run = import_files(path)

    assert run.status == ImportRun.Status.FAILED
    assert message.lower() in run.error.lower()
    assert count_rows(alice, POINTS) == 0


def test_a_truncated_zip_fails_with_a_message_and_no_rows(import_files, alice, tmp_path):
    whole = make_zip(tmp_path / "whole.zip", {f"{LH}/Records.json": records_json(minute_points(500))})
    cut = tmp_path / "takeout-001.zip"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])

    run = import_files(cut)

    assert run.status == ImportRun.Status.FAILED
    assert "takeout-001.zip" in run.error
    assert count_rows(alice, POINTS) == 0


def test_a_truncated_tgz_keeps_the_committed_members_and_says_the_run_is_partial(import_files, alice, tmp_path):
    whole = make_tgz(tmp_path / "whole.tgz", {
        f"{LH}/Semantic Location History/2020/2020_JANUARY.json": json.dumps({"timelineObjects": [
            {"placeVisit": {"location": {"latitudeE7": 1, "longitudeE7": 2},
                            "duration": {"startTimestamp": "2020-01-01T00:00:00Z"}}}]}).encode(),
        f"{LH}/Records.json": records_json(minute_points(3000)),
    })
    cut = tmp_path / "takeout-001.tgz"
    cut.write_bytes(whole.read_bytes()[: int(whole.stat().st_size * 0.6)])

    run = import_files(cut)

    assert run.status == ImportRun.Status.PARTIAL
    assert "takeout-001.tgz ends early" in run.error
    assert count_rows(alice, "timeseries.place_visit") == 1
    assert count_rows(alice, POINTS) == 0  # the cut member: nothing half-written
    assert members(alice, run)[f"{LH}/Records.json"].status == ImportMember.Status.FAILED


def test_a_valid_zip_that_is_not_takeout_says_nothing_was_recognized(import_files, alice, tmp_path):
    archive = make_zip(tmp_path / "holiday.zip", {"photos/IMG_0001.txt": b"just a note", "notes.json": b'{"a": 1}'})

    run = import_files(archive)

    assert run.status == ImportRun.Status.FAILED
    assert run.error == "Nothing in these files was recognized as Takeout data the lake imports."
    assert {m.status for m in members(alice, run).values()} == {ImportMember.Status.SKIPPED}


def test_encrypted_backups_alone_explains_where_the_timeline_went(import_files, alice, tmp_path):
    archive = make_zip(tmp_path / "takeout.zip", {
        f"{LH}/Encrypted Backups.txt": b"You have encrypted Timeline backups stored on Google servers.\n"})

    run = import_files(archive)

    assert run.status == ImportRun.Status.FAILED
    assert "Encrypted Backups.txt" in run.error and "export it on the phone" in run.error


def test_archive_browser_alone_asks_for_the_whole_export(import_files, alice, tmp_path):
    page = tmp_path / "archive_browser.html"
    page.write_bytes(b"<!doctype html><html><body><div class='service-details'>Location History</div></body></html>")

    run = import_files(page)

    assert run.status == ImportRun.Status.FAILED
    assert "table of contents" in run.error


def test_unsafe_member_names_reject_the_archive_before_any_row(import_files, alice, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"{LH}/Records.json", records_json(minute_points(5)))
        archive.writestr("../../etc/evil.json", b"{}")
    path = tmp_path / "takeout.zip"
    path.write_bytes(buffer.getvalue())

    run = import_files(path)

    assert run.status == ImportRun.Status.FAILED
    assert 'a member whose name "../../etc/evil.json" climbs out of the archive with ".."' in run.error
    assert count_rows(alice, POINTS) == 0


def test_a_zip_bomb_rejects_the_archive_before_any_row(import_files, alice, tmp_path):
    bomb = b"{" + b" " * (40 * 2**20) + b"}"
    archive = make_zip(tmp_path / "takeout.zip", {f"{LH}/Records.json": records_json(minute_points(5)),
                                                  "Takeout/huge.json": bomb})

    run = import_files(archive)

    assert run.status == ImportRun.Status.FAILED
    assert run.error.startswith("takeout.zip: ") and "decompression bomb" in run.error
    assert count_rows(alice, POINTS) == 0


def test_a_nested_archive_is_skipped_with_a_reason(import_files, alice, tmp_path):
    inner = make_zip(tmp_path / "inner.zip", {f"{LH}/Records.json": records_json(minute_points(3))})
    archive = make_zip(tmp_path / "outer.zip", {"Takeout/inner.zip": inner.read_bytes(),
                                               f"{LH}/Records.json": records_json(minute_points(2))})

    run = import_files(archive)

    nested = members(alice, run)["Takeout/inner.zip"]
    assert nested.status == ImportMember.Status.SKIPPED and "archive inside the archive" in nested.error
    assert count_rows(alice, POINTS) == 2


def test_a_crc_error_fails_the_member_without_rows(import_files, alice, tmp_path):
    archive = make_zip(tmp_path / "takeout.zip", {f"{LH}/Records.json": records_json(minute_points(50))})
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as reader:
        info = reader.infolist()[0]
    # Flip a byte in the stored CRC of the local header and the central directory.
    data[info.header_offset + 14] ^= 0xFF
    central = data.rfind(b"PK\x01\x02")
    data[central + 16] ^= 0xFF
    archive.write_bytes(bytes(data))

    run = import_files(archive)

    assert run.status == ImportRun.Status.FAILED
    assert count_rows(alice, POINTS) == 0
    assert "Nothing from it was imported" in members(alice, run)[f"{LH}/Records.json"].error


@pytest.mark.parametrize("broken", [
    b'{"locations": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}",
    b'{"locations": [{"timestamp": "2020-01-01T00:00:00Z", "latitudeE7": 1, "longitudeE7": 2},'
    b' {"timestamp": "2020-01-01T00:01:00Z", "latitudeE7": NaN, "longitudeE7": 2}]}',
    b'{"locations": [{"timestamp": "2020-01-01T00:00:00Z", "latitudeE7": 1, "longitudeE7": 2}, {"timest',
])
def test_a_file_that_stops_being_json_is_rolled_back_whole(import_files, alice, tmp_path, broken):
    archive = make_zip(tmp_path / "takeout.zip", {f"{LH}/Records.json": broken})

    run = import_files(archive)

    member = members(alice, run)[f"{LH}/Records.json"]
    assert member.status == ImportMember.Status.FAILED
    assert "stops being valid JSON" in member.error
    assert count_rows(alice, POINTS) == 0
    assert run.status == ImportRun.Status.FAILED


def test_bad_records_are_counted_by_reason_with_samples_and_the_rest_is_loaded(import_files, alice, tmp_path):
    good = [{"timestamp": f"2021-01-01T00:{i:02d}:00Z", "latitudeE7": 1 + i, "longitudeE7": 2} for i in range(5)]
    bad = [
        {"timestamp": "2021-01-01T00:00:00Z", "latitudeE7": 990000000, "longitudeE7": 2},  # latitude 99°
        {"timestampMs": "-5", "latitudeE7": 1, "longitudeE7": 2},  # negative instant
        {"timestamp": "10000-01-01T00:00:00Z", "latitudeE7": 1, "longitudeE7": 2},  # past 9999
        {"timestamp": "2021-01-01T00:00:00Z"},  # no coordinates
    ] + [{"timestamp": "2021-01-01T00:00:00Z", "latitudeE7": 990000000 + i, "longitudeE7": 2} for i in range(7)]
    archive = make_zip(tmp_path / "takeout.zip", {f"{LH}/Records.json": json.dumps({"locations": good + bad}).encode()})

    run = import_files(archive)

    assert run.status == ImportRun.Status.SUCCEEDED
    assert count_rows(alice, POINTS) == 5
    assert run.rejected == len(bad) == run.products["location.records"]["rejected"]
    assert sum(entry["count"] for entry in run.rejections.values()) == len(bad)
    assert run.rejections["latitude_out_of_range"]["count"] == 8
    assert len(run.rejections["latitude_out_of_range"]["samples"]) == 5
    assert all(s["detail"] and s["member"] == f"{LH}/Records.json"
               for entry in run.rejections.values() for s in entry["samples"])


def test_a_broken_part_beside_a_good_one_makes_the_run_partial(import_files, alice, tmp_path):
    good = make_zip(tmp_path / "takeout-001.zip", {f"{LH}/Records.json": records_json(minute_points(7))})
    broken = tmp_path / "takeout-002.zip"
    broken.write_bytes(b"")

    run = import_files(good, broken)

    assert run.status == ImportRun.Status.PARTIAL
    assert count_rows(alice, POINTS) == 7
    assert file_errors(alice, run)[0] == "" and "empty" in file_errors(alice, run)[1].lower()
    assert run.error.startswith("Not everything could be imported — takeout-002.zip: ")
    assert run.error.endswith("Everything else was imported.")


def test_the_parts_of_one_export_are_read_in_order_into_one_run(import_files, alice, tmp_path):
    semantic = json.dumps({"timelineObjects": [{"placeVisit": {
        "location": {"latitudeE7": 1, "longitudeE7": 2}, "duration": {"startTimestamp": "2020-01-01T00:00:00Z"}}}]})
    part1 = make_zip(tmp_path / "takeout-001.zip", {f"{LH}/Records.json": records_json(minute_points(5))})
    part2 = make_tgz(tmp_path / "takeout-002.tgz", {f"{LH}/Semantic Location History/2020/2020_JANUARY.json":
                                                    semantic.encode()})

    run = import_files(part1, part2)

    assert run.status == ImportRun.Status.SUCCEEDED
    assert (run.members_total, run.members_done) == (2, 2)
    assert set(run.products) == {"location.records", "location.semantic"}
    assert count_rows(alice, "timeseries.place_visit") == 1

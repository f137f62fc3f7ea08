"""Google Photos end to end: a two-part Takeout through the import pipeline, pairing across parts at
the run's end, then the day page, the map layer, search, exports and stats under the user's scope."""

import datetime as dt
import json
from collections import Counter

from core.rls import user_scope
from sources.export import Range
from sources.localtime import utc_window
from sources.photos import exports, search, stats, timeline
from sources.photos.pairing import albums_of
from tests.imports.conftest import all_rows, count_rows, make_zip

MEDIA, SIDECARS, ALBUMS = "user_data.photo_media", "user_data.photo_sidecar", "user_data.photo_album"
YEAR = "Takeout/Google Photos/Photos from 2023"
TRIP, BEACH = "Takeout/Google Photos/Trip", "Takeout/Google Photos/Plage"

PHOTO = b"\xff\xd8\xff\xe1\x00\x18Exif\x00\x00" + b"photo one" * 5000
OTHER = b"\xff\xd8\xff\xe1\x00\x18Exif\x00\x00" + b"another photo" * 5000
EDITED = b"\xff\xd8\xff\xe1\x00\x18Exif\x00\x00" + b"edited" * 5000
VIDEO = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 3000


def sidecar(title: str, **fields) -> bytes:
    return json.dumps({"title": title, "photoTakenTime": {"timestamp": "1696574331", "formatted": "x"},
                       "creationTime": {"timestamp": "1697872351"}, **fields}).encode()


EIFFEL = sidecar("IMG_1.JPG", description="Eiffel tower at dawn", url="https://photos.google.com/photo/AF1",
                 geoData={"latitude": 48.8583736, "longitude": 2.291901, "altitude": 66.15},
                 people=[{"name": "Ann"}], favorited=True,
                 googlePhotosOrigin={"mobileUpload": {"deviceType": "ANDROID_PHONE"}})
NO_PLACE = sidecar("VID_2.MP4", url="https://photos.google.com/photo/AF2", geoData={"latitude": 0, "longitude": 0})
ALBUM = json.dumps({"title": "Trip", "description": "", "access": "protected",
                    "date": {"timestamp": "1697872351"}}).encode()
OLD_ALBUM = json.dumps({"albumData": {"title": "La plage", "date": {"timestamp": "1697872351"}}}).encode()

# Part 1 holds the year folder's sidecars, not its photo; part 2 holds the photo. The album
# folders hold copies of the same photo, Trip with its sidecar copy, Plage without.
PART_1 = {
    f"{YEAR}/IMG_1.JPG.json": EIFFEL,
    f"{YEAR}/IMG_1(1).JPG": OTHER,  # its only candidate sidecar, IMG_1.JPG.json, is IMG_1.JPG's
    f"{YEAR}/VID_2.MP4.supplemental-metadata.json": NO_PLACE,
    f"{TRIP}/metadata.json": ALBUM,
    f"{TRIP}/IMG_1.JPG": PHOTO,
    f"{TRIP}/IMG_1.JPG.json": EIFFEL,
}
PART_2 = {
    f"{YEAR}/IMG_1.JPG": PHOTO,
    f"{YEAR}/IMG_1-edited.JPG": EDITED,
    f"{YEAR}/VID_2.MP4": VIDEO,
    f"{BEACH}/métadonnées.json": OLD_ALBUM,
    f"{BEACH}/IMG_1.JPG": PHOTO,
}
DAY = dt.date(2023, 10, 6)


def media_rows(user):
    return {row[0]: row[1:] for row in all_rows(user, MEDIA, "path, sidecar_path, original_path, part, size, kind")}


def test_a_two_part_export_pairs_exactly_across_parts(import_files, alice, bob, tmp_path):
    parts = (make_zip(tmp_path / "takeout-20240101T000000Z-001.zip", PART_1),
             make_zip(tmp_path / "takeout-20240101T000000Z-002.zip", PART_2))

    run = import_files(*parts)

    assert run.status == "succeeded"
    assert {name: (entry["accepted"], entry["rejected"]) for name, entry in run.products.items()} == {
        "photos.media": (6, 0), "photos.sidecar": (3, 0), "photos.album": (2, 0)}
    assert (count_rows(alice, MEDIA), count_rows(alice, SIDECARS), count_rows(alice, ALBUMS)) == (6, 3, 2)
    assert count_rows(bob, MEDIA) + count_rows(bob, SIDECARS) + count_rows(bob, ALBUMS) == 0
    media = media_rows(alice)
    # The sidecar in part 1 is the photo's in part 2.
    assert media[f"{YEAR}/IMG_1.JPG"] == (f"{YEAR}/IMG_1.JPG.json", None, 2, len(PHOTO), "jpeg")
    assert media[f"{YEAR}/VID_2.MP4"][:3] == (f"{YEAR}/VID_2.MP4.supplemental-metadata.json", None, 2)
    assert media[f"{TRIP}/IMG_1.JPG"][:3] == (f"{TRIP}/IMG_1.JPG.json", None, 1)
    # No certain sidecar, no metadata: not IMG_1.JPG's for the numbered copy, nor the edited one's.
    assert media[f"{YEAR}/IMG_1(1).JPG"][:3] == (None, None, 1)
    assert media[f"{YEAR}/IMG_1-edited.JPG"][:3] == (None, f"{YEAR}/IMG_1.JPG", 2)
    assert media[f"{BEACH}/IMG_1.JPG"][:2] == (None, None)

    with user_scope(alice.pk):
        lines = [json.loads(line) for line in exports.ndjson(Range(), Counter())]
        csv_text = "".join(exports.csv_rows(Range(), Counter()))
        day = timeline.day_part(DAY, *utc_window(DAY))
        layers = timeline.map_layers()
        found = search.search("eiffel")
        tables = stats.stats("month")
        keys = {line["path"]: line["content_key"] for line in lines if line["kind"] == "photo_media"}
        albums = albums_of([keys[f"{YEAR}/IMG_1.JPG"]])
    # The same photo in its year folder and two albums is one photo, in both albums.
    assert keys[f"{YEAR}/IMG_1.JPG"] == keys[f"{TRIP}/IMG_1.JPG"] == keys[f"{BEACH}/IMG_1.JPG"]
    assert len(set(keys.values())) == 4
    assert list(albums.values()) == [["La plage", "Trip"]]
    # One photo on its day and on the map, though two sidecars describe it; the video has no place.
    assert [(e["title"], e["start"], e["source"], e["url"]) for e in day.entries] == [
        ("IMG_1.JPG", dt.datetime(2023, 10, 6, 6, 38, 51), "photos", "https://photos.google.com/photo/AF1"),
        ("VID_2.MP4", dt.datetime(2023, 10, 6, 6, 38, 51), "photos", "https://photos.google.com/photo/AF2")]
    assert "Eiffel tower at dawn · Ann" in day.entries[0]["detail"]
    assert [(layer.name, layer.markers) for layer in layers] == [
        ("photos", [[48.8583736, 2.291901, "IMG_1.JPG", "2023-10-06", f"{YEAR}/IMG_1.JPG.json"]])]
    assert [(r["title"], r["day"], r["kind"]) for r in found] == [("IMG_1.JPG", DAY, "Photo")]
    assert tables[0].rows == [(dt.date(2023, 10, 1), 2)]
    assert Counter(line["kind"] for line in lines) == {"photo_media": 6, "photo_sidecar": 3, "photo_album": 2}
    rows = {line.split(",", 1)[0]: line for line in csv_text.splitlines()[1:]}
    assert "48.8583736,2.291901" in rows[f"{YEAR}/IMG_1.JPG"]
    assert rows[f"{YEAR}/IMG_1(1).JPG"].startswith(f"{YEAR}/IMG_1(1).JPG,1,{len(OTHER)},jpeg,,,,,,")

    again = import_files(make_zip(tmp_path / "again-001.zip", PART_1), make_zip(tmp_path / "again-002.zip", PART_2))

    assert (again.accepted, again.duplicates) == (0, 11)
    assert media_rows(alice) == media


def test_a_sidecar_arriving_in_a_later_run_pairs_then(import_files, alice, tmp_path):
    import_files(make_zip(tmp_path / "takeout-002.zip", PART_2))
    assert media_rows(alice)[f"{YEAR}/IMG_1.JPG"][0] is None

    import_files(make_zip(tmp_path / "takeout-001.zip", PART_1))

    assert media_rows(alice)[f"{YEAR}/IMG_1.JPG"][0] == f"{YEAR}/IMG_1.JPG.json"


def test_bad_members_are_refused_one_by_one_and_the_rest_imported(import_files, alice, tmp_path):
    archive = make_zip(tmp_path / "takeout-001.zip", {
        f"{YEAR}/IMG_1.JPG": PHOTO,
        f"{YEAR}/IMG_1.JPG.json": EIFFEL[:-20],  # cut mid-document: nothing of it kept
        f"{YEAR}/IMG_3.JPG.json": sidecar("IMG_3.JPG", geoData={"latitude": 95.0, "longitude": 1.0}),
        f"{YEAR}/IMG_4.JPG.json": sidecar("<b>IMG_4</b>", people="everyone"),
        f"{YEAR}/IMG_5.JPG.json": sidecar("IMG_5.JPG"),
    })

    run = import_files(archive)

    assert run.status == "partial"
    assert run.rejections["latitude_out_of_range"]["count"] == 1
    assert run.rejections["malformed_record"]["count"] == 1
    assert all_rows(alice, SIDECARS, "name, title, lat_e7") == [("IMG_5.JPG.json", "IMG_5.JPG", None)]
    # Its own sidecar broke: the photo keeps no metadata rather than anyone else's.
    assert media_rows(alice)[f"{YEAR}/IMG_1.JPG"][0] is None


def test_export_download_and_deletion_cover_the_photos_tables(import_files, alice, tmp_path):
    from explore.deletion import delete_import_run, delete_range
    from explore.exports import open_stream

    first = import_files(make_zip(tmp_path / "takeout-001.zip", PART_1))
    import_files(make_zip(tmp_path / "takeout-002.zip", PART_2))
    body = b"".join(open_stream(alice, "ndjson", Range(), family="photos")).decode()
    kinds = Counter(json.loads(line)["kind"] for line in body.splitlines())
    assert kinds == {"photo_media": 6, "photo_sidecar": 3, "photo_album": 2}
    csv_body = b"".join(open_stream(alice, "csv", Range(), family="photos")).decode().splitlines()
    assert csv_body[0].startswith("path,part,size,media_kind,title") and len(csv_body) == 7

    # The photos' day: the paired files (IMG_1 in its year folder and in Trip, VID_2) and the three sidecars.
    with user_scope(alice.pk):
        result = delete_range(alice, DAY, DAY)
    assert (result.deleted["photo_media"], result.deleted["photo_sidecar"]) == (3, 3)
    assert count_rows(alice, MEDIA) == 3

    with user_scope(alice.pk):
        result = delete_import_run(alice, first.pk)
    assert result.verified and count_rows(alice, ALBUMS) == 1

"""Google Photos' pure parsers and signatures: sidecars (old and 2025), albums (today's and the old
{"albumData": …}), media by magic bytes, and bad input as Rejections."""

import datetime as dt
import io
import json

import pytest

from sources.detect import HEAD_BYTES
from sources.photos.detect import media_kind
from sources.photos.parsers import MISSING_PATH, NOT_MEDIA, parse_album, parse_media, parse_sidecar
from sources.photos.records import Album, Media, Sidecar
from sources.records import Rejection
from sources.registry import detect

FOLDER = "Takeout/Google Photos/Photos from 2023"


def named(data: bytes, name: str) -> io.BytesIO:
    stream = io.BytesIO(data)
    stream.name = name
    return stream


def sidecar(**fields) -> bytes:
    return json.dumps({"title": "IMG_1.JPG", "photoTakenTime": {"timestamp": "1696574331"}, **fields}).encode()


def test_the_old_real_sidecar(shared_samples):
    data = (shared_samples / "photos-sidecar-old-immichgo.json").read_bytes()
    [found] = parse_sidecar(named(data, f"{FOLDER}/PXL_20231006_063851485.jpg.json"))
    assert isinstance(found, Sidecar)
    assert (found.folder, found.name) == (FOLDER, "PXL_20231006_063851485.jpg.json")
    assert found.title == "PXL_20231006_063851485.jpg"
    assert found.description == "Description from goggle photos"
    assert found.taken_at == dt.datetime(2023, 10, 6, 6, 38, 51, tzinfo=dt.UTC)
    assert found.created_at == dt.datetime(2023, 10, 21, 7, 12, 31, tzinfo=dt.UTC)
    assert (found.lat_e7, found.lng_e7, found.altitude) == (488583736, 22919010, 66.15)
    assert (found.exif_lat_e7, found.exif_lng_e7) == (488583736, 22919010)
    assert (found.favorited, found.archived, found.trashed, found.partner_shared) == (True, False, False, False)
    assert found.device_type == "ANDROID_PHONE"


def test_the_2025_real_sidecar_has_no_position(shared_samples):
    data = (shared_samples / "photos-sidecar-2025-immichgo.json").read_bytes()
    [found] = parse_sidecar(named(data, "Takeout/Google Photos/Photos from 2025/x.jpg.supplemental-metadata.json"))
    assert found.title == "PinClipart.com_gopher-clipart_4000243.jpg"
    assert found.taken_at == dt.datetime(2025, 3, 13, 17, 5, 10, tzinfo=dt.UTC)
    assert (found.lat_e7, found.exif_lat_e7, found.description) == (None, None, None)


def test_the_real_localized_album(shared_samples):
    data = (shared_samples / "photos-album-métadonnées-immichgo.json").read_bytes()
    [found] = parse_album(named(data, "Takeout/Google Photos/Album test 6_10_23/métadonnées.json"))
    assert found == Album("Takeout/Google Photos/Album test 6_10_23", "Album test 6/10/23", None, "PROTECTED",
                          dt.datetime(2023, 10, 21, 7, 12, 31, tzinfo=dt.UTC), None, None, None, [])


def test_the_old_album_data_shape():
    data = json.dumps({"albumData": {"title": "Urlaub", "description": "Sommer", "access": "protected",
                                     "date": {"timestamp": "1500000000"}, "location": "Rom",
                                     "geoData": {"latitude": 41.9, "longitude": 12.5}}}).encode()
    [found] = parse_album(named(data, "Takeout/Google Fotos/Urlaub/Metadaten.json"))
    assert (found.folder, found.title, found.location, found.lat_e7, found.lng_e7) == (
        "Takeout/Google Fotos/Urlaub", "Urlaub", "Rom", 419000000, 125000000)


def test_every_field_of_a_full_sidecar():
    data = sidecar(description="Beach", geoData={"latitude": 0.0, "longitude": 0.0},
                   geoDataExif={"latitude": 43.1, "longitude": 5.9}, people=[{"name": "Ann"}, {"name": "Bo"}, {}],
                   favorited=False, archived=True, trashed=True, url="https://photos.google.com/photo/x",
                   googlePhotosOrigin={"fromPartnerSharing": {}},
                   enrichments=[{"narrativeEnrichment": {"text": "We swam"}}])
    [found] = parse_sidecar(named(data, f"{FOLDER}/IMG_1.JPG.json"))
    assert (found.lat_e7, found.lng_e7) == (None, None)  # 0, 0 is "no position"
    assert (found.exif_lat_e7, found.exif_lng_e7) == (431000000, 59000000)
    assert found.people == ["Ann", "Bo"]
    assert (found.archived, found.trashed, found.partner_shared, found.device_type) == (True, True, True, None)
    assert found.enrichments == [{"kind": "narrativeEnrichment", "value": '{"text": "We swam"}'}]


@pytest.mark.parametrize(("data", "reason"), [
    (sidecar(photoTakenTime={"timestamp": "soon"}), "timestamp_malformed"),
    (sidecar(photoTakenTime={"timestamp": "99999999999999"}), "timestamp_wrong_unit"),
    (sidecar(photoTakenTime={"timestamp": "9" * 30}), "timestamp_malformed"),
    (sidecar(geoData={"latitude": 123.0, "longitude": 5.0}), "latitude_out_of_range"),
    (sidecar(geoData="here"), "malformed_record"),
    (sidecar(people="Ann"), "malformed_record"),
    (sidecar(favorited="yes"), "malformed_record"),
    (json.dumps(["not", "an", "object"]).encode(), "malformed_record"),
    (sidecar()[:-15], "bad_json"),
    (b'{"title": "' + b"x" * (2 * 1024 * 1024) + b'"}', "bad_json"),
])
def test_bad_sidecars_are_rejected_with_a_reason(data, reason):
    [found] = parse_sidecar(named(data, f"{FOLDER}/IMG_1.JPG.json"))
    assert isinstance(found, Rejection) and found.reason == reason


def test_hostile_text_is_stored_as_text_and_bounded():
    [found] = parse_sidecar(named(sidecar(title="<script>alert(1)</script>\x00", description="d" * 10_000),
                                  f"{FOLDER}/IMG_1.JPG.json"))
    assert found.title == "<script>alert(1)</script>" and len(found.description) == 2000


def test_a_sidecar_without_a_path_is_rejected():
    [found] = parse_sidecar(io.BytesIO(sidecar()))
    assert found.reason == MISSING_PATH


JPEG = b"\xff\xd8\xff\xe1\x00\x18Exif\x00\x00" + b"\x01" * 200_000


def test_a_media_file_is_read_through_and_only_its_place_kept():
    [found] = parse_media(named(JPEG, f"{FOLDER}/IMG_1.JPG"))
    assert isinstance(found, Media)
    assert (found.folder, found.name, found.size, found.kind) == (FOLDER, "IMG_1.JPG", len(JPEG), "jpeg")
    [again] = parse_media(named(JPEG, "Takeout/Google Photos/Trip/IMG_1.JPG"))
    assert again.content_key == found.content_key
    [other] = parse_media(named(JPEG + b"\x00", f"{FOLDER}/IMG_1.JPG"))
    assert other.content_key != found.content_key


def test_a_media_file_of_declared_size_is_read_no_further_than_its_head():
    class Declared(io.BytesIO):
        read_bytes = 0

        def read(self, size=-1):
            data = super().read(size)
            self.read_bytes += len(data)
            return data

    big = JPEG * 50  # 10 MB
    stream = Declared(big)
    stream.name, stream.size = f"{FOLDER}/IMG_1.JPG", len(big)
    [found] = parse_media(stream)

    assert (found.size, found.kind) == (len(big), "jpeg") and stream.read_bytes == 64 * 1024
    # The same bytes read through (no declared size) give the same record.
    assert list(parse_media(named(big, f"{FOLDER}/IMG_1.JPG"))) == [found]


def test_media_that_is_no_media_or_has_no_path():
    assert [r.reason for r in parse_media(named(b"hello", f"{FOLDER}/x.jpg"))] == [NOT_MEDIA]
    assert [r.reason for r in parse_media(io.BytesIO(JPEG))] == [MISSING_PATH]


@pytest.mark.parametrize(("head", "kind"), [
    (b"\xff\xd8\xff\xe0", "jpeg"), (b"\x89PNG\r\n\x1a\n", "png"), (b"GIF89a", "gif"),
    (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "webp"), (b"RIFF\x00\x00\x00\x00AVI LIST", "avi"),
    (b"\x00\x00\x00\x18ftypheic", "heic"), (b"\x00\x00\x00\x1cftypavif", "avif"),
    (b"\x00\x00\x00\x14ftypqt  ", "mov"), (b"\x00\x00\x00\x18ftypmp42", "mp4"), (b"\x00\x00\x00\x18ftyp3gp4", "3gp"),
    (b"II*\x00\x08\x00", "tiff"), (b"RIFF\x00\x00\x00\x00WAVEfmt ", None), (b"PK\x03\x04", None),
])
def test_media_kinds_by_magic_bytes(head, kind):
    assert media_kind(head) == kind


@pytest.mark.parametrize(("name", "head", "expected"), [
    ("Takeout/Google Fotos/Fotos von 2019/IMG_0001.JPG", b"\xff\xd8\xff\xe1\x00\x18Exif", "photos.media"),
    ("Takeout/Google Fotos/Fotos von 2019/VID.MP4", b"\x00\x00\x00\x18ftypmp42", "photos.media"),
    ("renamed.bin", b"\x00\x00\x00\x18ftypheic", "photos.media"),
    ("Takeout/Google Photos/x/IMG.JPG.supplemental-me.json", sidecar(), "photos.sidecar"),
    ("Takeout/Google Photos/Urlaub/Metadaten.json", b'{"albumData": {"title": "Urlaub"}}', "photos.album"),
    ("Takeout/Google Photos/Urlaub/metadati.json",
     b'{"title": "Urlaub", "description": "", "access": "", "date": {"timestamp": "0"}}', "photos.album"),
    # Not ours: a My Activity record, a Keep note, a location record.
    ("Takeout/My Activity/Maps/MyActivity.json",
     b'[{"header": "Maps", "title": "Searched", "time": "2024-01-01T00:00:00.000Z", "products": ["Maps"]}]',
     "activity.json"),
    ("Takeout/Keep/x.json", b'{"title": "x", "textContent": "y", "isTrashed": false}', "keep.note"),
])
def test_detection_by_content(name, head, expected):
    assert detect(name, head[:HEAD_BYTES]) == expected

"""The upload reader against every bad archive input in SAFETY.md.

Every archive is built here, in tmp_path or in memory; no binary fixtures.
"""

import io
import os
import pickle
import stat
import struct
import tarfile
import tracemalloc
import warnings
import zipfile
import zlib
from dataclasses import dataclass

import pytest

from imports.archive import (
    ArchiveRejected,
    Limits,
    OutOfOrderRead,
    iter_export,
    iter_members,
    member_problems,
)

# --- builders ----------------------------------------------------------------


def deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


@dataclass
class Entry:
    """One hand-made zip entry, for what zipfile refuses to write."""

    name: bytes
    payload: bytes = b""  # as stored in the archive
    plain: bytes | None = None  # what it decodes to; defaults to payload
    method: int = 0
    flags: int = 0
    mode: int = 0  # st_mode kept in the high half of external_attr
    usize: int | None = None
    csize: int | None = None
    crc: int | None = None
    offset_of: int | None = None  # point the directory at another entry's local header
    local_name: bytes | None = None


def raw_zip(entries: list[Entry]) -> bytes:
    out = bytearray()
    offsets = []
    for e in entries:
        plain = e.payload if e.plain is None else e.plain
        e.crc = zlib.crc32(plain) if e.crc is None else e.crc
        e.usize = len(plain) if e.usize is None else e.usize
        e.csize = len(e.payload) if e.csize is None else e.csize
        name = e.name if e.local_name is None else e.local_name
        offsets.append(len(out))
        out += struct.pack(
            "<4s2B4HL2L2H", b"PK\x03\x04", 20, 0, e.flags, e.method, 0, 0x21, e.crc, e.csize, e.usize, len(name), 0
        )
        out += name + e.payload
    cd_start = len(out)
    for e, offset in zip(entries, offsets, strict=True):
        if e.offset_of is not None:
            offset = offsets[e.offset_of]
        # fmt: off
        out += struct.pack(
            "<4s4B4HL2L5H2L", b"PK\x01\x02", 20, 3, 20, 0, e.flags, e.method, 0, 0x21,
            e.crc, e.csize, e.usize, len(e.name), 0, 0, 0, 0, e.mode << 16, offset,
        )
        # fmt: on
        out += e.name
    cd_size = len(out) - cd_start
    out += struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), cd_size, cd_start, 0)
    return bytes(out)


def make_zip(path, members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def make_tar(path, members: list[tuple[str, bytes]], mode="w:gz", **kwargs):
    with tarfile.open(path, mode, **kwargs) as tf:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return path


def tar_with(path, info: tarfile.TarInfo, mode="w"):
    with tarfile.open(path, mode) as tf:
        tf.addfile(tarfile.TarInfo("Takeout/ok.json"), io.BytesIO(b""))
        tf.addfile(info)
    return path


class Pipe(io.RawIOBase):
    """A non-seekable upload, as a socket or a decrypting reader would give."""

    def __init__(self, data: bytes):
        self._data = io.BytesIO(data)

    def readable(self):
        return True

    def readinto(self, buffer):
        return self._data.readinto(buffer)


def pipe(data: bytes):
    return io.BufferedReader(Pipe(data))


def read_all(source, **kwargs) -> dict[str, bytes]:
    return {m.name: m.open().read() for m in iter_members(source, **kwargs)}


def rejected(source, **kwargs) -> ArchiveRejected:
    """Iterate and read everything; return the rejection."""
    with pytest.raises(ArchiveRejected) as caught:
        read_all(source, **kwargs)
    assert_sentence(caught.value.message)
    return caught.value


def assert_sentence(message: str):
    assert message[:1].isupper(), message
    assert message.endswith("."), message
    assert "\n" not in message and len(message) < 300, message
    assert "Traceback" not in message and "Error" not in message, message


def first_cd(data: bytes) -> int:
    return data.index(b"PK\x01\x02")


def patch(data: bytes, at: int, fmt: str, value: int) -> bytes:
    buf = bytearray(data)
    struct.pack_into(fmt, buf, at, value)
    return bytes(buf)


# --- whole-upload problems ---------------------------------------------------


def test_it_rejects_an_empty_file(tmp_path):
    path = tmp_path / "takeout-001.zip"
    path.write_bytes(b"")
    exc = rejected(path, name_hint="takeout-001.zip")
    assert exc.reason == "empty_file"
    assert "takeout-001.zip" in exc.message


@pytest.mark.parametrize(
    "content",
    [b"\x00\x01\x02 not a zip at all \xff" * 20, b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(300), b'{"json": 1}'],
    ids=["garbage", "jpeg", "json-named-zip"],
)
def test_it_rejects_a_non_archive_named_zip(tmp_path, content):
    path = tmp_path / "takeout.zip"
    path.write_bytes(content)
    exc = rejected(path, name_hint="takeout.zip")
    assert exc.reason == "not_an_archive"


def test_it_rejects_a_binary_upload_without_a_name():
    assert rejected(io.BytesIO(bytes(range(256)) * 4)).reason == "not_an_archive"


@pytest.mark.parametrize(
    ("magic", "what"),
    [(b"7z\xbc\xaf\x27\x1c", "7-Zip"), (b"Rar!\x1a\x07\x00", "RAR"), (b"BZh91AY&SY", "bzip2")],
)
def test_it_names_archive_formats_it_does_not_read(magic, what):
    exc = rejected(io.BytesIO(magic + bytes(600)), name_hint="export.bin")
    assert exc.reason == "unsupported_archive"
    assert what in exc.message


def test_a_truncated_zip_looks_cut_off(tmp_path):
    path = make_zip(tmp_path / "t.zip", {"Takeout/a.json": os.urandom(5000), "Takeout/b.json": b"[]"})
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    exc = rejected(path)
    assert exc.reason == "truncated"
    assert "cut off" in exc.message


def test_a_truncated_tgz_keeps_the_members_before_the_cut(tmp_path):
    first = b'{"locations": []}' * 50
    path = make_tar(tmp_path / "t.tgz", [("Takeout/a.json", first), ("Takeout/b.bin", os.urandom(300_000))])
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])

    members = iter_members(path)
    a = next(members)
    assert (a.name, a.open().read()) == ("Takeout/a.json", first)
    with pytest.raises(ArchiveRejected) as caught:
        for member in members:
            member.open().read()
    assert caught.value.reason == "truncated"
    assert_sentence(caught.value.message)


def test_a_plain_tar_cut_at_a_member_boundary_is_truncated(tmp_path):
    path = make_tar(tmp_path / "t.tar", [("Takeout/a.json", b"x" * 600)], mode="w")
    path.write_bytes(path.read_bytes()[: 512 + 1024])  # header + data, no end-of-archive blocks
    members = iter_members(path)
    assert next(members).open().read() == b"x" * 600
    with pytest.raises(ArchiveRejected) as caught:
        next(members)
    assert caught.value.reason == "truncated"


def test_a_tgz_cut_inside_the_gzip_trailer_is_noticed_after_the_last_member(tmp_path):
    path = make_tar(tmp_path / "t.tgz", [("Takeout/a.json", b"{}")])
    path.write_bytes(path.read_bytes()[:-4])
    members = iter_members(path)
    assert next(members).open().read() == b"{}"
    with pytest.raises(ArchiveRejected) as caught:
        next(members)
    assert caught.value.reason == "truncated"


def test_a_tgz_with_a_bad_gzip_checksum_is_a_crc_error(tmp_path):
    path = make_tar(tmp_path / "t.tgz", [("Takeout/a.json", b"{}")])
    data = bytearray(path.read_bytes())
    data[-8] ^= 0xFF  # first byte of the gzip trailer's CRC-32
    assert rejected(io.BytesIO(bytes(data))).reason == "crc_error"


def test_garbage_inside_a_gzip_stream_is_corrupt_data():
    assert rejected(io.BytesIO(b"\x1f\x8b\x08\x00" + bytes(6) + b"\xff" * 600)).reason == "corrupt_data"


def test_a_garbled_header_after_the_first_member_is_not_taken_for_the_end(tmp_path):
    path = make_tar(tmp_path / "t.tar", [("Takeout/a.json", b"{}"), ("Takeout/b.json", b"[]")], mode="w")
    data = bytearray(path.read_bytes())
    data[1024:1124] = b"\xff" * 100  # the second header's name: its checksum no longer matches
    members = iter_members(io.BytesIO(bytes(data)))
    assert next(members).open().read() == b"{}"
    with pytest.raises(ArchiveRejected) as caught:
        next(members)
    assert caught.value.reason == "corrupt_archive"


def test_a_gzip_that_is_not_a_tar_is_not_an_archive():
    exc = rejected(io.BytesIO(zlib.compress(b'{"a": 1}' * 100, wbits=31)), name_hint="Records.json.gz")
    assert exc.reason == "not_an_archive"


def test_a_valid_zip_that_is_not_takeout_just_yields_its_members(tmp_path):
    path = make_zip(tmp_path / "holiday.zip", {"notes.txt": b"hello", "pics/": b"", "pics/a.jpg": b"\xff\xd8"})
    assert read_all(path) == {"notes.txt": b"hello", "pics/a.jpg": b"\xff\xd8"}


def test_an_empty_zip_yields_nothing():
    buf = io.BytesIO()
    zipfile.ZipFile(buf, "w").close()
    assert buf.getvalue().startswith(b"PK\x05\x06")
    assert read_all(io.BytesIO(buf.getvalue())) == {}


# --- bombs -------------------------------------------------------------------


def test_a_high_ratio_zip_bomb_is_refused_before_anything_is_yielded(tmp_path):
    path = make_zip(tmp_path / "bomb.zip", {"Takeout/ok.json": b"{}", "Takeout/zeros.json": bytes(8 * 2**20)})
    members = iter_members(path)
    with pytest.raises(ArchiveRejected) as caught:
        next(members)
    assert caught.value.reason == "zip_bomb"
    assert caught.value.member == "Takeout/zeros.json"
    assert_sentence(caught.value.message)


def test_a_zip_bomb_hidden_behind_padding_is_caught_while_reading():
    # The declared sizes give a harmless ratio (~100) because junk after the
    # deflate stream inflates the compressed size; the real ratio is ~1000.
    zeros = bytes(8 * 2**20)
    payload = deflate(zeros) + os.urandom(80_000)
    data = raw_zip([Entry(b"Takeout/zeros.json", payload, plain=zeros, method=8)])
    (member,) = iter_members(io.BytesIO(data))
    stream = member.open()
    with pytest.raises(ArchiveRejected) as caught:
        while stream.read(65536):
            pass
    assert caught.value.reason == "zip_bomb"


def test_a_tgz_bomb_is_caught_while_reading(tmp_path):
    path = make_tar(tmp_path / "bomb.tgz", [("Takeout/zeros.json", bytes(16 * 2**20))])
    assert rejected(path).reason == "zip_bomb"


def test_the_ratio_limit_is_configurable(tmp_path):
    path = make_zip(tmp_path / "z.zip", {"a.json": b"[" + b"1," * 300_000 + b"1]"})
    assert read_all(path)  # well under the default ratio
    exc = rejected(path, limits=Limits(max_ratio=5, ratio_floor=1024))
    assert exc.reason == "zip_bomb"


def test_entries_sharing_one_local_header_are_an_overlap_bomb():
    kernel = deflate(bytes(100_000))
    entries = [Entry(b"Takeout/a.json", kernel, plain=bytes(100_000), method=8)]
    entries += [
        Entry(f"Takeout/{i}.json".encode(), kernel, plain=bytes(100_000), method=8, offset_of=0) for i in range(3)
    ]
    data = raw_zip(entries)
    exc = rejected(io.BytesIO(data))
    assert exc.reason == "overlapping_entries"


def test_an_entry_whose_data_runs_into_the_next_header_is_an_overlap_bomb():
    data = raw_zip([Entry(b"a.json", b"x" * 100, csize=200), Entry(b"b.json", b"y" * 200)])
    assert rejected(io.BytesIO(data)).reason == "overlapping_entries"


def test_too_many_zip_entries_are_refused_from_the_directory(tmp_path):
    path = make_zip(tmp_path / "many.zip", {f"Takeout/{i}.json": b"{}" for i in range(20)})
    assert len(read_all(path, limits=Limits(max_members=20))) == 20
    exc = rejected(path, limits=Limits(max_members=5))
    assert exc.reason == "too_many_members"


def test_an_implausibly_large_zip_directory_is_refused_unread(tmp_path):
    path = make_zip(tmp_path / "z.zip", {"Takeout/" + "x" * 600 + f"{i}.json": b"{}" for i in range(4)})
    exc = rejected(path, limits=Limits(max_members=4, max_name_length=10))
    assert exc.reason == "corrupt_archive"


def test_too_many_tar_members_are_refused_where_found(tmp_path):
    path = make_tar(tmp_path / "many.tgz", [(f"Takeout/{i}.json", b"{}") for i in range(10)])
    names = []
    with pytest.raises(ArchiveRejected) as caught:
        for member in iter_members(path, limits=Limits(max_members=3)):
            names.append(member.name)
    assert caught.value.reason == "too_many_members"
    assert len(names) == 3


def test_sizes_over_the_limits_are_refused(tmp_path):
    path = make_zip(tmp_path / "z.zip", {"a.bin": os.urandom(3000), "b.bin": os.urandom(3000)}, zipfile.ZIP_STORED)
    assert rejected(path, limits=Limits(max_member_size=2000)).reason == "member_too_large"
    assert rejected(path, limits=Limits(max_total_size=5000)).reason == "archive_too_large"


# --- nested archives ---------------------------------------------------------


def test_nested_archives_are_flagged_not_opened(tmp_path):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("x.json", b"{}")
    members = {
        "Takeout/Drive/inner.zip": inner.getvalue(),
        "Takeout/Drive/renamed.dat": zlib.compress(b"hello", wbits=31),
        "Takeout/Drive/notes.json": b"{}",
    }
    for path in (make_zip(tmp_path / "n.zip", members), make_tar(tmp_path / "n.tgz", list(members.items()))):
        flags = {m.name: m.nested_archive for m in iter_members(path)}
        assert flags == {
            "Takeout/Drive/inner.zip": True,
            "Takeout/Drive/renamed.dat": True,
            "Takeout/Drive/notes.json": False,
        }


# --- names -------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        b"../evil.json",
        b"Takeout/../../evil.json",
        b"/etc/passwd",
        b"C:/Windows/evil.json",
        b"..\\..\\evil.json",
        b"Takeout/a\x00.json",
        b"Takeout/\x1b[2Jevil.json",
        b"Takeout/" + b"x" * 1100 + b".json",
    ],
    ids=["dotdot", "inner-dotdot", "absolute", "drive", "backslash-dotdot", "nul", "control", "over-long"],
)
def test_unsafe_zip_names_are_refused(name):
    exc = rejected(io.BytesIO(raw_zip([Entry(b"Takeout/ok.json", b"{}"), Entry(name, b"{}")])))
    assert exc.reason == "unsafe_name"


def test_backslashes_and_redundant_segments_are_normalized():
    data = raw_zip([Entry(b"Takeout\\Chrome\\History.json", b"{}"), Entry(b"./Takeout//Keep/./a.json", b"[]")])
    assert read_all(io.BytesIO(data)) == {"Takeout/Chrome/History.json": b"{}", "Takeout/Keep/a.json": b"[]"}


def test_names_are_nfc(tmp_path):
    path = make_zip(tmp_path / "z.zip", {"Takeout/Google Fotos/me\u0301tadonne\u0301es.json": b"{}"})
    assert list(read_all(path)) == ["Takeout/Google Fotos/métadonnées.json"]


@pytest.mark.parametrize("name", ["../evil.json", "/abs.json", "Takeout/" + "y" * 1100])
def test_unsafe_tar_names_are_refused(tmp_path, name):
    path = make_tar(tmp_path / "t.tgz", [("Takeout/ok.json", b"{}"), (name, b"{}")], format=tarfile.PAX_FORMAT)
    assert rejected(path).reason == "unsafe_name"


def test_non_utf8_zip_names_decode_without_raising():
    data = raw_zip(
        [
            Entry(b"Takeout/Verlauf\x81.json", b"{}"),  # cp437, as old Windows tools write
            Entry("Takeout/Archiv_Übersicht.html".encode(), b"<html>"),  # UTF-8 without the flag
        ]
    )
    assert list(read_all(io.BytesIO(data))) == ["Takeout/Verlaufü.json", "Takeout/Archiv_Übersicht.html"]


def test_a_name_flagged_utf8_that_is_not_is_refused():
    data = raw_zip([Entry(b"Takeout/bad\xff.json", b"{}", flags=0x800)])
    assert rejected(io.BytesIO(data)).reason == "unsafe_name"


def test_non_utf8_tar_names_decode_without_raising(tmp_path):
    path = make_tar(
        tmp_path / "t.tar", [("Takeout/café.json", b"{}")], mode="w", format=tarfile.GNU_FORMAT, encoding="latin-1"
    )
    assert b"caf\xe9" in path.read_bytes()
    assert read_all(path) == {"Takeout/café.json": b"{}"}


def test_duplicate_zip_names_are_refused(tmp_path):
    path = tmp_path / "dup.zip"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate it writes
        make_zip(path, {"Takeout/a.json": b"{}"})
        with zipfile.ZipFile(path, "a") as zf:
            zf.writestr("Takeout/a.json", b"[]")
    exc = rejected(path)
    assert exc.reason == "duplicate_name"
    assert exc.member == "Takeout/a.json"


def test_names_equal_after_normalization_are_duplicates():
    data = raw_zip([Entry(b"Takeout/a.json", b"{}"), Entry(b"Takeout\\a.json", b"[]")])
    assert rejected(io.BytesIO(data)).reason == "duplicate_name"


def test_duplicate_tar_names_are_refused(tmp_path):
    path = make_tar(tmp_path / "t.tgz", [("Takeout/a.json", b"{}"), ("Takeout/a.json", b"[]")])
    assert rejected(path).reason == "duplicate_name"


# --- member types --------------------------------------------------------------


def _tar_info(kind: bytes, **fields) -> tarfile.TarInfo:
    info = tarfile.TarInfo("Takeout/odd")
    info.type = kind
    for key, value in fields.items():
        setattr(info, key, value)
    return info


@pytest.mark.parametrize(
    ("info", "reason"),
    [
        (_tar_info(tarfile.SYMTYPE, linkname="/etc/passwd"), "link_member"),
        (_tar_info(tarfile.LNKTYPE, linkname="Takeout/ok.json"), "link_member"),
        (_tar_info(tarfile.CHRTYPE, devmajor=1, devminor=3), "special_member"),
        (_tar_info(tarfile.BLKTYPE, devmajor=8, devminor=0), "special_member"),
        (_tar_info(tarfile.FIFOTYPE), "special_member"),
    ],
    ids=["symlink", "hardlink", "chardev", "blockdev", "fifo"],
)
def test_tar_links_and_devices_are_refused(tmp_path, info, reason):
    exc = rejected(tar_with(tmp_path / "t.tgz", info, mode="w:gz"))
    assert exc.reason == reason
    assert exc.member == "Takeout/odd"


def test_tar_directories_are_skipped(tmp_path):
    path = tmp_path / "t.tar"
    with tarfile.open(path, "w") as tf:
        tf.addfile(_tar_info(tarfile.DIRTYPE))
        info = tarfile.TarInfo("Takeout/odd/a.json")
        info.size = 2
        tf.addfile(info, io.BytesIO(b"{}"))
    assert read_all(path) == {"Takeout/odd/a.json": b"{}"}


def test_zip_symlink_entries_are_refused():
    data = raw_zip([Entry(b"Takeout/link", b"/etc/passwd", mode=stat.S_IFLNK | 0o777)])
    assert rejected(io.BytesIO(data)).reason == "link_member"


def test_zip_device_entries_are_refused():
    data = raw_zip([Entry(b"Takeout/dev", b"", mode=stat.S_IFCHR | 0o666)])
    assert rejected(io.BytesIO(data)).reason == "special_member"


def test_encrypted_zip_entries_are_refused():
    data = raw_zip([Entry(b"Takeout/secret.json", os.urandom(40), flags=0x1)])
    exc = rejected(io.BytesIO(data))
    assert exc.reason == "encrypted_member"
    assert "Takeout/secret.json" in exc.message


def test_an_entry_encrypted_only_in_its_local_header_is_refused_on_open():
    data = bytearray(raw_zip([Entry(b"Takeout/secret.json", b"{}")]))
    data[6] |= 0x1  # local header flags; the directory says plain
    (member,) = iter_members(io.BytesIO(bytes(data)))
    with pytest.raises(ArchiveRejected) as caught:
        member.open()
    assert caught.value.reason == "encrypted_member"


@pytest.mark.parametrize("method", [99, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_unknown_compression_is_refused(method):
    data = raw_zip([Entry(b"Takeout/a.json", b"{}", method=method)])
    exc = rejected(io.BytesIO(data))
    assert exc.reason == "unsupported_compression"


def test_bzip2_written_by_zipfile_is_refused(tmp_path):
    path = make_zip(tmp_path / "b.zip", {"Takeout/a.json": b"{}"}, compression=zipfile.ZIP_BZIP2)
    assert rejected(path).reason == "unsupported_compression"


def test_a_local_header_that_disagrees_with_the_directory_is_refused():
    data = raw_zip([Entry(b"Takeout/a.json", b"{}", local_name=b"Takeout/b.json")])
    assert rejected(io.BytesIO(data)).reason == "corrupt_archive"


# --- lying sizes and checksums -----------------------------------------------


@pytest.mark.parametrize("compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_a_declared_size_smaller_than_the_data_is_caught(tmp_path, compression):
    path = make_zip(tmp_path / "z.zip", {"Takeout/a.json": b"[" + b"1," * 500 + b"1]"}, compression)
    data = path.read_bytes()
    path.write_bytes(patch(data, first_cd(data) + 24, "<L", 10))
    exc = rejected(path)
    assert exc.reason == "size_mismatch"
    assert exc.member == "Takeout/a.json"


@pytest.mark.parametrize("compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_a_declared_size_larger_than_the_data_is_caught(tmp_path, compression):
    path = make_zip(tmp_path / "z.zip", {"Takeout/a.json": b"[" + b"1," * 500 + b"1]"}, compression)
    data = path.read_bytes()
    path.write_bytes(patch(data, first_cd(data) + 24, "<L", 5000))
    assert rejected(path).reason == "size_mismatch"


def test_a_flipped_byte_is_a_crc_error(tmp_path):
    path = make_zip(tmp_path / "z.zip", {"Takeout/a.json": b'{"a": 1}'}, zipfile.ZIP_STORED)
    data = bytearray(path.read_bytes())
    data[30 + len("Takeout/a.json") + 2] ^= 0x01
    assert rejected(io.BytesIO(bytes(data))).reason == "crc_error"


def test_garbage_deflate_data_is_corrupt():
    data = raw_zip([Entry(b"Takeout/a.json", b"\xff" * 64, plain=b"x" * 100, method=8)])
    assert rejected(io.BytesIO(data)).reason == "corrupt_data"


def test_a_bad_zip_member_leaves_the_others_readable(tmp_path):
    path = make_zip(
        tmp_path / "z.zip", {"Takeout/bad.json": b"[1, 2, 3]", "Takeout/good.json": b"{}"}, zipfile.ZIP_STORED
    )
    data = bytearray(path.read_bytes())
    data[30 + len("Takeout/bad.json")] ^= 0x01
    bad, good = iter_members(io.BytesIO(bytes(data)))
    with pytest.raises(ArchiveRejected):
        bad.open().read()
    assert good.open().read() == b"{}"


# --- formats that must work --------------------------------------------------


def test_zip64_archives_read(tmp_path, monkeypatch):
    # Shrink zipfile's Zip64 threshold so a tiny archive gets Zip64 extra
    # fields and end records, as a >4 GiB Takeout part would.
    path = tmp_path / "z64.zip"
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 1)
    monkeypatch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 1)
    make_zip(path, {"Takeout/a.json": b'{"a": 1}', "Takeout/b.json": b"[]" * 100})
    monkeypatch.undo()
    data = path.read_bytes()
    assert b"PK\x06\x06" in data and b"PK\x06\x07" in data
    assert read_all(path) == {"Takeout/a.json": b'{"a": 1}', "Takeout/b.json": b"[]" * 100}
    assert rejected(path, limits=Limits(max_members=1)).reason == "too_many_members"


def test_a_forced_zip64_member_reads():
    buf = io.BytesIO()
    with (
        zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zf,
        zf.open("Takeout/Records.json", "w", force_zip64=True) as out,
    ):
        out.write(b'{"locations": []}')
    assert read_all(io.BytesIO(buf.getvalue())) == {"Takeout/Records.json": b'{"locations": []}'}


@pytest.mark.parametrize(
    "content",
    [
        b'\xef\xbb\xbf\n  {"semanticSegments": []}',
        b'[{"startTime": "2019-04-03T08:13:57.000+02:00"}]',
        b"<!DOCTYPE html><html><body>My Activity</body></html>",
        "BEGIN:VCALENDAR\r\nSUMMARY:Übung\r\n".encode(),
    ],
    ids=["json-bom", "json-array", "html", "text"],
)
def test_a_bare_file_is_one_member(tmp_path, content):
    path = tmp_path / "upload"
    path.write_bytes(content)
    (member,) = iter_members(path, name_hint="C:\\Users\\me\\Timeline.json")
    assert (member.name, member.size, member.nested_archive) == ("Timeline.json", len(content), False)
    assert member.open().read() == content


def test_a_bare_file_from_a_stream_is_one_member():
    content = b'{"locations": [' + b'{"latitudeE7": 1},' * 2000 + b"{}]}"
    (member,) = iter_members(pipe(content), name_hint="Records.json")
    assert (member.name, member.size) == ("Records.json", None)
    assert member.open().read() == content


def test_tgz_and_plain_tar_read_in_order(tmp_path):
    members = [("Takeout/Chrome/History.json", b'{"Browser History": []}'), ("Takeout/Keep/n.json", b"{}")]
    for path in (make_tar(tmp_path / "t.tgz", members), make_tar(tmp_path / "t.tar", members, mode="w")):
        assert list(read_all(path).items()) == members
    assert list(read_all(pipe((tmp_path / "t.tgz").read_bytes())).items()) == members


@pytest.mark.parametrize("fmt", [tarfile.GNU_FORMAT, tarfile.PAX_FORMAT], ids=["gnu-longname", "pax"])
def test_localized_and_long_tar_names_read(tmp_path, fmt):
    names = [
        "Takeout/YouTube und YouTube Music/Verlauf/Wiedergabeverlauf.html",
        "Takeout/Google Фото/Фото 2023/" + "IMG_20230101_120000_" * 4 + ".jpg.supplemental-metadata.json",
    ]
    path = make_tar(tmp_path / "t.tgz", [(name, name.encode()) for name in names], format=fmt)
    assert read_all(path) == {name: name.encode() for name in names}


class Sink(io.RawIOBase):
    def __init__(self):
        self.data = bytearray()

    def writable(self):
        return True

    def write(self, b):
        self.data += b
        return len(b)


def test_a_zip_streamed_with_data_descriptors_reads():
    # Writers that cannot seek back put sizes after the data and zeros in the
    # local header; only the central directory is trusted.
    sink = Sink()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("Takeout/Records.json", b'{"locations": []}' * 100)
        zf.writestr("Takeout/Settings.json", b"{}")
    data = bytes(sink.data)
    assert data[6] & 0x08
    assert read_all(io.BytesIO(data)) == {
        "Takeout/Records.json": b'{"locations": []}' * 100,
        "Takeout/Settings.json": b"{}",
    }


def test_concatenated_gzip_streams_read(tmp_path):
    tar_bytes = make_tar(tmp_path / "t.tar", [("Takeout/a.json", b"{}")], mode="w").read_bytes()
    half = len(tar_bytes) // 2
    data = zlib.compress(tar_bytes[:half], wbits=31) + zlib.compress(tar_bytes[half:], wbits=31) + bytes(100)
    assert read_all(io.BytesIO(data)) == {"Takeout/a.json": b"{}"}


def test_tar_members_must_be_read_before_moving_on(tmp_path):
    path = make_tar(tmp_path / "t.tgz", [("a.json", b"{}"), ("b.json", b"[]"), ("c.json", b"1")])
    members = iter_members(path)
    a = next(members)
    b = next(members)
    with pytest.raises(OutOfOrderRead):
        a.open()
    stream = b.open()
    next(members)
    with pytest.raises(OutOfOrderRead):
        stream.read()


def test_zip_members_outlive_the_iterator_and_reopen(tmp_path):
    path = make_zip(tmp_path / "z.zip", {"a.json": b"{}", "b.json": b"[]"})
    a, b = list(iter_members(path))
    assert (b.open().read(), a.open().read(), a.open().read()) == (b"[]", b"{}", b"{}")


def test_zip_from_a_non_seekable_stream_is_a_programming_error(tmp_path):
    path = make_zip(tmp_path / "z.zip", {"a.json": b"{}"})
    with pytest.raises(ValueError, match="seekable"):
        list(iter_members(pipe(path.read_bytes())))


def test_a_huge_pax_header_is_refused(tmp_path):
    pax = tarfile.TarInfo("././@PaxHeader")
    pax.type = tarfile.XHDTYPE
    pax.size = 4 * 2**20
    data = pax.tobuf(tarfile.USTAR_FORMAT) + bytes(4 * 2**20 + 1024)
    assert rejected(io.BytesIO(data)).reason == "corrupt_archive"


def test_memory_stays_flat_while_reading_a_large_member(tmp_path):
    path = tmp_path / "big.zip"
    block = os.urandom(2**20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf, zf.open("Takeout/Records.json", "w") as out:
        for _ in range(24):
            out.write(block)
    (member,) = iter_members(path)
    tracemalloc.start()
    try:
        with member.open() as stream:
            total = 0
            while chunk := stream.read(65536):
                total += len(chunk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total == 24 * 2**20
    assert peak < 2**20


# --- reporting -----------------------------------------------------------------


def test_member_problems_lists_every_problem():
    data = raw_zip(
        [
            Entry(b"Takeout/ok.json", b"{}"),
            Entry(b"../evil.json", b"{}"),
            Entry(b"Takeout/secret.json", b"xx", flags=0x1),
            Entry(b"Takeout/link", b"/etc", mode=stat.S_IFLNK | 0o777),
        ]
    )
    problems = member_problems(io.BytesIO(data))
    assert [(p.reason, p.member) for p in problems] == [
        ("unsafe_name", "../evil.json"),
        ("encrypted_member", "Takeout/secret.json"),
        ("link_member", "Takeout/link"),
    ]
    for problem in problems:
        assert_sentence(problem.message)


def test_member_problems_of_a_tar_include_the_truncation(tmp_path):
    path = make_tar(tmp_path / "t.tar", [("../x.json", b"{}"), ("ok.json", b"x" * 600)], mode="w")
    path.write_bytes(path.read_bytes()[: 4 * 512])  # inside the second member's data
    assert [p.reason for p in member_problems(path)] == ["unsafe_name", "truncated"]


def test_rejections_survive_pickling():
    exc = ArchiveRejected("zip_bomb", "Member x expands too far.", member="x")
    copy = pickle.loads(pickle.dumps(exc))  # noqa: S301 - bytes we just made
    assert (copy.reason, copy.message, copy.member) == ("zip_bomb", "Member x expands too far.", "x")


# --- multi-part exports ------------------------------------------------------


def test_an_export_is_the_union_of_its_parts(tmp_path):
    part1 = make_zip(tmp_path / "takeout-001.zip", {"Takeout/a.json": b"1", "Takeout/Photos/p.jpg.json": b"2"})
    part2 = make_tar(tmp_path / "takeout-002.tgz", [("Takeout/Photos/p.jpg.json", b"3"), ("Takeout/c.json", b"4")])
    seen = [
        (part, m.name, m.duplicate_across_parts, m.open().read())
        for part, m in iter_export([("takeout-001.zip", part1), ("takeout-002.tgz", part2)])
    ]
    assert seen == [
        ("takeout-001.zip", "Takeout/a.json", False, b"1"),
        ("takeout-001.zip", "Takeout/Photos/p.jpg.json", False, b"2"),
        ("takeout-002.tgz", "Takeout/Photos/p.jpg.json", True, b"3"),
        ("takeout-002.tgz", "Takeout/c.json", False, b"4"),
    ]


def test_a_bad_part_is_named(tmp_path):
    good = make_zip(tmp_path / "takeout-001.zip", {"Takeout/a.json": b"1"})
    bad = tmp_path / "takeout-002.zip"
    bad.write_bytes(b"")
    with pytest.raises(ArchiveRejected) as caught:
        list(iter_export([("takeout-001.zip", good), ("takeout-002.zip", bad)]))
    assert (caught.value.reason, caught.value.part) == ("empty_file", "takeout-002.zip")

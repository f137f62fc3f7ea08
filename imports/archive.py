"""Streaming, defensive reader for Takeout uploads.

An upload is a zip, a gzip'ed tar, a plain tar, or one bare JSON/HTML/text
file (a phone's ``Timeline.json``); the container is told by its magic bytes,
never by its name.  Nothing is extracted to disk and no member is read whole:
``Member.open()`` returns a buffered stream that counts bytes as they are
decoded and raises :class:`ArchiveRejected` as soon as a member turns out to
lie about its size, expands like a decompression bomb or fails its CRC.

Contracts worth knowing:

* **Zip** sources must be seekable.  The central directory is checked before
  anything is yielded, so every whole-archive problem (count, sizes,
  compression methods, encryption, names, links, overlapping entries) raises
  from the first ``next()``.  Zip members may be opened in any order and more
  than once.  When the source is a path each stream opens its own file handle
  and outlives the iterator; when it is a file object the streams share it
  (seeking before every read), so the caller keeps it open and uses one
  thread.
* **Tar/tgz** is read strictly front to back, once (a non-seekable source is
  fine).  Each member must be opened and read *before* asking the iterator for
  the next one; touching a member after the iterator has moved on raises
  :class:`OutOfOrderRead`.  Problems surface where they are found: a truncated
  or corrupt tgz raises ``ArchiveRejected`` from the member stream or from the
  iterator part-way through.  Every member whose stream reached its end before
  that was complete and intact as far as tar can tell, so the caller keeps
  what it already committed and marks the run incomplete.  The gzip CRC
  covers the whole archive and can only be checked after the last member.
* **Nested archives** are never descended into.  They are still yielded, with
  ``Member.nested_archive`` true, so the caller can report "skipped nested
  archive X" instead of failing the upload.
* An ``ArchiveRejected`` raised by a member stream concerns that member; for a
  zip the other members stay readable, for a tar the archive ends there.
"""

from __future__ import annotations

import codecs
import dataclasses
import io
import os
import re
import stat
import struct
import tarfile
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property, partial
from typing import BinaryIO

__all__ = [
    "ArchiveRejected",
    "Limits",
    "Member",
    "OutOfOrderRead",
    "Reason",
    "iter_export",
    "iter_members",
    "member_problems",
]

_CHUNK = 64 * 1024
_HEAD = 512  # enough for every magic number we look for (ustar sits at 257)
# Pax and GNU long-name headers are read whole by tarfile; a real one is a
# few KiB, a hostile one could declare gigabytes.
_MAX_TAR_META = 2**20


@dataclass(frozen=True)
class Limits:
    max_members: int = 200_000  # entries, directories included
    max_member_size: int = 64 * 2**30  # declared/actual uncompressed bytes of one member
    max_total_size: int = 512 * 2**30
    max_ratio: int = 200  # uncompressed/compressed, counted while reading
    max_name_length: int = 1024
    ratio_floor: int = 2**20  # bytes a stream may produce before its ratio is judged


class Reason(StrEnum):
    EMPTY_FILE = "empty_file"
    NOT_AN_ARCHIVE = "not_an_archive"
    UNSUPPORTED_ARCHIVE = "unsupported_archive"
    TRUNCATED = "truncated"
    CORRUPT_ARCHIVE = "corrupt_archive"
    CORRUPT_DATA = "corrupt_data"
    ZIP_BOMB = "zip_bomb"
    OVERLAPPING_ENTRIES = "overlapping_entries"
    TOO_MANY_MEMBERS = "too_many_members"
    MEMBER_TOO_LARGE = "member_too_large"
    ARCHIVE_TOO_LARGE = "archive_too_large"
    UNSAFE_NAME = "unsafe_name"
    LINK_MEMBER = "link_member"
    SPECIAL_MEMBER = "special_member"
    ENCRYPTED_MEMBER = "encrypted_member"
    UNSUPPORTED_COMPRESSION = "unsupported_compression"
    SIZE_MISMATCH = "size_mismatch"
    CRC_ERROR = "crc_error"
    DUPLICATE_NAME = "duplicate_name"
    NESTED_ARCHIVE = "nested_archive"  # for callers reporting a skipped member


class ArchiveRejected(Exception):
    """An upload (or one of its members) cannot be read safely.

    ``reason`` is a stable :class:`Reason` code (it compares equal to its
    string), ``message`` one sentence for the user, ``member`` the normalized
    member name when one is at fault, ``part`` the part name when raised
    through :func:`iter_export`.
    """

    def __init__(self, reason: str, message: str, *, member: str | None = None):
        super().__init__(message)
        self.reason = Reason(reason)
        self.message = message
        self.member = member
        self.part: str | None = None

    def __repr__(self) -> str:
        return f"ArchiveRejected({self.reason.value!r}, {self.message!r})"

    def __reduce__(self):
        # Job queues pickle exceptions; the keyword-only arguments would be lost.
        return (type(self), (self.reason.value, self.message), self.__dict__)


class OutOfOrderRead(RuntimeError):
    """A tar member was touched after the iterator moved past it (a caller bug)."""


def _unset() -> BinaryIO:
    raise RuntimeError("this Member was not produced by iter_members")


@dataclass(frozen=True)
class Member:
    """A regular file inside an upload.

    ``size`` is what the archive declares; streams from ``open()`` verify it.
    ``nested_archive`` is true for an archive inside the archive (by name or
    magic bytes): the caller should skip it and say so.
    """

    name: str  # normalized: '/'-separated, relative, NFC
    size: int | None  # declared uncompressed size; None when unknown
    duplicate_across_parts: bool = False  # set by iter_export only
    _opener: Callable[[], BinaryIO] = field(default=_unset, repr=False, compare=False, kw_only=True)
    _head: Callable[[], bytes] = field(default=bytes, repr=False, compare=False, kw_only=True)

    def open(self) -> BinaryIO:
        """A buffered stream of the member's bytes; see the module docstring."""
        return self._opener()

    @cached_property
    def nested_archive(self) -> bool:
        """True when the member is itself an archive, by name or by magic bytes."""
        if _has_archive_suffix(self.name):
            return True
        try:
            head = self._head()
        except ArchiveRejected:
            return False  # the caller meets the real error when it opens the member
        return _archive_kind(head) is not None


# --- public entry points ---------------------------------------------------


def iter_members(
    source: str | os.PathLike | BinaryIO, *, name_hint: str = "", limits: Limits = Limits()
) -> Iterator[Member]:
    """Yield the regular-file members of an upload, in archive order.

    ``name_hint`` is the uploaded file's name: it words the messages, and its
    last path segment names the single member of a bare JSON/HTML/text upload.  Directories are
    skipped.  See the module docstring for ordering and lifetime rules.
    """
    yield from _iter(source, name_hint, limits, _raise)


def member_problems(
    source: str | os.PathLike | BinaryIO, *, name_hint: str = "", limits: Limits = Limits()
) -> list[ArchiveRejected]:
    """Every problem :func:`iter_members` would raise, instead of only the first.

    For a zip this is the central-directory check; a tar has no index, so its
    whole stream is decompressed (member data is skipped, not kept).  Problems
    that end the archive (truncation, too many members) come last.  Problems
    found only while reading member data (sizes, CRC, ratio) are not included.
    """
    problems: list[ArchiveRejected] = []
    try:
        for _member in _iter(source, name_hint, limits, problems.append):
            pass
    except ArchiveRejected as exc:
        problems.append(exc)
    return problems


def iter_export(
    parts: Iterable[tuple[str, str | os.PathLike | BinaryIO]], *, limits: Limits = Limits()
) -> Iterator[tuple[str, Member]]:
    """Yield ``(part_name, member)`` across the parts of one export, in the given order.

    Takeout splits an export into parts that each carry their own
    ``Takeout/`` tree and depend on each other (a photo and its sidecar may
    sit in different parts), so a member path seen in an earlier part is not
    an error: it is yielded with ``duplicate_across_parts=True`` and the
    caller decides.  Limits and the ordering rules of :func:`iter_members`
    apply to each part separately.  An ``ArchiveRejected`` raised here
    carries ``part``.
    """
    seen: set[str] = set()
    for part_name, source in parts:
        here: set[str] = set()
        try:
            for member in iter_members(source, name_hint=part_name, limits=limits):
                here.add(member.name)
                if member.name in seen:
                    member = dataclasses.replace(member, duplicate_across_parts=True)
                yield part_name, member
        except ArchiveRejected as exc:
            exc.part = part_name
            raise
        seen |= here


# --- dispatch ----------------------------------------------------------------

_DRIVE = re.compile(r"[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")  # controls other than \t \n \f \r
_ARCHIVE_SUFFIXES = (".zip", ".tgz", ".tar", ".gz", ".7z", ".rar", ".bz2", ".xz")
_UNSUPPORTED_KINDS = {"7z": "7-Zip", "rar": "RAR", "bzip2": "bzip2", "xz": "xz"}


def _raise(problem: ArchiveRejected) -> None:
    raise problem


def _iter(source, name_hint: str, limits: Limits, on_problem) -> Iterator[Member]:
    src = _Source(source)
    try:
        head = src.head()
        upload = f'The upload "{_show(name_hint)}"' if name_hint else "The upload"
        if not head:
            raise ArchiveRejected(Reason.EMPTY_FILE, f"{upload} is empty (0 bytes).")
        kind = _archive_kind(head)
        if kind == "zip":
            yield from _iter_zip(src, limits, on_problem)
        elif kind == "gzip":
            gunzip = _Gunzip(src.stream().read, limits)
            yield from _iter_tar(io.BufferedReader(gunzip, _CHUNK), gunzip, limits, on_problem)
        elif kind == "tar":
            yield from _iter_tar(src.stream(), None, limits, on_problem)
        elif kind in _UNSUPPORTED_KINDS:
            raise ArchiveRejected(
                Reason.UNSUPPORTED_ARCHIVE,
                f"{upload} is a {_UNSUPPORTED_KINDS[kind]} file; please upload the .zip or .tgz "
                "files that Google Takeout produced.",
            )
        elif _has_archive_suffix(name_hint) or not _looks_like_text(head):
            raise ArchiveRejected(
                Reason.NOT_AN_ARCHIVE,
                f"{upload} is not a zip or tar archive, nor a JSON, HTML or text file.",
            )
        else:
            yield from _iter_bare(src, head, name_hint, limits)
    finally:
        src.close()


def _archive_kind(head: bytes) -> str | None:
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head.startswith(b"\x1f\x8b\x08"):
        return "gzip"
    if head[257:262] == b"ustar":
        return "tar"
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return "7z"
    if head.startswith(b"Rar!\x1a\x07"):
        return "rar"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    if re.match(rb"BZh[1-9]1AY&SY", head):
        return "bzip2"
    return None


def _has_archive_suffix(name: str) -> bool:
    return name.lower().endswith(_ARCHIVE_SUFFIXES)


def _looks_like_text(head: bytes) -> bool:
    head = head.removeprefix(codecs.BOM_UTF8)
    if head.lstrip(b" \t\r\n")[:1] in (b"{", b"[", b"<"):
        return True
    try:
        # Not final: the sniffed prefix may end inside a multi-byte character.
        text = codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return not _TEXT_CONTROL.search(text)


# --- names -------------------------------------------------------------------


def _normalize_name(raw: str, limits: Limits) -> tuple[str, str | None]:
    """Return (normalized name, why it is unsafe or None)."""
    if "\x00" in raw:
        return raw, "contains a NUL character"
    if len(raw) > limits.max_name_length:
        return raw, f"is longer than {limits.max_name_length} characters"
    # Windows tools write backslashes; convert first so "..\\x" is caught below.
    name = unicodedata.normalize("NFC", raw.replace("\\", "/"))
    if name.startswith("/"):
        return name, "is an absolute path"
    if _DRIVE.match(name):
        return name, "starts with a drive letter"
    if _CONTROL.search(name):
        return name, "contains control characters"
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if ".." in parts:
        return name, 'climbs out of the archive with ".."'
    if not parts:
        return name, "is empty"
    name = "/".join(parts)
    if len(name) > limits.max_name_length:
        return name, f"is longer than {limits.max_name_length} characters"
    return name, None


def _show(name: str) -> str:
    shown = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in name)
    return shown if len(shown) <= 120 else f"{shown[:60]}…{shown[-50:]}"


def _unsafe(name: str, why: str) -> ArchiveRejected:
    return ArchiveRejected(
        Reason.UNSAFE_NAME, f'The archive holds a member whose name "{_show(name)}" {why}.', member=name
    )


def _duplicate(name: str) -> ArchiveRejected:
    return ArchiveRejected(
        Reason.DUPLICATE_NAME, f'The archive holds more than one member named "{_show(name)}".', member=name
    )


def _too_many(limits: Limits) -> ArchiveRejected:
    return ArchiveRejected(
        Reason.TOO_MANY_MEMBERS, f"The archive holds more than {limits.max_members:,} entries.", member=None
    )


def _size_problem(name: str, size: int, total: int, limits: Limits) -> ArchiveRejected | None:
    if size > limits.max_member_size:
        return ArchiveRejected(
            Reason.MEMBER_TOO_LARGE,
            f'Member "{_show(name)}" declares {size:,} bytes, more than the {limits.max_member_size:,} allowed.',
            member=name,
        )
    if total > limits.max_total_size:
        return ArchiveRejected(
            Reason.ARCHIVE_TOO_LARGE,
            f"The archive expands to more than {limits.max_total_size:,} bytes.",
            member=name,
        )
    return None


def _bomb(name: str | None, limits: Limits) -> ArchiveRejected:
    what = f'Member "{_show(name)}"' if name else "The compressed archive"
    return ArchiveRejected(
        Reason.ZIP_BOMB,
        f"{what} expands to more than {limits.max_ratio} times its compressed size, "
        "which looks like a decompression bomb.",
        member=name,
    )


def _cut_off(name: str | None = None) -> ArchiveRejected:
    where = f'in the middle of "{_show(name)}"' if name else "before its end marker"
    return ArchiveRejected(
        Reason.TRUNCATED,
        f"The upload looks cut off: the archive ends {where}; please upload the complete file again.",
        member=name,
    )


# --- source handling ---------------------------------------------------------


class _Source:
    """The upload: a path (reopened for each zip stream) or a caller-owned file object."""

    def __init__(self, source):
        if isinstance(source, (str, os.PathLike)):
            self.path: str | None = os.fspath(source)
            self.fp: BinaryIO = open(self.path, "rb")  # noqa: SIM115 - closed by close()
        else:
            self.path = None
            self.fp = source
        seekable = getattr(self.fp, "seekable", None)
        self.seekable = bool(seekable and seekable())
        self.start = self.fp.tell() if self.seekable else 0
        self._prefix = b""
        self._taken = False

    def head(self) -> bytes:
        head = _read_up_to(self.fp.read, _HEAD)
        if self.seekable:
            self.fp.seek(self.start)
        else:
            self._prefix = head
        return head

    def stream(self) -> _Prefixed:
        """The upload from its start, read once (the sniffed bytes replayed first)."""
        if self._taken:
            raise RuntimeError("a non-seekable upload can be read only once")
        if not self.seekable:
            self._taken = True
        elif self.fp.tell() != self.start:
            self.fp.seek(self.start)
        return _Prefixed(self._prefix, self.fp.read)

    def handle(self) -> tuple[BinaryIO, Callable[[], None]]:
        """A seekable handle for ranged reads, and how to release it."""
        if self.path is not None:
            fp = open(self.path, "rb")  # noqa: SIM115 - released by the stream
            return fp, fp.close
        return self.fp, _noop

    def size(self) -> int | None:
        if self.path is not None:
            return os.fstat(self.fp.fileno()).st_size
        if self.seekable:
            end = self.fp.seek(0, os.SEEK_END)
            self.fp.seek(self.start)
            return end - self.start
        return None

    def close(self) -> None:
        if self.path is not None:
            self.fp.close()


def _noop() -> None:
    pass


def _read_up_to(read: Callable[[int], bytes], n: int) -> bytes:
    """Read n bytes unless the stream ends first (raw streams may return short reads)."""
    chunks, got = [], 0
    while got < n:
        data = read(n - got)
        if not data:
            break
        chunks.append(data)
        got += len(data)
    return b"".join(chunks)


def _pread(fp: BinaryIO, pos: int, n: int) -> bytes:
    fp.seek(pos)
    return _read_up_to(fp.read, n)


class _Prefixed:
    """A forward-only reader that replays bytes already consumed while sniffing."""

    def __init__(self, prefix: bytes, read: Callable[[int], bytes]):
        self._prefix = prefix
        self._read = read

    def read(self, n: int) -> bytes:
        if self._prefix:
            data, self._prefix = self._prefix[:n], self._prefix[n:]
            return data
        return self._read(n) or b""

    def close(self) -> None:
        pass  # the caller owns the underlying file


class _Raw(io.RawIOBase):
    """Base of the counting raw streams handed out inside a BufferedReader."""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.closed:
            raise ValueError("I/O operation on closed stream")
        if not len(buffer):
            return 0  # zlib reads max_length=0 as "no limit"
        data = self._next(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def _next(self, n: int) -> bytes:  # pragma: no cover - abstract
        raise NotImplementedError

    def _release(self) -> None:
        pass

    def close(self) -> None:
        if not self.closed:
            self._release()
        super().close()


def _buffered(raw: _Raw) -> BinaryIO:
    return io.BufferedReader(raw, _CHUNK)


# --- bare uploads ------------------------------------------------------------


def _bare_name(name_hint: str) -> str:
    name = unicodedata.normalize("NFC", name_hint.replace("\\", "/")).rsplit("/", 1)[-1]
    if not name or name in (".", "..") or _CONTROL.search(name):
        return "upload"
    return name


def _iter_bare(src: _Source, head: bytes, name_hint: str, limits: Limits) -> Iterator[Member]:
    name = _bare_name(name_hint)
    size = src.size()
    if size is not None and (problem := _size_problem(name, size, 0, limits)):
        raise problem
    yield Member(name, size, _opener=partial(_open_bare, src, name, limits), _head=lambda: head)


def _open_bare(src: _Source, name: str, limits: Limits) -> BinaryIO:
    if src.seekable:
        fp, release = src.handle()
        pos = src.start

        def read(n: int) -> bytes:
            nonlocal pos
            data = _pread(fp, pos, n)
            pos += len(data)
            return data

        return _buffered(_PlainRaw(read, release, name, limits))
    return _buffered(_PlainRaw(src.stream().read, _noop, name, limits))


class _PlainRaw(_Raw):
    def __init__(self, read: Callable[[int], bytes], release: Callable[[], None], name: str, limits: Limits):
        super().__init__()
        self._read, self._release_source = read, release
        self._name, self._limits, self._out = name, limits, 0

    def _next(self, n: int) -> bytes:
        data = self._read(n)
        self._out += len(data)
        if self._out > self._limits.max_member_size:
            raise _size_problem(self._name, self._out, 0, self._limits)
        return data

    def _release(self) -> None:
        self._release_source()


# --- zip ---------------------------------------------------------------------

_EOCD = struct.Struct("<4s4H2LH")
_EOCD64 = struct.Struct("<4sQ2H2L4Q")
_EOCD64_LOCATOR_SIZE = 20
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_LOCAL = struct.Struct("<4s2B4HL2L2H")
_ZIP_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


@dataclass
class _ZipEntry:
    info: zipfile.ZipInfo
    raw_name: bytes
    name: str
    is_dir: bool
    end_limit: int = 0  # where the next entry (or the central directory) starts
    rejected: bool = False


def _zip_bounds(fp: BinaryIO) -> tuple[int, int]:
    """Locate the central directory: (start, size)."""
    end = fp.seek(0, os.SEEK_END)
    tail_at = max(0, end - (_EOCD.size + 0xFFFF))
    tail = _pread(fp, tail_at, end - tail_at)
    at = len(tail) - _EOCD.size
    if not (at >= 0 and tail[at : at + 4] == b"PK\x05\x06" and tail[-2:] == b"\0\0"):
        at = tail.rfind(b"PK\x05\x06", 0, max(0, len(tail) - _EOCD.size + 4))
    if at < 0:
        raise ArchiveRejected(
            Reason.TRUNCATED,
            "The upload looks cut off: the zip archive's table of contents, stored at its end, "
            "is missing; please upload the complete file again.",
        )
    cd_size = _EOCD.unpack_from(tail, at)[5]
    record_at = tail_at + at
    locator = _pread(fp, record_at - _EOCD64_LOCATOR_SIZE, 4) if record_at >= _EOCD64_LOCATOR_SIZE else b""
    if locator == b"PK\x06\x07":
        # Like zipfile, expect the Zip64 record right before its locator.
        record_at -= _EOCD64_LOCATOR_SIZE + _EOCD64.size
        record = _pread(fp, record_at, _EOCD64.size) if record_at >= 0 else b""
        if len(record) != _EOCD64.size or record[:4] != b"PK\x06\x06":
            raise _corrupt_zip()
        cd_size = _EOCD64.unpack(record)[8]
    if record_at - cd_size < 0:
        raise _corrupt_zip()
    return record_at - cd_size, cd_size


def _corrupt_zip(detail: str = "its table of contents is damaged") -> ArchiveRejected:
    return ArchiveRejected(Reason.CORRUPT_ARCHIVE, f"The zip archive cannot be read: {detail}.")


def _count_zip_entries(fp: BinaryIO, cd_start: int, cd_size: int, limits: Limits) -> None:
    # zipfile builds a ZipInfo per entry; walk the fixed-size headers first
    # so a directory of millions of tiny entries is refused before that.
    fp.seek(cd_start)
    count = pos = 0
    while pos < cd_size:
        header = _read_up_to(fp.read, _CENTRAL.size)
        if len(header) < _CENTRAL.size or header[:4] != b"PK\x01\x02":
            raise _corrupt_zip()
        count += 1
        if count > limits.max_members:
            raise _too_many(limits)
        skip = sum(struct.unpack_from("<3H", header, 28))
        fp.seek(skip, os.SEEK_CUR)
        pos += _CENTRAL.size + skip


def _zip_name(info: zipfile.ZipInfo) -> tuple[bytes, str]:
    """The name's stored bytes and its best decoding."""
    if info.flag_bits & 0x800:
        return info.orig_filename.encode("utf-8"), info.orig_filename
    raw = info.orig_filename.encode("cp437")  # zipfile decoded it as cp437, which round-trips
    if info.filename != info.orig_filename.split("\x00", 1)[0]:
        return raw, info.filename  # taken from a Unicode Path extra field (0x7075)
    try:
        # Many tools write UTF-8 without setting the flag; cp437 is the
        # fallback zipfile uses and can decode any byte.
        return raw, raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw, info.orig_filename


def _zip_entry_problem(entry: _ZipEntry, why_unsafe: str | None) -> ArchiveRejected | None:
    info, name = entry.info, entry.name
    if why_unsafe:
        return _unsafe(name, why_unsafe)
    kind = stat.S_IFMT(info.external_attr >> 16)
    if kind == stat.S_IFLNK:
        return ArchiveRejected(
            Reason.LINK_MEMBER, f'Member "{_show(name)}" is a symbolic link, which is not accepted.', member=name
        )
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        return ArchiveRejected(
            Reason.SPECIAL_MEMBER, f'Member "{_show(name)}" is a device or other special file.', member=name
        )
    if info.flag_bits & 0x1:
        return ArchiveRejected(
            Reason.ENCRYPTED_MEMBER,
            f'Member "{_show(name)}" is encrypted; please export again without a password.',
            member=name,
        )
    if info.compress_type not in _ZIP_METHODS:
        return ArchiveRejected(
            Reason.UNSUPPORTED_COMPRESSION,
            f'Member "{_show(name)}" uses compression method {info.compress_type}; '
            "only stored and deflated members are supported.",
            member=name,
        )
    return None


def _plan_zip(src: _Source, limits: Limits, on_problem) -> list[_ZipEntry]:
    if not src.seekable:
        raise ValueError("zip archives need a seekable source")
    cd_start, cd_size = _zip_bounds(src.fp)
    # zipfile reads the whole central directory into memory before we see a
    # single entry: refuse one larger than max_members generous entries.
    if cd_size > limits.max_members * (_CENTRAL.size + limits.max_name_length + 512):
        raise _corrupt_zip("its table of contents is implausibly large")
    if cd_size // _CENTRAL.size > limits.max_members:
        _count_zip_entries(src.fp, cd_start, cd_size, limits)
    try:
        infos = zipfile.ZipFile(src.fp).infolist()
    except UnicodeDecodeError:
        raise ArchiveRejected(
            Reason.UNSAFE_NAME, "The archive holds a member name that is flagged as UTF-8 but is not valid UTF-8."
        ) from None
    except NotImplementedError as exc:
        raise ArchiveRejected(
            Reason.UNSUPPORTED_ARCHIVE, f"The zip archive uses a feature that is not supported ({exc})."
        ) from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, struct.error, EOFError):
        raise _corrupt_zip() from None
    if len(infos) > limits.max_members:
        raise _too_many(limits)

    entries: list[_ZipEntry] = []
    names: set[str] = set()
    total = 0
    for info in infos:
        raw_name, decoded = _zip_name(info)
        if "\x00" in info.orig_filename:
            decoded = info.orig_filename  # zipfile silently cuts names at NUL
        name, why_unsafe = _normalize_name(decoded, limits)
        is_dir = decoded.endswith(("/", "\\")) or stat.S_ISDIR(info.external_attr >> 16)
        entry = _ZipEntry(info, raw_name, name, is_dir)
        total += info.file_size
        problem = _zip_entry_problem(entry, why_unsafe)
        if problem is None and not is_dir:
            if name in names:
                problem = _duplicate(name)
            elif info.file_size > max(limits.ratio_floor, limits.max_ratio * info.compress_size):
                problem = _bomb(name, limits)
            else:
                problem = _size_problem(name, info.file_size, total, limits)
        names.add(name)
        entries.append(entry)
        if problem is not None:
            on_problem(problem)
            entry.rejected = True

    # The overlapping-entry bomb points many directory entries at one
    # compressed kernel; every member's minimal extent must end before the
    # next local header (or the central directory) starts.
    by_offset = sorted(entries, key=lambda e: e.info.header_offset)
    ends = [following.info.header_offset for following in by_offset[1:]] + [cd_start]
    for entry, end_limit in zip(by_offset, ends, strict=False):  # ends is one longer when empty
        entry.end_limit = min(end_limit, cd_start)
        start = entry.info.header_offset
        if start < 0:
            on_problem(_corrupt_zip(f'member "{_show(entry.name)}" points before the start of the file'))
            entry.rejected = True
        elif start + _LOCAL.size + len(entry.raw_name) + entry.info.compress_size > entry.end_limit:
            on_problem(
                ArchiveRejected(
                    Reason.OVERLAPPING_ENTRIES,
                    f'Member "{_show(entry.name)}" overlaps another member\'s data, a trick used by zip bombs.',
                    member=entry.name,
                )
            )
            entry.rejected = True
    return entries


def _iter_zip(src: _Source, limits: Limits, on_problem) -> Iterator[Member]:
    for entry in _plan_zip(src, limits, on_problem):
        if entry.is_dir or entry.rejected:
            continue
        opener = partial(_open_zip_member, src, entry, limits)
        yield Member(entry.name, entry.info.file_size, _opener=opener, _head=partial(_zip_head, opener))


def _zip_head(opener: Callable[[], BinaryIO]) -> bytes:
    with opener() as stream:
        return stream.read(_HEAD)


def _open_zip_member(src: _Source, entry: _ZipEntry, limits: Limits) -> BinaryIO:
    fp, release = src.handle()
    try:
        info, name = entry.info, entry.name
        header = _pread(fp, info.header_offset, _LOCAL.size)
        if len(header) != _LOCAL.size or header[:4] != b"PK\x03\x04":
            raise _corrupt_zip(f'the local header of "{_show(name)}" is missing')
        fields = _LOCAL.unpack(header)
        flags, method, name_len, extra_len = fields[3], fields[4], fields[10], fields[11]
        if flags & 0x1:
            raise ArchiveRejected(
                Reason.ENCRYPTED_MEMBER,
                f'Member "{_show(name)}" is encrypted; please export again without a password.',
                member=name,
            )
        # A local header that disagrees with the directory is how some
        # archives show scanners one file and extractors another.
        if method != info.compress_type or _pread(fp, info.header_offset + _LOCAL.size, name_len) != entry.raw_name:
            raise _corrupt_zip(f'the local header of "{_show(name)}" disagrees with the table of contents')
        data_at = info.header_offset + _LOCAL.size + name_len + extra_len
        if data_at + info.compress_size > entry.end_limit:
            raise ArchiveRejected(
                Reason.OVERLAPPING_ENTRIES,
                f'Member "{_show(name)}" overlaps another member\'s data, a trick used by zip bombs.',
                member=name,
            )
        return _buffered(_ZipRaw(fp, release, entry, data_at, limits))
    except BaseException:
        release()
        raise


class _ZipRaw(_Raw):
    """Decodes one member from its byte range, trusting none of its declared sizes."""

    def __init__(self, fp: BinaryIO, release: Callable[[], None], entry: _ZipEntry, data_at: int, limits: Limits):
        super().__init__()
        self._fp, self._release_fp = fp, release
        self._info, self._name, self._limits = entry.info, entry.name, limits
        self._pos, self._left = data_at, entry.info.compress_size
        deflated = entry.info.compress_type == zipfile.ZIP_DEFLATED
        self._inflate = zlib.decompressobj(-zlib.MAX_WBITS) if deflated else None
        self._tail = b""
        self._consumed = self._out = self._crc = 0
        self._done = False

    def _release(self) -> None:
        self._release_fp()

    def _next(self, n: int) -> bytes:
        if self._done:
            return b""
        data = self._decode(n)
        if not data:
            self._finish()
            return b""
        self._out += len(data)
        if self._out > self._info.file_size:
            raise self._mismatch(f"holds more data than its declared {self._info.file_size:,} bytes")
        if self._out > max(self._limits.ratio_floor, self._limits.max_ratio * self._consumed):
            raise _bomb(self._name, self._limits)
        self._crc = zlib.crc32(data, self._crc)
        return data

    def _decode(self, n: int) -> bytes:
        if self._inflate is None:
            data = self._take(min(n, self._left)) if self._left else b""
            self._consumed += len(data)
            return data
        while not self._inflate.eof:
            if not self._tail:
                if not self._left:
                    raise self._mismatch("has compressed data that ends before the member does")
                self._tail = self._take(min(_CHUNK, self._left))
            fed = len(self._tail)
            try:
                data = self._inflate.decompress(self._tail, n)
            except zlib.error:
                raise ArchiveRejected(
                    Reason.CORRUPT_DATA, f'Member "{_show(self._name)}" has corrupt compressed data.', member=self._name
                ) from None
            self._tail = self._inflate.unconsumed_tail
            self._consumed += fed - len(self._tail)
            if data:
                return data
        return b""

    def _take(self, n: int) -> bytes:
        data = _pread(self._fp, self._pos, n)
        if len(data) != n:
            raise _cut_off(self._name)
        self._pos += n
        self._left -= n
        return data

    def _finish(self) -> None:
        self._done = True
        if self._out != self._info.file_size:
            raise self._mismatch(f"holds {self._out:,} bytes but declares {self._info.file_size:,}")
        if self._crc != self._info.CRC:
            raise ArchiveRejected(
                Reason.CRC_ERROR,
                f'Member "{_show(self._name)}" fails its checksum (CRC); the archive is damaged.',
                member=self._name,
            )

    def _mismatch(self, what: str) -> ArchiveRejected:
        return ArchiveRejected(Reason.SIZE_MISMATCH, f'Member "{_show(self._name)}" {what}.', member=self._name)


# --- tar and gzip ------------------------------------------------------------


class _Gunzip(_Raw):
    """gzip decoder that counts both sides, so ratio and truncation are ours to judge.

    tarfile's own gzip layer cannot tell a cut-off stream from a finished one
    in stream mode, and exposes no compressed byte count.
    """

    def __init__(self, read: Callable[[int], bytes], limits: Limits):
        super().__init__()
        self._read, self._limits = read, limits
        self._inflate: zlib._Decompress | None = None
        self._tail = b""
        self._source_done = False
        self.compressed = self.out = 0

    def _fill(self) -> bool:
        if not self._tail and not self._source_done:
            data = self._read(_CHUNK)
            self._tail = data
            self._source_done = not data
            self.compressed += len(data)
        return bool(self._tail)

    def _next_stream(self) -> bool:
        # Concatenated gzip members and trailing zero padding are both valid
        # (Python's gzip module accepts them too).
        while self._fill():
            self._tail = self._tail.lstrip(b"\0")
            if self._tail:
                self._inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
                return True
        return False

    def _next(self, n: int) -> bytes:
        while True:
            if self._inflate is None and not self._next_stream():
                return b""
            if not self._fill():
                raise _cut_off()
            try:
                data = self._inflate.decompress(self._tail, n)
            except zlib.error as exc:
                if "check" in str(exc):  # "incorrect data check" / "incorrect length check"
                    raise ArchiveRejected(
                        Reason.CRC_ERROR, "The compressed archive fails its checksum (CRC); it is damaged."
                    ) from None
                raise ArchiveRejected(Reason.CORRUPT_DATA, "The compressed archive holds corrupt data.") from None
            if self._inflate.eof:
                self._tail, self._inflate = self._inflate.unused_data, None
            else:
                self._tail = self._inflate.unconsumed_tail
            if data:
                self.out += len(data)
                if self.out > max(self._limits.ratio_floor, self._limits.max_ratio * self.compressed):
                    raise _bomb(None, self._limits)
                return data

    def drain(self) -> None:
        """Read to the end so a cut-off or corrupt gzip trailer is noticed."""
        while self._next(_CHUNK):
            pass


class _Cursor:
    """Which tar header the stream is at; member streams from earlier headers are stale."""

    generation = 0


_TAR_META_TYPES = (
    tarfile.XHDTYPE,
    tarfile.XGLTYPE,
    tarfile.SOLARIS_XHDTYPE,
    tarfile.GNUTYPE_LONGNAME,
    tarfile.GNUTYPE_LONGLINK,
)


def _tar_name(raw: str) -> str:
    try:
        raw.encode("utf-8")
    except UnicodeEncodeError:
        # Not UTF-8: tarfile kept the bytes as surrogates; latin-1 decodes any byte.
        return raw.encode("utf-8", "surrogateescape").decode("latin-1")
    return raw


def _tar_member_problem(info: tarfile.TarInfo, name: str, why_unsafe: str | None) -> ArchiveRejected | None:
    if why_unsafe:
        return _unsafe(name, why_unsafe)
    if info.issym() or info.islnk():
        kind = "symbolic" if info.issym() else "hard"
        return ArchiveRejected(
            Reason.LINK_MEMBER, f'Member "{_show(name)}" is a {kind} link, which is not accepted.', member=name
        )
    if info.isdir():
        return None
    if not info.isreg() or info.sparse is not None:
        return ArchiveRejected(
            Reason.SPECIAL_MEMBER, f'Member "{_show(name)}" is a device, pipe or other special file.', member=name
        )
    return None


def _iter_tar(stream, gunzip: _Gunzip | None, limits: Limits, on_problem) -> Iterator[Member]:
    endings: list[Exception] = []

    class _Info(tarfile.TarInfo):
        __slots__ = ()

        @classmethod
        def frombuf(cls, buf, encoding, errors):
            info = super().frombuf(buf, encoding, errors)
            if info.type in _TAR_META_TYPES and info.size > _MAX_TAR_META:
                raise ArchiveRejected(
                    Reason.CORRUPT_ARCHIVE,
                    f"The tar archive holds an extended header of {info.size:,} bytes, "
                    "far larger than real archives use.",
                )
            return info

        @classmethod
        def fromtarfile(cls, tar):
            # TarFile.next() takes a missing, short or garbled header after
            # the first one for a normal end of archive; remember why it
            # stopped so a cut-off upload is not mistaken for a complete one.
            try:
                return super().fromtarfile(tar)
            except tarfile.HeaderError as exc:
                endings.append(exc)
                raise

    try:
        tar = tarfile.open(  # noqa: SIM115 - closed in the finally below, after the last yield
            fileobj=stream, mode="r|", tarinfo=_Info, encoding="utf-8", errors="surrogateescape"
        )
    except tarfile.ReadError:
        # A cut-off gzip stream has already raised from _Gunzip, so here the
        # decompressed data is complete and simply is not a tar.
        if gunzip is not None:
            raise ArchiveRejected(Reason.NOT_AN_ARCHIVE, "The compressed file does not hold a tar archive.") from None
        if any(isinstance(e, (tarfile.EmptyHeaderError, tarfile.TruncatedHeaderError)) for e in endings):
            raise _cut_off() from None
        raise ArchiveRejected(Reason.CORRUPT_ARCHIVE, "The tar archive is damaged.") from None

    cursor = _Cursor()
    count = total = 0
    names: set[str] = set()
    try:
        while True:
            try:
                info = tar.next()
            except tarfile.ReadError as exc:
                if "unexpected end of data" in str(exc):
                    raise _cut_off() from None
                raise ArchiveRejected(Reason.CORRUPT_ARCHIVE, "The tar archive is damaged part-way through.") from None
            # TarFile remembers every header it has read; nothing needs them in
            # stream mode, and 200k of them would grow memory with the archive.
            tar.members.clear()
            cursor.generation += 1
            if info is None:
                break
            count += 1
            if count > limits.max_members:
                raise _too_many(limits)
            name, why_unsafe = _normalize_name(_tar_name(info.name), limits)
            problem = _tar_member_problem(info, name, why_unsafe)
            if problem is None and not info.isdir():
                total += info.size
                problem = _duplicate(name) if name in names else _size_problem(name, info.size, total, limits)
            names.add(name)
            if problem is not None:
                on_problem(problem)
                continue
            if info.isdir():
                continue
            yield _tar_member(tar, info, name, cursor)

        last = endings[-1] if endings else None
        if isinstance(last, tarfile.InvalidHeaderError):
            raise ArchiveRejected(Reason.CORRUPT_ARCHIVE, "The tar archive is damaged part-way through.")
        if not isinstance(last, tarfile.EOFHeaderError):
            raise _cut_off()
        if gunzip is not None:
            gunzip.drain()
    finally:
        tar.close()


def _tar_member(tar: tarfile.TarFile, info: tarfile.TarInfo, name: str, cursor: _Cursor) -> Member:
    generation = cursor.generation
    exfile = tar.extractfile(info)
    # Read the head now: once the iterator moves on these bytes are gone,
    # and nested_archive needs them.
    head = _read_tar(exfile, _HEAD, name)
    opened = False

    def opener() -> BinaryIO:
        nonlocal opened
        if cursor.generation != generation:
            raise OutOfOrderRead(f"tar member {name!r} must be opened before the iterator moves on")
        if opened:
            raise RuntimeError(f"tar member {name!r} can be opened only once")
        opened = True
        return _buffered(_TarRaw(exfile, head, name, cursor, generation))

    return Member(name, info.size, _opener=opener, _head=lambda: head)


def _read_tar(exfile: BinaryIO, n: int, name: str) -> bytes:
    try:
        return exfile.read(n)
    except (tarfile.ReadError, EOFError):
        raise _cut_off(name) from None


class _TarRaw(_Raw):
    def __init__(self, exfile: BinaryIO, head: bytes, name: str, cursor: _Cursor, generation: int):
        super().__init__()
        self._exfile, self._head, self._name = exfile, head, name
        self._cursor, self._generation = cursor, generation

    def _next(self, n: int) -> bytes:
        if self._cursor.generation != self._generation:
            raise OutOfOrderRead(f"tar member {self._name!r} was read after the iterator moved on")
        if self._head:
            data, self._head = self._head[:n], self._head[n:]
            return data
        return _read_tar(self._exfile, n, self._name)

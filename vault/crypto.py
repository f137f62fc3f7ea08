"""Chunked authenticated encryption for archive files and raw uploads.

File format ("DPLK", version 1). All integers are big-endian.

Header::

    offset  size  field
    0       4     magic b"DPLK"
    4       1     version (1)
    5       4     chunk_size: plaintext bytes per chunk (default 1 MiB)
    9       16    file_id: random per file
    25      4     nonce_prefix: random per file
    29      2     key_id length N (1..1024)
    31      N     key_id, UTF-8 (which data key encrypts the file, e.g. "user-7-v1")

Body: chunks, each ``AES-256-GCM(plaintext chunk) = ciphertext || 16-byte tag``.
Every chunk but the last holds exactly ``chunk_size`` plaintext bytes; the last
holds 1..chunk_size bytes, or 0 bytes only when the whole plaintext is empty
(so an empty file still has one empty, final chunk). Hence the plaintext size
and the chunk count follow from the file length alone, which is what makes the
reader seekable without an index.

Per chunk *i* (0-based):

* key   = HKDF-SHA256(ikm=data key, salt=file_id, info=b"datapunk-lake DPLK v1 chunk key")
* nonce = nonce_prefix (4 bytes) || i as 8 bytes
* AAD   = header bytes || i as 8 bytes || final flag (1 byte: 1 for the last chunk, else 0)

Why the per-file subkey: the format keeps only 4 random nonce bytes per file, and
one data key encrypts all of a user's files. With the data key used directly,
two files would share a nonce with ~1 % probability after ~10,000 files, and
GCM nonce reuse leaks plaintext XORs and the authentication key. Deriving the
key from the 16-byte random file_id makes a collision need a 128-bit file_id
collision instead. Within one file the chunk index makes every nonce unique.

What the AAD buys: the header is authenticated by every chunk (tampering with
key_id, chunk_size, ... fails); the index stops reordering/swapping chunks; the
final flag stops truncation at a chunk boundary (the new last chunk was not
written as final) and appending (the old last chunk is no longer last).
GCM cannot tell a wrong key from tampering, so both raise ``IntegrityError``.

Neither ``EncryptingWriter`` nor ``DecryptingReader`` is thread-safe.
"""

from __future__ import annotations

import contextlib
import io
import os
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "MAGIC",
    "VERSION",
    "DecryptingReader",
    "EncryptingWriter",
    "Header",
    "IntegrityError",
    "decrypt_file",
    "encrypt_file",
    "is_encrypted",
    "open_decrypted",
    "read_header",
]

MAGIC = b"DPLK"
VERSION = 1
DEFAULT_CHUNK_SIZE = 1 << 20
TAG_SIZE = 16
KEY_SIZE = 32

# magic, version, chunk_size, file_id, nonce_prefix, key_id length
_FIXED = struct.Struct(">4sBI16s4sH")
# A header is read before anything is authenticated, so bound what a crafted
# one can make us allocate (chunk buffer) or read (key id).
MAX_CHUNK_SIZE = 64 << 20
MAX_KEY_ID_BYTES = 1024
_HKDF_INFO = b"datapunk-lake DPLK v1 chunk key"


class IntegrityError(ValueError):
    """The encrypted file is corrupt, truncated, tampered with, or the key is wrong."""


@dataclass(frozen=True)
class Header:
    version: int
    chunk_size: int
    file_id: bytes
    nonce_prefix: bytes
    key_id: str
    raw: bytes  # the exact header bytes: part of every chunk's AAD

    @property
    def length(self) -> int:
        return len(self.raw)


def _build_header(
    chunk_size: int, key_id: str, file_id: bytes, nonce_prefix: bytes
) -> Header:
    if not 1 <= chunk_size <= MAX_CHUNK_SIZE:
        raise ValueError(
            f"chunk_size must be between 1 and {MAX_CHUNK_SIZE}, got {chunk_size}"
        )
    kid = key_id.encode("utf-8")
    if not 1 <= len(kid) <= MAX_KEY_ID_BYTES:
        raise ValueError(
            f"key_id must be 1..{MAX_KEY_ID_BYTES} UTF-8 bytes, got {len(kid)}"
        )
    raw = _FIXED.pack(MAGIC, VERSION, chunk_size, file_id, nonce_prefix, len(kid)) + kid
    return Header(VERSION, chunk_size, file_id, nonce_prefix, key_id, raw)


def _read_exactly(raw: BinaryIO, n: int) -> bytes:
    # Raw (unbuffered) files may return short reads; loop until n bytes or EOF.
    buf = bytearray()
    while len(buf) < n:
        got = raw.read(n - len(buf))
        if not got:
            break
        buf += got
    return bytes(buf)


def read_header(raw: BinaryIO) -> Header:
    """Read and parse the header at the current position of ``raw``.

    Only the structure is checked here; the header's authenticity is checked by
    decrypting any chunk (``DecryptingReader`` does so on open).
    """
    fixed = _read_exactly(raw, _FIXED.size)
    if len(fixed) < 4 or fixed[:4] != MAGIC:
        raise IntegrityError(
            "not a Datapunk Lake encrypted file (magic bytes 'DPLK' missing)"
        )
    if len(fixed) < _FIXED.size:
        raise IntegrityError("encrypted file is truncated inside its header")
    _magic, version, chunk_size, file_id, nonce_prefix, kid_len = _FIXED.unpack(fixed)
    if version != VERSION:
        raise IntegrityError(
            f"unsupported encrypted file version {version} (this code reads {VERSION})"
        )
    if not 1 <= chunk_size <= MAX_CHUNK_SIZE:
        raise IntegrityError(
            f"encrypted file header has an invalid chunk size {chunk_size}"
        )
    if not 1 <= kid_len <= MAX_KEY_ID_BYTES:
        raise IntegrityError(
            f"encrypted file header has an invalid key id length {kid_len}"
        )
    kid = _read_exactly(raw, kid_len)
    if len(kid) < kid_len:
        raise IntegrityError("encrypted file is truncated inside its header")
    try:
        key_id = kid.decode("utf-8")
    except UnicodeDecodeError:
        raise IntegrityError(
            "encrypted file header has a key id that is not UTF-8"
        ) from None
    return Header(version, chunk_size, file_id, nonce_prefix, key_id, fixed + kid)


def is_encrypted(path_or_file: str | os.PathLike[str] | BinaryIO) -> bool:
    """True if the file starts with the DPLK magic. A file object is read at its
    current position, which is restored afterwards."""
    if isinstance(path_or_file, (str, os.PathLike)):
        with open(path_or_file, "rb") as f:
            return _read_exactly(f, len(MAGIC)) == MAGIC
    f = path_or_file
    pos = f.tell()
    try:
        return _read_exactly(f, len(MAGIC)) == MAGIC
    finally:
        f.seek(pos)


def _check_key(key: bytes) -> None:
    if not isinstance(key, (bytes, bytearray)) or len(key) != KEY_SIZE:
        raise ValueError(f"data key must be {KEY_SIZE} bytes (AES-256)")


def _file_aead(key: bytes, header: Header) -> AESGCM:
    hkdf = HKDF(
        algorithm=hashes.SHA256(), length=KEY_SIZE, salt=header.file_id, info=_HKDF_INFO
    )
    return AESGCM(hkdf.derive(bytes(key)))


def _nonce(header: Header, index: int) -> bytes:
    return header.nonce_prefix + index.to_bytes(8, "big")


def _aad(header: Header, index: int, final: bool) -> bytes:
    return header.raw + index.to_bytes(8, "big") + (b"\x01" if final else b"\x00")


def _write_all(raw: BinaryIO, data: bytes) -> None:
    # RawIOBase.write may write fewer bytes than given (or None for non-blocking).
    view = memoryview(data)
    while view:
        n = raw.write(view)
        if n is None:
            raise BlockingIOError("underlying stream would block")
        view = view[n:]


class EncryptingWriter(io.RawIOBase):
    """Write-only stream that encrypts into ``raw`` in the DPLK format.

    The header is written immediately. Data is buffered up to one chunk: a full
    chunk is only encrypted once more data arrives, because whether it is the
    final chunk (part of its AAD) is not known before that. ``flush()`` therefore
    cannot push a partial chunk out; only ``close()``/``finish()`` write the final
    chunk. Leaving a ``with`` block by an exception, or garbage collection without
    ``close()``, aborts instead: the output then has no final chunk, so a reader
    rejects it as truncated rather than accepting a silently partial file.
    """

    def __init__(
        self,
        raw: BinaryIO,
        key: bytes,
        key_id: str,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        *,
        close_raw: bool = True,
    ) -> None:
        super().__init__()
        self._finished = True  # until fully constructed, __del__ must do nothing
        _check_key(key)
        self._raw = raw
        self._close_raw = close_raw
        self.header = _build_header(chunk_size, key_id, os.urandom(16), os.urandom(4))
        self._aead = _file_aead(key, self.header)
        self._chunk_size = chunk_size
        self._buf = bytearray()
        self._index = 0
        self._plain_written = 0
        _write_all(raw, self.header.raw)
        self._finished = False

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:  # type: ignore[override]
        if self.closed or self._finished:
            raise ValueError("write to closed EncryptingWriter")
        view = memoryview(b).cast("B")
        n = len(view)
        pos = 0
        cs = self._chunk_size
        while pos < n:
            if len(self._buf) == cs:
                # More data follows, so the buffered full chunk is not the last.
                self._emit(final=False)
            take = min(cs - len(self._buf), n - pos)
            self._buf += view[pos : pos + take]
            pos += take
        self._plain_written += n
        return n

    def _emit(self, final: bool) -> None:
        ct = self._aead.encrypt(
            _nonce(self.header, self._index),
            self._buf,
            _aad(self.header, self._index, final),
        )
        _write_all(self._raw, ct)
        self._index += 1
        self._buf.clear()

    def flush(self) -> None:
        # Chunk boundaries are fixed by chunk_size (the reader relies on it), so
        # only the underlying stream is flushed, never a partial chunk.
        if not self.closed and not self._raw.closed:
            self._raw.flush()

    def finish(self) -> None:
        """Write the final chunk and flush ``raw`` without closing it (e.g. to
        fsync before closing). Further writes are refused."""
        if self._finished:
            return
        self._emit(final=True)
        self._finished = True
        self._raw.flush()

    def close(self) -> None:
        if self.closed:
            return
        try:
            self.finish()
        finally:
            super().close()
            if self._close_raw:
                self._raw.close()

    def abort(self) -> None:
        """Stop without writing the final chunk; the output stays detectably
        incomplete."""
        if self.closed:
            return
        self._finished = True
        self._buf.clear()
        super().close()
        if self._close_raw:
            self._raw.close()

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def __del__(self) -> None:
        # io.IOBase's finalizer would call close() and so "complete" a file whose
        # writer was abandoned midway; abort instead.
        # Exceptions cannot propagate out of a finalizer anyway (half-built
        # object, raw already closed by its owner, ...).
        with contextlib.suppress(Exception):
            self.abort()

    @property
    def bytes_written(self) -> int:
        """Plaintext bytes accepted so far."""
        return self._plain_written


class DecryptingReader(io.RawIOBase):
    """Read-only, seekable plaintext view of a DPLK file.

    ``raw`` must be seekable and positioned at the start of the header (its
    current position is taken as the start). The last chunk is decrypted on
    open, so a wrong key, truncation, appended data or a tampered header raise
    ``IntegrityError`` immediately and ``size`` is authenticated. Afterwards
    only the chunks that are read get decrypted; the current one is cached.
    Wrap in ``io.BufferedReader`` for small reads (e.g. for ``zipfile``).
    """

    def __init__(self, raw: BinaryIO, key: bytes, *, close_raw: bool = True) -> None:
        super().__init__()
        self._raw = raw
        self._close_raw = close_raw
        try:
            self._open(key)
        except BaseException:
            # The caller handed us raw to own; don't leak it when opening fails.
            self.close()
            raise

    def _open(self, key: bytes) -> None:
        _check_key(key)
        raw = self._raw
        self._base = raw.tell()
        self.header = read_header(raw)
        self._aead = _file_aead(key, self.header)
        cs = self._chunk_size = self.header.chunk_size
        self._body_start = self._base + self.header.length
        body_len = raw.seek(0, io.SEEK_END) - self._body_start
        stride = cs + TAG_SIZE
        if body_len < TAG_SIZE:
            raise IntegrityError(
                f"encrypted file (key id {self.header.key_id!r}) is truncated: it has no final chunk"
            )
        self._n_chunks = -(-body_len // stride)
        last_ct = body_len - (self._n_chunks - 1) * stride
        if last_ct < TAG_SIZE:
            raise IntegrityError(
                f"encrypted file (key id {self.header.key_id!r}) has a damaged end: "
                f"{last_ct} trailing bytes are too short to be a chunk (truncated or appended data)"
            )
        self.size = body_len - self._n_chunks * TAG_SIZE
        self._pos = 0
        self._cache_index = -1
        self._cache = b""
        # Authenticate the end now: proves the header, the key and the length.
        self._load(self._n_chunks - 1)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        self._check_open()
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self._check_open()
        if whence == io.SEEK_SET:
            pos = offset
        elif whence == io.SEEK_CUR:
            pos = self._pos + offset
        elif whence == io.SEEK_END:
            pos = self.size + offset
        else:
            raise ValueError(f"invalid whence {whence!r}")
        if pos < 0:
            raise ValueError(f"negative seek position {pos}")
        self._pos = (
            pos  # past the end is allowed, as for regular files; reads return b""
        )
        return pos

    def _check_open(self) -> None:
        if self.closed:
            raise ValueError("I/O operation on closed DecryptingReader")

    def _load(self, index: int) -> bytes:
        if index == self._cache_index:
            return self._cache
        stride = self._chunk_size + TAG_SIZE
        final = index == self._n_chunks - 1
        ct_len = (self.size - index * self._chunk_size + TAG_SIZE) if final else stride
        self._raw.seek(self._body_start + index * stride)
        ct = _read_exactly(self._raw, ct_len)
        if len(ct) != ct_len:
            raise IntegrityError(
                f"encrypted file (key id {self.header.key_id!r}) became shorter while reading chunk {index}"
            )
        try:
            plain = self._aead.decrypt(
                _nonce(self.header, index), ct, _aad(self.header, index, final)
            )
        except InvalidTag:
            raise IntegrityError(
                f"chunk {index} of {self._n_chunks} failed authentication (key id {self.header.key_id!r}): "
                "the file was modified, truncated or extended, or the key is wrong"
            ) from None
        self._cache_index, self._cache = index, plain
        return plain

    def readinto(self, b) -> int:  # type: ignore[override]
        self._check_open()
        view = memoryview(b).cast("B")
        want = min(len(view), max(0, self.size - self._pos))
        done = 0
        cs = self._chunk_size
        # Fill the whole request across chunks: BufferedReader passes large reads
        # straight through, so this keeps read(n) to one call for big n.
        while done < want:
            index, offset = divmod(self._pos, cs)
            chunk = self._load(index)
            n = min(want - done, len(chunk) - offset)
            view[done : done + n] = memoryview(chunk)[
                offset : offset + n
            ]  # no temp copy
            done += n
            self._pos += n
        return done

    def readall(self) -> bytes:
        self._check_open()
        buf = bytearray(max(0, self.size - self._pos))
        n = self.readinto(buf)
        del buf[n:]
        return bytes(buf)

    def close(self) -> None:
        if self.closed:
            return
        super().close()
        self._cache = b""
        if self._close_raw:
            self._raw.close()


def fsync_dir(path: Path, *, strict: bool = False) -> None:
    """Make a create/rename/unlink in the directory durable (POSIX).

    Best effort by default (directories cannot be fsynced on Windows);
    `strict` raises instead, for writers that must not report success
    without it (archive exports, upload offsets).
    """
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        if strict:
            raise
        return
    try:
        os.fsync(fd)
    except OSError:
        if strict:
            raise
    finally:
        os.close(fd)


def _atomic_transform(
    src_path: str | os.PathLike[str],
    dst_path: str | os.PathLike[str],
    make_output: Callable[[BinaryIO], io.RawIOBase],
    open_input: Callable[[BinaryIO], BinaryIO],
    chunk_size: int,
) -> None:
    dst = Path(dst_path)
    tmp = dst.with_name(dst.name + ".partial")
    try:
        with open(src_path, "rb") as src_raw, open(tmp, "wb") as out:
            src = open_input(src_raw)
            sink = make_output(out)
            buf = bytearray(chunk_size)
            while n := src.readinto(buf):
                sink.write(memoryview(buf)[:n])
            if isinstance(sink, EncryptingWriter):
                sink.finish()
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, dst)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(dst.parent)


def encrypt_file(
    src_path: str | os.PathLike[str],
    dst_path: str | os.PathLike[str],
    key: bytes,
    key_id: str,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> None:
    """Encrypt ``src_path`` into ``dst_path`` atomically: the data goes to
    ``dst_path + ".partial"``, is fsynced, renamed over ``dst_path`` and the
    directory is fsynced, so ``dst_path`` is either absent/old or complete.
    Two concurrent calls for the same ``dst_path`` would share the .partial
    file; callers must not do that."""
    _check_key(key)
    _atomic_transform(
        src_path,
        dst_path,
        lambda out: EncryptingWriter(out, key, key_id, chunk_size, close_raw=False),
        lambda f: f,
        chunk_size,
    )


def decrypt_file(
    src_path: str | os.PathLike[str], dst_path: str | os.PathLike[str], key: bytes
) -> None:
    """Decrypt ``src_path`` into plain ``dst_path`` with the same atomic-rename
    discipline as ``encrypt_file`` (e.g. to hand a Parquet archive to external
    tools). A failed authentication leaves no output file."""
    _check_key(key)
    _atomic_transform(
        src_path,
        dst_path,
        lambda out: out,  # type: ignore[arg-type,return-value]
        lambda f: DecryptingReader(f, key, close_raw=False),  # type: ignore[arg-type,return-value]
        DEFAULT_CHUNK_SIZE,
    )


def open_decrypted(
    path: str | os.PathLike[str], key_for_id: Callable[[str], bytes]
) -> io.BufferedReader:
    """Open an encrypted file for buffered, seekable reading; ``key_for_id``
    (e.g. ``KeyRing.key_by_id``) maps the header's key id to the data key."""
    f = open(path, "rb")  # noqa: SIM115 - ownership passes to the returned reader
    try:
        header = read_header(f)
        f.seek(0)
        reader = DecryptingReader(f, key_for_id(header.key_id))
        return io.BufferedReader(reader, buffer_size=header.chunk_size)
    except BaseException:
        f.close()
        raise

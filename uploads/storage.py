"""Bytes on disk: the temp file of an upload and its running SHA-256; completed files go to vault.rawstore.

The SHA-256 of a file is computed while it arrives. hashlib cannot save its
state, so the running hash object lives in the process that received the
previous chunk, tagged with the offset it covers. When a PATCH lands in a
process without the hash for exactly its offset (another gunicorn worker
took the previous chunk, the server restarted, a chunk was rolled back) the
upload goes on without one, and completion hashes the finished file from
disk once. So an upload costs at most one extra sequential read, never a
re-read of the prefix per chunk, and the digest always covers the bytes that
are durably on disk, never what a client merely claimed to send.
"""

import errno
import hashlib
import os
import threading
from collections import OrderedDict
from pathlib import Path

from django.conf import settings

from core.private import private_dir
from vault import rawstore
from vault.crypto import fsync_dir

READ_SIZE = 1 << 20
_HASHERS: OrderedDict = OrderedDict()
_HASHERS_LOCK = threading.Lock()
_HASHERS_MAX = 512


def temp_dir() -> Path:
    return Path(settings.TEMP_DIR) / "uploads"


def temp_path(upload_id) -> Path:
    return temp_dir() / f"{upload_id}.part"


def create_temp_file(upload_id) -> Path:
    path = temp_path(upload_id)
    private_dir(path.parent)
    # 0600 whatever the umask: the bytes stay unencrypted until the upload completes.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    fsync_dir(path.parent, strict=True)
    return path


def remove_temp_file(upload_id) -> None:
    forget_hasher(upload_id)
    temp_path(upload_id).unlink(missing_ok=True)


def disk_size(upload_id) -> int | None:
    try:
        return temp_path(upload_id).stat().st_size
    except FileNotFoundError:
        return None


def truncate(path: Path, size: int) -> None:
    with open(path, "r+b") as handle:
        handle.truncate(size)
        os.fsync(handle.fileno())


# --- the running hash -----------------------------------------------------------


def take_hasher(upload_id, offset: int):
    """The running SHA-256 of the first `offset` bytes if this process has it, else None."""
    with _HASHERS_LOCK:
        cached = _HASHERS.pop(str(upload_id), None)
    if offset == 0:
        return hashlib.sha256()
    return cached[1] if cached is not None and cached[0] == offset else None


def hash_from_disk(upload_id, size: int):
    """The SHA-256 of the first `size` bytes of the temp file, read from disk."""
    hasher = hashlib.sha256()
    remaining = size
    with open(temp_path(upload_id), "rb") as handle:
        while remaining:
            block = handle.read(min(READ_SIZE, remaining))
            if not block:
                raise OSError(errno.EIO, f"upload {upload_id} has fewer than {size} bytes on disk")
            hasher.update(block)
            remaining -= len(block)
    return hasher


def keep_hasher(upload_id, offset: int, hasher) -> None:
    with _HASHERS_LOCK:
        _HASHERS[str(upload_id)] = (offset, hasher)
        _HASHERS.move_to_end(str(upload_id))
        while len(_HASHERS) > _HASHERS_MAX:
            _HASHERS.popitem(last=False)


def forget_hasher(upload_id) -> None:
    with _HASHERS_LOCK:
        _HASHERS.pop(str(upload_id), None)


# --- into the raw store -------------------------------------------------------------


def place_in_raw_store(upload_id, user_id: int, sha256: str) -> bool:
    """Encrypt the complete temp file into the raw store (vault.rawstore); True if the bytes were new."""
    return rawstore.store(temp_path(upload_id), user_id, sha256)

"""Master key and per-user data keys (kept outside the database).

* The master key (32 bytes) comes from a setting (base64) or a key file; it
  never encrypts data directly, it only wraps the per-user data keys.
* Each user has one random 32-byte data key, stored only wrapped, in
  ``keys_dir/user-<id>.key`` (mode 0600). Its key id is ``user-<id>-v<n>``;
  that id is written into every encrypted file's header.
* ``shred_user`` destroys the wrapped key, which makes every file encrypted
  under it unreadable (crypto-shredding). A small tombstone
  ``user-<id>.shredded`` (holding only the shredded version number) remains so
  that a later read can say "this key was shredded" rather than "no key found",
  which would also be what a wrongly configured keys directory looks like; a
  new key for the same user then gets the next version.

Wrapping: AES-256-GCM under the master key with a random 96-bit nonce and the
user id + key version as associated data, instead of AES key wrap (RFC 5649):
key wrap has no associated data, so a key file copied or renamed to another
user's name would unwrap without complaint and the mix-up would surface later
as confusing decryption failures; with the AAD it is rejected at unwrap time.
Random nonces are safe here because the master key wraps only one key per user
and version, many orders of magnitude below GCM's 2**32 random-nonce limit.

Wrapped key file (69 bytes): b"DPLW" | format 1 (1 byte) | key version (4 bytes,
big-endian) | nonce (12) | AES-GCM(data key) (32 + 16 tag).

Shredding caveat: overwrite-then-unlink does not guarantee erasure on
copy-on-write filesystems, SSD wear levelling, or in backups/snapshots of
``keys_dir``; backups of ``keys_dir`` must be kept short-lived for shredding to
hold.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import struct
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from vault.crypto import fsync_dir as _fsync_dir

__all__ = [
    "KeyMissing",
    "KeyRing",
    "KeyUnwrapError",
    "generate_master_key_file",
    "load_master_key",
    "master_key_problem",
]

KEY_SIZE = 32
_WRAP_MAGIC = b"DPLW"
_WRAP_FORMAT = 1
_WRAP_PREFIX = struct.Struct(">4sBI")
_WRAPPED_LEN = _WRAP_PREFIX.size + 12 + KEY_SIZE + 16
_KEY_ID_RE = re.compile(r"user-(\d+)-v(\d+)")


class KeyMissing(LookupError):
    """The data key a file needs does not exist (shredded, or never created)."""


class KeyUnwrapError(ValueError):
    """A wrapped key file exists but cannot be unwrapped."""


def _write_private_file(path: Path, data: bytes, *, replace: bool) -> None:
    """Write ``data`` to ``path`` atomically with mode 0600.

    With ``replace=False`` an existing file is never touched and
    ``FileExistsError`` is raised: the final name is created with ``link()``,
    which fails atomically if the name exists. Two processes racing to create a
    user's first key therefore cannot overwrite each other's key (which would
    make whatever the loser already encrypted unreadable).
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.urandom(6).hex()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        try:
            os.fchmod(fd, 0o600)  # os.open's mode is subject to the umask; be explicit
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        if replace:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(path.parent)


def _check_user_id(user_id: int) -> int:
    # The id becomes part of a file name: accept only plain non-negative ints.
    if isinstance(user_id, bool) or not isinstance(user_id, int) or user_id < 0:
        raise ValueError(f"user_id must be a non-negative int, got {user_id!r}")
    return user_id


def _shredded_message(user_id: int) -> str:
    return (
        f"the key for user {user_id} was deleted (crypto-shredded); "
        "files encrypted with it cannot be read"
    )


class KeyRing:
    """Per-user data keys wrapped by the master key, stored under ``keys_dir``.

    Keys are not cached in memory, so a shred in one process takes effect in
    every other process at their next lookup (one small file read per lookup).
    """

    def __init__(self, master_key: bytes, keys_dir: Path) -> None:
        if (
            not isinstance(master_key, (bytes, bytearray))
            or len(master_key) != KEY_SIZE
        ):
            raise ValueError(f"master key must be {KEY_SIZE} bytes")
        self._aead = AESGCM(bytes(master_key))
        self.keys_dir = Path(keys_dir)

    # -- paths and ids ---------------------------------------------------------
    def _key_path(self, user_id: int) -> Path:
        return self.keys_dir / f"user-{user_id}.key"

    def _tombstone_path(self, user_id: int) -> Path:
        return self.keys_dir / f"user-{user_id}.shredded"

    @staticmethod
    def key_id(user_id: int, version: int) -> str:
        return f"user-{user_id}-v{version}"

    @staticmethod
    def parse_key_id(key_id: str) -> tuple[int, int]:
        m = _KEY_ID_RE.fullmatch(key_id)
        if not m:
            raise KeyMissing(f"unknown key id {key_id!r} (expected 'user-<id>-v<n>')")
        return int(m.group(1)), int(m.group(2))

    # -- wrapping --------------------------------------------------------------
    @staticmethod
    def _aad(prefix: bytes, user_id: int) -> bytes:
        return prefix + f"datapunk-lake user data key; user={user_id}".encode()

    def _wrap(self, user_id: int, version: int, key: bytes) -> bytes:
        prefix = _WRAP_PREFIX.pack(_WRAP_MAGIC, _WRAP_FORMAT, version)
        nonce = os.urandom(12)
        return (
            prefix + nonce + self._aead.encrypt(nonce, key, self._aad(prefix, user_id))
        )

    def _unwrap(self, user_id: int, path: Path, blob: bytes) -> tuple[int, bytes]:
        if len(blob) != _WRAPPED_LEN or blob[:4] != _WRAP_MAGIC:
            raise KeyUnwrapError(
                f"{path} is not a wrapped data key file (wrong size or magic)"
            )
        _, fmt, version = _WRAP_PREFIX.unpack_from(blob)
        if fmt != _WRAP_FORMAT:
            raise KeyUnwrapError(f"{path} has unsupported key file format {fmt}")
        p = _WRAP_PREFIX.size
        try:
            key = self._aead.decrypt(
                blob[p : p + 12], blob[p + 12 :], self._aad(blob[:p], user_id)
            )
        except InvalidTag:
            raise KeyUnwrapError(
                f"cannot unwrap the data key in {path}: the master key is wrong, "
                f"or the file is damaged or belongs to another user"
            ) from None
        return version, key

    def _read(self, user_id: int) -> tuple[int, bytes] | None:
        path = self._key_path(user_id)
        try:
            blob = path.read_bytes()
        except FileNotFoundError:
            return None
        return self._unwrap(user_id, path, blob)

    def _shredded_version(self, user_id: int) -> int:
        try:
            return int(self._tombstone_path(user_id).read_text().strip() or 0)
        except (FileNotFoundError, ValueError):
            return 0

    # -- public API ------------------------------------------------------------
    def data_key_for_user(self, user_id: int, create: bool = True) -> tuple[str, bytes]:
        """Return ``(key_id, key)`` of the user's current data key, creating one
        (with ``os.urandom``) if there is none and ``create`` is true."""
        _check_user_id(user_id)
        found = self._read(user_id)
        if found is None:
            shredded = self._shredded_version(user_id)
            if not create:
                if shredded:
                    raise KeyMissing(_shredded_message(user_id))
                raise KeyMissing(
                    f"no data key exists for user {user_id} in {self.keys_dir} "
                    "(never created, or the keys directory setting points to the wrong place)"
                )
            version, key = shredded + 1, os.urandom(KEY_SIZE)
            try:
                _write_private_file(
                    self._key_path(user_id),
                    self._wrap(user_id, version, key),
                    replace=False,
                )
            except FileExistsError:
                # Another process created it first: use theirs, never replace it.
                found = self._read(user_id)
                if found is None:  # pragma: no cover - shredded in between
                    raise KeyMissing(_shredded_message(user_id)) from None
                version, key = found
        else:
            version, key = found
        return self.key_id(user_id, version), key

    def key_by_id(self, key_id: str) -> bytes:
        """Data key for a key id from a file header; ``KeyMissing`` if it is gone."""
        user_id, version = self.parse_key_id(key_id)
        found = self._read(user_id)
        if found is not None and found[0] == version:
            return found[1]
        current = found[0] if found is not None else 0
        # Versions only grow, and only after a shred, so an older version than
        # the current one (or one at/below the tombstone) was shredded.
        if version < current or version <= self._shredded_version(user_id):
            raise KeyMissing(_shredded_message(user_id))
        raise KeyMissing(
            f"no data key {key_id!r} in {self.keys_dir} "
            "(never created, or the keys directory setting points to the wrong place)"
        )

    def shred_user(self, user_id: int) -> bool:
        """Destroy the user's data key. Returns False if there was none.

        Order matters for crash safety: the tombstone is written first, then the
        key file is overwritten with random bytes and fsynced (from then on the
        key is unrecoverable even if the unlink is lost), then unlinked and the
        directory fsynced.
        """
        _check_user_id(user_id)
        path = self._key_path(user_id)
        try:
            blob = path.read_bytes()
        except FileNotFoundError:
            return False
        version = 0
        if len(blob) >= _WRAP_PREFIX.size and blob[:4] == _WRAP_MAGIC:
            version = _WRAP_PREFIX.unpack_from(blob)[2]
        version = max(version, self._shredded_version(user_id))
        _write_private_file(
            self._tombstone_path(user_id), f"{version}\n".encode(), replace=True
        )
        with open(path, "r+b") as f:
            f.write(os.urandom(max(len(blob), _WRAPPED_LEN)))
            f.flush()
            os.fsync(f.fileno())
        path.unlink()
        _fsync_dir(path.parent)
        return True


# -- master key --------------------------------------------------------------
def _decode_key(text: str, source: str) -> bytes:
    s = "".join(text.split())
    # Accept both alphabets: map urlsafe to standard, and restore padding.
    s = s.replace("-", "+").replace("_", "/").rstrip("=")
    s += "=" * (-len(s) % 4)
    try:
        key = base64.b64decode(s, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(
            f"{source} is not valid base64 (expected base64 of 32 random bytes)"
        ) from None
    if len(key) != KEY_SIZE:
        raise ValueError(
            f"{source} must decode to {KEY_SIZE} bytes (256 bits), got {len(key)} bytes"
        )
    return key


def load_master_key(value: str | None, key_file: Path | None) -> bytes:
    """Load the 32-byte master key from ``value`` (base64, standard or urlsafe,
    padding optional) or, if ``value`` is empty/None, from ``key_file`` (a text
    file holding the same base64). Raises ``ValueError`` with a message that
    never contains key material."""
    if value is not None and value.strip():
        return _decode_key(value, "the master key setting")
    if key_file is None:
        raise ValueError(
            "no master key configured: set the master key (base64 of 32 random bytes) or a key file"
        )
    path = Path(key_file)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ValueError(
            f"master key file {path} does not exist (create one with generate_master_key_file)"
        ) from None
    except OSError as e:
        raise ValueError(
            f"cannot read master key file {path}: {e.strerror or e}"
        ) from None
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        raise ValueError(
            f"master key file {path} must contain base64 text, not binary data"
        ) from None
    return _decode_key(text, f"master key file {path}")


def generate_master_key_file(path: Path) -> bytes:
    """Create ``path`` (mode 0600) holding a new random master key as urlsafe
    base64 and return the key. Refuses to overwrite an existing file: replacing
    the master key makes every wrapped data key, hence every archive, unreadable."""
    path = Path(path)
    key = os.urandom(KEY_SIZE)
    try:
        _write_private_file(path, base64.urlsafe_b64encode(key) + b"\n", replace=False)
    except FileExistsError:
        raise FileExistsError(
            f"master key file {path} already exists; refusing to overwrite it"
        ) from None
    return key


def master_key_problem(value: str | None, key_file: Path | None) -> str | None:
    """For a system check: ``None`` if a master key can be loaded, else a
    human-readable reason."""
    try:
        load_master_key(value, key_file)
    except ValueError as e:
        return str(e)
    return None

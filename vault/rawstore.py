"""The raw store: every uploaded export as its owner received it, encrypted at rest.

One small API over one path layout, `DATA_DIR/raw/user=<id>/<sha[:2]>/<sha256>`:
content-addressed per person, so each file is encrypted with its owner's data
key, the same bytes from two people are two files, and nobody's upload reveals
what someone else has. Uploads write here (`store`), the importer reads
(`open_raw`), the lifecycle's retention deletes (`delete`), and "delete
everything" removes a person's folder (`shred_user`) after her key is gone.
"""

import shutil
from pathlib import Path
from typing import BinaryIO

from django.conf import settings

from vault.crypto import encrypt_file, is_encrypted, open_decrypted
from vault.keyring import keyring

FOLDER = "raw"


def root() -> Path:
    return Path(settings.DATA_DIR) / FOLDER


def relative(user_id: int, sha256: str) -> str:
    """The file's path below DATA_DIR, as upload rows record it."""
    return f"{FOLDER}/user={int(user_id)}/{sha256[:2]}/{sha256}"


def path(user_id: int, sha256: str) -> Path:
    return Path(settings.DATA_DIR) / relative(user_id, sha256)


def store(source: Path, user_id: int, sha256: str) -> bool:
    """Encrypt the complete file at `source` into the store under its owner's data key.

    True if these bytes were new. Chunked AES-GCM (vault.crypto), so the import
    reader can seek through the file without decrypting it to disk, and
    deleting the owner's key makes the raw file unreadable along with her
    archives. encrypt_file writes a .partial name, fsyncs and renames: never a
    half-written raw file; the same name always means the same plaintext.
    """
    target = path(user_id, sha256)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        return False
    key_id, key = keyring().data_key_for_user(user_id)
    encrypt_file(source, target, key, key_id)
    return True


def open_raw(file: str | Path) -> BinaryIO:
    """A seekable binary stream of the file's plaintext.

    Uploads are stored encrypted; files given to `import_takeout` on the server
    are read where they lie, in the clear.
    """
    if is_encrypted(file):
        return open_decrypted(file, keyring().key_by_id)
    return open(file, "rb")  # noqa: SIM115 - the caller closes it


def resolve(file: str | Path) -> Path:
    """An absolute path for a recorded one (relative paths are below DATA_DIR)."""
    candidate = Path(file)
    return (candidate if candidate.is_absolute() else Path(settings.DATA_DIR) / candidate).resolve()


def contains(file: Path) -> bool:
    """Whether `file` (resolved) lies in the store: nothing outside it is ever deleted from here."""
    return file.is_relative_to(root().resolve())


def delete(file: Path) -> int:
    """Delete one stored file; the bytes freed (0 if it was already gone)."""
    if not contains(file):
        raise ValueError(f"{file} is not in the raw store")
    try:
        size = file.stat().st_size
        file.unlink()
    except FileNotFoundError:
        return 0
    return size


def shred_user(user_id: int) -> bool:
    """Remove a person's whole folder; True if there was one."""
    folder = root() / f"user={int(user_id)}"
    if not folder.is_dir():
        return False
    shutil.rmtree(folder)
    return True

"""Opening raw files: encrypted uploads through a seekable decrypting reader, plain files as they are."""

from pathlib import Path
from typing import BinaryIO

from vault.crypto import is_encrypted, open_decrypted


def open_raw(path: str | Path) -> BinaryIO:
    """A seekable binary stream of the file's plaintext.

    Uploads are stored encrypted (uploads.storage.place_in_raw_store); files
    given to `import_takeout` on the server are read where they lie, in the clear.
    """
    if is_encrypted(path):
        from vault.keyring import keyring

        return open_decrypted(path, keyring().key_by_id)
    return open(path, "rb")  # noqa: SIM115 - the caller closes it

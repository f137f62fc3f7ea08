"""Partition rows to encrypted Parquet and back, with the checks that prove nothing was lost.

Layout: ``ARCHIVE_DIR/<schema>.<table>/user=<id>/period=YYYY-MM/part-0.parquet``,
Hive-style. Each file is standard Parquet Modular Encryption (uniform:
footer and every column under one AES-GCM key), so an engine that speaks
it reads the file in place: DuckDB with ``PRAGMA add_parquet_key`` and the
key `lifecycle archive-key --user U` prints, pruning the tree by its
user=/period= directories. One key per user, derived from her data key
(HKDF, `archive_key`): shredding her data key destroys her archives and
leaves everyone else's readable.

Archives written before this format (``part-0.parquet.enc``: plain Parquet
inside the vault's chunked AEAD envelope) stay readable by every function
here; they are recognized by their suffix. `lifecycle decrypt` turns
either kind into a plain Parquet copy.

Fault injection: ``WRITE_HOOK`` (None in production) is called as
``WRITE_HOOK(path, nbytes)`` before every write of ciphertext to disk; tests
set it to raise ``OSError(errno.ENOSPC)`` to play a full disk.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pyarrow.parquet.encryption as pe
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from psycopg import sql

from lifecycle.paths import archive_path
from lifecycle.sql import Column
from vault import crypto

WRITE_HOOK: Callable[[Path, int], None] | None = None
BATCH_ROWS = 20_000

_ARROW_TYPES = {
    "timestamp with time zone": pa.timestamp("us", tz="UTC"),
    "timestamp without time zone": pa.timestamp("us"),
    "date": pa.date32(),
    "smallint": pa.int16(),
    "integer": pa.int32(),
    "bigint": pa.int64(),
    "double precision": pa.float64(),
    "real": pa.float32(),
    "boolean": pa.bool_(),
    "text": pa.string(),
}


def arrow_type(column: Column) -> pa.DataType:
    if column.type.startswith("character varying"):
        return pa.string()
    # Anything else (jsonb, numeric, ...) travels as its PostgreSQL text form,
    # which the same column type parses back exactly on restore.
    return _ARROW_TYPES.get(column.type, pa.string())


def arrow_schema(cols: list[Column]) -> pa.Schema:
    return pa.schema(
        [pa.field(c.name, arrow_type(c), metadata={"pg_type": c.type}) for c in cols],
        metadata={"producer": "datapunk-lake lifecycle"},
    )


def select_list(cols: list[Column]) -> sql.Composable:
    parts = []
    for c in cols:
        ident = sql.Identifier(c.name)
        parts.append(ident if c.type in _ARROW_TYPES or c.type.startswith("character varying")
                     else sql.SQL("{}::text").format(ident))
    return sql.SQL(", ").join(parts)


def relative_path(table_label: str, user_id: int, period_start: dt.datetime) -> str:
    return f"{table_label}/user={user_id}/period={period_start:%Y-%m}/part-0.parquet"


LEGACY_SUFFIX = ".enc"  # the envelope format before Parquet Modular Encryption
_ARCHIVE_KEY_INFO = b"datapunk-lake parquet archive key v1"


def archive_key(data_key: bytes) -> bytes:
    """The user's Parquet encryption key (AES-256), derived from her data key.

    Derived rather than the data key itself, so handing an operator the
    archive key (for DuckDB) reveals nothing that opens her raw uploads.
    Deterministic: every month of hers opens with the one key.
    """
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_ARCHIVE_KEY_INFO).derive(data_key)


def duckdb_key_name(user_id: int) -> str:
    return f"lake_user_{int(user_id)}"


def _is_legacy(path: Path) -> bool:
    return path.suffix == LEGACY_SUFFIX


def _open_parquet(path: Path, key: bytes) -> pq.ParquetFile:
    """An encrypted archive file opened with the user's data key; a wrong key is an IntegrityError."""
    properties = pe.create_decryption_properties(archive_key(key))
    try:
        parquet = pq.ParquetFile(path, decryption_properties=properties)
        parquet.metadata  # noqa: B018 - the footer is decrypted (and authenticated) here
    except OSError as error:
        raise crypto.IntegrityError(f"{path.name} cannot be decrypted with this key: {error}") from error
    return parquet


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)


def _canonical(value):
    # Timestamps from psycopg and from Arrow carry different tzinfo objects;
    # microseconds since the epoch are the same number either way.
    if isinstance(value, dt.datetime):
        return (value - _EPOCH) // _MICROSECOND if value.tzinfo else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


class RowDigest:
    """sha256 over rows in canonical form: the same rows give the same digest
    whether they come from PostgreSQL or back out of a Parquet file.

    Only the date and time columns are canonicalized, which keeps this at a
    few microseconds per row.
    """

    def __init__(self, cols: list[Column]):
        self._hash = hashlib.sha256()
        self.rows = 0
        self._special = [i for i, c in enumerate(cols) if c.type.startswith("timestamp") or c.type == "date"]

    def update(self, rows: Iterable[tuple]) -> None:
        update = self._hash.update
        for row in rows:
            if self._special:
                row = list(row)
                for i in self._special:
                    if row[i] is not None:
                        row[i] = _canonical(row[i])
            update(repr(tuple(row)).encode())
            update(b"\n")
            self.rows += 1

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


@dataclass
class FileManifest:
    user_id: int
    relative_path: str
    key_id: str
    rows: int
    plaintext_bytes: int
    ciphertext_bytes: int
    plaintext_sha256: str
    ciphertext_sha256: str
    rows_sha256: str
    min_at: dt.datetime | None
    max_at: dt.datetime | None
    arrow_schema: str
    products: dict = field(default_factory=dict)  # product -> {"rows", "first", "last"}


class _CipherSink(io.RawIOBase):
    """The file on disk, which pyarrow writes to: hashes it and lets tests fail a write."""

    def __init__(self, raw, path: Path):
        super().__init__()
        self._raw, self._path = raw, path
        self.sha256, self.bytes = hashlib.sha256(), 0

    def writable(self):
        return True

    def write(self, b):
        if WRITE_HOOK is not None:
            WRITE_HOOK(self._path, len(b))
        n = self._raw.write(b)
        self.sha256.update(memoryview(b)[:n])
        self.bytes += n
        return n

    def tell(self):
        return self.bytes

    def flush(self):
        self._raw.flush()


def write_user_file(
    batches: Iterator[list[tuple]],
    cols: list[Column],
    *,
    user_id: int,
    relative: str,
    key_id: str,
    key: bytes,
    time_column: str,
) -> FileManifest:
    """Stream one user's rows into a Parquet file encrypted with her archive key, atomically.

    Written to ``<name>.partial``, fsynced, renamed, directory fsynced: the
    final name exists only for a complete file. Any failure (a full disk)
    removes the partial file and raises.
    """
    schema = arrow_schema(cols)
    path = archive_path(relative)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    names = [c.name for c in cols]
    time_index, product_index = names.index(time_column), names.index("product") if "product" in names else None
    digest, products = RowDigest(cols), {}
    min_at = max_at = None
    properties = pe.create_encryption_properties(archive_key(key))
    try:
        with open(partial, "wb") as raw:
            sink = _CipherSink(raw, path)
            parquet = pq.ParquetWriter(sink, schema, compression="zstd", encryption_properties=properties)
            try:
                for batch in batches:
                    digest.update(batch)
                    for row in batch:
                        instant = row[time_index]
                        min_at = instant if min_at is None or instant < min_at else min_at
                        max_at = instant if max_at is None or instant > max_at else max_at
                        if product_index is not None:
                            _count_product(products, row[product_index], instant)
                    columns = list(zip(*batch, strict=True)) if batch else [[] for _ in cols]
                    arrays = [pa.array(values, type=f.type) for values, f in zip(columns, schema, strict=True)]
                    parquet.write_table(pa.Table.from_arrays(arrays, schema=schema))
            finally:
                parquet.close()
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, path)
        crypto.fsync_dir(path.parent, strict=True)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    # The file is the Parquet: there is no separate plaintext to count or hash.
    return FileManifest(
        user_id=user_id, relative_path=relative, key_id=key_id, rows=digest.rows,
        plaintext_bytes=sink.bytes, ciphertext_bytes=sink.bytes,
        plaintext_sha256=sink.sha256.hexdigest(), ciphertext_sha256=sink.sha256.hexdigest(),
        rows_sha256=digest.hexdigest(), min_at=min_at, max_at=max_at, arrow_schema=str(schema),
        products={k: {**v, "first": _iso(v["first"]), "last": _iso(v["last"])} for k, v in products.items()},
    )


def _iso(value):
    return value.isoformat() if value else None


def _count_product(products: dict, product: str, instant) -> None:
    entry = products.setdefault(product, {"rows": 0, "first": instant, "last": instant})
    entry["rows"] += 1
    entry["first"] = min(entry["first"], instant)
    entry["last"] = max(entry["last"], instant)


@dataclass
class FileCheck:
    rows: int
    plaintext_sha256: str
    ciphertext_sha256: str
    rows_sha256: str


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _legacy_key_id(path: Path) -> str:
    with open(path, "rb") as f:
        return crypto.read_header(f).key_id


def read_rows(path: Path, key_for_id: Callable[[str], bytes], key_id: str | None = None) -> Iterator[list[tuple]]:
    """Decrypt and yield the file's rows in batches, as tuples in column order.
    `key_id` (the manifest's) is needed for a Parquet-encrypted file; a legacy
    `.enc` file names its key in its header."""
    if _is_legacy(path):
        with crypto.open_decrypted(path, key_for_id) as plain:
            yield from _batches(pq.ParquetFile(plain))
        return
    yield from _batches(_open_parquet(path, key_for_id(_required(key_id))))


def _required(key_id: str | None) -> str:
    if not key_id:
        raise ValueError("a Parquet-encrypted archive file needs its manifest's key id")
    return key_id


def _batches(parquet: pq.ParquetFile) -> Iterator[list[tuple]]:
    for batch in parquet.iter_batches(batch_size=BATCH_ROWS):
        columns = [column.to_pylist() for column in batch.columns]
        yield list(zip(*columns, strict=True))


def check_file(path: Path, key_for_id: Callable[[str], bytes], key_id: str | None = None) -> FileCheck:
    """Re-open the file from disk: its hash, authenticated decryption, and a
    digest of every row in it.

    A legacy `.enc` file is decrypted once into memory (one user's month is a
    few MB) and its plaintext hashed too; for a Parquet-encrypted file the
    file is the Parquet, so both hashes are the file's.
    """
    cipher_sha = _sha256_file(path)
    if _is_legacy(path):
        with crypto.open_decrypted(path, key_for_id) as plain:
            data = plain.read()
        parquet, plain_sha = pq.ParquetFile(pa.BufferReader(data)), hashlib.sha256(data).hexdigest()
    else:
        parquet, plain_sha = _open_parquet(path, key_for_id(_required(key_id))), cipher_sha
    schema = parquet.schema_arrow
    digest = RowDigest([Column(f.name, (f.metadata or {}).get(b"pg_type", b"text").decode()) for f in schema])
    try:
        for batch in parquet.iter_batches(batch_size=BATCH_ROWS):
            digest.update(zip(*(column.to_pylist() for column in batch.columns), strict=True))
    except OSError as error:  # a tampered page fails its GCM tag
        raise crypto.IntegrityError(f"{path.name}: {error}") from error
    return FileCheck(digest.rows, plain_sha, cipher_sha, digest.hexdigest())


def manifest_path(table_label: str, period_start: dt.datetime) -> Path:
    return archive_path(f"{table_label}/_manifests/period={period_start:%Y-%m}.json")


def write_manifest(table_label: str, period_start: dt.datetime, manifest: dict) -> Path:
    """A copy of the database's manifest beside the files, so the tree explains itself
    without the database. Underscore-prefixed: Spark, Hive and Trino skip it."""
    path = manifest_path(table_label, period_start)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with open(partial, "w") as f:
        json.dump(manifest, f, indent=2, sort_keys=True, default=str)
        f.flush()
        os.fsync(f.fileno())
    os.replace(partial, path)
    crypto.fsync_dir(path.parent, strict=True)
    return path


def decrypt_to_parquet(path: Path, out: Path, key_for_id: Callable[[str], bytes], key_id: str | None = None) -> None:
    """Write a plain (unencrypted) Parquet copy of an archive file, atomically."""
    if _is_legacy(path):
        crypto.decrypt_file(path, out, key_for_id(_legacy_key_id(path)))
        return
    parquet = _open_parquet(path, key_for_id(_required(key_id)))
    partial = out.with_name(out.name + ".partial")
    try:
        with pq.ParquetWriter(partial, parquet.schema_arrow, compression="zstd") as writer:
            for group in range(parquet.num_row_groups):
                writer.write_table(parquet.read_row_group(group))
        os.replace(partial, out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise

import base64
import io
import os
import random
import stat
import zipfile

import pytest

from vault.crypto import (
    TAG_SIZE,
    DecryptingReader,
    EncryptingWriter,
    IntegrityError,
    decrypt_file,
    encrypt_file,
    is_encrypted,
    open_decrypted,
    read_header,
)
from vault.keys import (
    KeyMissing,
    KeyRing,
    KeyUnwrapError,
    generate_master_key_file,
    load_master_key,
    master_key_problem,
)

CS = 4096
KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))


def encrypt(
    data: bytes, key: bytes = KEY, key_id: str = "user-1-v1", chunk_size: int = CS
) -> bytes:
    out = io.BytesIO()
    with EncryptingWriter(out, key, key_id, chunk_size, close_raw=False) as w:
        w.write(data)
    return out.getvalue()


def decrypt(blob: bytes, key: bytes = KEY) -> bytes:
    with DecryptingReader(io.BytesIO(blob), key) as r:
        return r.read()


def payload(n: int, seed: int = 0) -> bytes:
    return random.Random(seed).randbytes(n)


# -- round trips ---------------------------------------------------------------
@pytest.mark.parametrize("size", [0, 1, CS - 1, CS, CS + 1, CS * 11 // 2])
def test_round_trip_sizes(size):
    data = payload(size)
    out = io.BytesIO()
    rng = random.Random(size)
    # Odd-sized writes exercise the chunk buffering across write() calls.
    with EncryptingWriter(out, KEY, "user-1-v1", CS, close_raw=False) as w:
        pos = 0
        while pos < size:
            n = rng.randint(1, 3 * CS)
            assert w.write(data[pos : pos + n]) == len(data[pos : pos + n])
            assert len(w._buf) <= CS  # memory bounded by one chunk
            pos += n
    blob = out.getvalue()
    header = read_header(io.BytesIO(blob))
    n_chunks = max(1, -(-size // CS))
    assert len(blob) == header.length + size + n_chunks * TAG_SIZE
    with DecryptingReader(io.BytesIO(blob), KEY) as r:
        assert r.size == size
        assert r.read() == data
        assert r.read() == b""
    assert decrypt(encrypt(data)) == data  # single big write


def test_header_fields_and_is_encrypted(tmp_path):
    blob = encrypt(b"hello", key_id="user-42-v3")
    h = read_header(io.BytesIO(blob))
    assert (h.version, h.chunk_size, h.key_id) == (1, CS, "user-42-v3")
    assert len(h.file_id) == 16 and len(h.nonce_prefix) == 4
    assert blob[:4] == b"DPLK"
    # Fresh randomness per file: same plaintext, different ciphertext.
    assert encrypt(b"hello") != encrypt(b"hello")
    f = io.BytesIO(blob)
    f.seek(0)
    assert is_encrypted(f) and f.tell() == 0
    assert not is_encrypted(io.BytesIO(b"PAR1...."))
    assert not is_encrypted(io.BytesIO(b""))
    p = tmp_path / "x"
    p.write_bytes(blob)
    assert is_encrypted(p) and is_encrypted(str(p))


def test_encrypt_file_atomic_and_decrypt_file(tmp_path):
    src = tmp_path / "upload.json"
    data = payload(3 * CS + 17)
    src.write_bytes(data)
    dst = tmp_path / "upload.json.enc"
    encrypt_file(src, dst, KEY, "user-1-v1", chunk_size=CS)
    assert not (tmp_path / "upload.json.enc.partial").exists()
    assert is_encrypted(dst)
    assert decrypt(dst.read_bytes()) == data
    plain = tmp_path / "plain.json"
    decrypt_file(dst, plain, KEY)
    assert plain.read_bytes() == data
    with open_decrypted(dst, lambda key_id: KEY) as f:
        f.seek(CS + 5)
        assert f.read(10) == data[CS + 5 : CS + 15]


def test_decrypt_file_leaves_nothing_on_failure(tmp_path):
    src = tmp_path / "a.enc"
    src.write_bytes(encrypt(payload(2 * CS)))
    dst = tmp_path / "a.parquet"
    with pytest.raises(IntegrityError):
        decrypt_file(src, dst, OTHER_KEY)
    assert not dst.exists() and not (tmp_path / "a.parquet.partial").exists()


def test_encrypt_file_failure_cleans_partial(tmp_path):
    with pytest.raises(FileNotFoundError):
        encrypt_file(tmp_path / "missing", tmp_path / "out", KEY, "user-1-v1")
    assert not (tmp_path / "out.partial").exists()


# -- seeking -------------------------------------------------------------------
@pytest.mark.parametrize("buffered", [False, True])
def test_random_seeks_match_plaintext(buffered):
    data = payload(CS * 11 // 2 + 3, seed=1)
    blob = encrypt(data)
    rng = random.Random(1234)
    reader = DecryptingReader(io.BytesIO(blob), KEY)
    f = io.BufferedReader(reader, buffer_size=CS) if buffered else reader
    with f:
        assert f.seekable()
        pos = 0
        for _ in range(300):
            whence = rng.choice([os.SEEK_SET, os.SEEK_CUR, os.SEEK_END])
            target = rng.randint(0, len(data) + 10)
            offset = {
                os.SEEK_SET: target,
                os.SEEK_CUR: target - pos,
                os.SEEK_END: target - len(data),
            }[whence]
            pos = f.seek(offset, whence)
            assert pos == target == f.tell()
            n = rng.choice([0, 1, 7, CS - 1, CS, CS + 1, 3 * CS])
            got = f.read(n)
            assert got == data[pos : pos + n]
            pos += len(got)
            assert f.tell() == pos
        with pytest.raises(ValueError):
            f.seek(-1)


def test_only_needed_chunks_are_decrypted():
    data = payload(10 * CS)
    reader = DecryptingReader(io.BytesIO(encrypt(data)), KEY)
    loaded = []
    real = reader._aead.decrypt

    def spy(nonce, ct, aad):
        loaded.append(int.from_bytes(nonce[4:], "big"))
        return real(nonce, ct, aad)

    # AESGCM objects are immutable, so swap in a recording stand-in.
    reader._aead = type("Spy", (), {"decrypt": staticmethod(spy)})()
    reader.seek(4 * CS + 10)
    assert reader.read(20) == data[4 * CS + 10 : 4 * CS + 30]
    assert reader.read(5) == data[4 * CS + 30 : 4 * CS + 35]  # cached chunk
    assert loaded == [4]


def test_zipfile_through_decrypting_reader(tmp_path):
    members = {f"dir/file{i}.json": payload(1000 * i + 3, seed=i) for i in range(1, 8)}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for i, (name, content) in enumerate(members.items()):
            z.writestr(
                name,
                content,
                compress_type=zipfile.ZIP_DEFLATED if i % 2 else zipfile.ZIP_STORED,
            )
    enc = tmp_path / "takeout.zip.enc"
    enc.write_bytes(encrypt(buf.getvalue()))
    with open(enc, "rb") as raw:
        reader = io.BufferedReader(DecryptingReader(raw, KEY, close_raw=False))
        with zipfile.ZipFile(reader) as z:
            assert z.testzip() is None
            # Read in reverse order so zipfile must seek backwards.
            for name in reversed(list(members)):
                assert z.read(name) == members[name]


# -- tampering -----------------------------------------------------------------
def test_tampered_ciphertext_byte_detected():
    data = payload(3 * CS)
    blob = bytearray(encrypt(data))
    h = read_header(io.BytesIO(blob))
    blob[h.length + 100] ^= 1  # inside chunk 0
    r = DecryptingReader(io.BytesIO(bytes(blob)), KEY)  # last chunk is intact
    r.seek(CS)
    assert r.read(CS) == data[CS : 2 * CS]
    r.seek(0)
    with pytest.raises(IntegrityError, match="chunk 0 of 3 failed authentication"):
        r.read(10)


def test_tampered_tag_detected():
    blob = bytearray(encrypt(payload(100)))
    blob[-1] ^= 0x80
    with pytest.raises(IntegrityError):
        decrypt(bytes(blob))


@pytest.mark.parametrize("offset", range(31 + len("user-1-v1")))
def test_tampered_header_detected(offset):
    blob = bytearray(encrypt(payload(2 * CS + 5)))
    blob[offset] ^= 0x01
    with pytest.raises(IntegrityError):
        decrypt(bytes(blob))


def test_swapped_chunks_detected():
    blob = encrypt(payload(3 * CS))
    h = read_header(io.BytesIO(blob))
    body = blob[h.length :]
    stride = CS + TAG_SIZE
    c0, c1 = body[:stride], body[stride : 2 * stride]
    swapped = h.raw + c1 + c0 + body[2 * stride :]
    with pytest.raises(IntegrityError):
        decrypt(swapped)


def test_header_from_another_file_detected():
    a, b = encrypt(payload(2 * CS)), encrypt(payload(2 * CS))
    ha, hb = read_header(io.BytesIO(a)), read_header(io.BytesIO(b))
    with pytest.raises(IntegrityError):
        decrypt(ha.raw + b[hb.length :])


@pytest.mark.parametrize("cut", [1, 15, TAG_SIZE, CS + TAG_SIZE, CS + TAG_SIZE + 1])
def test_truncation_detected(cut):
    blob = encrypt(payload(3 * CS))  # chunks end exactly at the file end
    with pytest.raises(IntegrityError):
        decrypt(blob[:-cut])


def test_truncation_to_header_only_detected():
    blob = encrypt(b"")
    h = read_header(io.BytesIO(blob))
    with pytest.raises(IntegrityError, match="no final chunk"):
        decrypt(blob[: h.length])
    with pytest.raises(IntegrityError, match="truncated inside its header"):
        decrypt(blob[: h.length - 1])


@pytest.mark.parametrize("garbage", [b"x", b"\0" * TAG_SIZE, os.urandom(CS + TAG_SIZE)])
@pytest.mark.parametrize("size", [0, 2 * CS, 2 * CS + 7])
def test_appended_garbage_detected(garbage, size):
    blob = encrypt(payload(size))
    with pytest.raises(IntegrityError):
        decrypt(blob + garbage)


def test_not_encrypted_rejected():
    with pytest.raises(IntegrityError, match="not a Datapunk Lake encrypted file"):
        DecryptingReader(io.BytesIO(b"PK\x03\x04 plain zip"), KEY)


def test_wrong_key_detected_on_open():
    blob = encrypt(payload(10))
    with pytest.raises(IntegrityError, match="key is wrong"):
        DecryptingReader(io.BytesIO(blob), OTHER_KEY)


def test_exception_inside_writer_leaves_unreadable_file():
    out = io.BytesIO()
    with (
        pytest.raises(RuntimeError),
        EncryptingWriter(out, KEY, "user-1-v1", CS, close_raw=False) as w,
    ):
        w.write(payload(2 * CS + 3))
        raise RuntimeError("upload interrupted")
    with pytest.raises(IntegrityError):
        decrypt(out.getvalue())


def test_abandoned_writer_is_not_finalised():
    out = io.BytesIO()
    w = EncryptingWriter(out, KEY, "user-1-v1", CS, close_raw=False)
    w.write(b"partial")
    del w  # garbage collection must not write a (valid) final chunk
    with pytest.raises(IntegrityError):
        decrypt(out.getvalue())


def test_writer_refuses_bad_arguments():
    with pytest.raises(ValueError):
        EncryptingWriter(io.BytesIO(), b"short", "k")
    with pytest.raises(ValueError):
        EncryptingWriter(io.BytesIO(), KEY, "")
    w = EncryptingWriter(io.BytesIO(), KEY, "k", close_raw=False)
    w.close()
    with pytest.raises(ValueError):
        w.write(b"x")


# -- key ring ------------------------------------------------------------------
MASTER = os.urandom(32)


def test_data_keys_are_per_user_stable_and_wrapped(tmp_path):
    ring = KeyRing(MASTER, tmp_path / "keys")
    kid1, k1 = ring.data_key_for_user(1)
    kid2, k2 = ring.data_key_for_user(2)
    assert (kid1, kid2) == ("user-1-v1", "user-2-v1")
    assert len(k1) == 32 and k1 != k2
    assert ring.data_key_for_user(1) == (kid1, k1)
    assert KeyRing(MASTER, tmp_path / "keys").key_by_id(kid1) == k1  # persisted
    path = tmp_path / "keys" / "user-1.key"
    blob = path.read_bytes()
    assert (
        k1 not in blob
        and base64.b64encode(k1) not in blob
        and k1.hex().encode() not in blob
    )
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in (tmp_path / "keys").iterdir()) == [
        "user-1.key",
        "user-2.key",
    ]


def test_wrong_users_key_cannot_decrypt(tmp_path):
    ring = KeyRing(MASTER, tmp_path)
    kid, key = ring.data_key_for_user(7)
    blob = encrypt(payload(2 * CS), key, kid)
    _, other = ring.data_key_for_user(8)
    with pytest.raises(IntegrityError):
        decrypt(blob, other)
    assert decrypt(
        blob, ring.key_by_id(read_header(io.BytesIO(blob)).key_id)
    ) == payload(2 * CS)


def test_shred_user_makes_files_unreadable(tmp_path):
    ring = KeyRing(MASTER, tmp_path)
    kid, key = ring.data_key_for_user(7)
    enc = tmp_path / "archive.parquet.enc"
    enc.write_bytes(encrypt(b"secret", key, kid))
    assert ring.shred_user(7) is True
    assert not (tmp_path / "user-7.key").exists()
    msg = "the key for user 7 was deleted (crypto-shredded); files encrypted with it cannot be read"
    with pytest.raises(KeyMissing) as exc:
        ring.key_by_id(kid)
    assert str(exc.value) == msg
    with pytest.raises(KeyMissing, match="crypto-shredded"):
        open_decrypted(enc, ring.key_by_id)
    with pytest.raises(KeyMissing, match="crypto-shredded"):
        ring.data_key_for_user(7, create=False)
    assert ring.shred_user(7) is False
    # A new key for the same user gets a new version; the old one stays shredded.
    kid2, key2 = ring.data_key_for_user(7)
    assert kid2 == "user-7-v2" and key2 != key
    with pytest.raises(KeyMissing, match="crypto-shredded"):
        ring.key_by_id(kid)
    assert ring.key_by_id(kid2) == key2


def test_missing_key_that_was_never_created(tmp_path):
    ring = KeyRing(MASTER, tmp_path)
    with pytest.raises(KeyMissing, match="never created"):
        ring.data_key_for_user(3, create=False)
    with pytest.raises(KeyMissing, match="never created"):
        ring.key_by_id("user-3-v1")
    with pytest.raises(KeyMissing, match="unknown key id"):
        ring.key_by_id("../../etc/passwd")
    with pytest.raises(ValueError):
        ring.data_key_for_user("1/../2")  # type: ignore[arg-type]


def test_wrong_master_key_and_swapped_key_files(tmp_path):
    ring = KeyRing(MASTER, tmp_path)
    kid, _ = ring.data_key_for_user(1)
    with pytest.raises(KeyUnwrapError, match="master key is wrong"):
        KeyRing(os.urandom(32), tmp_path).key_by_id(kid)
    # A key file renamed to another user's name is rejected (user id is AAD).
    os.replace(tmp_path / "user-1.key", tmp_path / "user-2.key")
    with pytest.raises(KeyUnwrapError):
        ring.key_by_id("user-2-v1")


def test_concurrent_creation_keeps_first_key(tmp_path, monkeypatch):
    ring = KeyRing(MASTER, tmp_path)
    other = KeyRing(MASTER, tmp_path)
    real_read = KeyRing._read
    calls = []

    def racing_read(self, user_id):
        # Simulate another process creating the key right after our lookup.
        result = real_read(self, user_id)
        if self is ring and not calls:
            calls.append(other.data_key_for_user(user_id))
        return result

    monkeypatch.setattr(KeyRing, "_read", racing_read)
    assert ring.data_key_for_user(5) == calls[0]
    assert list(tmp_path.glob(".*.tmp")) == []


# -- master key ----------------------------------------------------------------
def test_load_master_key_from_setting():
    key = bytes(range(200, 232))
    std = base64.b64encode(key).decode()
    url = base64.urlsafe_b64encode(key).decode()
    assert load_master_key(std, None) == key
    assert load_master_key(url, None) == key
    assert load_master_key(url.rstrip("="), None) == key
    assert load_master_key(f"  {std}\n", None) == key


@pytest.mark.parametrize(
    ("value", "match"),
    [
        (base64.b64encode(b"x" * 16).decode(), "must decode to 32 bytes .* got 16"),
        (base64.b64encode(b"x" * 33).decode(), "got 33"),
        ("not base64 at all!", "not valid base64"),
    ],
)
def test_load_master_key_errors(value, match):
    with pytest.raises(ValueError, match=match):
        load_master_key(value, None)
    assert master_key_problem(value, None) is not None


def test_master_key_file(tmp_path):
    path = tmp_path / "secrets" / "master.key"
    with pytest.raises(ValueError, match="does not exist"):
        load_master_key(None, path)
    assert "does not exist" in master_key_problem("", path)
    key = generate_master_key_file(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_master_key(None, path) == key
    assert load_master_key("", path) == key
    assert master_key_problem(None, path) is None
    with pytest.raises(FileExistsError, match="refusing to overwrite"):
        generate_master_key_file(path)
    assert load_master_key(None, path) == key
    path.write_bytes(os.urandom(32))
    with pytest.raises(ValueError, match="base64"):
        load_master_key(None, path)
    path.write_text(base64.b64encode(b"k" * 31).decode())
    with pytest.raises(ValueError, match="got 31"):
        load_master_key(None, path)


def test_no_master_key_configured():
    with pytest.raises(ValueError, match="no master key configured"):
        load_master_key(None, None)
    assert "no master key configured" in master_key_problem("  ", None)
    with pytest.raises(ValueError):
        KeyRing(b"short", "/nonexistent")

"""Helpers for the upload tests: signed-in tus clients for the live server, files, inspection."""

import hashlib
import os

import pytest
import requests
from django.test import Client
from django.utils.crypto import get_random_string

from core.rls import user_scope
from uploads.models import Upload


@pytest.fixture(autouse=True)
def _empty_import_queue(django_db_setup):
    """Completed uploads enqueue import jobs; don't leave them for another test's worker."""
    import django_rq

    django_rq.get_queue("imports").empty()
    yield
    django_rq.get_queue("imports").empty()


@pytest.fixture(autouse=True)
def _no_stale_temp_files():
    """The temp area is ours alone; start each test with it empty so leftovers show."""
    import shutil

    from uploads import storage

    shutil.rmtree(storage.temp_dir(), ignore_errors=True)


@pytest.fixture
def tus_headers():
    """Headers that sign a tus client in as `user`: the session cookie plus the CSRF
    pair (cookie and X-CSRFToken header), exactly what the browser sends."""

    def headers_for(user):
        client = Client()
        client.force_login(user)
        token = get_random_string(32)
        return {
            "Cookie": f"sessionid={client.cookies['sessionid'].value}; csrftoken={token}",
            "X-CSRFToken": token,
            "Tus-Resumable": "1.0.0",
        }

    return headers_for


@pytest.fixture
def make_file(tmp_path):
    def make(name="takeout-001.zip", size=1 << 20, seed=b"alice"):
        # Deterministic, incompressible bytes; a different seed gives a different file.
        blocks = [hashlib.sha256(seed + n.to_bytes(8, "big")).digest() for n in range(size // 32 + 1)]
        path = tmp_path / name
        path.write_bytes(b"".join(blocks)[:size])
        return path

    return make


def plaintext(path) -> bytes:
    """The bytes of an encrypted raw file, decrypted with its owner's key."""
    from vault.rawstore import open_raw

    with open_raw(path) as handle:
        return handle.read()


def sha256_of(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def create(live_url, headers, size, metadata="filename dGFrZW91dC0wMDEuemlw"):
    response = requests.post(f"{live_url}/uploads/tus/", headers={**headers, "Upload-Length": str(size),
                                                                  "Upload-Metadata": metadata}, timeout=10)
    assert response.status_code == 201, response.text
    return response.headers["Location"]


def patch(url, headers, body: bytes, offset: int, **extra):
    return requests.patch(url, data=body, timeout=30, headers={
        **headers, "Content-Type": "application/offset+octet-stream", "Upload-Offset": str(offset), **extra})


def head(url, headers):
    return requests.head(url, headers=headers, timeout=10)


def upload_row(user, url) -> Upload:
    with user_scope(user.pk):
        return Upload.objects.get(pk=url.rstrip("/").rsplit("/", 1)[-1])


def temp_files() -> list[str]:
    from uploads import storage

    folder = storage.temp_dir()
    return sorted(os.listdir(folder)) if folder.is_dir() else []


@pytest.fixture
def live_url_without_redis(committed, child_env):
    """The real server (gunicorn) with Redis unreachable: a closed port on loopback."""
    from core.testing import free_port, running_console

    dead_redis = f"redis://127.0.0.1:{free_port()}/0"
    env = dict(child_env, WHITENOISE_USE_FINDERS="true", DEBUG="false", REDIS_URL=dead_redis,
               CACHE_REDIS_URL=dead_redis)
    with running_console(env, threads=4) as (url, _):
        yield url

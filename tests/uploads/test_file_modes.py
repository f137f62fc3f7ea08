"""A partial upload is unencrypted until it completes: only the lake's own account may read it."""

import stat
from pathlib import Path

from django.conf import settings

from tests.uploads.conftest import create, patch


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_partial_upload_is_private(live_url, make_user, tus_headers):
    alice = make_user("alice", "user")
    headers = tus_headers(alice)
    url = create(live_url, headers, 10)
    assert patch(url, headers, b"hello", 0).status_code == 204
    part = Path(settings.TEMP_DIR) / "uploads" / f"{url.rstrip('/').rsplit('/', 1)[1]}.part"
    assert part.read_bytes() == b"hello"
    assert mode(part) == 0o600
    assert mode(part.parent) == 0o700

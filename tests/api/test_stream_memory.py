"""A million location points through NDJSON, the server's RSS sampled all along: it stays flat.

The same measurement as bench/api_bench.py (which also compares with COPY), at the size the issue asks
of a test. Flat means: the worker grows by less than 50 MB over the whole stream, whatever its length.
"""

import pytest

from api import tokens
from bench.api_bench import _worker, load, stream

ROWS = 1_000_000


@pytest.fixture
def alice(committed, make_user):
    return make_user("alice", "user")


def test_a_million_rows_stream_in_constant_memory(alice, child_env):
    from core.testing import running_console

    load(alice.pk, ROWS)
    _, token = tokens.create_token(alice, ["read:location"])
    with running_console(dict(child_env, API_RATE_LIMIT_PER_MINUTE="1000"), threads=2) as (url, server):
        rows, seconds, growth_mb = stream(url, token, _worker(server))
    assert rows == ROWS
    assert growth_mb < 50, f"the server grew {growth_mb:.1f} MB over {ROWS} rows"

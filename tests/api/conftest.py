"""Personas with API tokens, and the lake rows they read: one of every dataset's tables each."""

import datetime as dt

import pytest

from api import tokens
from api.datasets import all_datasets
from core.rls import user_scope
from tests.explore.test_isolation import SAMPLE_ROWS, WHEN, insert

# Every dataset table's sample row (the isolation test's), for Alice and for Bob: the tables the
# registry's datasets read, not the lake's other per-user tables (tokens, events, webhooks).
DATASET_TABLES = [table for table in SAMPLE_ROWS
                  if table in {f"{ds.table[0]}.{ds.table[1]}" for ds in all_datasets()}]


@pytest.fixture
def token_for():
    def make(user, scopes="read:all", **kwargs):
        _, token = tokens.create_token(user, scopes.split(","), **kwargs)
        return token

    return make


@pytest.fixture
def bearer():
    def headers(token):
        return {"Authorization": f"Bearer {token}"}

    return headers


def fill_lake(user, when=WHEN):
    with user_scope(user.pk):
        for table in DATASET_TABLES:
            insert(table, user, when=when)


@pytest.fixture
def lakes(alice, bob):
    """Alice and Bob each have one row in every dataset."""
    fill_lake(alice)
    fill_lake(bob, when=WHEN + dt.timedelta(hours=1))
    return alice, bob

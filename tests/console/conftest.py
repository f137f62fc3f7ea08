"""The console's tests visit pages with lake data too: Alice's and Bob's lake from the lake tests."""

from tests.explore.conftest import lake_people  # noqa: F401 - re-exported fixture

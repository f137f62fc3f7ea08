"""The import builders and fixtures of tests/imports, for the sources' end-to-end tests."""

from tests.imports.conftest import alice, bob, import_files  # noqa: F401 - fixtures, found by name

"""The master key: where it comes from, its first-run creation, and the key ring built on it."""

import logging
from pathlib import Path

from django.conf import settings

from vault.keys import KeyRing, generate_master_key_file, load_master_key, master_key_problem

log = logging.getLogger(__name__)


def ensure_master_key() -> Path | None:
    """Create the master key file on first run, when no key is configured.

    Returns the path of a newly created file, or None if a key was already
    there (MASTER_KEY set, or the file exists). Never replaces an existing
    file: a new master key would make every archive unreadable.
    """
    if settings.MASTER_KEY.strip() or Path(settings.MASTER_KEY_FILE).exists():
        return None
    generate_master_key_file(settings.MASTER_KEY_FILE)
    log.warning("created a new master key in %s: back it up, archives cannot be read without it",
                settings.MASTER_KEY_FILE)
    return Path(settings.MASTER_KEY_FILE)


def problem() -> str | None:
    return master_key_problem(settings.MASTER_KEY, settings.MASTER_KEY_FILE)


def keyring() -> KeyRing:
    """The key ring for this deployment; ValueError (without key material) if the master key is bad."""
    return KeyRing(load_master_key(settings.MASTER_KEY, settings.MASTER_KEY_FILE), settings.KEYS_DIR)

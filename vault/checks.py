"""System checks: the archive cannot encrypt or decrypt without a good master key."""

from pathlib import Path

from django.conf import settings
from django.core import checks

from vault import keyring as keys_setup


@checks.register()
def check_master_key(app_configs, **kwargs):
    """archive.W001: no key yet (first run creates it); archive.E001: a key that cannot be used."""
    problem = keys_setup.problem()
    if problem is None:
        return []
    if not settings.MASTER_KEY.strip() and not Path(settings.MASTER_KEY_FILE).exists():
        return [checks.Warning(
            f"no master key: MASTER_KEY is unset and {settings.MASTER_KEY_FILE} does not exist",
            hint="`manage.py serve` creates the key file on first run; back it up, or set MASTER_KEY "
                 "(base64 of 32 random bytes). Archives and encrypted uploads cannot be written until then.",
            id="archive.W001",
        )]
    return [checks.Error(
        f"the master key cannot be used: {problem}",
        hint="Fix MASTER_KEY or MASTER_KEY_FILE. Do not replace a key that encrypted archives: "
             "they would become unreadable.",
        id="archive.E001",
    )]

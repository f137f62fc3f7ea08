"""What the lake writes to disk is readable by its own account only.

Cached pages in Redis's snapshot, unencrypted partial uploads, archives and
keys: every process of the lake runs with umask 077, the folders `serve`
prepares are 0700, and the files in them 0600.
"""

import stat
import subprocess
import sys
from pathlib import Path

from core.embedded import EmbeddedServices

ROOT = Path(__file__).resolve().parents[2]


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_every_lake_process_starts_with_a_private_umask(child_env):
    # manage.py is how serve starts the worker and the scheduler; gunicorn loads the same settings.
    code = "import os; print(oct(os.umask(0)))"
    for command in ([sys.executable, str(ROOT / "manage.py"), "shell", "-c", code],
                    [sys.executable, "-c", "import datalake.wsgi; " + code]):
        result = subprocess.run(command, env=child_env, cwd=ROOT, capture_output=True, text=True, timeout=60,
                                check=False)
        assert result.returncode == 0, result.stderr[-2000:]
        assert result.stdout.strip().splitlines()[-1] == "0o77"


def test_the_embedded_redis_snapshot_is_private(settings, tmp_path):
    # Its own embedded Redis in a folder of this test's, whatever the suite runs against.
    settings.EMBEDDED, settings.EMBEDDED_REDIS = False, True
    settings.EMBEDDED_REDIS_SOCKET = tmp_path / "redis" / "redis.sock"
    services = EmbeddedServices().start()
    try:
        services.redis.set("datalake:page", "Alice's day, rendered")
        services.redis.save()
    finally:
        services.stop()
    assert mode(tmp_path / "redis") == 0o700
    assert mode(tmp_path / "redis" / "dump.rdb") == 0o600


def test_serve_makes_the_storage_folders_private_even_if_they_exist(settings, tmp_path):
    from console.management.commands.serve import prepare_folders

    settings.VAR_DIR = tmp_path / "var"
    settings.DATA_DIR, settings.ARCHIVE_DIR = tmp_path / "var" / "data", tmp_path / "elsewhere" / "archive"
    settings.TEMP_DIR, settings.KEYS_DIR = tmp_path / "var" / "tmp", tmp_path / "var" / "keys"
    settings.DATA_DIR.mkdir(parents=True, mode=0o755)
    settings.DATA_DIR.chmod(0o755)  # an install from before: world-readable
    settings.VAR_DIR.chmod(0o755)
    prepare_folders()
    for folder in (settings.VAR_DIR, settings.DATA_DIR, settings.ARCHIVE_DIR, settings.TEMP_DIR,
                   settings.KEYS_DIR):
        assert mode(folder) == 0o700, folder

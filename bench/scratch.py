"""What the end-to-end benches share: a scratch lake, and ``manage.py import_takeout`` in a child.

    with scratch_lake("activity_bench"):
        get_user_model().objects.create_user("bench")
        result = import_takeout([archive])

`scratch_lake` starts the embedded services (under VAR_DIR), creates a scratch
database ``test_<prefix>_<name>`` bootstrapped and migrated like the test
suite's, and drops it and stops the services afterwards. `import_takeout` runs
the command through a wrapper whose only child is the import, so the peak RSS
it reports is the import's alone, and reads the run's wall time from its row.
"""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# RUSAGE_CHILDREN in the bench itself would also hold its other children's peaks.
PEAK_WRAPPER = (
    "import resource, subprocess, sys; code = subprocess.call(sys.argv[1:]); "
    "print('peak_rss_kib', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(code)"
)


@dataclass
class ImportResult:
    summary: dict  # the command's --json line
    seconds: float  # the run row's finished_at - started_at
    peak_rss_mb: float  # the import child's


@contextmanager
def scratch_lake(prefix: str) -> Iterator[None]:
    """Django set up against a fresh scratch database test_<prefix>_<name>; dropped on the way out."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "datalake.settings")
    django.setup()
    from django.conf import settings

    from core.embedded import EmbeddedServices
    from core.testing import create_test_database, drop_test_database

    services = EmbeddedServices().start()
    base = settings.DATABASE_ADMIN["NAME"]
    settings.DATABASE_ADMIN["NAME"] = f"test_{prefix}_{base}"
    try:
        name = create_test_database()
        try:
            yield
        finally:
            drop_test_database(name)
    finally:
        # create_test_database points every alias at the scratch name; the next lake starts from the real one.
        settings.DATABASE_ADMIN["NAME"] = base
        services.stop()


def import_takeout(paths: list[Path], user: str = "bench") -> ImportResult:
    """``manage.py import_takeout --user <user> <paths> --json`` in a child; exits the bench if it fails."""
    from django.db import connections

    from core.testing import database_url_for_children

    env = dict(os.environ, DATABASE_URL=database_url_for_children())
    result = subprocess.run([sys.executable, "-c", PEAK_WRAPPER, sys.executable, str(ROOT / "manage.py"),
                             "import_takeout", "--user", user, *map(str, paths), "--json"],
                            env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"import failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    peak_rss_mb = int(result.stderr.strip().splitlines()[-1].split()[-1]) / 1024
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    with connections["owner"].cursor() as cursor:
        cursor.execute("SELECT extract(epoch FROM finished_at - started_at) FROM imports.import_run WHERE id = %s",
                       [summary["run"]])
        seconds = float(cursor.fetchone()[0])
    return ImportResult(summary, seconds, peak_rss_mb)

"""Upload benchmark: a tus upload through the real server against a plain disk copy.

    python bench/upload_bench.py --mib 512

Builds a scratch database (test_upload_bench_<name>, bootstrapped and
migrated like the test suite's), starts gunicorn on loopback with its own
VAR_DIR, and in one run measures:

* upload: tuspy sends an N MiB file in `--chunk-mib` PATCHes (creation,
  PATCHes, completion: SHA-256, raw-store placement, batch hand-over).
  Rate = MiB / wall time of the whole upload.
* baseline: the least the server must do with the same bytes, in this
  process: read them, hash them with SHA-256 and write them to a file in the
  same temp area, fsync after every chunk.
* server memory: the gunicorn worker's resident set, sampled every 50 ms
  during the upload, peak and growth over its size before the upload. PATCH
  bodies are streamed to disk, so this stays flat whatever N is.

The last line printed is one JSON object.
"""

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "datalake.settings")


def _write_source(path: Path, mib: int) -> str:
    digest = hashlib.sha256()
    with path.open("wb") as out:
        for _ in range(mib):
            block = os.urandom(2**20)
            digest.update(block)
            out.write(block)
    return digest.hexdigest()


def _baseline(source: Path, target: Path, chunk: int) -> float:
    started = time.perf_counter()
    digest = hashlib.sha256()
    with source.open("rb") as src, target.open("wb") as dst:
        written = 0
        while block := src.read(2**20):
            digest.update(block)
            dst.write(block)
            written += len(block)
            if written % chunk == 0:
                dst.flush()
                os.fsync(dst.fileno())
        dst.flush()
        os.fsync(dst.fileno())
    return time.perf_counter() - started


class RssSampler(threading.Thread):
    def __init__(self, pid: int):
        super().__init__(daemon=True)
        import psutil

        self.process = psutil.Process(pid)
        self.peak, self.running = 0, True

    def current(self) -> int:
        return sum(p.memory_info().rss for p in self.process.children(recursive=True))

    def run(self):
        while self.running:
            self.peak = max(self.peak, self.current())
            time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mib", type=int, default=512)
    parser.add_argument("--chunk-mib", type=int, default=32)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils.crypto import get_random_string
    from tusclient.client import TusClient

    from console.personas import grant_persona
    from core.embedded import EmbeddedServices
    from core.testing import create_test_database, database_url_for_children, drop_test_database, running_console
    from vault.keys import generate_master_key_file

    services = EmbeddedServices().start()
    settings.DATABASE_ADMIN["NAME"] = f"test_upload_bench_{settings.DATABASE_ADMIN['NAME']}"
    name = create_test_database()
    work = Path(tempfile.mkdtemp(prefix="upload-bench-"))
    try:
        user = get_user_model().objects.create_user("bench")
        grant_persona(user, "user")
        client = Client()
        client.force_login(user)
        token = get_random_string(32)
        headers = {"Cookie": f"sessionid={client.cookies['sessionid'].value}; csrftoken={token}",
                   "X-CSRFToken": token}

        source = work / "takeout-20240101T000000Z-001.zip"
        expected = _write_source(source, args.mib)
        chunk = args.chunk_mib * 2**20
        var = work / "var"
        (var / "tmp").mkdir(parents=True)
        baseline_seconds = _baseline(source, var / "tmp" / "baseline.copy", chunk)
        (var / "tmp" / "baseline.copy").unlink()
        print(f"baseline: {args.mib} MiB read, hashed, written and fsynced in {baseline_seconds:.2f} s", flush=True)

        keys = var / "keys"
        generate_master_key_file(keys / "master.key")
        env = dict(os.environ, DATABASE_URL=database_url_for_children(), VAR_DIR=str(var), DEBUG="false",
                   REDIS_URL=settings.REDIS_URL, UPLOAD_MAX_BYTES=str(2**40), USER_QUOTA_BYTES=str(2**41),
                   KEYS_DIR=str(keys), MASTER_KEY_FILE=str(keys / "master.key"), MASTER_KEY="")
        with running_console(env, threads=4) as (url, server):
            sampler = RssSampler(server.pid)
            before = sampler.current()
            sampler.start()
            started = time.perf_counter()
            uploader = TusClient(f"{url}/uploads/tus/", headers=headers).uploader(
                str(source), chunk_size=chunk, metadata={"filename": source.name})
            uploader.upload()
            upload_seconds = time.perf_counter() - started
            sampler.running = False
            sampler.join()
            # Stored encrypted under the user's key: the size differs by the chunk tags.
            stored = var / "data" / "raw" / f"user={user.pk}" / expected[:2] / expected
            if not stored.is_file() or stored.stat().st_size < source.stat().st_size:
                sys.exit(f"the upload did not arrive in the raw store as {stored}")
            print(f"upload:   {args.mib} MiB in {upload_seconds:.2f} s through tus ({args.chunk_mib} MiB PATCHes)",
                  flush=True)
    finally:
        subprocess.run(["rm", "-rf", str(work)], check=False)
        drop_test_database(name)
        services.stop()

    upload_rate, baseline_rate = args.mib / upload_seconds, args.mib / baseline_seconds
    print(json.dumps({
        "mib": args.mib,
        "chunk_mib": args.chunk_mib,
        "upload_mib_per_s": round(upload_rate, 1),
        "baseline_mib_per_s": round(baseline_rate, 1),
        "ratio_vs_disk_copy": round(upload_rate / baseline_rate, 3),
        "server_rss_before_mb": round(before / 2**20, 1),
        "server_peak_rss_mb": round(sampler.peak / 2**20, 1),
        "server_rss_growth_mb": round((sampler.peak - before) / 2**20, 1),
    }))


if __name__ == "__main__":
    main()

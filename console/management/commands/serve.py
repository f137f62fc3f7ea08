"""One command for the whole console: web server, RQ worker and scheduler."""

import os
import signal
import subprocess
import sys
import threading
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from archive.keys_setup import ensure_master_key
from console.first_admin import ensure_first_admin
from datalake.embedded import EmbeddedServices
from datalake.private import private_dir
from lake.bootstrap import bootstrap
from lake.maintenance import run_partition_maintenance

COLORS = {"web": "\033[36m", "worker": "\033[35m", "scheduler": "\033[33m"}


def prepare_folders() -> None:
    """The storage areas, 0700: an older install's world-readable folders are tightened too."""
    for folder in (settings.VAR_DIR, settings.DATA_DIR, settings.ARCHIVE_DIR, settings.TEMP_DIR, settings.KEYS_DIR):
        private_dir(folder)


class Command(BaseCommand):
    help = "Prepare the lake (roles, migrations, first admin) and run web, worker and scheduler until Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("BIND", "127.0.0.1:8000"))
        parser.add_argument("--web-workers", type=int, default=int(os.environ.get("WEB_WORKERS", 2)))
        parser.add_argument("--prepare-only", action="store_true", help="Set up and exit without serving.")

    def handle(self, *args, bind, web_workers, prepare_only, **options):
        with EmbeddedServices() as services:
            if services.postgres or services.redis:
                self.stdout.write(f"Using the embedded {'PostgreSQL ' if services.postgres else ''}"
                                  f"{'Redis ' if services.redis else ''}under {settings.VAR_DIR}")
            self.prepare()
            if prepare_only:
                return
            self.run_processes(bind, web_workers)

    def prepare(self):
        prepare_folders()
        ensure_master_key()
        for message in bootstrap():
            self.stdout.write(f"bootstrap: {message}")
        call_command("migrate", database="owner", interactive=False, verbosity=1)
        call_command("collectstatic", interactive=False, verbosity=0)
        call_command("check", databases=["default"])
        run_partition_maintenance()
        password = ensure_first_admin(password=os.environ.get("ADMIN_PASSWORD") or None)
        if password:
            self.stdout.write(self.style.SUCCESS(
                f"Created the first administrator. Sign in as 'admin' with password: {password}\n"
                "(change it after signing in; set ADMIN_PASSWORD to choose it yourself)"))

    def run_processes(self, bind, web_workers):
        python = sys.executable
        manage = str(settings.BASE_DIR / "manage.py")
        commands = {
            "web": [python, "-m", "gunicorn", "datalake.wsgi", "--bind", bind, "--workers", str(web_workers),
                    "--worker-class", "gthread", "--threads", "8", "--timeout", "120",
                    "--access-logfile", "-", "--forwarded-allow-ips", "127.0.0.1"],
            "worker": [python, manage, "rqworker", "imports", "maintenance", "default", "--with-scheduler"],
            "scheduler": [python, manage, "rqcron", "datalake.cron"],
        }
        processes = {}
        for name, command in commands.items():
            # Each child in its own process group: Ctrl-C reaches us once, and
            # we stop the children in order instead of all at once.
            processes[name] = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
                command, cwd=settings.BASE_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                text=True, bufsize=1, start_new_session=True,
            )
            threading.Thread(target=self._relay, args=(name, processes[name]), daemon=True).start()
        self.stdout.write(self.style.SUCCESS(f"Datapunk Lake is running at http://{bind}/  (Ctrl-C stops it)"))

        stopping = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stopping.set())
        exit_code = 0
        while not stopping.is_set():
            for name, process in processes.items():
                if process.poll() is not None:
                    self.stderr.write(f"{name} exited with status {process.returncode}; stopping everything")
                    exit_code = 1
                    stopping.set()
            stopping.wait(0.5)
        self._stop(processes)
        if exit_code:
            raise SystemExit(exit_code)

    def _relay(self, name, process):
        color, reset = (COLORS.get(name, ""), "\033[0m") if sys.stdout.isatty() else ("", "")
        for line in process.stdout:
            self.stdout.write(f"{color}{name:>9} |{reset} {line.rstrip()}")

    def _stop(self, processes):
        self.stdout.write("Stopping web, worker and scheduler...")
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 20
        for name, process in processes.items():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.stderr.write(f"{name} did not stop in time; killing it")
                process.kill()
                process.wait()
        self.stdout.write("Stopped.")

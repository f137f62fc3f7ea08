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

from console.first_admin import ensure_first_admin
from core.bootstrap import bootstrap
from core.embedded import EmbeddedServices
from core.maintenance import run_partition_maintenance
from core.private import private_dir
from monitoring.metrics import METRICS_UNCONFIGURED_HELP, token_configured
from vault.keyring import ensure_master_key

COLORS = {"web": "\033[36m", "worker": "\033[35m", "scheduler": "\033[33m"}


def prepare_folders() -> None:
    """The storage areas, 0700: an older install's world-readable folders are tightened too."""
    for folder in (settings.VAR_DIR, settings.DATA_DIR, settings.ARCHIVE_DIR, settings.TEMP_DIR, settings.KEYS_DIR):
        private_dir(folder)


# Seconds before restarting a child that died: doubling per crash, capped; a
# child that ran STABLE_SECONDS since its last start begins again at the first.
# One that keeps dying without ever running that long (a port in use, a bad
# setting) is given up on after GIVE_UP_AFTER crashes: serve stops and says so.
RESTART_DELAYS = (1, 2, 4, 8, 16, 30)
STABLE_SECONDS = 60
GIVE_UP_AFTER = 8


class Child:
    """One supervised process (web, worker or scheduler) and its restart backoff."""

    def __init__(self, name, command):
        self.name, self.command = name, command
        self.process = None
        self.started_at = self.restart_at = 0.0
        self.crashes = 0

    def died(self, now: float) -> float | None:
        """Record a crash; returns the delay before its restart, or None to give up."""
        if now - self.started_at >= STABLE_SECONDS:
            self.crashes = 0
        if self.crashes >= GIVE_UP_AFTER:
            return None
        delay = RESTART_DELAYS[min(self.crashes, len(RESTART_DELAYS) - 1)]
        self.crashes += 1
        self.restart_at = now + delay
        return delay


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
            self.announce_settings()
            if prepare_only:
                return
            self.run_processes(bind, web_workers, services)

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

    def announce_settings(self):
        """Say what a newcomer would otherwise only find out by failing."""
        if not token_configured():
            self.stdout.write(self.style.WARNING(METRICS_UNCONFIGURED_HELP))

    def run_processes(self, bind, web_workers, services=None):
        python = sys.executable
        manage = str(settings.BASE_DIR / "manage.py")
        commands = {
            "web": [python, "-m", "gunicorn", "datalake.wsgi", "--bind", bind, "--workers", str(web_workers),
                    "--worker-class", "gthread", "--threads", "8", "--timeout", "120",
                    "--access-logfile", "-", "--forwarded-allow-ips", "127.0.0.1"],
            "worker": [python, manage, "rqworker", "imports", "maintenance", "default", "vectors", "--with-scheduler"],
            "scheduler": [python, manage, "rqcron", "datalake.cron"],
        }
        children = {name: Child(name, command) for name, command in commands.items()}
        for child in children.values():
            self._start(child)
        self.stdout.write(self.style.SUCCESS(f"Datapunk Lake is running at http://{bind}/  (Ctrl-C stops it)"))

        stopping = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stopping.set())
        exit_code = 0
        while not stopping.is_set():
            # Without its database or Redis nothing can work, and restarting
            # them under running children is riskier than a clean stop.
            problem = services.failure() if services is not None else None
            if problem:
                self.stderr.write(f"{problem}: stopping everything. Start `manage.py serve` again once the "
                                  "cause is fixed; nothing that was committed is lost.")
                exit_code = 1
                break
            now = time.monotonic()
            for child in children.values():
                if child.process is None:
                    if now >= child.restart_at:
                        self._start(child)
                elif child.process.poll() is not None:
                    status, delay = child.process.returncode, child.died(now)
                    child.process = None
                    if delay is None:
                        self.stderr.write(f"{child.name} exited with status {status} {GIVE_UP_AFTER} times in a "
                                          "row, each within a minute of starting: stopping everything (its "
                                          "output above says why).")
                        exit_code = 1
                        stopping.set()
                        break
                    self.stderr.write(f"{child.name} exited with status {status}; restarting it in {delay:g}s")
            stopping.wait(0.5)
        self._stop({c.name: c.process for c in children.values() if c.process is not None})
        if exit_code:
            raise SystemExit(exit_code)

    def _start(self, child: "Child") -> None:
        # Each child in its own process group: Ctrl-C reaches us once, and
        # we stop the children in order instead of all at once.
        child.process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            child.command, cwd=settings.BASE_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, bufsize=1, start_new_session=True,
        )
        child.started_at = time.monotonic()
        threading.Thread(target=self._relay, args=(child.name, child.process), daemon=True).start()

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

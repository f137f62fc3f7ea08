import json

from django.core.management.base import BaseCommand
from django.db import connections

from core.bootstrap import admin_connect
from core.extensions import extension_status, install_available


class Command(BaseCommand):
    help = "Show which of pgvector, PostGIS, TimescaleDB, pg_cron and pg_partman this server has."

    def add_arguments(self, parser):
        parser.add_argument("--install", action="store_true", help="Install the available ones (admin connection).")
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, install=False, **options):
        if install:
            with admin_connect() as conn, conn.cursor() as cursor:
                for message in install_available(cursor):
                    self.stdout.write(message)
        with connections["default"].cursor() as cursor:
            statuses = extension_status(cursor)
        if options["json"]:
            self.stdout.write(json.dumps([s.__dict__ | {"state": s.state} for s in statuses]))
            return
        for s in statuses:
            minimum = f" (minimum {s.minimum})" if s.minimum else ""
            line = f"{s.label:<12} {s.state:<10} installed={s.installed or '-'} available={s.available or '-'}{minimum}"
            self.stdout.write(line + (f"  {s.note}" if s.note else ""))


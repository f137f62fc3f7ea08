from django.core.management.base import BaseCommand
from django.db import connections
from django.utils import timezone

from core import partitions
from core.maintenance import run_partition_maintenance


class Command(BaseCommand):
    help = "Partition maintenance: premake months ahead and empty the default partitions (`maintain`), or list them."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["maintain", "list"])

    def handle(self, *args, action, **options):
        if action == "maintain":
            run = run_partition_maintenance()
            for label, detail in run.details.items():
                self.stdout.write(f"{label}: {detail['created']} created, {detail['months_drained']} months drained")
            return
        now = timezone.now()
        with connections["owner"].cursor() as cursor:
            for table in partitions.REGISTRY.values():
                found = partitions.list_partitions(cursor, table)
                ahead = partitions.months_ahead(found, now)
                rows = partitions.default_rows(cursor, table)
                self.stdout.write(f"{table.label}: {len(found)} partitions, {ahead} months ahead, "
                                  f"{rows} rows in default")

from django.core.management.base import BaseCommand

from sources.location.analytics import refresh


class Command(BaseCommand):
    help = "Refresh the stats' materialized views (analytics schema) now, concurrently, as the owner."

    def handle(self, *args, **options):
        for name, ms in refresh().items():
            self.stdout.write(f"{name}: refreshed in {ms} ms")

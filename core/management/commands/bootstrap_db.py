from django.core.management.base import BaseCommand

from core.bootstrap import bootstrap


class Command(BaseCommand):
    help = "Create the database, the owner and app roles, their grants and the available extensions."

    def add_arguments(self, parser):
        parser.add_argument("--no-extensions", action="store_true", help="Do not CREATE EXTENSION anything.")

    def handle(self, *args, no_extensions=False, **options):
        for message in bootstrap(install_extensions=not no_extensions):
            self.stdout.write(message)

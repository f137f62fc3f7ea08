import json as jsonlib

from django.core.management.base import BaseCommand

from sources.derived.actions import enrich


class Command(BaseCommand):
    help = ("Work out one user's stays, trips and significant places from their points, now: only the days "
            "that changed, or everything with --rebuild.")

    def add_arguments(self, parser):
        parser.add_argument("--user", type=int, required=True, help="the user's id")
        parser.add_argument("--rebuild", action="store_true", help="recompute every day from scratch")
        parser.add_argument("--json", action="store_true", help="end with one JSON line of the counts")

    def handle(self, *args, user, rebuild, json: bool, **options):
        result = enrich(user, rebuild=rebuild)
        if json:
            self.stdout.write(_json(result))
        else:
            self.stdout.write(f"user {result['user']}: {result['days']} days of points, {result['stays']} stays, "
                              f"{result['trips']} trips, {result['places']} places")


def _json(result: dict) -> str:
    return jsonlib.dumps({key: result[key] for key in ("user", "days", "stays", "trips", "places")})

from django.core.management.base import BaseCommand

from vectors import embedders, jobs


class Command(BaseCommand):
    help = "Embed every row that has no vector of the current model yet (progress on the ops Queues page)."

    def add_arguments(self, parser):
        parser.add_argument("--user", type=int, help="only this user id")
        parser.add_argument("--model", choices=sorted(embedders.MODELS), help="default: settings.EMBEDDING_MODEL")
        parser.add_argument("--enqueue", action="store_true", help="run it on the vectors queue instead of here")

    def handle(self, *args, user, model, enqueue, **options):
        if enqueue:
            job = jobs.enqueue_backfill(user, model)
            self.stdout.write(f"Backfill queued on the {jobs.QUEUE} queue as job {job.id}.")
            return
        state = jobs.backfill(user, model)
        self.stdout.write(f"Embedded {state['embedded']} of {state['rows']} rows read ({state['model']}).")

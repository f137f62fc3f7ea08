import hashlib
import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from core.rls import user_scope
from imports.actions import RawFile, create_run
from imports.models import ImportRun
from imports.pipeline import process_run
from imports.summary import run_summary


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(2**20):
            digest.update(chunk)
    return digest.hexdigest()


class Command(BaseCommand):
    help = "Import Takeout files (the parts of one export, or a phone export) for a user, synchronously."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="username whose lake receives the data")
        parser.add_argument("files", nargs="+", type=Path, help="the parts of one export, in order")
        parser.add_argument("--json", action="store_true", dest="as_json",
                            help="end with one JSON object describing the run")

    def handle(self, *args, user, files, as_json=False, **options):
        try:
            owner = get_user_model().objects.get(username=user)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user named {user!r}.") from None
        missing = [str(f) for f in files if not f.is_file()]
        if missing:
            raise CommandError(f"Not a file: {', '.join(missing)}")
        # Big files are imported where they lie: the command's files are the raw store.
        raw = [RawFile(path=f.resolve(), original_name=f.name, sha256=_sha256(f), size=f.stat().st_size)
               for f in files]
        run = create_run(owner, raw, source=ImportRun.Source.COMMAND, enqueue=False)
        process_run(run.pk)
        with user_scope(owner.pk):
            run.refresh_from_db()
            self._print(run, as_json=as_json)
        if run.status == ImportRun.Status.FAILED:
            raise CommandError(f"Import {run.pk} failed: {run.error}", returncode=2)

    def _print(self, run, *, as_json):
        summary = run_summary(run)
        self.stdout.write(f"Import {run.pk}: {run.status}; {run.accepted} rows accepted, {run.rejected} rejected, "
                          f"{run.duplicates} duplicates in {run.members_done} members.")
        for product, stats in summary["products"].items():
            self.stdout.write(f"  {product}: {stats['accepted']} accepted, {stats['rejected']} rejected, "
                              f"{stats['duplicates']} duplicates, {stats['first']} .. {stats['last']}")
        for reason, count in summary["rejections"].items():
            self.stdout.write(f"  rejected ({reason}): {count}")
        for notice in run.notices:
            self.stdout.write(f"  note: {notice}")
        if run.error:
            self.stdout.write(f"  error: {run.error}")
        if as_json:
            self.stdout.write(json.dumps(summary, separators=(",", ":")))

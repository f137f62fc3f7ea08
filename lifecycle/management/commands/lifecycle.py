import json
from pathlib import Path

import yaml
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from lifecycle import actions, export, lifecycle
from lifecycle.raw import delete_expired_raw_files
from vault.keyring import keyring
from vault.keys import KeyMissing


def _person(name: str):
    people = get_user_model().objects.using("owner")
    found = people.filter(username=name).first() or (people.filter(pk=int(name)).first() if name.isdigit() else None)
    if found is None:
        raise CommandError(f"no user {name!r}")
    return found


class Command(BaseCommand):
    help = ("Lifecycle policies: apply FILE (JSON/YAML policies as code), plan [--json] (dry run), "
            "run [--policy NAME], restore ARCHIVE_ID, archive-key --user U --admin A, "
            "decrypt ARCHIVE_FILE OUT.parquet, raw-cleanup.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        apply = sub.add_parser("apply", help="create or update policies from a JSON or YAML file")
        apply.add_argument("file")
        plan = sub.add_parser("plan", help="what a run would do now; nothing changes")
        plan.add_argument("--json", action="store_true", help="end with one JSON object")
        plan.add_argument("--policy")
        run = sub.add_parser("run", help="archive, drop and expire what the policies say")
        run.add_argument("--policy")
        restore = sub.add_parser("restore", help="bring an archived partition back")
        restore.add_argument("archive_id", type=int)
        key = sub.add_parser("archive-key", help="print a user's archive key as DuckDB's PRAGMA add_parquet_key "
                                                 "takes it (admins only; audited)")
        key.add_argument("--user", required=True, help="the archive owner's username or id")
        key.add_argument("--admin", required=True, help="your own username: an admin's, recorded in the audit log")
        decrypt = sub.add_parser("decrypt", help="write a plain Parquet copy of an archive file")
        decrypt.add_argument("archive_file")
        decrypt.add_argument("out")
        sub.add_parser("raw-cleanup", help="delete raw uploads past RAW_RETENTION_DAYS after a successful import")

    def handle(self, *args, action, **options):
        try:
            getattr(self, "do_" + action.replace("-", "_"))(**options)
        except (lifecycle.LifecycleError, KeyMissing, ValueError, OSError, actions.NotAllowed) as error:
            raise CommandError(str(error)) from error

    def do_apply(self, file, **options):
        text = Path(file).read_text()
        data = json.loads(text) if file.endswith(".json") else yaml.safe_load(text)
        entries = data.get("policies", data) if isinstance(data, dict) else data
        if not isinstance(entries, list):
            raise CommandError(f"{file}: expected a list of policies (or a mapping with a 'policies' list)")
        for line in actions.apply_policies(entries):
            self.stdout.write(line)

    def do_plan(self, json=False, policy=None, **options):  # noqa: A002 - the option's name
        plan = lifecycle.make_plan(policy_name=policy)
        for item in plan.archives:
            self.stdout.write(f"archive {item.partition.name} ({item.policy.name}): {item.rows} rows, "
                              f"{item.bytes} bytes, {len(item.files)} file(s)")
        for drop in plan.drops:
            self.stdout.write(f"{drop.action} {drop.archive.partition_name}: due {drop.due:%Y-%m-%d %H:%M}"
                              + (" (now)" if drop.due_now else ""))
        for skipped in plan.skipped:
            self.stdout.write(f"skip {skipped['partition']}: {skipped['reason']}")
        summary = plan.as_dict()
        if json:
            import json as json_module

            self.stdout.write(json_module.dumps({"partitions": len(plan.archives), "rows": plan.rows,
                                                 "bytes": plan.bytes, "files": summary["files"],
                                                 "drops": summary["drops"], "detail": summary["partitions"]}))
        else:
            self.stdout.write(f"{len(plan.archives)} partition(s), {plan.rows} rows, {plan.bytes} bytes. "
                              f"{plan.engine}")

    def do_run(self, policy=None, **options):
        run = lifecycle.run_lifecycle(policy_name=policy)
        self.stdout.write(f"run {run.pk}: {run.outcome}, {run.partitions_archived} archived, "
                          f"{run.partitions_dropped} dropped, {run.rows} rows")
        if run.outcome == run.Outcome.FAILED:
            raise CommandError(run.error)

    def do_restore(self, archive_id, **options):
        record = lifecycle.restore_archive(archive_id)
        self.stdout.write(f"restored {record.partition_name}: {record.rows} rows")

    def do_archive_key(self, user, admin, **options):
        owner, actor = _person(user), _person(admin)
        name, key = actions.disclose_archive_key(owner.pk, actor=actor)
        self.stdout.write(f"PRAGMA add_parquet_key('{name}', '{key}');")
        self.stderr.write(f"-- then: SELECT * FROM read_parquet('{settings.ARCHIVE_DIR}/<schema.table>/*/*/*.parquet', "
                          f"hive_partitioning = true, encryption_config = {{footer_key: '{name}'}}) "
                          f"WHERE \"user\" = {owner.pk}")

    def do_decrypt(self, archive_file, out, **options):
        path = Path(archive_file)
        ring = keyring()
        # Only one version of a user's data key is ever live, so the path's user= names it.
        owner = next((part.removeprefix("user=") for part in path.parts if part.startswith("user=")), None)
        key_id = None
        if path.suffix != export.LEGACY_SUFFIX and owner and owner.isdigit():  # a legacy file names its key
            key_id = ring.data_key_for_user(int(owner), create=False)[0]
        export.decrypt_to_parquet(path, Path(out), ring.key_by_id, key_id)
        self.stdout.write(f"wrote {out}")

    def do_raw_cleanup(self, **options):
        run = delete_expired_raw_files()
        self.stdout.write(f"deleted {run.details['deleted']} raw file(s), {run.bytes} bytes")

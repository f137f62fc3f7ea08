"""State changes on lifecycle policies and runs. Each owns its transaction, audit row and job."""

import base64

import django_rq
from django.core.exceptions import ValidationError
from django.db import transaction
from psycopg import sql

from audit.actions import record_event
from core.rls import maintenance_scope
from lifecycle import export
from lifecycle.models import ArchivedPartition, ArchivedSummary, Policy
from lifecycle.sql import ARCHIVE_SCHEMA
from vault import rawstore
from vault.keyring import keyring

QUEUE = "maintenance"
# The jobs are enqueued by name: lifecycle.jobs imports this module, never the reverse.
RUN_JOB = "lifecycle.jobs.lifecycle_run"
RESTORE_JOB = "lifecycle.jobs.lifecycle_restore"
POLICY_FIELDS = ("name", "enabled", "table", "archive_after_days", "delete_after_days", "quarantine_days",
                 "schedule")


def _snapshot(policy: Policy) -> dict:
    return {field: getattr(policy, field) for field in POLICY_FIELDS}


def save_policy(policy: Policy, *, actor=None, request=None, using: str = "default") -> Policy:
    """Validate and save a policy (new or changed), recording what changed."""
    policy.full_clean()
    with transaction.atomic(using=using):
        before = None
        if policy.pk:
            old = Policy.objects.using(using).filter(pk=policy.pk).first()
            before = _snapshot(old) if old else None
        created = policy.pk is None
        policy.save(using=using)
        after = _snapshot(policy)
        changes = {k: [before[k], v] for k, v in after.items() if before and before[k] != v}
        record_event("lifecycle.policy_created" if created else "lifecycle.policy_changed", actor=actor,
                     request=request, target=f"policy:{policy.name}",
                     details=after if created else {"changes": changes}, using=using)
    return policy


def delete_policy(policy: Policy, *, request=None) -> None:
    with transaction.atomic():
        record_event("lifecycle.policy_deleted", request=request, target=f"policy:{policy.name}",
                     details=_snapshot(policy))
        policy.delete()


def enqueue_run(*, policy_name=None, request=None) -> None:
    """Queue an archive run on "maintenance"; it reaches Redis when this transaction commits."""
    actor = request.user if request else None
    with transaction.atomic():
        record_event("lifecycle.run_requested", request=request, target=f"policy:{policy_name or 'all'}")
        django_rq.get_queue(QUEUE).enqueue(RUN_JOB, policy_name=policy_name,
                                           actor_id=getattr(actor, "pk", None))


def enqueue_restore(record: ArchivedPartition, *, request=None) -> None:
    actor = request.user if request else None
    with transaction.atomic():
        record_event("lifecycle.restore_requested", request=request, target=f"lifecycle:{record.pk}",
                     details={"partition": record.partition_name})
        django_rq.get_queue(QUEUE).enqueue(RESTORE_JOB, record.pk, actor_id=getattr(actor, "pk", None))


def apply_policies(entries: list[dict], *, actor=None) -> list[str]:
    """Policies as code: create or update each named policy from a file's entries.

    All or nothing: every entry is validated first, and one bad entry
    changes nothing. Returns a line per policy saying what happened.
    """
    allowed = {"name", "table", "archive_after_days", "delete_after_days", "quarantine_days", "enabled", "schedule"}
    problems, policies = [], []
    for index, entry in enumerate(entries, start=1):
        label = f"policy {index} ({entry.get('name', 'unnamed') if isinstance(entry, dict) else entry!r})"
        if not isinstance(entry, dict):
            problems.append(f"{label}: expected a mapping of fields")
            continue
        unknown = set(entry) - allowed
        missing = {"name", "table", "archive_after_days"} - set(entry)
        if unknown or missing:
            problems.append(f"{label}: " + "; ".join(
                ([f"unknown field(s) {', '.join(sorted(unknown))}"] if unknown else [])
                + ([f"missing {', '.join(sorted(missing))}"] if missing else [])))
            continue
        policy = Policy.objects.using("owner").filter(name=entry["name"]).first() or Policy()
        for field, value in entry.items():
            setattr(policy, field, value)
        try:
            policy.full_clean(validate_unique=False)
        except ValidationError as error:  # collect every entry's problems before refusing
            messages = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
            problems.append(f"{label}: " + "; ".join(f"{k}: {' '.join(v)}" if k != "__all__" else " ".join(v)
                                                     for k, v in messages.items()))
            continue
        policies.append(policy)
    if problems:
        raise ValueError("no policy was changed:\n" + "\n".join(problems))
    lines = []
    with transaction.atomic(using="owner"):
        for policy in policies:
            created = policy.pk is None
            save_policy(policy, actor=actor, using="owner")
            lines.append(f"{'created' if created else 'updated'} {policy.name} ({policy.table})")
    return lines


def shred_user_archives(user_id: int, *, actor=None) -> str:
    """Crypto-shred one person's archives and raw uploads: called when she deletes everything.

    Her data key goes, so every archive file and raw upload encrypted under it
    becomes unreadable at once, wherever copies of it lie; the raw files are
    removed too. Rows of hers inside partitions still in quarantine (schema
    archive) are not rewritten — restore verifies partitions against their
    manifests — they leave when those partitions are dropped.
    Returns one sentence for the audit record and the page.
    """
    shredded = keyring().shred_user(user_id)
    removed = rawstore.shred_user(user_id)
    # Her archived months' totals are aggregates of her data too (and the overview would still count them).
    summaries, _ = ArchivedSummary.objects.using("owner").filter(user_id=user_id).delete()
    pending = ArchivedPartition.objects.filter(state=ArchivedPartition.State.DETACHED).order_by("-drop_after")
    quarantine = pending.count()
    last_drop = pending.values_list("drop_after", flat=True).first()
    with transaction.atomic():
        record_event("lifecycle.user_shredded", actor=actor, target=f"user:{user_id}",
                     details={"key_shredded": shredded, "raw_files_removed": removed,
                              "archived_summaries_deleted": summaries,
                              "partitions_in_quarantine": quarantine})
    sentence = ("the archive key was destroyed, so archived files and raw uploads can no longer be read"
                if shredded else "there was no archive key to destroy")
    if quarantine:
        sentence += (f"; {quarantine} archived month(s) still in quarantine are dropped by "
                     f"{last_drop:%Y-%m-%d}")
    return sentence


def purge_detached_rows(user_id: int, *, actor=None) -> int:
    """Remove a deleted account's rows from the months detached to the archive schema.

    Their foreign key to the user table used to do this as a cascade; without
    it the account's deletion (explore.apps) calls this after delete-everything.
    Her archive files are already shredded, so the drop's check, which compares
    the table with the files still readable, agrees with what is left.
    Returns how many rows went.
    """
    removed = 0
    detached = list(ArchivedPartition.objects.using("owner").filter(state=ArchivedPartition.State.DETACHED))
    if not detached:
        return 0
    with maintenance_scope("lifecycle.purge_user", actor=actor, target=f"user:{user_id}",
                           details={"partitions": [r.partition_name for r in detached]}) as connection, \
            connection.cursor() as cursor:
        for record in detached:
            cursor.execute(sql.SQL("DELETE FROM {} WHERE user_id = %s").format(
                sql.Identifier(ARCHIVE_SCHEMA, record.partition_name)), [user_id])
            removed += cursor.rowcount
    return removed


class NotAllowed(PermissionError):
    pass


ARCHIVE_KEY_PERMISSION = "console.manage_lifecycle"


def disclose_archive_key(user_id: int, *, actor) -> tuple[str, str]:
    """One user's archive key for an operator's own engine: (DuckDB key name, base64 key).

    Only an active admin (manage_lifecycle) may ask, and every disclosure is
    audited before the key is returned. The key is derived from her data key,
    so it opens her archive files only: not her raw uploads, not anyone else's.
    """
    if actor is None or not actor.is_active or not actor.has_perm(ARCHIVE_KEY_PERMISSION):
        raise NotAllowed("only an active admin (manage_lifecycle) may see an archive key")
    key_id, data_key = keyring().data_key_for_user(user_id, create=False)
    with transaction.atomic(using="owner"):
        record_event("lifecycle.archive_key_disclosed", actor=actor, target=f"user:{user_id}",
                     details={"key_id": key_id}, using="owner")
    return export.duckdb_key_name(user_id), base64.b64encode(export.archive_key(data_key)).decode()

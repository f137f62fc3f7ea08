"""Archive runs: plan, export, verify, detach, drop after quarantine, expire; and restore.

The order never changes and each step is committed before the next starts
(ArchivedPartition.state), so a run killed anywhere resumes safely:

    exporting  files written under REPEATABLE READ, fsynced, manifests recorded
    verified   files re-opened, decrypted and checked against the manifests
               and the table; per-user summaries recorded
    detached   under a SHARE lock the table is checked against the manifests
               once more, then DETACHed and moved into schema archive
    dropped    after the quarantine, once the files verify again
    expired    archive files deleted after the policy's delete_after_days

All of it runs on the owner connection (BYPASSRLS: every user's rows)
through `lake.rls.maintenance_scope`, so each step is in the audit log.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field

from django.db import connections, transaction
from django.utils import timezone
from psycopg import sql

from audit.actions import record_event
from core import partitions
from core.rls import maintenance_scope
from events import outbox
from lifecycle import export
from lifecycle import sql as lsql
from lifecycle.models import ArchivedPartition, ArchivedSummary, ArchiveFile, LifecycleRun, Policy
from lifecycle.paths import archive_path
from vault.keyring import keyring
from vectors import indexing as vector_index
from vectors import jobs as vector_jobs

log = logging.getLogger(__name__)

OWNER = "owner"
# A restored month is left alone this long before its policy may archive it again.
RESTORE_HOLD = dt.timedelta(days=30)
# Test hook: called with the step name ("verified", "detached") after each
# step commits; raising from it plays a crash at that point.
AFTER_STEP = None


class LifecycleError(Exception):
    """A step refused to go on; the message says why, and nothing was lost."""


@dataclass
class PlannedArchive:
    policy: Policy
    table: partitions.PartitionedTable
    partition: partitions.Partition
    rows: int
    bytes: int
    users: dict[int, int]
    resume: ArchivedPartition | None = None

    @property
    def delete_files_on(self) -> dt.datetime | None:
        days = self.policy.delete_after_days
        return self.partition.upper + dt.timedelta(days=days) if days is not None else None

    @property
    def files(self) -> list[str]:
        return [export.relative_path(self.table.label, user, self.partition.lower) for user in sorted(self.users)]

    def as_dict(self) -> dict:
        return {"policy": self.policy.name, "table": self.table.label, "partition": self.partition.name,
                "period": f"{self.partition.lower:%Y-%m}", "rows": self.rows, "bytes": self.bytes,
                "users": len(self.users), "files": self.files,
                "resumes": self.resume.state if self.resume else None}


@dataclass
class PlannedDrop:
    archive: ArchivedPartition
    action: str  # "drop" (the detached table) or "delete files"
    due: dt.datetime
    due_now: bool

    def as_dict(self) -> dict:
        return {"archive_id": self.archive.pk, "table": self.archive.table_label,
                "partition": self.archive.partition_name, "action": self.action,
                "due": self.due.isoformat(), "due_now": self.due_now}


@dataclass
class Plan:
    now: dt.datetime
    archives: list[PlannedArchive] = field(default_factory=list)
    drops: list[PlannedDrop] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    engine: str = ""

    @property
    def rows(self) -> int:
        return sum(a.rows for a in self.archives)

    @property
    def bytes(self) -> int:
        return sum(a.bytes for a in self.archives)

    def as_dict(self) -> dict:
        return {
            "now": self.now.isoformat(),
            "partitions": [a.as_dict() for a in self.archives],
            "rows": self.rows,
            "bytes": self.bytes,
            "files": [f for a in self.archives for f in a.files],
            "drops": [d.as_dict() for d in self.drops],
            "skipped": self.skipped,
            "engine": self.engine,
        }


# --- planning -------------------------------------------------------------------
def _policies(name: str | None) -> list[Policy]:
    policies = Policy.objects.using(OWNER).filter(enabled=True)
    if name:
        policy = Policy.objects.using(OWNER).filter(name=name).first()
        if policy is None:
            raise LifecycleError(f"no policy named {name!r}")
        return [policy]
    return list(policies)


def _plan_policy(cursor, policy: Policy, now: dt.datetime, plan: Plan) -> None:
    table = policy.partitioned_table
    threshold = now - dt.timedelta(days=policy.archive_after_days)
    attached = [p for p in partitions.list_partitions(cursor, table) if not p.is_default]
    if not attached:
        return
    newest = max(attached, key=lambda p: p.lower)
    records = {
        a.period_start: a
        for a in ArchivedPartition.objects.using(OWNER).filter(table_label=table.label).order_by("created_at")
    }
    for part in attached:
        if part.upper > threshold:
            continue  # not entirely past the threshold: it may still hold recent rows
        reason = None
        record = records.get(part.lower)
        if part is newest:
            reason = "the newest partition is never archived"
        elif not part.managed:
            reason = "not created by the lake (no ownership comment)"
        elif record is not None and record.state in (ArchivedPartition.State.DETACHED, ArchivedPartition.State.DROPPED,
                                                     ArchivedPartition.State.EXPIRED):
            # Rows for an archived month arrived again and maintenance gave them a
            # partition: archiving it would overwrite the month's files.
            reason = (f"this month is already archived (archive {record.pk}, {record.state}); the rows that "
                      "arrived since stay hot until an admin merges them")
        elif record is not None and record.state == ArchivedPartition.State.RESTORED \
                and record.restored_at and record.restored_at > now - RESTORE_HOLD:
            held = record.restored_at + RESTORE_HOLD
            reason = f"restored on {record.restored_at:%Y-%m-%d}; held until {held:%Y-%m-%d}"
        else:
            latest = lsql.newest_instant(cursor, part.schema, part.name, table.column)
            if latest is not None and latest >= threshold:
                reason = "holds rows newer than the threshold"
        if reason:
            plan.skipped.append({"table": table.label, "partition": part.name, "reason": reason})
            continue
        users = lsql.rows_per_user(cursor, part.schema, part.name)
        resume = record if record is not None and record.state in (
            ArchivedPartition.State.EXPORTING, ArchivedPartition.State.VERIFIED) else None
        plan.archives.append(PlannedArchive(policy, table, part, sum(users.values()),
                                            lsql.relation_bytes(cursor, part.schema, part.name), users, resume))
    for record in ArchivedPartition.objects.using(OWNER).filter(table_label=table.label):
        if record.state == ArchivedPartition.State.DETACHED and record.drop_after:
            plan.drops.append(PlannedDrop(record, "drop", record.drop_after, record.drop_after <= now))
        if record.state in (ArchivedPartition.State.DETACHED, ArchivedPartition.State.DROPPED) \
                and policy.delete_after_days is not None:
            due = record.period_end + dt.timedelta(days=policy.delete_after_days)
            plan.drops.append(PlannedDrop(record, "delete files", due,
                                          due <= now and record.state == ArchivedPartition.State.DROPPED))


def make_plan(*, policy_name: str | None = None, now=None, actor=None) -> Plan:
    """What a run would do now: which partitions, rows, bytes, files, and which drops follow."""
    now = now or timezone.now()
    plan = Plan(now)
    policies = _policies(policy_name)
    with maintenance_scope("lifecycle.plan", actor=actor, target=policy_name or "all policies") as connection, \
            connection.cursor() as cursor:
        plan.engine = lsql.partman_status(cursor).note
        for policy in policies:
            _plan_policy(cursor, policy, now, plan)
    return plan


# --- the run ----------------------------------------------------------------------
def run_lifecycle(*, policy_name: str | None = None, now=None, actor=None,
                  scheduled: bool = False) -> LifecycleRun | None:
    """One archive run over the enabled policies (or one named policy).

    A second run while one holds the lock records itself as skipped and does
    nothing. Failures of one partition are recorded and the run goes on with
    the next; the run's outcome is then "failed".
    """
    now = now or timezone.now()
    started = time.monotonic()
    policies = _policies(policy_name)
    if scheduled:
        policies = [p for p in policies if p.is_due(now)]
        if not policies:
            return None  # the hourly tick with nothing due leaves no record
    run = LifecycleRun.objects.using(OWNER).create(
        kind=LifecycleRun.Kind.ARCHIVE, policy=policies[0] if policy_name else None)
    connection = connections[OWNER]
    with connection.cursor() as cursor:
        locked = lsql.try_run_lock(cursor)
    if not locked:
        run.outcome, run.finished_at = LifecycleRun.Outcome.SKIPPED, timezone.now()
        run.save(using=OWNER, update_fields=["outcome", "finished_at"])
        record_event("lifecycle.run_skipped", actor=actor, target=f"run:{run.pk}",
                     details={"reason": "another lifecycle run holds the lock"}, using=OWNER)
        return run
    errors, details = [], {"finalized": [], "archived": [], "dropped": [], "expired": [], "failed": []}
    completed = False
    try:
        details["finalized"] = finalize_pending_detaches(actor=actor)
        for policy in policies:
            touched = False
            with maintenance_scope("lifecycle.plan", actor=actor, target=policy.name) as conn, \
                    conn.cursor() as cursor:
                plan = Plan(now)
                _plan_policy(cursor, policy, now, plan)
            for item in plan.archives:
                try:
                    record = archive_partition(item, run=run, now=now, actor=actor)
                except Exception as error:
                    log.exception("archiving %s failed", item.partition.name)
                    errors.append(f"{item.partition.name}: {error}")
                    details["failed"].append({"partition": item.partition.name, "error": str(error)})
                    continue
                touched = True
                run.partitions_archived += 1
                run.rows += record.rows
                run.bytes += record.file_bytes
                details["archived"].append(item.partition.name)
            for drop in plan.drops:
                if not drop.due_now:
                    continue
                try:
                    if drop.action == "drop":
                        drop_archived(drop.archive, now=now, actor=actor)
                        run.partitions_dropped += 1
                        details["dropped"].append(drop.archive.partition_name)
                    else:
                        expire_files(drop.archive, now=now, actor=actor)
                        details["expired"].append(drop.archive.partition_name)
                except Exception as error:
                    log.exception("dropping %s failed", drop.archive.partition_name)
                    errors.append(f"{drop.archive.partition_name}: {error}")
                    details["failed"].append({"partition": drop.archive.partition_name, "error": str(error)})
            if touched:
                with transaction.atomic(using=OWNER), connection.cursor() as cursor:
                    lsql.analyze(cursor, policy.partitioned_table)
            policy.last_run_at = now
            policy.save(using=OWNER, update_fields=["last_run_at"])
        completed = True
    except Exception as error:
        errors.append(f"{type(error).__name__}: {error}")
        raise
    finally:
        with connection.cursor() as cursor:
            lsql.release_run_lock(cursor)
        if not completed and not errors:
            errors.append("interrupted")  # a timeout or shutdown: the next run resumes from the recorded states
        run.outcome = LifecycleRun.Outcome.FAILED if errors else LifecycleRun.Outcome.OK
        run.error = "\n".join(errors)
        run.details = {**details, "seconds": round(time.monotonic() - started, 3)}
        run.finished_at = timezone.now()
        with transaction.atomic(using=OWNER):
            run.save(using=OWNER)
            record_event("lifecycle.run", actor=actor, target=f"run:{run.pk}",
                         details={"outcome": run.outcome, "archived": run.partitions_archived,
                                  "dropped": run.partitions_dropped, "rows": run.rows, "errors": errors[:5]},
                         using=OWNER)
    return run


def _after(step: str) -> None:
    if AFTER_STEP is not None:
        AFTER_STEP(step)


def finalize_pending_detaches(*, actor=None) -> list[str]:
    """Finish any DETACH ... CONCURRENTLY that was interrupted (pg_inherits.inhdetachpending)."""
    with transaction.atomic(using=OWNER), connections[OWNER].cursor() as cursor:
        pending = lsql.pending_detaches(cursor)
    done = []
    for item in pending:
        name = f"{item.partition_schema}.{item.partition_name}"
        with maintenance_scope("lifecycle.finalize_detach", actor=actor, target=name,
                               details={"parent": item.parent}) as conn, conn.cursor() as cursor:
            lsql.set_lock_timeout(cursor)
            lsql.finalize_detach(cursor, item)
        done.append(name)
    return done


def archive_partition(item: PlannedArchive, *, run: LifecycleRun, now, actor=None) -> ArchivedPartition:
    """Take one partition from attached to detached, resuming a recorded step if there is one."""
    record = item.resume
    if record is None:
        record = ArchivedPartition.objects.using(OWNER).create(
            policy=item.policy, run=run, table_label=item.table.label, partition_name=item.partition.name,
            period_start=item.partition.lower, period_end=item.partition.upper, table_bytes=item.bytes)
    else:
        record.run = run
        record.save(using=OWNER, update_fields=["run"])
    try:
        if record.state == ArchivedPartition.State.EXPORTING:
            _export(record, actor=actor)
            _verify(record, actor=actor)
            _after("verified")
        else:
            # Resumed after a crash past verification: the files must still hold.
            _check_files(record)
        _detach(record, item.policy, now=now, actor=actor)
        _after("detached")
    except Exception as error:
        _fail(record, error)
        raise
    return record


def _fail(record: ArchivedPartition, error: Exception) -> None:
    """The partition stays attached: forget this attempt's files and manifests."""
    record.refresh_from_db(using=OWNER)
    if record.state not in (ArchivedPartition.State.EXPORTING, ArchivedPartition.State.VERIFIED):
        return
    with transaction.atomic(using=OWNER):
        _remove_files(record)
        ArchivedSummary.objects.using(OWNER).filter(
            table_label=record.table_label, period=record.period_start.date()).delete()
        record.state, record.error = ArchivedPartition.State.FAILED, f"{type(error).__name__}: {error}"
        record.save(using=OWNER, update_fields=["state", "error"])


def _files(record: ArchivedPartition):
    return ArchiveFile.objects.using(OWNER).filter(archived_partition_id=record.pk)


def _live_files(record: ArchivedPartition):
    """Files whose owner still has an account. A deleted account's rows left the
    detached table with it (the foreign key cascades there too) and its key is
    expected to be shredded: its files are residue, neither checked nor restored."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.using(OWNER).values("pk")
    return _files(record).filter(data_owner_id__in=users)


def _remove_files(record: ArchivedPartition) -> None:
    for path in [f.path for f in _files(record)]:
        path.unlink(missing_ok=True)
    ArchiveFile.objects.using(OWNER).filter(archived_partition=record).delete()
    export.manifest_path(record.table_label, record.period_start).unlink(missing_ok=True)


def _stream_user_rows(connection, record, cols, pk, user_id):
    """Batches of one user's rows in primary-key order, through a server-side cursor."""
    table = record.table
    query = sql.SQL("SELECT {cols} FROM {part} WHERE user_id = %s ORDER BY {pk}").format(
        cols=export.select_list(cols), part=sql.Identifier(table.schema, record.partition_name),
        pk=sql.SQL(", ").join(map(sql.Identifier, pk)))
    with connection.connection.cursor(name=f"lifecycle_{record.pk}_{user_id}", binary=True) as cursor:
        cursor.execute(query, [user_id])
        while batch := cursor.fetchmany(export.BATCH_ROWS):
            yield batch


def _export(record: ArchivedPartition, *, actor=None) -> None:
    table = record.table
    ring = keyring()
    manifests = []
    with maintenance_scope("lifecycle.export", actor=actor, target=f"{table.schema}.{record.partition_name}") \
            as connection, connection.cursor() as cursor:
        # One snapshot for every user's file: the export is a consistent copy.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cols, pk = lsql.columns(cursor, table), lsql.primary_key(cursor, table)
        users = lsql.rows_per_user(cursor, table.schema, record.partition_name)
        try:
            for user_id in sorted(users):
                key_id, key = ring.data_key_for_user(user_id)
                manifests.append(export.write_user_file(
                    _stream_user_rows(connection, record, cols, pk, user_id), cols, user_id=user_id,
                    relative=export.relative_path(table.label, user_id, record.period_start),
                    key_id=key_id, key=key, time_column=table.column))
        except BaseException:
            for manifest in manifests:
                archive_path(manifest.relative_path).unlink(missing_ok=True)
            raise
    with transaction.atomic(using=OWNER):
        ArchiveFile.objects.using(OWNER).filter(archived_partition=record).delete()
        ArchiveFile.objects.using(OWNER).bulk_create(
            ArchiveFile(archived_partition=record, data_owner_id=m.user_id, relative_path=m.relative_path,
                        key_id=m.key_id, rows=m.rows, plaintext_bytes=m.plaintext_bytes,
                        ciphertext_bytes=m.ciphertext_bytes, plaintext_sha256=m.plaintext_sha256,
                        ciphertext_sha256=m.ciphertext_sha256, rows_sha256=m.rows_sha256,
                        min_at=m.min_at, max_at=m.max_at, arrow_schema=m.arrow_schema)
            for m in manifests
        )
        record.rows = sum(m.rows for m in manifests)
        record.file_bytes = sum(m.ciphertext_bytes for m in manifests)
        record.min_at = min((m.min_at for m in manifests if m.min_at), default=None)
        record.max_at = max((m.max_at for m in manifests if m.max_at), default=None)
        record.save(using=OWNER, update_fields=["rows", "file_bytes", "min_at", "max_at"])
        _write_summaries(record, manifests)


def _write_summaries(record: ArchivedPartition, manifests) -> None:
    ArchivedSummary.objects.using(OWNER).filter(
        table_label=record.table_label, period=record.period_start.date()).delete()
    ArchivedSummary.objects.using(OWNER).bulk_create(
        ArchivedSummary(user_id=m.user_id, table_label=record.table_label, period=record.period_start.date(),
                        product=product, rows=counts["rows"], first_at=counts["first"], last_at=counts["last"])
        for m in manifests for product, counts in m.products.items()
    )


def _check_files(record: ArchivedPartition) -> None:
    """Every file re-read from disk matches its manifest: hashes, decryption, rows."""
    ring = keyring()
    for f in _live_files(record):
        if not f.path.exists():
            raise LifecycleError(f"archive file {f.relative_path} is missing")
        try:
            found = export.check_file(f.path, ring.key_by_id, f.key_id)
        except Exception as error:
            raise LifecycleError(f"archive file {f.relative_path} cannot be read back: {error}") from error
        expected = (f.rows, f.plaintext_sha256, f.ciphertext_sha256, f.rows_sha256)
        if (found.rows, found.plaintext_sha256, found.ciphertext_sha256, found.rows_sha256) != expected:
            raise LifecycleError(f"archive file {f.relative_path} does not match its manifest "
                                 f"(rows {found.rows} vs {f.rows}, or a checksum differs)")


def _check_table(cursor, connection, record: ArchivedPartition, schema: str, *, rows: bool = True) -> None:
    """The partition's rows, re-read now, are exactly the manifests' rows, user by user.
    With rows=False only the per-user counts are compared (a cheap check)."""
    table = record.table
    files = {f.data_owner_id: f for f in _live_files(record)}
    users = lsql.rows_per_user(cursor, schema, record.partition_name)
    if set(users) != set(files):
        raise LifecycleError(f"{record.partition_name}: users in the table {sorted(users)} differ from the "
                             f"archive's {sorted(files)}")
    counted = {user_id: f.rows for user_id, f in files.items()}
    if users != counted:
        raise LifecycleError(f"{record.partition_name}: rows per user in the table {users} differ from the "
                             f"archive's {counted}")
    if not rows:
        return
    cols, pk = lsql.columns(cursor, table), lsql.primary_key(cursor, table)
    query = sql.SQL("SELECT {cols} FROM {part} WHERE user_id = %s ORDER BY {pk}").format(
        cols=export.select_list(cols), part=sql.Identifier(schema, record.partition_name),
        pk=sql.SQL(", ").join(map(sql.Identifier, pk)))
    for user_id, f in files.items():
        digest = export.RowDigest(cols)
        with connection.connection.cursor(name=f"lifecycle_check_{record.pk}_{user_id}", binary=True) as named:
            named.execute(query, [user_id])
            while batch := named.fetchmany(export.BATCH_ROWS):
                digest.update(batch)
        if (digest.rows, digest.hexdigest()) != (f.rows, f.rows_sha256):
            raise LifecycleError(f"{record.partition_name}: user {user_id}'s rows changed since the export "
                                 f"({digest.rows} rows now, {f.rows} archived)")


def _verify(record: ArchivedPartition, *, actor=None) -> None:
    _check_files(record)
    with maintenance_scope("lifecycle.verify", actor=actor, target=record.partition_name) as connection, \
            connection.cursor() as cursor:
        # Counts now; every row is compared under the lock that precedes the detach.
        _check_table(cursor, connection, record, record.table.schema, rows=False)
        record.state, record.verified_at, record.error = ArchivedPartition.State.VERIFIED, timezone.now(), ""
        record.save(using=OWNER, update_fields=["state", "verified_at", "error"])
    export.write_manifest(record.table_label, record.period_start, {
        "table": record.table_label, "partition": record.partition_name, "period_start": record.period_start,
        "period_end": record.period_end, "rows": record.rows, "min_at": record.min_at, "max_at": record.max_at,
        "verified_at": record.verified_at, "encryption": "DPLK v1 (archive/crypto.py), one data key per user",
        "files": [{"path": f.relative_path, "user_id": f.data_owner_id, "key_id": f.key_id, "rows": f.rows,
                   "ciphertext_sha256": f.ciphertext_sha256, "plaintext_sha256": f.plaintext_sha256,
                   "rows_sha256": f.rows_sha256, "min_at": f.min_at, "max_at": f.max_at,
                   "arrow_schema": f.arrow_schema} for f in _files(record)],
    })


def _detach(record: ArchivedPartition, policy: Policy, *, now, actor=None) -> None:
    table = record.table
    with maintenance_scope("lifecycle.detach", actor=actor, target=f"{table.schema}.{record.partition_name}",
                           details={"rows": record.rows}) as connection, connection.cursor() as cursor:
        lsql.set_lock_timeout(cursor)
        # SHARE: readers go on, writers to this old month wait until we are done,
        # so the rows checked below are the rows that leave.
        cursor.execute(sql.SQL("LOCK TABLE {} IN SHARE MODE").format(
            sql.Identifier(table.schema, record.partition_name)))
        _check_table(cursor, connection, record, table.schema)
        lsql.detach_to_archive(cursor, table, record.partition_name)
        _record_events(record, outbox.DATA_ARCHIVED)
        # Archived rows leave search too; a restore embeds them again (vectors are derived).
        vector_index.forget_period(cursor, table.name, record.period_start, record.period_end)
        record.state, record.detached_at = ArchivedPartition.State.DETACHED, timezone.now()
        record.drop_after = now + dt.timedelta(days=policy.quarantine_days)
        if policy.delete_after_days is not None:
            record.delete_files_after = record.period_end + dt.timedelta(days=policy.delete_after_days)
        record.save(using=OWNER, update_fields=["state", "detached_at", "drop_after", "delete_files_after"])


def _record_events(record: ArchivedPartition, event_type: str) -> None:
    """One event per owner of rows in the month, in the transaction that moves it (sorted: a fixed lock order)."""
    table = record.table
    for f in _live_files(record).order_by("data_owner_id"):
        outbox.record(f.data_owner_id, event_type, {
            "table": table.label, "dataset": table.name, "archive_id": record.pk,
            "period_start": record.period_start.isoformat(), "period_end": record.period_end.isoformat(),
            "rows": f.rows, "first": f.min_at.isoformat() if f.min_at else None,
            "last": f.max_at.isoformat() if f.max_at else None}, using=OWNER)


def drop_archived(record: ArchivedPartition, *, now=None, actor=None) -> None:
    """Drop a detached partition after its quarantine, only if its files still verify."""
    if record.state != ArchivedPartition.State.DETACHED:
        raise LifecycleError(f"{record} is {record.state}, not detached")
    if record.drop_after and record.drop_after > (now or timezone.now()):
        raise LifecycleError(f"{record} is in quarantine until {record.drop_after:%Y-%m-%d %H:%M}")
    _check_files(record)
    with maintenance_scope("lifecycle.drop", actor=actor, target=f"archive.{record.partition_name}",
                           details={"rows": record.rows}) as connection, connection.cursor() as cursor:
        lsql.set_lock_timeout(cursor)
        _check_table(cursor, connection, record, lsql.ARCHIVE_SCHEMA)
        lsql.drop_archived(cursor, record.partition_name)
        record.state, record.dropped_at = ArchivedPartition.State.DROPPED, timezone.now()
        record.save(using=OWNER, update_fields=["state", "dropped_at"])


def expire_files(record: ArchivedPartition, *, now=None, actor=None) -> None:
    """Delete the archive files of a dropped partition: past delete_after, the data ends here.
    The summaries stay, so totals still answer."""
    if record.state != ArchivedPartition.State.DROPPED:
        raise LifecycleError(f"{record} is {record.state}: only dropped partitions' files expire")
    # Every path is checked before any is deleted: one bad record refuses the whole expiry.
    paths = [f.path for f in _files(record)]
    with transaction.atomic(using=OWNER):
        record_event("lifecycle.expire", actor=actor, target=record.partition_name,
                     details={"files": len(paths), "rows": record.rows}, using=OWNER)
        for path in paths:
            path.unlink(missing_ok=True)
        record.state, record.expired_at = ArchivedPartition.State.EXPIRED, now or timezone.now()
        record.save(using=OWNER, update_fields=["state", "expired_at"])


# --- restore ------------------------------------------------------------------------
def restore_archive(archive_id: int, *, actor=None) -> ArchivedPartition:
    """Bring an archived month back: from schema archive, or rebuilt from its files.

    Either way the rows are checked against the manifests before the
    partition is attached again, in one transaction: it comes back whole or not at all.
    """
    record = ArchivedPartition.objects.using(OWNER).filter(pk=archive_id).first()
    if record is None:
        raise LifecycleError(f"no archive with id {archive_id}")
    if record.state not in (ArchivedPartition.State.DETACHED, ArchivedPartition.State.DROPPED):
        raise LifecycleError(f"{record} cannot be restored: it is {record.get_state_display().lower()}")
    table = record.table
    run = LifecycleRun.objects.using(OWNER).create(kind=LifecycleRun.Kind.RESTORE, policy=record.policy)
    connection = connections[OWNER]
    started = time.monotonic()
    with connection.cursor() as cursor:
        if not lsql.try_run_lock(cursor):
            run.outcome, run.finished_at = LifecycleRun.Outcome.SKIPPED, timezone.now()
            run.save(using=OWNER, update_fields=["outcome", "finished_at"])
            raise LifecycleError("a lifecycle run is in progress; try the restore again when it has finished")
    error = None
    try:
        source = "archive schema" if record.state == ArchivedPartition.State.DETACHED else "files"
        if source == "files":
            _check_files(record)
        with maintenance_scope("lifecycle.restore", actor=actor, target=f"{table.label}/{record.partition_name}",
                               details={"archive": record.pk, "from": source}) as conn, conn.cursor() as cursor:
            lsql.set_lock_timeout(cursor)
            if lsql.relation_exists(cursor, table.schema, record.partition_name):
                raise LifecycleError(
                    f"{table.schema}.{record.partition_name} exists again (rows for that month arrived after it "
                    "was archived); merging an archive into a live partition is not supported")
            if source == "archive schema":
                _check_table(cursor, conn, record, lsql.ARCHIVE_SCHEMA)
                lsql.move_back(cursor, table, record.partition_name)
            else:
                lsql.create_empty_partition(cursor, table, record.partition_name)
                _load_files(cursor, record)
                _check_table(cursor, conn, record, table.schema)
            lsql.attach(cursor, table, record.partition_name, record.period_start, record.period_end)
            ArchivedSummary.objects.using(OWNER).filter(
                table_label=record.table_label, period=record.period_start.date()).delete()
            record.state, record.restored_at = ArchivedPartition.State.RESTORED, timezone.now()
            record.save(using=OWNER, update_fields=["state", "restored_at"])
            _record_events(record, outbox.DATA_RESTORED)
        with transaction.atomic(using=OWNER), connection.cursor() as cursor:
            lsql.analyze(cursor, table)
        run.rows = record.rows
        vector_jobs.catch_up()
    except Exception as exc:
        error = exc
        raise
    finally:
        with connection.cursor() as cursor:
            lsql.release_run_lock(cursor)
        run.outcome = LifecycleRun.Outcome.FAILED if error else LifecycleRun.Outcome.OK
        run.error = f"{type(error).__name__}: {error}" if error else ""
        run.details = {"archive": record.pk, "partition": record.partition_name,
                       "seconds": round(time.monotonic() - started, 3)}
        run.finished_at = timezone.now()
        run.save(using=OWNER)
    return record


def _load_files(cursor, record: ArchivedPartition) -> None:
    table, ring = record.table, keyring()
    cols = lsql.columns(cursor, table)
    copy_sql = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.schema, record.partition_name), sql.SQL(", ").join(sql.Identifier(c.name) for c in cols))
    for f in _live_files(record):
        with cursor.cursor.copy(copy_sql) as copy:
            for batch in export.read_rows(f.path, ring.key_by_id, f.key_id):
                for row in batch:
                    copy.write_row(row)

"""Deleting a user's data: one import run, a date range, or everything.

Each function runs as the app role in the caller's user scope (row-level
security makes another user's rows unreachable, whatever the arguments),
owns its transaction, counts what it removed, counts again afterwards to
verify nothing of that selection is left, and records one audit event. The
analytics summaries are refreshed and the user's cached pages dropped once
the deletion commits.
"""

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db import transaction

from audit.actions import record_event, redact_events_of
from events import outbox
from imports.actions import forget_user_imports, mark_runs_deleted
from lifecycle.actions import shred_user_archives
from sources import registry
from sqlaccess.actions import revoke_login
from uploads.actions import forget_user_uploads
from vectors import indexing as vector_index

log = logging.getLogger(__name__)

# (name, model, time field) of every per-user table an import fills, across all sources.
TABLES = tuple((dataset.name, dataset.model, dataset.time_field)
               for _source, dataset in registry.datasets() if dataset.by_run)
# Tables of things that belong to the person rather than to a run (devices): only "everything" deletes them.
KEPT_TABLES = tuple((dataset.name, dataset.model) for _source, dataset in registry.datasets() if not dataset.by_run)
# Other apps' records that name what the person imported (file and member
# names, hashes, rejection samples with coordinates): each returns (name,
# queryset) pairs deleted and verified with the lake's rows. Imports first:
# deleting a run stops a member in flight from committing.
# Her change events go too (the counter stays, so seq never runs back under a reader);
# the deletion's own event is recorded after them.
FORGET = (forget_user_imports, forget_user_uploads, outbox.forget_user_events)


class NothingSelected(ValueError):
    pass


@dataclass
class DeletionResult:
    scope: str
    deleted: dict[str, int] = field(default_factory=dict)
    remaining: dict[str, int] = field(default_factory=dict)  # of the selection: zero when verified
    notes: list[str] = field(default_factory=list)

    @property
    def verified(self) -> bool:
        return not any(self.remaining.values())

    @property
    def total(self) -> int:
        return sum(self.deleted.values())


def _delete(result: DeletionResult, selections, *, user, request, target: str, details: dict,
            forget_vectors, then=None, runs_deleted: list[int] = ()) -> DeletionResult:
    with transaction.atomic():
        for name, queryset in selections:
            deleted, _ = queryset.delete()
            result.deleted[name] = deleted
            result.remaining[name] = queryset.count()
        # The rows' search documents and embeddings go with them (derived: noted, not counted as records).
        result.notes.append(f"search: {forget_vectors()} vectors removed")
        if not result.verified:  # cannot happen in one transaction; if it does, keep everything
            raise RuntimeError(f"deletion left rows behind: {result.remaining}")
        if runs_deleted:  # a range leaves runs partly in place: they are not marked
            # The runs' reports then say so, and the same bytes uploaded again import
            # anew instead of pointing at an empty run.
            mark_runs_deleted(user, list(runs_deleted))
        if then is not None:  # irreversible follow-ups only once the rows are verifiably gone
            result.notes.append(then())
        record_event("data.deleted", actor=user, target=target, request=request, details={
            **details, "deleted": result.deleted, "remaining": result.remaining, "notes": result.notes})
        outbox.record(user.pk, outbox.DATA_DELETED, {**details, "deleted": result.deleted},
                      import_run_id=details.get("import_run_id"))
        registry.data_changed(user.pk)
    return result


def delete_import_run(user, run_id: int, *, request=None) -> DeletionResult:
    """Every row that import run `run_id` loaded; other runs' rows stay."""
    run_id = int(run_id)
    result = DeletionResult(scope=f"import run {run_id}")
    selections = [(name, model.objects.filter(import_run_id=run_id)) for name, model, _ in TABLES]
    return _delete(result, selections, user=user, request=request, target=f"import_run:{run_id}",
                   details={"scope": "import_run", "import_run_id": run_id}, runs_deleted=[run_id],
                   forget_vectors=lambda: vector_index.forget_run(run_id))


def delete_range(user, start: dt.date, end: dt.date, *, request=None) -> DeletionResult:
    """Rows whose time falls on the UTC days from `start` to `end`, inclusive."""
    if end < start:
        raise NothingSelected("the end date is before the start date")
    lower = dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC)
    upper = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    result = DeletionResult(scope=f"{start:%Y-%m-%d} to {end:%Y-%m-%d} (UTC)")
    # Things without a time of their own (a contact card) are on no day: a range leaves them.
    selections = [(name, model.objects.filter(**{f"{column}__gte": lower, f"{column}__lt": upper}))
                  for name, model, column in TABLES if column is not None]
    return _delete(result, selections, user=user, request=request, target=f"user:{user.pk}",
                   details={"scope": "range", "start": start.isoformat(), "end": end.isoformat()},
                   forget_vectors=lambda: vector_index.forget_range(lower, upper))


def delete_everything(user, *, request=None) -> DeletionResult:
    """All of the user's lake data, devices, imports and uploads; archives through the lifecycle app.

    The audit log keeps her events but not their content (redacted in the
    same transaction); the deletion's own event, recorded after, says what went.
    """
    result = DeletionResult(scope="everything")
    with transaction.atomic():
        # First, while her devices, runs and uploads still say which events are about her.
        redacted = redact_events_of(user)
        result.notes.append(f"audit: {redacted} earlier events keep what happened, not its content")
        selections = [pair for forget in FORGET for pair in forget(user)]
        selections += [(name, model.objects.all()) for name, model, _ in TABLES]
        selections += [(name, model.objects.filter(user=user)) for name, model in KEPT_TABLES]
        # Her runs are deleted outright (above), so none is left to mark as deleted.
        return _delete(result, selections, user=user, request=request, target=f"user:{user.pk}",
                       details={"scope": "everything"}, then=lambda: _irreversible(user, request),
                       forget_vectors=vector_index.forget_all)


def _irreversible(user, request) -> str:
    # Her own database login goes too: its sessions end, its workspace schema
    # (tables she built from her rows) is dropped with it.
    revoked = revoke_login(user, request=request, reason="delete everything")
    sql_access = "sql access: login and workspace dropped" if revoked else "sql access: none"
    return f"archives: {shred_user_archives(user.pk)}; {sql_access}"

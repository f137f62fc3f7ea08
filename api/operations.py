"""Import runs through the API: start one from tus uploads, follow it, list them.

Runs are found in the token user's scope, so another user's run is simply
not there (404), whatever its id.
"""

from django.db.models import Q

from api.problems import Problem
from core.rls import user_scope
from imports.models import ImportRun
from uploads import actions as uploads
from uploads.models import Upload

RUN_FIELDS = ("id", "status", "stage", "source", "created_at", "started_at", "finished_at", "members_total",
              "members_done", "accepted", "rejected", "duplicates", "products", "rejections", "notices", "error",
              "deleted_at")


def run_dict(run: ImportRun) -> dict:
    return {name: getattr(run, name) for name in RUN_FIELDS}


def get_run(user, run_id: int) -> ImportRun:
    with user_scope(user.pk):
        run = ImportRun.objects.filter(pk=run_id).first()
    if run is None:
        raise Problem(404, f"No import run {run_id} of yours.")
    return run


def list_runs(user, *, limit: int, before: int | None) -> tuple[list[ImportRun], int | None]:
    """Newest first, keyset on the id; (runs, the id to pass as `before` next, or None)."""
    with user_scope(user.pk):
        runs = ImportRun.objects.order_by("-id")
        if before is not None:
            runs = runs.filter(id__lt=before)
        found = list(runs[:limit + 1])
    more = len(found) > limit
    found = found[:limit]
    return found, (found[-1].pk if more else None)


def start_import(user, upload_ids: list) -> tuple[ImportRun, bool]:
    """The run of these uploads: (run, created now). They must be one batch's files, all complete.

    The tus endpoint already hands a finished batch to the importer, so this
    usually answers with the run that exists; it starts one when it did not
    (the hand-over failed, Redis was down).
    """
    with user_scope(user.pk):
        found = list(Upload.objects.filter(pk__in=upload_ids))
    if len(found) != len(set(upload_ids)):
        raise Problem(404, "Some of these uploads are not yours or do not exist.", field="uploads")
    batches = {upload.batch_id for upload in found}
    if len(batches) != 1:
        raise Problem(422, "These uploads belong to different batches; import one batch at a time.",
                      field="uploads")
    waiting = [str(u.pk) for u in found if u.state != Upload.State.COMPLETE]
    if waiting:
        raise Problem(409, f"Not every upload is complete yet: {', '.join(waiting)}.", field="uploads")
    batch_id = batches.pop()
    with user_scope(user.pk):
        before = uploads.get_batch_for_user(user, batch_id).import_run_id
        incomplete = Upload.objects.filter(batch_id=batch_id).exclude(
            Q(state=Upload.State.COMPLETE) | Q(state=Upload.State.CANCELLED)).exists()
    if incomplete:
        raise Problem(409, "Other files of this batch are still uploading.", field="uploads")
    batch = uploads.start_import_if_ready(user, batch_id)
    if batch.import_run_id is None:
        raise Problem(409, "This batch is not ready to import.", field="uploads")
    return get_run(user, batch.import_run_id), before is None

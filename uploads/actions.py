"""What uploads do: create, receive bytes, complete, hand batches to the importer, cancel, expire.

Each function owns its short transactions (never one across a request body),
its audit rows and the upload's lock. Views map TusError to HTTP.
"""

import datetime as dt
import logging
import os
import re
import time

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Sum
from django.http import Http404
from django.utils import timezone

from audit.actions import record_event
from core import locks
from core.rls import maintenance_scope, user_scope
from imports.actions import RawFile, create_run
from imports.models import ImportRun
from uploads import storage
from uploads.locks import UploadBusy, try_lock_for_transaction, upload_lock
from uploads.models import Upload, UploadBatch
from uploads.protocol import TusError, clean_filename, clean_text, human_bytes
from vault import rawstore

log = logging.getLogger(__name__)

try:  # gunicorn reports a broken chunked body with its own exceptions
    from gunicorn.http.errors import ParseException as _GunicornBodyError

    BODY_ERRORS = (OSError, _GunicornBodyError)
except ImportError:  # pragma: no cover - other servers raise OSError
    BODY_ERRORS = (OSError,)

# Takeout names its parts takeout-20240101T000000Z-001.zip, -002.zip, ...
_PART_NUMBER = re.compile(r"-(\d{1,4})\.(?:zip|tgz|tar\.gz)$", re.IGNORECASE)
ORPHAN_GRACE_SECONDS = 3600


def get_upload_for_user(user, upload_id) -> Upload:
    """The user's upload or 404. Row-level security hides other users' rows too;
    the explicit filter keeps it right even on a connection without a scope."""
    try:
        return Upload.objects.get(pk=upload_id, user=user)
    except (Upload.DoesNotExist, ValueError, TypeError):
        raise Http404("No such upload") from None


def get_batch_for_user(user, batch_id) -> UploadBatch:
    try:
        return UploadBatch.objects.get(pk=int(batch_id), user=user)
    except (UploadBatch.DoesNotExist, ValueError, TypeError):
        raise Http404("No such batch") from None


def _expiry(now=None) -> dt.datetime:
    return (now or timezone.now()) + dt.timedelta(hours=settings.UPLOAD_EXPIRY_HOURS)


# --- limits ------------------------------------------------------------------------


def used_bytes(user) -> int:
    """Bytes counted against the quota: incomplete uploads at their full declared
    size (the space is promised), plus each distinct complete file once."""
    mine = Upload.objects.filter(user=user)
    receiving = mine.filter(state=Upload.State.RECEIVING).aggregate(n=Sum("size"))["n"] or 0
    stored = mine.filter(state=Upload.State.COMPLETE, duplicate_of__isnull=True).aggregate(n=Sum("size"))["n"] or 0
    return receiving + stored


def check_limits(user, files: list[tuple[str, int]]) -> None:
    """Refuse an empty file (400), a file over the size limit or files that would pass the quota (413)."""
    limit = settings.UPLOAD_MAX_BYTES
    for name, size in files:
        if size == 0:
            # Refused here rather than failing at import: no run, no raw file, nothing to clean up.
            raise TusError(400, f"{name} is empty (0 bytes): there is nothing to import. Download that part "
                                "from Google Takeout again.")
        if size > limit:
            raise TusError(413, f"{name} is {human_bytes(size)}; the largest file this server accepts is "
                                f"{human_bytes(limit)}. Split the export into smaller parts in Google Takeout.",
                           {"Tus-Max-Size": str(limit)})
    quota, used, needed = settings.USER_QUOTA_BYTES, used_bytes(user), sum(size for _, size in files)
    if used + needed > quota:
        left = max(quota - used, 0)
        raise TusError(413, f"Not enough room in your quota: this needs {human_bytes(needed)} but only "
                            f"{human_bytes(left)} of your {human_bytes(quota)} is left. Remove unfinished "
                            "uploads or old imports first.")


def _lock_quota(user) -> None:
    # Two creations at once must not both fit into the same free space.
    with connection.cursor() as cursor:
        locks.lock_for_transaction(cursor, f"uploads.quota:{user.pk}")


# --- creation ------------------------------------------------------------------------


def create_batch(user, files: list[tuple[str, int]]) -> UploadBatch:
    """Announce the files chosen together; checks size and quota for all of them first."""
    if not files:
        raise TusError(400, "Choose at least one file.")
    with user_scope(user.pk):
        _lock_quota(user)
        check_limits(user, files)
        return UploadBatch.objects.create(user=user, expected_files=len(files))


def create_upload(user, *, size: int, metadata: dict[str, str], raw_metadata: str = "", request=None) -> Upload:
    """tus creation: check limits before any byte, then an empty temp file and its row."""
    filename = clean_filename(metadata.get("filename") or metadata.get("name") or "")
    filetype = clean_text(metadata.get("filetype") or metadata.get("type") or "", 100)
    replaced = []
    with user_scope(user.pk):
        _lock_quota(user)
        batch = None
        if metadata.get("batch"):
            try:
                batch = UploadBatch.objects.select_for_update().get(pk=int(metadata["batch"]), user=user)
            except (UploadBatch.DoesNotExist, ValueError):
                raise TusError(400, "Unknown batch in Upload-Metadata; start the upload again.") from None
            if batch.state != UploadBatch.State.OPEN:
                raise TusError(409, "This batch of files has already been handed to an import.")
            # The same file offered again in its batch (its resume URL was lost):
            # the new upload replaces the stale one rather than waiting beside it.
            for stale in batch.uploads.filter(state=Upload.State.RECEIVING, filename=filename, size=size):
                if try_lock_for_transaction(stale.pk, using="default"):
                    stale.state = Upload.State.CANCELLED
                    stale.save(update_fields=["state", "updated_at"])
                    replaced.append(stale.pk)
            active = batch.uploads.exclude(state__in=[Upload.State.CANCELLED, Upload.State.EXPIRED]).count()
            if active >= batch.expected_files:
                raise TusError(409, f"This batch already has all {batch.expected_files} of its files.")
        check_limits(user, [(filename, size)])
        if batch is None:
            batch = UploadBatch.objects.create(user=user, expected_files=1)
        upload = Upload.objects.create(user=user, batch=batch, filename=filename, filetype=filetype,
                                       metadata=raw_metadata, size=size, expires_at=_expiry())
        record_event("upload.created", actor=user, target=f"upload:{upload.pk}", request=request,
                     details={"filename": filename, "size": size, "batch": batch.pk,
                              "replaced": [str(pk) for pk in replaced]})
        storage.create_temp_file(upload.pk)
    for pk in replaced:
        storage.remove_temp_file(pk)
    return upload


# --- receiving ------------------------------------------------------------------------


def receive(user, upload_id, *, offset: int, stream, length: int | None, checksum=None, request=None) -> Upload:
    """tus PATCH: append the body at `offset`, durably, then acknowledge the new offset.

    `stream` is read in pieces straight into the temp file. `length` is the
    Content-Length, or None for a chunked body. `checksum` is (hash
    constructor, expected digest) or None. Returns the upload as acknowledged.
    """
    with user_scope(user.pk):
        upload = get_upload_for_user(user, upload_id)
    try:
        with upload_lock(upload.pk):
            return _receive_locked(user, upload.pk, offset, stream, length, checksum, request)
    except UploadBusy:
        raise TusError(423, "Another request is writing this upload right now; try again in a moment.") from None


def _offset_conflict(upload: Upload, message: str) -> TusError:
    return TusError(409, message, {"Upload-Offset": str(upload.upload_offset)})


def _receive_locked(user, upload_id, offset, stream, length, checksum, request) -> Upload:
    with user_scope(user.pk):
        upload = Upload.objects.get(pk=upload_id)
    if upload.state == Upload.State.EXPIRED:
        raise TusError(410, "This upload expired; start it again.")
    if upload.state == Upload.State.CANCELLED:
        raise Http404("No such upload")
    if upload.state == Upload.State.COMPLETE:
        if offset == upload.size and not length:
            return upload
        raise _offset_conflict(upload, f"This upload is already complete ({upload.size} bytes).")

    path = storage.temp_path(upload.pk)
    on_disk = storage.disk_size(upload.pk)
    if on_disk is None:
        raise TusError(410, "The partial file is no longer on the server; start this upload again.")
    if on_disk > upload.upload_offset:
        # Bytes written but never acknowledged (a crash between write and commit).
        storage.truncate(path, upload.upload_offset)
    elif on_disk < upload.upload_offset:
        # The disk lost bytes we had acknowledged: the durable size is the truth.
        with user_scope(user.pk):
            Upload.objects.filter(pk=upload.pk).update(upload_offset=on_disk)
        storage.forget_hasher(upload.pk)
        upload.upload_offset = on_disk
        raise _offset_conflict(upload, f"The server holds {on_disk} bytes of this upload; resume from there.")
    if upload.upload_offset == upload.size:
        return complete_received(user, upload, request=request)
    if offset != upload.upload_offset:
        raise _offset_conflict(upload, f"Upload-Offset {offset} does not match the {upload.upload_offset} "
                                       "bytes the server holds; ask with HEAD and resume from there.")
    room = upload.size - offset
    if length is not None and length > room:
        raise TusError(413, f"This chunk of {length} bytes would pass the declared Upload-Length "
                            f"({upload.size}).")

    hasher = storage.take_hasher(upload.pk, offset)
    chunk_hash = checksum[0]() if checksum else None
    # A checksummed chunk may be refused after it was hashed: keep the state before it.
    before = hasher.copy() if hasher is not None and chunk_hash is not None else None
    received, interrupted = _write_body(upload, path, offset, room, stream, length, hasher, chunk_hash)

    if chunk_hash is not None and (interrupted or chunk_hash.digest() != checksum[1]):
        storage.truncate(path, offset)
        if before is not None:
            storage.keep_hasher(upload.pk, offset, before)
        if interrupted:
            raise TusError(400, "The chunk ended early, so its checksum cannot be verified; it was discarded.")
        raise TusError(460, "Upload-Checksum does not match the bytes received; the chunk was discarded.",
                       {"Upload-Offset": str(offset)})
    if received == 0:
        if hasher is not None:
            storage.keep_hasher(upload.pk, offset, hasher)
        return upload

    new_offset = offset + received
    with user_scope(user.pk):
        updated = Upload.objects.filter(pk=upload.pk, state=Upload.State.RECEIVING, upload_offset=offset).update(
            upload_offset=new_offset, expires_at=_expiry(), updated_at=timezone.now())
    if not updated:
        storage.forget_hasher(upload.pk)
        raise TusError(410, "This upload was cancelled or expired while the chunk arrived.")
    upload.upload_offset = new_offset
    if new_offset == upload.size:
        return complete_received(user, upload, hasher=hasher, request=request)
    if hasher is not None:
        storage.keep_hasher(upload.pk, new_offset, hasher)
    return upload


def _write_body(upload, path, offset, room, stream, length, hasher, chunk_hash) -> tuple[int, bool]:
    """Copy the body to disk in pieces and fsync. Returns (bytes, whether the client stopped early)."""
    limit = length if length is not None else room + 1
    received, interrupted = 0, False
    try:
        with open(path, "r+b") as handle:
            handle.seek(offset)
            while received < limit:
                try:
                    block = stream.read(min(storage.READ_SIZE, limit - received))
                except BODY_ERRORS:
                    interrupted = True  # the client went away mid-body
                    break
                if not block:
                    break
                if received + len(block) > room:
                    handle.truncate(offset)
                    os.fsync(handle.fileno())
                    storage.forget_hasher(upload.pk)
                    raise TusError(413, f"The body runs past the declared Upload-Length ({upload.size}).")
                handle.write(block)
                if hasher is not None:
                    hasher.update(block)
                if chunk_hash is not None:
                    chunk_hash.update(block)
                received += len(block)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as error:
        # Disk full or an I/O error: nothing of this chunk counts.
        log.warning("upload %s: writing failed at offset %s: %s", upload.pk, offset, error)
        storage.truncate(path, offset)
        storage.forget_hasher(upload.pk)
        raise TusError(507, f"The server could not store this chunk ({error.strerror or error}). Your upload "
                            f"is kept up to byte {offset} and can resume later.") from None
    if length is not None and received < length:
        interrupted = True
    return received, interrupted


def complete_received(user, upload: Upload, *, hasher=None, request=None) -> Upload:
    """All bytes are on disk and acknowledged: name the file by its SHA-256, mark the
    upload complete, and start the batch's import if it was the last file.

    Idempotent, and safe to repeat after a crash at any step: the raw store
    never overwrites, and the database decides whether this ran before.
    """
    if hasher is None:  # the running hash was lost on the way (see uploads.storage)
        hasher = storage.hash_from_disk(upload.pk, upload.size)
    sha256 = hasher.hexdigest()
    stored_new = storage.place_in_raw_store(upload.pk, user.pk, sha256)
    with user_scope(user.pk):
        upload = Upload.objects.select_for_update().get(pk=upload.pk)
        if upload.state != Upload.State.RECEIVING:
            return upload
        # Only this user's own earlier upload counts as "the same file again";
        # matching another user's bytes would tell her what someone else has.
        earlier = (Upload.objects.filter(user=user, state=Upload.State.COMPLETE, sha256=sha256)
                   .exclude(pk=upload.pk).order_by("completed_at").first())
        upload.state, upload.sha256, upload.duplicate_of = Upload.State.COMPLETE, sha256, earlier
        upload.raw_path, upload.completed_at = rawstore.relative(user.pk, sha256), timezone.now()
        upload.upload_offset = upload.size
        upload.save(update_fields=["state", "sha256", "duplicate_of", "raw_path", "completed_at",
                                   "upload_offset", "updated_at"])
        record_event("upload.completed", actor=user, target=f"upload:{upload.pk}", request=request,
                     details={"filename": upload.filename, "size": upload.size, "sha256": sha256,
                              "batch": upload.batch_id, "stored_new_bytes": stored_new,
                              "duplicate_of": str(earlier.pk) if earlier else None})
    storage.remove_temp_file(upload.pk)
    try:
        start_import_if_ready(user, upload.batch_id)
    except Exception:  # noqa: BLE001 - the upload is durable; its import is retried (see below)
        # Redis down at commit, or an importer bug: the bytes are safe and the
        # upload is complete. The batch status request and the hourly expiry
        # job call start_import_if_ready again; a run already committed is
        # left to the importer's reconciler.
        log.exception("upload %s: starting the import of batch %s failed", upload.pk, upload.batch_id)
    return upload


# --- batches become import runs ----------------------------------------------------------


def part_order(upload: Upload):
    """Takeout parts in their -001, -002 order; other files by name after them."""
    match = _PART_NUMBER.search(upload.filename)
    return (0, int(match.group(1)), upload.filename) if match else (1, 0, upload.filename)


def _earlier_run(uploads: list[Upload]) -> int | None:
    """The run that already has exactly these bytes, when every file is a repeat of its files.

    Only a run that succeeded or is still on its way counts, and not one whose
    rows were deleted since: after a failed or partial run, or a deletion, the
    same upload gets a fresh run, which is how a person retries or re-imports.
    (A new run of the same bytes would be harmless too, the loader adds no
    row twice, but it would re-read gigabytes to add nothing.)
    """
    if not all(u.duplicate_of_id for u in uploads):
        return None
    twins = Upload.objects.filter(pk__in=[u.duplicate_of_id for u in uploads]).select_related("batch")
    runs = {twin.batch.import_run_id for twin in twins}
    if len(runs) != 1 or None in runs:
        return None
    run_id = runs.pop()
    usable = (ImportRun.Status.QUEUED, ImportRun.Status.RUNNING, ImportRun.Status.SUCCEEDED)
    found = ImportRun.objects.filter(pk=run_id, status__in=usable, deleted_at__isnull=True).exists()
    return run_id if found else None


def _create_run_for(user, uploads: list[Upload], request=None) -> int:
    files = [RawFile(path=rawstore.path(user.pk, u.sha256), original_name=u.filename, sha256=u.sha256,
                     size=u.size) for u in sorted(uploads, key=part_order)]
    return create_run(user, files, source="upload", request=request).pk


def start_import_if_ready(user, batch_id) -> UploadBatch:
    """When every file of the batch is complete, hand them to the importer as one run."""
    with user_scope(user.pk):
        batch = UploadBatch.objects.select_for_update().get(pk=batch_id)
        if batch.state != UploadBatch.State.OPEN or batch.import_run_id:
            return batch
        uploads = list(batch.uploads.exclude(state=Upload.State.CANCELLED))
        complete = [u for u in uploads if u.state == Upload.State.COMPLETE]
        if not complete or len(complete) < batch.expected_files or len(complete) != len(uploads):
            return batch
        run_id = _earlier_run(complete)
        batch.reused_run = run_id is not None
        if run_id is None:
            run_id = _create_run_for(user, complete)
        batch.import_run_id, batch.state = run_id, UploadBatch.State.IMPORTING
        batch.save(update_fields=["import_run_id", "state", "reused_run"])
    return batch


def import_again(user, batch_id, *, request=None) -> UploadBatch:
    """Give a batch that repeated an earlier run's bytes a run of its own, on the person's word.

    Adds no row twice (the loader skips what is there), but it re-reads every
    byte, which is why it is not done unasked. Repeating the request is a no-op.
    """
    with user_scope(user.pk):
        batch = get_batch_for_user(user, batch_id)
        batch = UploadBatch.objects.select_for_update().get(pk=batch.pk)
        if not batch.reused_run:
            return batch
        uploads = list(batch.uploads.filter(state=Upload.State.COMPLETE))
        missing = [u.filename for u in uploads if not rawstore.path(user.pk, u.sha256).exists()]
        if missing:
            raise TusError(410, f"The bytes of {', '.join(missing)} are no longer on the server; "
                                "upload the files again to import them.")
        earlier = batch.import_run_id
        batch.import_run_id, batch.reused_run = _create_run_for(user, uploads, request=request), False
        batch.save(update_fields=["import_run_id", "reused_run"])
        record_event("upload.imported_again", actor=user, target=f"batch:{batch.pk}", request=request,
                     details={"earlier_run": earlier, "run": batch.import_run_id})
    return batch


def earlier_import(batch: UploadBatch):
    """The earlier run a repeated batch points at, or None. Call inside the user's scope."""
    if not batch.reused_run or batch.import_run_id is None:
        return None
    return ImportRun.objects.filter(pk=batch.import_run_id).first()


def batch_status(user, batch_id) -> tuple[UploadBatch, list[Upload]]:
    """The batch and its files; finishes any upload whose bytes all arrived before a crash."""
    with user_scope(user.pk):
        batch = get_batch_for_user(user, batch_id)
        pending = list(batch.uploads.filter(state=Upload.State.RECEIVING, upload_offset=F("size")))
    for upload in pending:
        try:
            with upload_lock(upload.pk):
                complete_received(user, upload)
        except UploadBusy:
            pass  # its PATCH is finishing it right now
    if batch.state == UploadBatch.State.OPEN:
        batch = start_import_if_ready(user, batch.pk)
    with user_scope(user.pk):
        uploads = list(batch.uploads.order_by("created_at"))
    return batch, uploads


# --- termination and expiry ---------------------------------------------------------------


def terminate(user, upload_id, *, request=None) -> None:
    """tus DELETE: cancel an incomplete upload and free its space."""
    with user_scope(user.pk):
        upload = get_upload_for_user(user, upload_id)
    try:
        with upload_lock(upload.pk):
            with user_scope(user.pk):
                upload = Upload.objects.select_for_update().get(pk=upload.pk)
                if upload.state == Upload.State.COMPLETE:
                    raise TusError(409, "This upload is complete and belongs to its import; delete the import "
                                        "instead.")
                if upload.state != Upload.State.RECEIVING:
                    raise Http404("No such upload")
                upload.state = Upload.State.CANCELLED
                upload.save(update_fields=["state", "updated_at"])
                batch = UploadBatch.objects.select_for_update().get(pk=upload.batch_id)
                if batch.state == UploadBatch.State.OPEN:
                    batch.expected_files = max(batch.expected_files - 1, 0)
                    if batch.expected_files == 0:
                        batch.state = UploadBatch.State.ABANDONED
                    batch.save(update_fields=["expected_files", "state"])
                record_event("upload.deleted", actor=user, target=f"upload:{upload.pk}", request=request,
                             details={"filename": upload.filename, "received": upload.upload_offset,
                                      "size": upload.size})
            storage.remove_temp_file(upload.pk)
    except UploadBusy:
        raise TusError(423, "This upload is receiving a chunk right now; try again in a moment.") from None
    start_import_if_ready(user, upload.batch_id)


def discard_batch(user, batch_id, *, request=None) -> int:
    """Cancel every unfinished upload of a batch the person gave up on; frees its quota.

    Returns how many uploads were cancelled. Raises TusError(423) if one of
    them is receiving a chunk right now.
    """
    with user_scope(user.pk):
        batch = get_batch_for_user(user, batch_id)
        pending = list(batch.uploads.filter(state=Upload.State.RECEIVING).values_list("pk", flat=True))
    for pk in pending:
        terminate(user, pk, request=request)
    with user_scope(user.pk):
        UploadBatch.objects.filter(pk=batch.pk, state=UploadBatch.State.OPEN, import_run_id__isnull=True).update(
            state=UploadBatch.State.ABANDONED)
    return len(pending)


def expire_stale_uploads(now=None) -> dict:
    """Expire incomplete uploads past their Upload-Expires and delete their bytes (audited).

    Runs on the owner connection through maintenance_scope: it reads every
    user's uploads. An upload whose PATCH is running is skipped (its lock is
    held), and one whose bytes all arrived is completed rather than expired.
    """
    now = now or timezone.now()
    expired, finished = [], []
    with maintenance_scope("upload-expiry", target="imports.upload", details={"before": now.isoformat()}):
        stale = (Upload.objects.using("owner").select_for_update(skip_locked=True)
                 .filter(state=Upload.State.RECEIVING, expires_at__lt=now).select_related("user"))
        for upload in stale:
            if not try_lock_for_transaction(upload.pk, using="owner"):
                continue
            if upload.upload_offset == upload.size:
                finished.append(upload)
                continue
            upload.state = Upload.State.EXPIRED
            upload.save(using="owner", update_fields=["state", "updated_at"])
            UploadBatch.objects.using("owner").filter(
                pk=upload.batch_id, state=UploadBatch.State.OPEN, import_run_id__isnull=True
            ).update(state=UploadBatch.State.ABANDONED)
            record_event("upload.expired", target=f"upload:{upload.pk}", using="owner",
                         details={"user": upload.user_id, "filename": upload.filename,
                                  "received": upload.upload_offset, "size": upload.size,
                                  "expires_at": upload.expires_at.isoformat()})
            expired.append(upload.pk)
        receiving = {str(pk) for pk in Upload.objects.using("owner")
                     .filter(state=Upload.State.RECEIVING).values_list("pk", flat=True)}
        # Batches whose files all arrived but whose run was never created
        # (the importer failed at that moment): try again.
        waiting = list(UploadBatch.objects.using("owner").select_related("user")
                       .filter(state=UploadBatch.State.OPEN, import_run_id__isnull=True)
                       .exclude(uploads__state=Upload.State.RECEIVING)
                       .filter(uploads__state=Upload.State.COMPLETE).distinct())
    for pk in expired:
        storage.remove_temp_file(pk)
    for upload in finished:
        try:
            with upload_lock(upload.pk):
                complete_received(upload.user, upload)
        except UploadBusy:
            pass
    for batch in waiting:
        try:
            start_import_if_ready(batch.user, batch.pk)
        except Exception:  # noqa: BLE001 - one batch's failure must not stop the others
            log.exception("batch %s: starting its import failed again", batch.pk)
    orphans = remove_orphan_temp_files(receiving)
    return {"expired": len(expired), "completed": len(finished), "batches_retried": len(waiting),
            "orphans_removed": orphans}


def remove_orphan_temp_files(receiving: set[str]) -> int:
    """Delete temp files that belong to no receiving upload (left by a crash after completion).

    Young files are left alone: their upload's creating transaction may not
    have committed when `receiving` was read.
    """
    folder = storage.temp_dir()
    if not folder.is_dir():
        return 0
    removed, cutoff = 0, time.time() - ORPHAN_GRACE_SECONDS
    for path in folder.glob("*.part"):
        if path.stem not in receiving and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def forget_user_uploads(user) -> list:
    """Delete-everything's share of the uploads: (name, queryset) pairs to delete, batches last.

    The raw bytes are crypto-shredded with the person's key; this takes the
    rows that name the files (names, hashes, tus metadata) and, once the
    deletion commits, the partial files of uploads still receiving.
    """
    uploads = Upload.objects.filter(user=user)
    receiving = [str(pk) for pk in uploads.filter(state=Upload.State.RECEIVING).values_list("pk", flat=True)]

    def remove_partial_files():
        for pk in receiving:
            storage.forget_hasher(pk)
            storage.remove_temp_file(pk)

    transaction.on_commit(remove_partial_files)
    return [("upload", uploads), ("upload_batch", UploadBatch.objects.filter(user=user))]


"""The tus endpoint, the small batch API the page uses, and the upload page.

Views parse headers and delegate to uploads.actions. The tus views stream
request bodies, so they opt out of the per-request transaction
(manual_user_scope) and the actions open short user scopes themselves.
"""

import json
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import http_date
from django.views.decorators.http import require_GET, require_POST

from core.middleware import manual_user_scope
from core.rls import user_scope
from imports.models import ImportRun
from uploads import actions, protocol
from uploads.locks import UploadBusy, upload_lock
from uploads.models import Upload, UploadBatch
from uploads.protocol import TusError


def _capabilities() -> dict:
    return {
        "Tus-Version": protocol.TUS_VERSION,
        "Tus-Extension": protocol.EXTENSIONS,
        "Tus-Max-Size": str(settings.UPLOAD_MAX_BYTES),
        "Tus-Checksum-Algorithm": ",".join(protocol.CHECKSUM_ALGORITHMS),
    }


def tus_view(*methods):
    """Answer OPTIONS for anyone; require a lake user; map TusError/404 to tus responses."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            override = request.headers.get("X-HTTP-Method-Override", "").upper()
            if request.method == "POST" and override in ("PATCH", "DELETE", "HEAD"):
                # tus: clients behind proxies that drop PATCH/DELETE send POST with
                # this header, and the server must take it as the method. Django's
                # CSRF check has already run for the POST.
                request.method = override
            if request.method == "OPTIONS":
                return protocol.response(204, headers=_capabilities())
            if request.method not in methods:
                return protocol.response(405, "Method not allowed.\n", {"Allow": ", ".join(("OPTIONS", *methods))})
            if not request.user.is_authenticated:
                return protocol.response(401, "Sign in first.\n")
            if not request.user.has_perm("console.use_lake"):
                return protocol.response(403, "Your account may not upload to the lake.\n")
            try:
                protocol.require_version(request)
                return view(request, *args, **kwargs)
            except TusError as error:
                return protocol.error_response(error)
            except Http404:
                return protocol.response(404, "No such upload.\n")

        return manual_user_scope(wrapped)

    return decorate


def _upload_headers(upload: Upload) -> dict:
    headers = {
        "Upload-Offset": str(upload.upload_offset),
        "Upload-Length": str(upload.size),
        "Datapunk-Upload-State": upload.state,
        "Datapunk-Batch": str(upload.batch_id),
    }
    if upload.metadata:
        headers["Upload-Metadata"] = upload.metadata
    if upload.state == Upload.State.RECEIVING:
        headers["Upload-Expires"] = http_date(upload.expires_at.timestamp())
    if upload.sha256:
        headers["Datapunk-Sha256"] = upload.sha256
    if upload.duplicate_of_id:
        headers["Datapunk-Duplicate-Of"] = str(upload.duplicate_of_id)
    return headers


@tus_view("POST")
def tus_create(request):
    if request.headers.get("Upload-Defer-Length"):
        raise TusError(400, "Deferred lengths are not supported; send Upload-Length.")
    size = protocol.non_negative_int(request, "Upload-Length")
    if int(request.META.get("CONTENT_LENGTH") or 0) > 0:
        raise TusError(400, "Send the bytes with PATCH after creating the upload.")
    raw_metadata = request.headers.get("Upload-Metadata", "").strip()
    if len(raw_metadata) > 4096:
        raise TusError(400, "Upload-Metadata is too long.")
    metadata = protocol.parse_metadata(raw_metadata)
    upload = actions.create_upload(request.user, size=size, metadata=metadata, raw_metadata=raw_metadata,
                                   request=request)
    location = request.build_absolute_uri(reverse("uploads:tus-upload", args=[upload.pk]))
    return protocol.response(201, headers={"Location": location, **_upload_headers(upload)})


@tus_view("HEAD", "PATCH", "DELETE")
def tus_upload(request, upload_id):
    if request.method == "HEAD":
        return _head(request, upload_id)
    if request.method == "PATCH":
        return _patch(request, upload_id)
    actions.terminate(request.user, upload_id, request=request)
    return protocol.response(204)


def _head(request, upload_id):
    with user_scope(request.user.pk):
        upload = actions.get_upload_for_user(request.user, upload_id)
    if upload.state == Upload.State.EXPIRED:
        raise TusError(410, "This upload expired; start it again.")
    if upload.state == Upload.State.CANCELLED:
        raise Http404
    if upload.is_receiving and upload.upload_offset == upload.size:
        # Every byte arrived but the server stopped before completing it.
        try:
            with upload_lock(upload.pk):
                upload = actions.complete_received(request.user, upload, request=request)
        except UploadBusy:
            pass
    return protocol.response(200, headers=_upload_headers(upload))


def _patch(request, upload_id):
    if request.content_type != protocol.OFFSET_CONTENT_TYPE:
        raise TusError(415, f"PATCH bodies must be {protocol.OFFSET_CONTENT_TYPE}.")
    offset = protocol.non_negative_int(request, "Upload-Offset")
    checksum = protocol.parse_checksum(request.headers.get("Upload-Checksum"))
    if request.META.get("CONTENT_LENGTH"):
        length = protocol.non_negative_int(request, "Content-Length")
    elif "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
        length = None
    else:
        raise TusError(411, "Send Content-Length (or a chunked body).")
    # The raw WSGI stream, not request.body: bodies are gigabytes and go
    # straight to disk in pieces (DATA_UPLOAD_MAX_MEMORY_SIZE never applies).
    stream = request.META["wsgi.input"]
    upload = actions.receive(request.user, upload_id, offset=offset, stream=stream, length=length,
                             checksum=checksum, request=request)
    return protocol.response(204, headers=_upload_headers(upload))


# --- batches: the page announces its files, then asks how they are doing ------------


def _run_url(run_id):
    if run_id is None:
        return None
    try:
        return reverse("imports:run", args=[run_id])
    except NoReverseMatch:
        return None


# The batch endpoints answer the page's fetch() calls: no login_required
# redirect to an HTML form; signed out, the console's 403 handler answers 401 JSON.
@require_POST
@permission_required("console.use_lake", raise_exception=True)
def batch_create(request):
    try:
        payload = json.loads(request.body or b"{}")
        files = [(protocol.clean_filename(str(f["name"])), f["size"]) for f in payload["files"]]
        # Sizes are whole byte counts: not 1.5, not true, not the Infinity Python's json reads.
        if any(type(size) is not int or size < 0 for _, size in files):
            raise ValueError("size is not a byte count")
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": "Send {\"files\": [{\"name\": ..., \"size\": ...}]}."}, status=400)
    try:
        batch = actions.create_batch(request.user, files)
    except TusError as error:
        return JsonResponse({"error": error.message}, status=error.status)
    return JsonResponse({"batch": batch.pk, "status_url": reverse("uploads:batch", args=[batch.pk]),
                         "discard_url": reverse("uploads:batch-discard", args=[batch.pk])}, status=201)


def _already_imported(batch: UploadBatch, run) -> dict | None:
    """What the page says when a batch repeated the bytes of an earlier run (run is that run)."""
    if run is None:
        return None
    when = timezone.localtime(run.created_at)
    return {
        "run": run.pk,
        "run_url": _run_url(run.pk),
        "imported_at": run.created_at.isoformat(),
        "sentence": f"These files were already imported on {when:%Y-%m-%d at %H:%M} (Import #{run.pk}); "
                    "nothing was read again.",
        "import_again_url": reverse("uploads:batch-import-again", args=[batch.pk]),
    }


@require_GET
@manual_user_scope
@permission_required("console.use_lake", raise_exception=True)
def batch_detail(request, batch_id):
    batch, uploads = actions.batch_status(request.user, batch_id)
    with user_scope(request.user.pk):
        earlier = actions.earlier_import(batch)
    return JsonResponse({
        "batch": batch.pk,
        "state": batch.state,
        "run_url": _run_url(batch.import_run_id),
        "already_imported": _already_imported(batch, earlier),
        "files": [{"name": u.filename, "size": u.size, "offset": u.upload_offset, "state": u.state,
                   "duplicate": bool(u.duplicate_of_id)} for u in uploads],
    })


@require_POST
@manual_user_scope
@login_required
@permission_required("console.use_lake", raise_exception=True)
def batch_import_again(request, batch_id):
    try:
        batch = actions.import_again(request.user, batch_id, request=request)
    except TusError as error:
        messages.error(request, error.message)
        return redirect("uploads:new")
    return redirect(_run_url(batch.import_run_id) or "uploads:new")


@require_POST
@manual_user_scope
@login_required
@permission_required("console.use_lake", raise_exception=True)
def batch_discard(request, batch_id):
    try:
        cancelled = actions.discard_batch(request.user, batch_id, request=request)
    except TusError as error:
        messages.error(request, error.message)
        return redirect("uploads:new")
    if cancelled:
        messages.success(request, f"Discarded {cancelled} unfinished upload{pluralize(cancelled)}; "
                                  "their space is free again.")
    else:  # the page deleted its upload itself (tus termination) just before
        messages.success(request, "Upload cancelled; nothing of it is kept.")
    return redirect("uploads:new")


@login_required
@permission_required("console.use_lake", raise_exception=True)
def new(request):
    used, quota = actions.used_bytes(request.user), settings.USER_QUOTA_BYTES
    recent = list(UploadBatch.objects.filter(user=request.user).order_by("-created_at")
                  .prefetch_related("uploads")[:5])
    # One query for every batch's run: its badge shows how the import went, not only that it started.
    runs = ImportRun.objects.in_bulk([b.import_run_id for b in recent if b.import_run_id])
    for batch in recent:
        batch.run_url = _run_url(batch.import_run_id)
        batch.run = runs.get(batch.import_run_id)
        batch.already_imported = _already_imported(batch, batch.run if batch.reused_run else None)
    return render(request, "uploads/new.html", {
        "max_bytes": settings.UPLOAD_MAX_BYTES,
        "quota": quota,
        "used": used,
        "left": max(quota - used, 0),
        # The meter turns amber past three quarters and red past nine tenths.
        "quota_low": quota * 3 // 4,
        "quota_high": quota * 9 // 10,
        "recent": recent,
    })

"""Lifecycle pages for admins (console.manage_lifecycle). Views parse and delegate to archive.actions."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import BadRequest, ValidationError
from django.core.validators import validate_slug
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from lifecycle import actions, lifecycle
from lifecycle.access import get_archived_partition, get_policy
from lifecycle.forms import PolicyForm
from lifecycle.models import ArchivedPartition, ArchiveFile, LifecycleRun, Policy

PERMISSION = "console.manage_lifecycle"


@permission_required(PERMISSION, raise_exception=True)
def policies(request):
    return render(request, "lifecycle/policies.html", {
        "policies": Policy.objects.all(),
        "archives": ArchivedPartition.objects.select_related("policy").order_by("-created_at")[:50],
        "runs": LifecycleRun.objects.select_related("policy")[:15],
    })


@permission_required(PERMISSION, raise_exception=True)
def policy_edit(request, policy_id=None):
    policy = get_policy(policy_id) if policy_id is not None else Policy()
    form = PolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_policy(form.instance, request=request)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Policy {policy.name} saved.")
            return redirect("lifecycle:policies")
    return render(request, "lifecycle/policy_form.html", {"form": form, "policy": policy})


@require_POST
@permission_required(PERMISSION, raise_exception=True)
def policy_delete(request, policy_id):
    policy = get_policy(policy_id)
    actions.delete_policy(policy, request=request)
    messages.success(request, f"Policy {policy.name} deleted; its archives stay restorable.")
    return redirect("lifecycle:policies")


@permission_required(PERMISSION, raise_exception=True)
def plan(request):
    result = lifecycle.make_plan(actor=request.user)
    # Premade future and long-empty months outnumber the ones with rows: fold them away.
    with_rows = [item for item in result.archives if item.rows]
    empty = [item for item in result.archives if not item.rows]
    return render(request, "lifecycle/plan.html", {"plan": result, "with_rows": with_rows, "empty": empty,
                                                 "files": sum(len(item.files) for item in with_rows)})


@require_POST
@permission_required(PERMISSION, raise_exception=True)
def run_now(request):
    policy_name = request.POST.get("policy") or None
    if policy_name is not None:
        # Policy names are slugs; anything else (a NUL, a script) names no policy.
        try:
            validate_slug(policy_name)
        except ValidationError:
            raise BadRequest("That is not the name of a policy: use letters, digits, - and _.") from None
    actions.enqueue_run(policy_name=policy_name, request=request)
    messages.success(request, "Archive run queued; it appears under Recent runs when a worker has taken it.")
    return redirect("lifecycle:policies")


@permission_required(PERMISSION, raise_exception=True)
def archive_detail(request, archive_id):
    record = get_archived_partition(archive_id)
    return render(request, "lifecycle/archive_detail.html", {
        "archive": record, "files": ArchiveFile.objects.filter(archived_partition=record),
        "restorable": record.state in (ArchivedPartition.State.DETACHED, ArchivedPartition.State.DROPPED),
    })


@require_POST
@permission_required(PERMISSION, raise_exception=True)
def restore(request, archive_id):
    record = get_archived_partition(archive_id)
    if record.state not in (ArchivedPartition.State.DETACHED, ArchivedPartition.State.DROPPED):
        messages.error(request, f"{record.partition_name} cannot be restored: it is {record.get_state_display()}.")
    else:
        actions.enqueue_restore(record, request=request)
        messages.success(request, f"Restore of {record.partition_name} queued.")
    return redirect("lifecycle:archive", archive_id=record.pk)

"""One access helper per model. Lifecycle objects are admin-wide (no owner), so they 404 only when missing;
the views' permission check decides who may ask."""

from django.shortcuts import get_object_or_404

from lifecycle.models import ArchivedPartition, Policy


def get_policy(policy_id) -> Policy:
    return get_object_or_404(Policy, pk=policy_id)


def get_archived_partition(archive_id) -> ArchivedPartition:
    return get_object_or_404(ArchivedPartition, pk=archive_id)

"""One access helper per model: fetch an import object for a user or raise 404.

Row-level security already hides other users' runs; the explicit user filter
states the intent and fails safe if a view ever runs outside a user scope.
"""

from django.shortcuts import get_object_or_404

from imports.models import ImportRun


def get_run_for_user(user, run_id) -> ImportRun:
    return get_object_or_404(ImportRun, pk=run_id, user=user)

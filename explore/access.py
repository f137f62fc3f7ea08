"""One access helper per model: fetch an object for a user or raise 404.

Row-level security already hides other users' rows from the app role; the
explicit user filter keeps the intent readable and fails safe if a view is
ever run outside a user scope.
"""

from django.shortcuts import get_object_or_404

from sources.derived.models import SignificantPlace
from sources.location.models import Device


def get_device_for_user(user, device_id) -> Device:
    return get_object_or_404(Device, pk=device_id, user=user)


def get_place_for_user(user, place_id) -> SignificantPlace:
    return get_object_or_404(SignificantPlace, pk=place_id, user=user, merged_into_id__isnull=True)

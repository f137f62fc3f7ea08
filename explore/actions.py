"""State changes on per-user data. Each owns its transaction and its audit record."""

from django.db import transaction

from audit.actions import record_event
from sources.location.models import Device


def rename_device(device: Device, name: str, *, request=None) -> Device:
    with transaction.atomic():
        old = device.name
        device.name = name
        device.save(update_fields=["name"])
        record_event("device.renamed", target=f"device:{device.pk}", details={"from": old, "to": name},
                     request=request)
    return device

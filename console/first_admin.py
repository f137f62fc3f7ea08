"""The first administrator: created once, told how to sign in."""

import secrets

from django.contrib.auth import get_user_model
from django.db import transaction

from audit.actions import record_event
from console.personas import ADMIN, OPS, USER, grant_persona


def ensure_first_admin(username: str = "admin", password: str | None = None) -> str | None:
    """Create an administrator if the lake has none. Returns the new password, or None."""
    User = get_user_model()
    if User.objects.filter(is_superuser=True).exists():
        return None
    password = password or secrets.token_urlsafe(12)
    with transaction.atomic():
        user = User.objects.create_superuser(username=username, email="", password=password)
        grant_persona(user, USER, ADMIN, OPS)
        record_event("account.first_admin_created", target=f"user:{user.pk}", details={"username": username})
    return password

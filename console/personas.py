"""The three personas: user, admin and ops, as groups of permissions."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

USER, ADMIN, OPS = "user", "admin", "ops"
PERSONAS = {
    USER: ["use_lake"],
    ADMIN: ["manage_lifecycle", "manage_users", "read_audit"],
    OPS: ["view_health", "run_maintenance"],
}
# One line each, shown wherever a role is chosen.
DESCRIPTIONS = {
    USER: "Uploads Takeout exports and sees only their own lake.",
    ADMIN: "Manages people and lifecycle policies, and reads the audit log; sees no one's lake.",
    OPS: "Watches the health dashboards and runs maintenance; sees no one's lake.",
}


def ensure_personas(using: str = "default") -> dict[str, Group]:
    groups = {}
    with transaction.atomic(using=using):
        for name, codenames in PERSONAS.items():
            group, _ = Group.objects.using(using).get_or_create(name=name)
            permissions = Permission.objects.using(using).filter(
                content_type__app_label="console", codename__in=codenames
            )
            group.permissions.set(permissions)
            groups[name] = group
    return groups


def ensure_personas_after_migrate(sender, using="default", **kwargs):
    ensure_personas(using=using)


def grant_persona(user, *personas: str) -> None:
    groups = ensure_personas()
    user.groups.add(*(groups[name] for name in personas))

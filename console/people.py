"""What admins do to accounts: create, set roles, reset a password, deactivate.

Each function owns its transaction and writes one audit event; none of them
ever records a password. Admins cannot lock themselves out: they cannot
deactivate their own account or give up their own admin role.
"""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from audit.actions import record_event
from console.personas import ADMIN, PERSONAS, ensure_personas
from core.rls import maintenance_scope
from explore import queries
from sqlaccess.actions import set_login_enabled


class PeopleError(ValueError):
    """A change refused, with the sentence that says why."""


def one_time_password() -> str:
    # Shown once to the admin, who passes it on; 16 URL-safe characters, ~96 bits.
    return secrets.token_urlsafe(12)


def list_people(actor) -> list:
    """Every account with its roles and the storage it uses (read past row-level
    security, so the read is audited as maintenance)."""
    people = list(get_user_model().objects.order_by("username").prefetch_related("groups"))
    with maintenance_scope("people.storage_read", actor=actor, target="users"):
        used = queries.storage_by_user("owner")
    for person in people:
        person.persona_names = sorted(g.name for g in person.groups.all() if g.name in PERSONAS)
        person.storage_used = used.get(person.pk, 0)
    return people


def _set_groups(person, personas: list[str]) -> None:
    groups = ensure_personas()
    person.groups.remove(*Group.objects.filter(name__in=PERSONAS))
    person.groups.add(*(groups[name] for name in personas))


def create_person(actor, *, username: str, email: str, personas: list[str], request=None):
    """A new account with these roles; returns it and its one-time password."""
    password = one_time_password()
    with transaction.atomic():
        person = get_user_model().objects.create_user(username=username, email=email, password=password)
        _set_groups(person, personas)
        record_event("people.created", actor=actor, target=f"user:{person.pk}", request=request,
                     details={"username": username, "personas": sorted(personas)})
    return person, password


def set_personas(actor, person, personas: list[str], *, request=None) -> None:
    if person.pk == actor.pk and ADMIN not in personas:
        raise PeopleError("You cannot take the admin role from yourself; keep the admin role, or ask another "
                          "administrator to change it.")
    with transaction.atomic():
        before = sorted(person.groups.filter(name__in=PERSONAS).values_list("name", flat=True))
        _set_groups(person, personas)
        record_event("people.personas_set", actor=actor, target=f"user:{person.pk}", request=request,
                     details={"username": person.username, "before": before, "after": sorted(personas)})


def reset_password(actor, person, *, request=None) -> str:
    """A new one-time password; the old one stops working at once."""
    password = one_time_password()
    with transaction.atomic():
        person.set_password(password)
        person.save(update_fields=["password"])
        record_event("people.password_reset", actor=actor, target=f"user:{person.pk}", request=request,
                     details={"username": person.username})
    return password


def set_active(actor, person, active: bool, *, request=None) -> None:
    """Deactivate or reactivate. A deactivated person's open sessions end with their next
    request: Django's authentication backend refuses inactive accounts. Their own
    database login, if they have one, is suspended (its sessions end now) or resumed with it."""
    if person.pk == actor.pk and not active:
        raise PeopleError("You cannot deactivate your own account; ask another administrator.")
    with transaction.atomic():
        person.is_active = active
        person.save(update_fields=["is_active"])
        record_event("people.activated" if active else "people.deactivated", actor=actor,
                     target=f"user:{person.pk}", request=request, details={"username": person.username})
        set_login_enabled(person, active, actor=actor, request=request)

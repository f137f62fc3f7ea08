"""The one way to write the audit log."""

from django.db import connections

from audit.models import Event

# What a redacted event's details become; the migration's trigger admits only this.
REDACTED = {"redacted": "deleted with everything else"}


def _client(request):
    if request is None:
        return None, ""
    # REMOTE_ADDR only: X-Forwarded-For is trivially forged unless a proxy we
    # trust sets it, and an audit log must not record what a client claims.
    return request.META.get("REMOTE_ADDR") or None, request.META.get("HTTP_USER_AGENT", "")[:300]


def record_event(action: str, *, actor=None, target: str = "", details: dict | None = None,
                 request=None, using: str = "default") -> Event:
    """Append one audit event: who did what to which target, when and from where.

    It joins the caller's transaction, so an action and its record commit
    or roll back together. Called outside a transaction, it commits at once.
    """
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    remote_addr, user_agent = _client(request)
    event = Event(
        actor_id=getattr(actor, "pk", None),
        actor_username=getattr(actor, "username", "") or "",
        action=action,
        target=str(target)[:300],
        remote_addr=remote_addr,
        user_agent=user_agent,
        details=details or {},
    )
    event.save(using=using, force_insert=True)
    return event


def redact_events_of(user, using: str = "default") -> int:
    """Blank the content of every audit event about `user`; the events themselves stay.

    For "delete everything": file names, hashes, device names and ranges go,
    who did what and when remains. Runs in the caller's transaction, which
    must be scoped to `user` (the database function checks); returns the count.
    """
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT audit.redact_user_events(%s)", [user.pk])
        return cursor.fetchone()[0]

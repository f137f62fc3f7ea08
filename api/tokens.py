"""Creating, finding and revoking API tokens. Each action owns its transaction and audit row.

A token is "dpl_" + eight characters (the visible prefix) + "_" + 32 secret
ones. Only HMAC-SHA256(API_TOKEN_KEY, token) is stored: a fast keyed hash is
right for 190 random bits (nothing to brute-force), and without the server's
key a stolen table says nothing.
"""

import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from api import scopes as scope_names
from api.models import ApiToken
from audit.actions import record_event
from core.rls import maintenance_scope, user_scope

PREFIX = "dpl_"
# Last-used time and address are written at most this often per token, not on every request.
TOUCH_EVERY = dt.timedelta(seconds=60)


def _key() -> bytes:
    if settings.API_TOKEN_KEY:
        return settings.API_TOKEN_KEY.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"datapunk-lake api tokens", hashlib.sha256).digest()


def digest(token: str) -> str:
    return hmac.new(_key(), token.encode(), hashlib.sha256).hexdigest()


def create_token(user, scopes: list[str], *, name: str = "", expires_days: int | None = None,
                 request=None) -> tuple[ApiToken, str]:
    """A new token for `user`: (its row, the token itself, which is never shown again)."""
    chosen = scope_names.parse(scopes)
    if expires_days is not None and not 1 <= expires_days <= 3650:
        raise ValueError("expiry is 1 to 3650 days")
    visible = PREFIX + secrets.token_hex(4)
    token = f"{visible}_{secrets.token_urlsafe(24)}"
    expires_at = timezone.now() + dt.timedelta(days=expires_days) if expires_days else None
    with user_scope(user.pk):
        row = ApiToken.objects.create(user=user, name=name[:100], prefix=visible, digest=digest(token),
                                      scopes=chosen, expires_at=expires_at)
        record_event("api_token.created", actor=user, target=f"api_token:{visible}", request=request,
                     details={"scopes": chosen, "expires_at": expires_at.isoformat() if expires_at else None,
                              "name": row.name})
    return row, token


def revoke_token(user, prefix: str, *, request=None) -> ApiToken | None:
    """Revoke `user`'s token `prefix`; None when she has no such token. Repeating it changes nothing."""
    with user_scope(user.pk):
        row = ApiToken.objects.select_for_update().filter(user=user, prefix=prefix).first()
        if row is None or row.revoked_at is not None:
            return row
        row.revoked_at = timezone.now()
        row.save(update_fields=["revoked_at"])
        record_event("api_token.revoked", actor=user, target=f"api_token:{prefix}", request=request)
    return row


def owner_of_prefix(prefix: str):
    """The user a prefix belongs to, for the shell's `api_token revoke PREFIX`, which names no user.

    Read on the owner connection, past row-level security, so it is audited.
    """
    with maintenance_scope("api_token.find_owner", target=f"api_token:{prefix}"):
        user_id = ApiToken.objects.using("owner").filter(prefix=prefix).values_list("user_id", flat=True).first()
    return get_user_model().objects.filter(pk=user_id).first() if user_id else None


def tokens_of(user) -> list[ApiToken]:
    with user_scope(user.pk):
        return list(ApiToken.objects.filter(user=user).order_by("-created_at", "-pk"))


def find(token: str) -> tuple[int, int] | None:
    """(token id, owner id) of a presented bearer token, or None. Runs outside any scope."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT token_id, user_id FROM user_data.api_token_owner(%s)", [digest(token)])
        return cursor.fetchone()


def touch(row: ApiToken, ip: str | None, *, user) -> None:
    """Record use: last-used time and address, and an audit row the first time. In the user's scope."""
    now = timezone.now()
    if row.last_used_at is not None and now - row.last_used_at < TOUCH_EVERY and row.last_used_ip == ip:
        return
    first = row.last_used_at is None
    # Conditional, so two first requests at once write one "first used" audit row.
    updated = ApiToken.objects.filter(pk=row.pk, **({"last_used_at__isnull": True} if first else {})).update(
        last_used_at=now, last_used_ip=ip)
    if first and updated:
        record_event("api_token.first_used", actor=user, target=f"api_token:{row.prefix}",
                     details={"ip": ip})

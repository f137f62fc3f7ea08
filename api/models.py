"""API tokens: per user, scoped, stored only as a keyed hash.

The table is per-user and protected by row-level security like the data the
tokens read. A bearer token arrives before anyone knows whose it is, so the
lookup by hash goes through one SECURITY DEFINER function
(`user_data.api_token_owner`, see the migration) that answers with the
token's id and owner and nothing else; every other read of the table runs in
the owner's scope.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.schemas import qualified


class ApiToken(models.Model):
    # No index of its own: api_token_user_created_idx leads with this column.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DB_CASCADE, related_name="+", db_index=False)
    name = models.CharField(max_length=100, blank=True)
    # "dpl_" and eight characters: shown in lists and logs to tell tokens apart.
    prefix = models.CharField(max_length=16)
    # HMAC-SHA256 of the whole token under settings.API_TOKEN_KEY, hex.
    digest = models.CharField(max_length=64)
    # ["read:location", "write:ingest", ...] (api.scopes)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        db_table = qualified("user_data", "api_token")
        constraints = [
            # The bearer lookup (user_data.api_token_owner) and "no two tokens alike".
            models.UniqueConstraint(fields=["digest"], name="api_token_digest_uniq"),
            # `api_token revoke PREFIX` names one token.
            models.UniqueConstraint(fields=["prefix"], name="api_token_prefix_uniq"),
        ]
        indexes = [
            # The tokens page and `api_token list`: a user's tokens, newest first.
            models.Index(fields=["user", "-created_at"], name="api_token_user_created_idx"),
        ]

    def __str__(self):
        return self.prefix

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())

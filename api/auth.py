"""Bearer tokens for a request: who, with which scopes. A plain function any view can call.

    token = api.auth.authenticate(request, "events")   # raises Problem(401 or 403)

The caller then works inside `core.rls.user_scope(token.user_id)`: a token
never bypasses row-level security, it only names the user whose scope opens.
"""

from django.contrib.auth import get_user_model
from django.utils import timezone

from api import ratelimit, tokens
from api.models import ApiToken
from api.problems import Problem
from api.scopes import grants
from core.rls import user_scope


def bearer(request) -> str | None:
    header = request.headers.get("Authorization", "")
    kind, _, value = header.partition(" ")
    if kind.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def authenticate(request, scope: str | None) -> ApiToken:
    """The active token of this request that holds `scope` (None: any active token).

    401 when there is no token, or it is unknown, revoked or expired; 403
    naming the scope when it lacks it; 429 past its rate limit. Records its
    use (last time and address; an audit row the first time). Sets
    `request.api_token` and `request.api_user`.
    """
    presented = bearer(request)
    if presented is None:
        raise Problem(401, "Send an API token: Authorization: Bearer dpl_…")
    found = tokens.find(presented)
    if found is None:
        raise Problem(401, "This API token is not known.")
    token_id, user_id = found
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise Problem(401, "The account of this API token is disabled.")
    with user_scope(user_id):
        token = ApiToken.objects.get(pk=token_id)
        if token.revoked_at is not None:
            raise Problem(401, "This API token was revoked.")
        if token.expires_at is not None and token.expires_at <= timezone.now():
            raise Problem(401, "This API token has expired.")
        if scope is not None and not grants(token.scopes, scope):
            raise Problem(403, f"This API token lacks the scope {scope}.", scope=scope)
        ratelimit.check(token.pk)
        tokens.touch(token, request.META.get("REMOTE_ADDR") or None, user=user)
    request.api_token, request.api_user = token, user
    return token

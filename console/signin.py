"""Sign-in throttling and the sign-in audit trail.

Failed sign-ins are counted in Redis (the cache) in fixed windows of
WINDOW_SECONDS, three ways:

- this account from this address: PAIR_LIMIT failures lock the pair;
- this address, any account: ADDRESS_LIMIT failures lock the address;
- this account, any address: ACCOUNT_LIMIT failures lock the account.

A lock lasts until its window ends; failures during a lock are not counted
(no password is even checked), so hammering does not extend it. The account
and address locks do not apply to an address the account signed in from
successfully before (remembered for KNOWN_SECONDS): guesses from elsewhere
cannot lock a person out where they usually sign in, and a shared address
(a proxy, a household) does not lock out people known there.

The backend enforces the locks for every form that authenticates (the
console's and Django admin's); the console's form also says how long to wait.

The counters are a brake, not a gate: with Redis unreachable, sign-in goes
on unthrottled (logged, and still audited) rather than failing with a 500
and keeping ops from the health page that would tell them why.
"""

import contextlib
import hashlib
import logging
import math

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

from audit.actions import record_event
from core.rls import user_scope

logger = logging.getLogger(__name__)

PREFIX = "signin:"
WINDOW_SECONDS = 15 * 60
PAIR_LIMIT = 5
ADDRESS_LIMIT = 20
ACCOUNT_LIMIT = 10
KNOWN_SECONDS = 90 * 24 * 3600


class Attempt:
    """One sign-in attempt's keys: a hash of the account name, and the address."""

    def __init__(self, request, username: str):
        self.username = username.replace("\x00", "")[:150]
        # Hashed: Redis need not hold account names, and any text is a safe key.
        account = hashlib.sha256(self.username.casefold().encode()).hexdigest()[:32]
        # REMOTE_ADDR only, as the audit log: X-Forwarded-For is the client's claim.
        self.address = request.META.get("REMOTE_ADDR") or "unknown"
        self.pair_key = f"{PREFIX}fail:pair:{account}:{self.address}"
        self.address_key = f"{PREFIX}fail:addr:{self.address}"
        self.account_key = f"{PREFIX}fail:acct:{account}"
        self.known_key = f"{PREFIX}known:{account}:{self.address}"

    def limits(self) -> list[tuple[str, int]]:
        if cache.get(self.known_key):
            return [(self.pair_key, PAIR_LIMIT)]
        return [(self.pair_key, PAIR_LIMIT), (self.address_key, ADDRESS_LIMIT), (self.account_key, ACCOUNT_LIMIT)]


@contextlib.contextmanager
def _unless_redis_is_down(what: str):
    try:
        yield
    except (ConnectionInterrupted, RedisError) as error:
        logger.warning("sign-in throttle unavailable (%s): %s", what, error)


def retry_after(attempt: Attempt) -> int:
    """Seconds until this attempt may be checked again; 0 when it may now (or Redis is down)."""
    with _unless_redis_is_down("check"):
        return _retry_after(attempt)
    return 0


def _retry_after(attempt: Attempt) -> int:
    limits = attempt.limits()
    counts = cache.get_many([key for key, _ in limits])
    locked = [key for key, limit in limits if counts.get(key, 0) >= limit]
    if not locked:
        return 0
    return max(max(cache.ttl(key) or 0 for key in locked), 1)


def _count_failure(attempt: Attempt) -> bool:
    """Count one failure everywhere; True when it started a lock."""
    started = False
    for key, limit in ((attempt.pair_key, PAIR_LIMIT), (attempt.address_key, ADDRESS_LIMIT),
                       (attempt.account_key, ACCOUNT_LIMIT)):
        # add() sets the window only when the key is new: the window is fixed, not sliding.
        cache.add(key, 0, timeout=WINDOW_SECONDS)
        try:
            count = cache.incr(key)
        except ValueError:  # the window ended between add() and incr(): this failure opens the next
            cache.add(key, 1, timeout=WINDOW_SECONDS)
            count = 1
        started |= count == limit
    return started


def record_failure(request, attempt: Attempt) -> None:
    record_event("auth.sign_in_failed", request=request, target=f"account:{attempt.username}",
                 details={"username": attempt.username})
    started = False
    with _unless_redis_is_down("count"):
        started = _count_failure(attempt)
    if started:
        record_event("auth.sign_in_locked", request=request, target=f"account:{attempt.username}",
                     details={"username": attempt.username, "minutes": math.ceil(WINDOW_SECONDS / 60)})


def record_success(attempt: Attempt) -> None:
    with _unless_redis_is_down("reset"):
        cache.delete(attempt.pair_key)
        cache.set(attempt.known_key, 1, timeout=KNOWN_SECONDS)


class ThrottledModelBackend(ModelBackend):
    """Django's model backend behind the sign-in throttle."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None or username is None:  # management commands, tests' force_login
            return super().authenticate(request, username=username, password=password, **kwargs)
        attempt = Attempt(request, username)
        if retry_after(attempt):
            # Django's authenticate() stops at PermissionDenied and reports a failed sign-in.
            raise PermissionDenied("sign-in throttled")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            record_failure(request, attempt)
        else:
            record_success(attempt)
        return user


class SignInForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Your username and password didn't match. Please try again.",
        "throttled": "Too many failed sign-ins for this account or from this address. "
                     "Try again in %(minutes)s minute%(plural)s.",
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        if username is not None and self.request is not None:
            wait = retry_after(Attempt(self.request, username))
            if wait:
                minutes = math.ceil(wait / 60)
                raise ValidationError(self.error_messages["throttled"], code="throttled",
                                      params={"minutes": minutes, "plural": "" if minutes == 1 else "s"})
        return super().clean()


def audit_signed_in(sender, request, user, **kwargs):
    # In her scope: the database takes an event's actor from the transaction's user.
    with user_scope(user.pk):
        record_event("auth.signed_in", actor=user, request=request, target=f"user:{user.pk}")


def audit_signed_out(sender, request, user, **kwargs):
    if user is not None:
        with user_scope(user.pk):
            record_event("auth.signed_out", actor=user, request=request, target=f"user:{user.pk}")

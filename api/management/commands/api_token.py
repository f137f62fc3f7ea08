import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from api import tokens


def _user(username):
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        raise CommandError(f"No user named {username!r}.") from None


class Command(BaseCommand):
    help = "Create, revoke and list a user's API tokens."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="a new token, printed once")
        create.add_argument("--user", required=True)
        create.add_argument("--scopes", required=True, help="comma-separated, e.g. read:all,write:ingest")
        create.add_argument("--expires-days", type=int, default=None, dest="expires_days")
        create.add_argument("--name", default="")
        create.add_argument("--json", action="store_true", dest="as_json",
                            help='end with {"user", "token", "prefix", "scopes"}')
        revoke = actions.add_parser("revoke", help="revoke the token with this prefix")
        revoke.add_argument("prefix")
        listing = actions.add_parser("list", help="a user's tokens (prefixes, never the tokens)")
        listing.add_argument("--user", required=True)
        listing.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, action, **options):
        return getattr(self, f"_{action}")(**options)

    def _create(self, *, user, scopes, expires_days, name, as_json, **_):
        owner = _user(user)
        try:
            row, token = tokens.create_token(owner, scopes, name=name, expires_days=expires_days)
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Token {row.prefix} for {owner.username} ({', '.join(row.scopes)}); it is shown once:")
        self.stdout.write(token)
        if as_json:
            self.stdout.write(json.dumps({"user": owner.username, "token": token, "prefix": row.prefix,
                                          "scopes": row.scopes}))

    def _revoke(self, *, prefix, **_):
        owner = tokens.owner_of_prefix(prefix)
        if owner is None:
            raise CommandError(f"No token {prefix!r}.")
        tokens.revoke_token(owner, prefix)
        self.stdout.write(f"Token {prefix} of {owner.username} revoked.")

    def _list(self, *, user, as_json=False, **_):
        rows = tokens.tokens_of(_user(user))
        listed = [{"prefix": t.prefix, "name": t.name, "scopes": t.scopes, "created_at": t.created_at.isoformat(),
                   "expires_at": t.expires_at.isoformat() if t.expires_at else None,
                   "revoked": t.revoked_at is not None, "active": t.is_active,
                   "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None} for t in rows]
        for t in listed:
            state = "active" if t["active"] else ("revoked" if t["revoked"] else "expired")
            self.stdout.write(f"{t['prefix']}  {state:8}  {','.join(t['scopes'])}  {t['name']}")
        if as_json:
            self.stdout.write(json.dumps(listed))

import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from sqlaccess import actions, queries
from sqlaccess.roles import RoleConflict


class Command(BaseCommand):
    help = "Give a person a database login of their own (grant, which also rotates), take it away, or list them."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="command", required=True)
        grant = commands.add_parser("grant", help="create the login, or give it a new password")
        grant.add_argument("--user", required=True, help="username")
        grant.add_argument("--json", action="store_true", help='last line: {"user", "role", "dsn"}')
        revoke = commands.add_parser("revoke", help="end its sessions, drop the login and its workspace")
        revoke.add_argument("--user", required=True, help="username")
        commands.add_parser("list", help="every login, its workspace and quota state")

    def handle(self, *args, command, **options):
        if command == "list":
            for row in queries.login_overview():
                self.stdout.write(f"{row['username']:<20} {row['role']:<28} {row['workspace']:<12} "
                                  f"{row['quota_state']:<8} {row['workspace_bytes']:>12} bytes  "
                                  f"{row['sessions_now']} open")
            return
        user = self._user(options["user"])
        if command == "revoke":
            revoked = actions.revoke_login(user, reason="revoked (manage.py sql_access)")
            self.stdout.write(f"revoked {user.username}'s login" if revoked else f"{user.username} has no login")
            return
        try:
            granted = actions.grant_login(user)
        except RoleConflict as error:
            raise CommandError(str(error)) from None
        if options["json"]:
            self.stdout.write(json.dumps(granted.as_json(user.username)))
        else:
            verb = "new password for" if granted.rotated else "created"
            self.stdout.write(f"{verb} {granted.role} (workspace schema {granted.workspace})\n"
                              f"connect with: psql \"{granted.dsn}\"")

    def _user(self, username):
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"no user named {username!r}") from None

"""System checks that catch a misconfigured lake before a person does."""

from django.conf import settings
from django.core import checks
from django.db import connections
from django.db.utils import OperationalError

from core.extensions import extension_status


@checks.register(checks.Tags.database)
def check_app_role_is_subject_to_rls(app_configs, databases=None, **kwargs):
    """lake.E001-E003: the app connection must not bypass row-level security."""
    if not databases or "default" not in databases:
        return []
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute(
                """
                SELECT r.rolname, r.rolsuper, r.rolbypassrls,
                       (SELECT count(*) FROM pg_class c WHERE c.relowner = r.oid
                          AND c.relnamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace))
                  FROM pg_roles r WHERE r.rolname = current_user
                """
            )
            name, superuser, bypass, owned = cursor.fetchone()
    except OperationalError as error:
        return [checks.Error(f"cannot connect as the app role: {error}", id="lake.E000")]
    problems = []
    if superuser:
        problems.append(checks.Error(
            f"the app connects as superuser {name}: row-level security does not apply to it",
            hint="Connect as the app role created by `manage.py bootstrap_db` (DB_APP_ROLE).", id="lake.E001"))
    if bypass:
        problems.append(checks.Error(
            f"the app role {name} has BYPASSRLS", hint="ALTER ROLE ... NOBYPASSRLS, or rerun bootstrap_db.",
            id="lake.E002"))
    if owned:
        problems.append(checks.Error(
            f"the app role {name} owns {owned} relation(s): owners can be exempt from row-level security",
            hint="Run migrations on the owner connection (`migrate --database owner`).", id="lake.E003"))
    return problems


@checks.register()
def check_settings(app_configs, **kwargs):
    problems = []
    if settings.DB_APP_ROLE == settings.DB_OWNER_ROLE:
        problems.append(checks.Error("DB_APP_ROLE and DB_OWNER_ROLE must differ", id="lake.E010"))
    return problems


@checks.register(checks.Tags.database)
def check_extensions(app_configs, databases=None, **kwargs):
    """lake.W001: an extension the server offers is not installed."""
    if not databases or "default" not in databases:
        return []
    with connections["default"].cursor() as cursor:
        statuses = extension_status(cursor)
    return [
        checks.Warning(
            f"{status.label} {status.available} is available but not installed ({status.purpose})",
            hint=status.note or "Run `manage.py bootstrap_db` with an administrative DATABASE_URL.",
            id="lake.W001",
        )
        for status in statuses
        if status.available and not status.installed and not status.note
    ]

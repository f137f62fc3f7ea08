"""Row-level security: the SQL that protects a table, and the scopes that set the user.

The policies compare `user_id` with `user_data.current_user_id()`, which
reads the transaction-local setting `app.user_id`. It is only ever set with
`set_config(..., true)` inside a transaction, so it cannot outlive the
transaction on a pooled or persistent connection. No setting means NULL,
and `user_id = NULL` matches nothing: a forgotten scope shows no rows
instead of everyone's.
"""

from contextlib import contextmanager

from django.db import connections, transaction
from psycopg import sql

from audit.actions import record_event

USER_SETTING = "app.user_id"
POLICY_NAME = "user_isolation"



def protect_statements(schema: str, table: str) -> list[sql.Composed]:
    """ENABLE + FORCE row-level security and the isolation policy on one table.

    FORCE makes the policy apply to the table owner too; only a BYPASSRLS role
    (our owner role, used for audited maintenance) or a superuser gets past.
    """
    target = sql.Identifier(schema, table)
    return [
        sql.SQL("ALTER TABLE {} ENABLE ROW LEVEL SECURITY").format(target),
        sql.SQL("ALTER TABLE {} FORCE ROW LEVEL SECURITY").format(target),
        sql.SQL("DROP POLICY IF EXISTS {} ON {}").format(sql.Identifier(POLICY_NAME), target),
        sql.SQL(
            "CREATE POLICY {} ON {} "
            "USING (user_id = user_data.current_user_id()) "
            "WITH CHECK (user_id = user_data.current_user_id())"
        ).format(sql.Identifier(POLICY_NAME), target),
    ]


def _swap_user(cursor, value: str) -> str:
    cursor.execute(
        "SELECT current_setting(%s, true), set_config(%s, %s, true)",
        [USER_SETTING, USER_SETTING, value],
    )
    return cursor.fetchone()[0] or ""


@contextmanager
def user_scope(user_id: int, using: str = "default"):
    """Run the block in a transaction whose queries see only `user_id`'s rows.

    Nested scopes restore the outer user when they end; a block that raises
    rolls back to its savepoint, which restores the setting by itself.
    """
    if user_id is None:
        raise ValueError("user_scope needs a user id; use no scope to see nothing")
    with transaction.atomic(using=using):
        with connections[using].cursor() as cursor:
            previous = _swap_user(cursor, str(int(user_id)))
        yield
        with connections[using].cursor() as cursor:
            _swap_user(cursor, previous)


def current_scope_user(using: str = "default") -> int | None:
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT user_data.current_user_id()")
        return cursor.fetchone()[0]


@contextmanager
def maintenance_scope(action: str, *, actor=None, target: str = "", details: dict | None = None):
    """The one way past row-level security: audited work on the owner connection.

    The owner role has BYPASSRLS, so queries in this block see every user's
    rows. Each entry writes an audit event first, in its own transaction, so
    the record survives even if the maintenance itself fails.
    """
    record_event(
        action=f"maintenance.{action}",
        actor=actor,
        target=target,
        details=details or {},
        using="owner",
    )
    with transaction.atomic(using="owner"):
        yield connections["owner"]

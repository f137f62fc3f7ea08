"""What a pooled connection sheds before the pool hands it to the next request.

Django's psycopg pool (settings.DB_POOL) calls `reset_connection` each time
a connection comes back, outside any transaction (the pool rolls back an
open one first). The user scope is transaction-local already, so this is
defence in depth: a session-level `app.user_id`, had any code set one, and
session advisory locks a failed request left behind (an upload's PATCH
lock) do not pass to someone else. Plain psycopg: this runs inside the pool,
beneath Django.
"""

USER_SETTING = "app.user_id"  # core.rls.USER_SETTING; rls imports Django's models, this may not


def reset_connection(connection) -> None:
    connection.execute("SELECT set_config(%s, '', false), pg_advisory_unlock_all()", [USER_SETTING])

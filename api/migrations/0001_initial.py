"""API tokens: a per-user table with row-level security, and the one narrow way to find a
token's owner by its hash before any user scope exists.

Frozen: the SQL is written here as it was when this migration was made.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from psycopg import sql

import core.operations

# SECURITY DEFINER, owned by the owner role (BYPASSRLS): given a digest it answers with
# that token's id and owner only, so the app role can authenticate a bearer without
# reading anyone's tokens.
OWNER_FUNCTION = """
CREATE OR REPLACE FUNCTION user_data.api_token_owner(token_digest text)
RETURNS TABLE (token_id bigint, user_id bigint)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
    SELECT t.id, t.user_id FROM user_data.api_token t WHERE t.digest = token_digest
$fn$
"""
SIGNATURE = "user_data.api_token_owner(text)"


def create_function(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(OWNER_FUNCTION)
        cursor.execute("REVOKE ALL ON FUNCTION " + SIGNATURE + " FROM PUBLIC")
        cursor.execute(sql.SQL("GRANT EXECUTE ON FUNCTION " + SIGNATURE + " TO {}").format(
            sql.Identifier(settings.DB_APP_ROLE)))


def drop_function(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DROP FUNCTION IF EXISTS " + SIGNATURE)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("core", "0001_schemas"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ApiToken",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(blank=True, max_length=100)),
                ("prefix", models.CharField(max_length=16)),
                ("digest", models.CharField(max_length=64)),
                ("scopes", models.JSONField(default=list)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("expires_at", models.DateTimeField(blank=True, null=True)),
                ("revoked_at", models.DateTimeField(blank=True, null=True)),
                ("last_used_at", models.DateTimeField(blank=True, null=True)),
                ("last_used_ip", models.GenericIPAddressField(blank=True, null=True)),
                ("user", models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.DB_CASCADE,
                                           related_name="+", to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "db_table": 'user_data"."api_token',
                "indexes": [models.Index(fields=["user", "-created_at"], name="api_token_user_created_idx")],
                "constraints": [
                    models.UniqueConstraint(fields=["digest"], name="api_token_digest_uniq"),
                    models.UniqueConstraint(fields=["prefix"], name="api_token_prefix_uniq"),
                ],
            },
        ),
        core.operations.ProtectPerUserTable(schema="user_data", table="api_token"),
        migrations.RunPython(create_function, drop_function),
    ]

"""vectors.embedding: per-user search documents and their embeddings, row-level security first.

The vector column depends on the server: pgvector's `vector` with one HNSW
index (cosine) per model where the extension is installed, `real[]` searched
exactly elsewhere. Frozen: the SQL is written here as it was when this
migration was made.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import core.operations

SEARCH = [
    """ALTER TABLE "vectors"."embedding" ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, content)) STORED""",
    """CREATE INDEX embedding_search_idx ON "vectors"."embedding" USING gin (search)""",
]
# The models' dimensions, each indexed only over its own rows (a partial index per model).
PGVECTOR = [
    """ALTER TABLE "vectors"."embedding" ADD COLUMN embedding vector NOT NULL""",
    """ALTER TABLE "vectors"."embedding" ADD CONSTRAINT embedding_dim_check CHECK (vector_dims(embedding) = dim)""",
    """CREATE INDEX embedding_wordllama_256_hnsw ON "vectors"."embedding" USING hnsw ((embedding::vector(256)) vector_cosine_ops) WHERE model = 'wordllama-256'""",
    """CREATE INDEX embedding_e5_small_384_hnsw ON "vectors"."embedding" USING hnsw ((embedding::vector(384)) vector_cosine_ops) WHERE model = 'e5-small-384'""",
]
# Without pgvector: the dot product of two unit vectors is their cosine similarity.
PLAIN = [
    """ALTER TABLE "vectors"."embedding" ADD COLUMN embedding real[] NOT NULL""",
    """ALTER TABLE "vectors"."embedding" ADD CONSTRAINT embedding_dim_check CHECK (cardinality(embedding) = dim)""",
    """CREATE FUNCTION vectors.dot(a real[], b real[]) RETURNS double precision
       LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
       AS $$ SELECT sum(x::float8 * y) FROM unnest(a, b) AS t(x, y) $$""",
]
DROP = [
    """DROP FUNCTION IF EXISTS vectors.dot(real[], real[])""",
    """ALTER TABLE "vectors"."embedding" DROP COLUMN IF EXISTS embedding""",
    """DROP INDEX IF EXISTS vectors.embedding_search_idx""",
    """ALTER TABLE "vectors"."embedding" DROP COLUMN IF EXISTS search""",
]


def add_columns(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'vector'")
        pgvector = cursor.fetchone() is not None
        for statement in SEARCH + (PGVECTOR if pgvector else PLAIN):
            cursor.execute(statement)


def drop_columns(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for statement in DROP:
            cursor.execute(statement)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('core', '0001_schemas'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Embedding',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('dataset', models.CharField(max_length=64)),
                ('row_key', models.CharField(max_length=600)),
                ('model', models.CharField(max_length=48)),
                ('dim', models.SmallIntegerField()),
                ('title', models.TextField()),
                ('detail', models.TextField(blank=True)),
                ('content', models.TextField()),
                ('at', models.DateTimeField(null=True)),
                ('utc_offset_minutes', models.SmallIntegerField(null=True)),
                ('product', models.CharField(blank=True, max_length=48)),
                ('import_run_id', models.BigIntegerField(null=True)),
                ('user', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.DB_CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'vectors"."embedding',
                'indexes': [models.Index(fields=['user', 'import_run_id'], name='embedding_run_idx'), models.Index(fields=['dataset', 'at'], name='embedding_dataset_at_idx')],
                'constraints': [models.UniqueConstraint(fields=('user', 'dataset', 'row_key', 'model'), name='embedding_natural_key')],
            },
        ),
        core.operations.ProtectPerUserTable('vectors', 'embedding'),
        migrations.RunPython(add_columns, drop_columns),
    ]

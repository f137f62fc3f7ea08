"""Bookmarks become searchable (title and the URL's host) and findable by the day they were added.

Frozen: the SQL is written here as it was when this migration was made.
"""

from django.db import migrations, models

# 'simple', as for the visits. The table has no host column: the generated
# column takes it from the URL (lower-case, without "www."), whole and split
# at its dots, so "ycombinator" finds news.ycombinator.com.
HOST = r"""regexp_replace(lower(coalesce(substring(url from '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]*)'), '')), '^www\.', '')"""
SEARCH = [
    f"""ALTER TABLE "user_data"."bookmark" ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, coalesce(title, '') || ' ' || {HOST} || ' ' || replace({HOST}, '.', ' '))) STORED""",
    """CREATE INDEX bookmark_search_idx ON "user_data"."bookmark" USING gin (search)""",
]
SEARCH_DROP = [
    """DROP INDEX IF EXISTS user_data.bookmark_search_idx""",
    """ALTER TABLE "user_data"."bookmark" DROP COLUMN IF EXISTS search""",
]


class Migration(migrations.Migration):

    dependencies = [
        ('chrome', '0001_initial'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='bookmark',
            index=models.Index(fields=['user', 'added_at'], name='bookmark_added_idx'),
        ),
        migrations.RunSQL(SEARCH, SEARCH_DROP),
    ]

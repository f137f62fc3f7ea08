"""Row-level security, proved through the app's own connection with raw SQL.

Nothing here goes through views or the ORM's filters: if a policy is
missing, these queries would show it.
"""

import datetime as dt

import pytest
from django.db import connections, transaction
from django.db.utils import DatabaseError, ProgrammingError

from core.rls import current_scope_user, user_scope

pytestmark = pytest.mark.django_db(databases=["default", "owner"])

# This month: its partition is premade, so rows land in a real partition.
WHEN = dt.datetime.now(dt.UTC).replace(day=14, hour=15, minute=9, second=26, microsecond=0)

IMPORT_RUN_CTE = (
    "run AS (INSERT INTO imports.import_run (user_id, status, stage, source, created_at, attempts, job_id,"
    " claimed_by, members_total, members_done, bytes_total, bytes_done, accepted, rejected, duplicates,"
    " load_seconds, products, rejections, notices, error) VALUES (%(user)s, 'queued', 'waiting', 'upload',"
    " %(when)s, 0, '', '', 0, 0, 0, 0, 0, 0, 0, 0, '{}', '{}', '[]', '') RETURNING id)"
)

# One insertable row per per-user table, as (columns, values) with %(user)s
# for the owner. A new per-user table must add its row here:
# test_every_per_user_table_has_a_sample makes sure of it.
SAMPLE_ROWS = {
    "user_data.device": ("user_id, device_tag, name, platform", "%(user)s, 42, 'Pixel', 'ANDROID'"),
    "timeseries.location_point": (
        "user_id, recorded_at, lat_e7, lng_e7, product, source, platform, activity_type",
        "%(user)s, %(when)s, 488566000, 23522000, 'location.records', '', '', ''",
    ),
    "timeseries.place_visit": (
        "user_id, started_at, lat_e7, lng_e7, product, place_id, name, address, semantic_type, is_child",
        "%(user)s, %(when)s, 488566000, 23522000, 'location.semantic', 'p1', 'Cafe', '', '', false",
    ),
    "timeseries.activity_segment": (
        "user_id, started_at, ended_at, activity_type, product, waypoints",
        "%(user)s, %(when)s, %(when)s, 'WALKING', 'location.semantic', '[]'",
    ),
    "timeseries.activity_event": (
        "user_id, at, item_key, service, title, product",
        "%(user)s, %(when)s, md5('https://www.youtube.com/watch?v=abc')::uuid, 'YouTube', 'Watched a video',"
        " 'activity.json'",
    ),
    "timeseries.youtube_comment": (
        "user_id, created_at, comment_id, kind, product, channel_id, video_id, post_id, parent_id, price, text",
        "%(user)s, %(when)s, 'Ugx1', 'comment', 'youtube.comments', 'UC1', 'dQw4w9WgXcQ', '', '', '', 'Hi'",
    ),
    "user_data.youtube_item": (
        "user_id, kind, item_id, product, title, url, extra",
        "%(user)s, 'subscription', 'UC1', 'youtube.subscriptions', 'A channel', '', '{}'",
    ),
    "user_data.saved_place": (
        "user_id, kind, list_name, place_key, title, address, note, url, country_code, product",
        "%(user)s, 'list', 'Want to go', gen_random_uuid(), 'Cafe', '', '', '', '', 'places.list'",
    ),
    "user_data.photo_media": (
        "user_id, path, folder, name, size, kind, content_key, product",
        "%(user)s, 'Takeout/Google Photos/Photos from 2020/IMG.JPG', 'Takeout/Google Photos/Photos from 2020',"
        " 'IMG.JPG', 10, 'jpeg', gen_random_uuid(), 'photos.media'",
    ),
    "user_data.photo_sidecar": (
        "user_id, path, folder, name, title, description, device_type, url, people, enrichments, favorited,"
        " archived, trashed, partner_shared, product",
        "%(user)s, 'Takeout/Google Photos/Photos from 2020/IMG.JPG.json', 'Takeout/Google Photos/Photos from 2020',"
        " 'IMG.JPG.json', 'IMG.JPG', '', '', '', '[]', '[]', false, false, false, false, 'photos.sidecar'",
    ),
    "user_data.photo_album": (
        "user_id, folder, title, description, access, location, enrichments, product",
        "%(user)s, 'Takeout/Google Photos/Trip', 'Trip', '', '', '', '[]', 'photos.album'",
    ),
    "timeseries.play_event": (
        "user_id, at, kind, item_key, title, document_type, device, price, extra, product",
        "%(user)s, %(when)s, 'install', gen_random_uuid(), 'Maps', 'Android Apps', '', '', '{}', 'play.installs'",
    ),
    "timeseries.mail_message": (
        "user_id, sent_at, message_key, message_id, thread_id, labels, label_meanings, sender, sender_address,"
        " recipients, cc, subject, body, attachments, size_bytes, is_chat, clipped, product",
        "%(user)s, %(when)s, gen_random_uuid(), 'a@example.org', '17', 'Inbox', '[\"inbox\"]', 'A <a@example.org>',"
        " 'a@example.org', '', '', 'Hello', 'Hi', '[]', 10, false, false, 'mail.mbox'",
    ),
    "timeseries.browser_visit": (
        "user_id, visited_at, url_key, url, host, title, page_transition, page_transition_qualifier, client_id,"
        " product",
        "%(user)s, %(when)s, md5('https://example.org/')::uuid, 'https://example.org/', 'example.org', 'Example',"
        " 'LINK', '', '', 'chrome.history'",
    ),
    "user_data.bookmark": (
        "user_id, url_key, url, title, folder, product",
        "%(user)s, md5('https://example.org/')::uuid, 'https://example.org/', 'Example', 'Bookmarks bar',"
        " 'chrome.bookmarks'",
    ),
    "user_data.keep_note": (
        "user_id, note_key, file_stem, title, text, checklist, labels, color, is_pinned, is_archived, is_trashed,"
        " created_at, edited_at, annotations, attachments, undated_reason, product",
        "%(user)s, gen_random_uuid(), 'Einkauf', 'Einkauf', 'Milch', '[]', '[\"Haushalt\"]', 'DEFAULT', false, false,"
        " false, %(when)s, %(when)s, '[]', '[]', '', 'keep.note'",
    ),
    "timeseries.fit_session": (
        "user_id, started_at, ended_at, activity, name, duration_s, extra, product",
        "%(user)s, %(when)s, %(when)s, 'running', '', 600, '{}', 'fit.sessions'",
    ),
    "timeseries.fit_daily": (
        "user_id, started_at, ended_at, span, steps, metrics, product",
        "%(user)s, %(when)s, %(when)s, 'day', 8123, '{}', 'fit.daily'",
    ),
    "user_data.calendar_event": (
        "user_id, calendar, uid, recurrence_id, summary, description, location, status, organizer, attendees,"
        " starts_at, all_day, tzid, rrule, rdates, exdates, ics, product",
        "%(user)s, 'Work', 'e1@example.org', '', 'Standup', '', '', '', '', '[]', %(when)s, false, 'UTC', '', '[]',"
        " '[]', 'BEGIN:VEVENT', 'calendar.ics'",
    ),
    "user_data.contact": (
        "user_id, address_book, card_key, version, full_name, name, nickname, emails, phones, addresses, birthday,"
        " organization, title, groups, note, urls, photo, vcf, product",
        "%(user)s, 'All Contacts', gen_random_uuid(), '3.0', 'Ana', '{}', '', '[]', '[]', '[]', '', '', '', '[]',"
        " '', '[]', '{}', 'BEGIN:VCARD', 'contacts.vcf'",
    ),
    "user_data.api_token": (
        "user_id, name, prefix, digest, scopes, created_at",
        "%(user)s, 'script', 'dpl_' || substr(md5(random()::text), 1, 8), md5(random()::text), '[\"read:all\"]',"
        " %(when)s",
    ),
    # The vector column is pgvector's or real[] (no pgvector); real[] converts to either on insert.
    "vectors.embedding": (
        "user_id, dataset, row_key, model, dim, title, detail, content, product, embedding",
        "%(user)s, 'place_visit', 'p1', 'wordllama-256', 256, 'Cafe', '', 'Cafe', 'location.semantic',"
        " array_fill(0.0625::real, ARRAY[256])",
    ),
    "ops.archived_summary": (
        "user_id, table_label, period, product, rows",
        "%(user)s, 'timeseries.location_point', %(when)s::date, 'location.records', 3",
    ),
    "imports.import_run": (
        "user_id, status, stage, source, created_at, attempts, job_id, claimed_by, members_total, members_done,"
        " bytes_total, bytes_done, accepted, rejected, duplicates, load_seconds, products, rejections, notices, error",
        "%(user)s, 'queued', 'waiting', 'upload', %(when)s, 0, '', '', 0, 0, 0, 0, 0, 0, 0, 0, '{}', '{}', '[]', ''",
    ),
    "user_data.event_sequence": ("user_id, last_seq", "%(user)s, 1"),
    "user_data.event_outbox": (
        "user_id, seq, event_id, type, occurred_at, data",
        "%(user)s, 1, gen_random_uuid(), 'data.deleted', %(when)s, '{}'",
    ),
    "user_data.webhook_endpoint": (
        "user_id, url, description, event_types, secret, previous_secret, enabled, disabled_reason, cursor_seq,"
        " created_at",
        "%(user)s, 'https://example.org/hook', '', '[]', 'whsec_c2VjcmV0', '', true, '', 0, %(when)s",
    ),
    # Child rows need their parent run (and file): a third element is a WITH
    # clause that inserts them, under the same scope, in the same statement.
    "imports.import_file": (
        "user_id, run_id, part, original_name, sha256, size, path, error",
        "%(user)s, (SELECT id FROM run), 1, 'takeout-001.zip', repeat('a', 64), 10, '/raw/a', ''",
        IMPORT_RUN_CTE,
    ),
    "imports.import_member": (
        "user_id, run_id, file_id, name, status, accepted, rejected, duplicates, rejections, error, seconds",
        "%(user)s, (SELECT id FROM run), (SELECT id FROM file), 'Takeout/Records.json', 'done', 1, 0, 0, '{}', '', 0",
        IMPORT_RUN_CTE + ", file AS (INSERT INTO imports.import_file (user_id, run_id, part, original_name, sha256,"
        " size, path, error) SELECT %(user)s, id, 1, 'a.zip', repeat('a', 64), 10, '/raw/a', '' FROM run RETURNING id)",
    ),
    "imports.upload_batch": (
        "user_id, created_at, expected_files, state", "%(user)s, %(when)s, 1, 'open'",
    ),
    "imports.upload": (
        "id, user_id, batch_id, filename, filetype, size, upload_offset, sha256, state, raw_path, created_at,"
        " updated_at, expires_at",
        "gen_random_uuid(), %(user)s, (SELECT id FROM batch), 'takeout-001.zip', '', 10, 0, '', 'receiving', '',"
        " %(when)s, %(when)s, %(when)s",
        "batch AS (INSERT INTO imports.upload_batch (user_id, created_at, expected_files, state)"
        " VALUES (%(user)s, %(when)s, 1, 'open') RETURNING id)",
    ),
    "user_data.webhook_delivery": (
        "user_id, endpoint_id, event_id, seq, status, step, next_attempt_at, attempts, created_at",
        "%(user)s, (SELECT id FROM endpoint), (SELECT id FROM event), 1, 'pending', 0, %(when)s, '[]', %(when)s",
        "endpoint AS (INSERT INTO user_data.webhook_endpoint (user_id, url, description, event_types, secret,"
        " previous_secret, enabled, disabled_reason, cursor_seq, created_at) VALUES (%(user)s, 'https://example.org/d',"
        " '', '[]', 'whsec_c2VjcmV0', '', true, '', 0, %(when)s) RETURNING id),"
        " event AS (INSERT INTO user_data.event_outbox (user_id, seq, event_id, type, occurred_at, data)"
        " VALUES (%(user)s, 7, gen_random_uuid(), 'data.deleted', %(when)s, '{}') RETURNING id)",
    ),
    "user_data.derived_stay": (
        "user_id, started_at, ended_at, lat_e7, lng_e7, fixes, radius_m, utc_offset_minutes, offset_from,"
        " end_utc_offset_minutes, tz_name, local_start_day, local_end_day, city, region, country, country_code",
        "%(user)s, %(when)s, %(when)s, 488566000, 23522000, 3, 12.0, 60, 'zone', 60, 'Europe/Paris', %(when)s::date,"
        " %(when)s::date, 'Paris', '', 'France', 'FR'",
    ),
    "user_data.derived_trip": (
        "user_id, started_at, ended_at, start_lat_e7, start_lng_e7, end_lat_e7, end_lng_e7, distance_m, seconds,"
        " mode, mode_from, fixes, path, utc_offset_minutes, end_utc_offset_minutes, tz_name, end_tz_name,"
        " local_start_day, local_end_day",
        "%(user)s, %(when)s, %(when)s, 488566000, 23522000, 488566000, 23522000, 0, 0, 'walking', 'speed', 0, '[]',"
        " 60, 60, 'Europe/Paris', 'Europe/Paris', %(when)s::date, %(when)s::date",
    ),
    "user_data.significant_place": (
        "user_id, lat_e7, lng_e7, name, city, region, country, country_code, kind, visits, total_seconds, hidden",
        "%(user)s, 488566000, 23522000, 'Home', 'Paris', '', 'France', 'FR', 'home', 1, 60, false",
    ),
    "user_data.derived_settings": (
        "user_id, radius_m, min_stay_minutes, max_gap_hours, max_accuracy_m", "%(user)s, 100, 5, 36, 250",
    ),
    "user_data.derived_day": ("user_id, day, points, checksum", "%(user)s, %(when)s::date, 1, 1"),
}


def per_user_tables():
    """Every table of ours (not a partition) with a user_id column, from the catalogs."""
    with connections["owner"].cursor() as cursor:
        cursor.execute(
            """
            SELECT n.nspname || '.' || c.relname
              FROM pg_class c
              JOIN pg_namespace n ON n.oid = c.relnamespace
              JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'user_id' AND NOT a.attisdropped
             WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
               AND n.nspname IN ('user_data', 'imports', 'analytics', 'vectors', 'timeseries', 'ops')
             ORDER BY 1
            """
        )
        return [row[0] for row in cursor.fetchall()]


def insert(table, user, when=WHEN):
    columns, values, *parents = SAMPLE_ROWS[table]
    with_clause = f"WITH {parents[0]} " if parents else ""
    with connections["default"].cursor() as cursor:
        cursor.execute(f"{with_clause}INSERT INTO {table} ({columns}) VALUES ({values})",
                       {"user": user.pk, "when": when})


def count(table, where=""):
    with connections["default"].cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table} {where}")
        return cursor.fetchone()[0]


def test_every_per_user_table_has_a_sample():
    assert set(per_user_tables()) == set(SAMPLE_ROWS)


def test_every_per_user_table_and_partition_has_forced_rls_and_the_policy():
    with connections["owner"].cursor() as cursor:
        cursor.execute(
            """
            SELECT n.nspname || '.' || c.relname, c.relrowsecurity, c.relforcerowsecurity,
                   (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = 'user_isolation'
                      AND pg_get_expr(p.polqual, p.polrelid) LIKE '%%current_user_id()%%'
                      AND pg_get_expr(p.polwithcheck, p.polrelid) LIKE '%%current_user_id()%%')
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'user_id'
             WHERE c.relkind IN ('r', 'p')
               AND n.nspname IN ('user_data', 'imports', 'analytics', 'vectors', 'timeseries', 'ops')
            """
        )
        rows = cursor.fetchall()
    assert len(rows) > len(SAMPLE_ROWS), "partitions should be listed too"
    unprotected = [name for name, enabled, forced, policies in rows if not (enabled and forced and policies == 1)]
    assert unprotected == []


@pytest.mark.parametrize("table", sorted(SAMPLE_ROWS))
def test_alice_sees_only_her_rows(table, alice, bob):
    with user_scope(alice.pk):
        insert(table, alice)
    with user_scope(bob.pk):
        insert(table, bob)
        assert count(table) == 1
        assert count(table, f"WHERE user_id = {alice.pk}") == 0
    with user_scope(alice.pk):
        assert count(table) == 1
        assert count(table, f"WHERE user_id = {bob.pk}") == 0


@pytest.mark.parametrize("table", sorted(SAMPLE_ROWS))
def test_alice_cannot_write_rows_for_bob(table, alice, bob):
    with user_scope(alice.pk):
        insert(table, alice)
        with pytest.raises(ProgrammingError, match="row-level security"), transaction.atomic():
            insert(table, bob, when=WHEN + dt.timedelta(hours=1))
        # Time-series rows are never updated, so the app role lacks UPDATE there;
        # where it has it (devices), the policy's WITH CHECK refuses the change.
        refused = pytest.raises(ProgrammingError, match="row-level security|permission denied")
        with refused, transaction.atomic(), connections["default"].cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET user_id = %s", [bob.pk])
    with user_scope(bob.pk):
        assert count(table) == 0


@pytest.mark.parametrize("table", sorted(SAMPLE_ROWS))
def test_no_user_set_sees_nothing(table, alice):
    with user_scope(alice.pk):
        insert(table, alice)
    with transaction.atomic():
        assert current_scope_user() is None
        assert count(table) == 0


@pytest.mark.parametrize("table", ["timeseries.location_point", "timeseries.place_visit"])
def test_a_partition_cannot_be_read_directly(table, alice):
    with user_scope(alice.pk):
        insert(table, alice)
    schema, name = table.split(".")
    partition = f"{schema}.{name}_p{WHEN:%Y_%m}"
    for target in (partition, f"{schema}.{name}_default"):
        with pytest.raises(ProgrammingError, match="permission denied"), user_scope(alice.pk):
            count(target)


def test_scopes_nest_and_restore_the_outer_user(alice, bob):
    with user_scope(alice.pk):
        with user_scope(bob.pk):
            assert current_scope_user() == bob.pk
        assert current_scope_user() == alice.pk


def test_the_setting_does_not_outlive_the_transaction(alice):
    with user_scope(alice.pk):
        assert current_scope_user() == alice.pk
    with transaction.atomic():
        assert current_scope_user() is None


def test_a_failed_scope_restores_the_outer_user(alice, bob):
    with user_scope(alice.pk):
        with pytest.raises(DatabaseError), user_scope(bob.pk), connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1/0")
        assert current_scope_user() == alice.pk

"""The scheduler's jobs (`manage.py rqcron datalake.cron`).

Apps add their schedules here, each with the interval ops would expect.
"""

from django.conf import settings
from rq import cron

from core.jobs import partition_maintenance
from events.delivery.jobs import dispatch_all as dispatch_events
from events.delivery.jobs import prune as prune_events
from imports.jobs import reconcile as reconcile_imports
from lifecycle.jobs import raw_cleanup, scheduled_lifecycle_run
from monitoring.jobs import analyze_parents, sample_health
from sources.location.jobs import refresh_analytics
from sqlaccess.jobs import check_sql_access
from uploads.jobs import expire as expire_uploads

cron.register(partition_maintenance, queue_name="maintenance", interval=3600, name="partition-maintenance")
# Imports refresh the stats when they finish; this catches anything else (deletions, a lost job).
cron.register(refresh_analytics, queue_name="maintenance", interval=3600, name="analytics-refresh")
# Incomplete uploads past Upload-Expires: deleted, each one audited.
cron.register(expire_uploads, queue_name="maintenance", interval=3600, name="upload-expiry")
# Re-enqueues imports whose worker died or whose job never reached Redis.
cron.register(reconcile_imports, queue_name="default", interval=60, name="imports-reconcile")
# Webhooks: every user with an endpoint; catches lost wake-ups, killed dispatchers and due retries.
cron.register(dispatch_events, queue_name="default", interval=60, name="events-dispatch")
cron.register(prune_events, queue_name="maintenance", interval=86400, name="events-prune")
# Lifecycle: hourly tick; each policy runs when its own schedule (hourly/daily/weekly) is due.
cron.register(scheduled_lifecycle_run, queue_name="maintenance", interval=3600, name="lifecycle-run")
cron.register(raw_cleanup, queue_name="maintenance", interval=86400, name="raw-upload-cleanup")
# Health history: a sample every HEALTH_SAMPLE_SECONDS (pruned to HEALTH_RETENTION_DAYS), and the
# daily ANALYZE of partitioned parents that autovacuum never does.
cron.register(sample_health, queue_name="maintenance", interval=settings.HEALTH_SAMPLE_SECONDS, name="health-sample")
cron.register(analyze_parents, queue_name="maintenance", interval=86400, name="analyze-partitioned-parents")
# SQL access: workspace quotas (warn, then no CREATE), sessions counted for the audit log,
# queries past the statement timeout cancelled (a session may have lifted its own).
cron.register(check_sql_access, queue_name="maintenance", interval=settings.SQL_ACCESS_CHECK_SECONDS,
              name="sql-access-check")

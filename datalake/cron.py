"""The scheduler's jobs (`manage.py rqcron datalake.cron`).

Apps add their schedules here, each with the interval ops would expect.
"""

from rq import cron

from lake.jobs import partition_maintenance

cron.register(partition_maintenance, queue_name="maintenance", interval=3600, name="partition-maintenance")

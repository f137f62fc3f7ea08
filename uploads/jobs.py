"""RQ jobs of the uploads app: thin wrappers over uploads.actions."""

from uploads.actions import expire_stale_uploads


def expire():
    """Scheduled hourly (datalake/cron.py): expire stale incomplete uploads."""
    return expire_stale_uploads()

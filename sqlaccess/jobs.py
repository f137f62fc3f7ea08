"""RQ jobs of SQL access. Thin wrappers."""

from core.runs import recorded_run
from sqlaccess.upkeep import check_all


def check_sql_access():
    """Scheduled every SQL_ACCESS_CHECK_SECONDS: quotas, sessions, overlong queries, daily counts."""
    with recorded_run("sql-access-check") as run:
        run.details = check_all()
    return run.details

"""Google Fit's tables declared to the partition registry, and its load targets."""

from core.loading import Target
from core.partitions import PartitionedTable, register
from sources.fit.models import FitDaily, FitSession

FIT_SESSION = register(PartitionedTable("timeseries", "fit_session", "started_at"))
FIT_DAILY = register(PartitionedTable("timeseries", "fit_daily", "started_at"))

LOAD_SESSIONS = Target(
    FIT_SESSION,
    ("started_at", "ended_at", "activity", "name", "duration_s", "distance_m", "calories_kcal", "steps", "extra"),
    FitSession,
    fill={"activity": "coalesce(activity, '')", "name": "coalesce(name, '')", "extra": "coalesce(extra, '{}'::jsonb)"},
)
LOAD_DAILY = Target(
    FIT_DAILY,
    ("started_at", "ended_at", "span", "utc_offset_minutes", "steps", "distance_m", "calories_kcal", "move_minutes",
     "heart_points", "metrics"),
    FitDaily,
    fill={"metrics": "coalesce(metrics, '{}'::jsonb)"},
)

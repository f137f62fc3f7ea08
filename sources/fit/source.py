"""Google Fit, declared once: daily metrics, sessions and TCX workouts, whose track points
go to location history's table (product ``fit.tcx``) so runs show on the map."""

from operator import attrgetter

from sources.base import Dataset, Source
from sources.fit import exports, records, search, stats, timeline
from sources.fit.detect import detect
from sources.fit.models import FitDaily, FitSession
from sources.fit.parsers import FORMATS
from sources.fit.tables import LOAD_DAILY, LOAD_SESSIONS
from sources.location.records import LocationPoint
from sources.location.tables import LOAD_POINTS

SOURCE = Source(
    name="fit",
    label="Google Fit",
    formats=FORMATS,
    datasets=(
        Dataset("fit_session", "Fit sessions and workouts", FitSession, "started_at", text=("name", "activity")),
        Dataset("fit_daily", "Fit daily activity metrics", FitDaily, "started_at"),
    ),
    routes={
        records.FitSession: (LOAD_SESSIONS, attrgetter(*LOAD_SESSIONS.columns)),
        records.FitDaily: (LOAD_DAILY, attrgetter(*LOAD_DAILY.columns)),
        LocationPoint: (LOAD_POINTS, attrgetter(*LOAD_POINTS.columns)),
    },
    day=timeline.day_part,
    neighbour_day=timeline.neighbour_day,
    search=search.search,
    search_products=search.search_products,
    exports=exports.WRITERS,
    detect=detect,
    stats=stats.stats,
    skip_reasons={"fit.data": "Fit's raw data points (All Data) are not imported; its sessions, daily metrics and "
                              "workouts are."},
    product_labels={"fit.daily": "Google Fit: daily activity metrics", "fit.intervals": "Google Fit: a day's metrics",
                    "fit.sessions": "Google Fit: sessions", "fit.tcx": "Google Fit: workouts (TCX)"},
)

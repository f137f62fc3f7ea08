"""My Activity's stats: the materialized views of migration activity/0001, read through the per-user views."""

from django.db import connection

from sources import summaries
from sources.base import StatsTable
from sources.summaries import Summary

SUMMARIES = (
    Summary("online_periods"),  # entries per service per local week and month
    Summary("top_channels"),  # channels (YouTube) and apps most often in entries
    Summary("top_sites"),  # the hosts entries link to most
    Summary("online_daily"),  # entries per local day (the day page's previous/next)
)
TOP = 15


def refresh(user_id: int | None = None, *, actor=None) -> dict:
    return summaries.refresh("activity", SUMMARIES, user_id, actor=actor)


def _fetch(query: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def stats(grain: str) -> list[StatsTable]:
    """Per service per period, top channels and top sites."""
    periods = _fetch("SELECT period_start, service, events FROM analytics.my_online_periods WHERE grain = %s"
                     " ORDER BY period_start DESC, events DESC LIMIT 400", [grain])
    if not periods:
        return []
    channels = _fetch("SELECT channel, service, events FROM analytics.my_top_channels ORDER BY events DESC, channel"
                      " LIMIT %s", [TOP])
    sites = _fetch("SELECT host, events FROM analytics.my_top_sites ORDER BY events DESC, host LIMIT %s", [TOP])
    totals = _fetch("SELECT service, sum(events)::bigint FROM analytics.my_online_periods WHERE grain = 'month'"
                    " GROUP BY 1 ORDER BY 2 DESC")
    tables = [
        StatsTable("My Activity by product", ("Product", "Entries"), totals),
        StatsTable(f"My Activity per {grain}", (grain.capitalize(), "Product", "Entries"), periods,
                   note="Local time: the zone the export stated, else UTC."),
    ]
    if channels:
        tables.append(StatsTable("Top channels", ("Channel", "Product", "Entries"), channels))
    if sites:
        tables.append(StatsTable("Top sites", ("Site", "Entries"), sites))
    return tables

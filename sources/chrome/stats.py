"""Chrome's section of the stats page: pages visited per period and the hosts visited most.

Plain GROUP BY queries on the visits, under the caller's user scope (row-level
security keeps them to the user's rows); no materialized view yet.
"""

from django.db import connection

from sources.base import StatsTable

TOP_HOSTS = 15
_GRAINS = {"week", "month"}


def stats(grain: str = "month") -> list[StatsTable]:
    grain = grain if grain in _GRAINS else "month"
    with connection.cursor() as cursor:
        # date_trunc's unit is bound as a parameter; only the two grains above reach it.
        cursor.execute(
            "SELECT date_trunc(%s, visited_at AT TIME ZONE 'UTC')::date AS period, count(*)"
            " FROM timeseries.browser_visit GROUP BY 1 ORDER BY 1",
            [grain],
        )
        periods = cursor.fetchall()
        cursor.execute(
            "SELECT host, count(*) AS visits FROM timeseries.browser_visit WHERE host <> ''"
            " GROUP BY host ORDER BY visits DESC, host LIMIT %s",
            [TOP_HOSTS],
        )
        hosts = cursor.fetchall()
    if not periods:
        return []
    return [
        StatsTable(f"Pages visited per {grain}", (grain.capitalize(), "Pages"), periods),
        StatsTable("Hosts visited most", ("Host", "Visits"), hosts, note="Without a leading www."),
    ]

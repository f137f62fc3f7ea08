"""Derived location data, declared once: stays, trips and significant places worked out from points.

It imports no product of its own (no formats): it is refreshed after any change to a user's rows.
"""

from sources.base import Dataset, Source
from sources.derived import exports, jobs, stats, timeline
from sources.derived.models import Day, SignificantPlace, Stay, Trip
from sources.derived.models import Settings as DetectionSettings

SOURCE = Source(
    name="derived",
    label="Worked out from your points",
    formats={},
    # Not a run's rows, nor placed in time for the generic counts, range delete and per-product
    # summaries (they have no product nor import run): they follow the points. Deleting points
    # (a run, a range) changes days' checksums and the days are worked out again from what remains;
    # deleting everything deletes them too.
    datasets=(
        Dataset("derived_stay", "Stays (worked out)", Stay, None, by_run=False),
        Dataset("derived_trip", "Trips (worked out)", Trip, None, by_run=False),
        Dataset("significant_place", "Your places", SignificantPlace, None, by_run=False),
        Dataset("derived_day", "Enriched days", Day, None, by_run=False),
        Dataset("derived_settings", "Stay detection settings", DetectionSettings, None, by_run=False),
    ),
    routes={},
    day=timeline.day_part,
    neighbour_day=timeline.neighbour_day,
    # An import's own days at once; any other change (a deletion) by comparing every day's checksum.
    on_run_finished=jobs.enqueue_run,
    on_change=jobs.enqueue_enrich,
    stats=stats.stats,
    exports=exports.WRITERS,
    map_layers=timeline.map_layers,
)

from django.db import models

from core import partitions
from core.schemas import qualified


class HealthSample(models.Model):
    """The dashboards' figures at one instant, taken by the scheduled sampler.

    Counters are stored raw (buffer hits, Redis keyspace hits, failed jobs)
    so that ratios and rates are computed over the window between two
    samples rather than since the last server restart. Range-partitioned by
    month on `taken_at`; the retention rule deletes old rows and drops
    partitions that fall wholly out of the window.
    """

    taken_at = models.DateTimeField(primary_key=True)
    figures = models.JSONField(default=dict)

    class Meta:
        db_table = qualified("ops", "health_sample")
        # No further index: the trend charts read a time range, which the
        # primary key's btree (and partition pruning) already serves.

    def __str__(self):
        return f"health sample {self.taken_at:%Y-%m-%d %H:%M}"


HEALTH_SAMPLE = partitions.register(partitions.PartitionedTable("ops", "health_sample", "taken_at", per_user=False))

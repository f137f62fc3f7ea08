"""What a bulk load writes: a partitioned per-user table and the columns a batch supplies.

Sources declare their targets (sources/<family>/tables.py); the import
pipeline's loader (imports/loader.py) moves batches into them.
"""

from dataclasses import dataclass, field

from core.partitions import PartitionedTable


@dataclass(frozen=True, eq=False)
class Target:
    """A partitioned lake table and the columns a batch supplies, in row order."""

    table: PartitionedTable
    columns: tuple[str, ...]
    # SELECT expressions for columns the source may leave NULL but the table
    # does not allow (blank strings, an end that defaults to the start).
    fill: dict[str, str] = field(default_factory=dict)
    # SQL run after each batch has moved, in the same transaction: `{stage}` is
    # the staging table, `%(user)s` the user (e.g. "make sure each device tag
    # has a row in user_data.device").
    after_batch: str = ""

    @property
    def stage_name(self) -> str:
        return f"stage_{self.table.name}"

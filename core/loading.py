"""What a bulk load writes: a partitioned per-user table and the columns a batch supplies.

Sources declare their targets (sources/<family>/tables.py); the import
pipeline's loader (imports/loader.py) moves batches into them.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db import models
from psycopg import sql

from core.partitions import PartitionedTable


@dataclass(frozen=True)
class PlainTable:
    """A per-user table that is not partitioned (saved things in `user_data`), as a load target sees it.

    `column` is the instant the run report's first/last is read from, or None
    for things without one.
    """

    schema: str
    name: str
    column: str | None = None
    partitioned = False

    @property
    def label(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def ident(self) -> sql.Identifier:
        return sql.Identifier(self.schema, self.name)


def text_limits(model: type[models.Model], columns) -> dict[str, int]:
    """{column: max_length} of the bounded text columns among `columns`.

    COPY refuses a whole batch for one value past a varchar's length, so the
    pipeline checks each record against this first; reading it from the model
    keeps it in step with the schema.
    """
    limits = {}
    for name in columns:
        column = model._meta.get_field(name)
        if isinstance(column, models.CharField) and column.max_length:
            limits[name] = column.max_length
    return limits


@dataclass(frozen=True, eq=False)
class Target:
    """A lake table (partitioned, or a PlainTable) and the columns a batch supplies, in row order."""

    table: "PartitionedTable | PlainTable"
    columns: tuple[str, ...]
    # The model of the table: where the text columns' lengths are read from.
    model: Any = None
    # SELECT expressions for columns the source may leave NULL but the table
    # does not allow (blank strings, an end that defaults to the start).
    fill: dict[str, str] = field(default_factory=dict)
    # SQL run after each batch has moved, in the same transaction: `{stage}` is
    # the staging table, `%(user)s` the user (e.g. "make sure each device tag
    # has a row in user_data.device").
    after_batch: str = ""
    # Rows per batch, where this target's rows are large (a mail with its body): at most this
    # many are held in memory at once whatever the caller's batch size.
    batch_rows: int | None = None

    @property
    def stage_name(self) -> str:
        return f"stage_{self.table.name}"

    @property
    def text_limits(self) -> dict[str, int]:
        return text_limits(self.model, self.columns) if self.model is not None else {}

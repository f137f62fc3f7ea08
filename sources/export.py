"""What every source's export writers share: the time window, chunked reads, cell forms.

A source's writers (e.g. sources/location/exports.py) turn its tables into
text chunks; explore/exports.py claims a download slot, opens the user scope
inside the streaming body and audits what was sent.
"""

import csv
import datetime as dt
import io
import uuid
from dataclasses import dataclass

# Rows read per round trip of a server-side cursor: constant memory however many rows.
CHUNK_ROWS = 5000


@dataclass(frozen=True)
class Range:
    start: dt.datetime | None = None  # inclusive, UTC
    end: dt.datetime | None = None  # exclusive

    def filter(self, queryset, column):
        if self.start:
            queryset = queryset.filter(**{f"{column}__gte": self.start})
        if self.end:
            queryset = queryset.filter(**{f"{column}__lt": self.end})
        return queryset


def rows(model, fields, column, window: Range):
    # .iterator() on PostgreSQL reads through a server-side cursor, CHUNK_ROWS
    # at a time; ordering by the key's leading columns walks the primary key.
    queryset = window.filter(model.objects.all(), column).order_by(column).values(*fields)
    yield from queryset.iterator(chunk_size=CHUNK_ROWS)


def iso(value):
    return value.isoformat() if value else None


def deg(value):
    return None if value is None else value / 1e7


def plain(row):
    """The row as JSON can carry it: instants as ISO text, uuids (natural keys) as text."""
    return {key: _plain(value) for key, value in row.items()}


def _plain(value):
    if isinstance(value, dt.datetime):
        return iso(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """The value as a spreadsheet should show it: text that would start a
    formula gets a leading apostrophe (OWASP's advice); numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class CsvLines:
    """CSV text one row at a time, every cell through csv_cell."""

    def __init__(self):
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer)

    def line(self, values) -> str:
        self._writer.writerow([csv_cell(value) for value in values])
        text = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        return text

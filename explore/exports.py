"""Streaming exports of a user's lake: GeoJSON, GPX, CSV and NDJSON.

Each source declares its writers (`Source.exports`), generators of text chunks. `stream` wraps it: it opens the
user scope *inside* the generator (a streaming body runs after the view has
returned, outside the request's transaction), reads each table through a
server-side cursor in chunks (constant memory however many rows), and writes
the audit record `export.downloaded` when the stream ends, with what it sent
and whether it got to the end.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import connection

from audit.actions import record_event
from core import locks
from core.rls import user_scope
from sources import registry
from sources.export import Range, iso

FLUSH_BYTES = 64 * 1024


@dataclass(frozen=True)
class Format:
    name: str
    content_type: str
    extension: str


FORMATS = {
    "geojson": Format("geojson", "application/geo+json", "geojson"),
    "gpx": Format("gpx", "application/gpx+xml", "gpx"),
    "csv": Format("csv", "text/csv; charset=utf-8", "csv"),
    "ndjson": Format("ndjson", "application/x-ndjson", "ndjson"),
    "ics": Format("ics", "text/calendar; charset=utf-8", "ics"),
    "vcf": Format("vcf", "text/vcard; charset=utf-8", "vcf"),
}

# A slot is a transaction-level lock "explore.export:<user>:<slot>" (core.locks):
# held exactly as long as the export's transaction, however the stream ends
# (finished, client gone, timed out, worker killed).


class ExportBusy(Exception):
    """The person already runs as many downloads as EXPORT_MAX_PER_USER allows."""


def _claim_slot(cursor, user_id: int) -> bool:
    return any(locks.try_lock_for_transaction(cursor, f"explore.export:{user_id}:{slot}")
               for slot in range(settings.EXPORT_MAX_PER_USER))


def families() -> list[tuple[str, str, set[str]]]:
    """(name, label, formats) of every source that exports: the export form's product choice."""
    return [(source.name, source.label, set(source.exports)) for source in registry.SOURCES if source.exports]


def _chosen(family: str):
    return [source for source in registry.SOURCES if source.exports and (not family or source.name == family)]


def _pieces(fmt: str, family: str, window: Range, counts: dict):
    """The chosen source's writer of `fmt` (family "": every source's, which only NDJSON allows:
    its lines name their kind, while a CSV or a FeatureCollection has one shape per family)."""
    for source in _chosen(family):
        writer = source.exports.get(fmt)
        if writer is not None:
            yield from writer(window, counts)


def open_stream(user, fmt: str, window: Range, *, family: str = "", request=None):
    """The body of an export download, its slot claimed; ExportBusy when none is free.

    Claimed before the response starts, so a refusal is a clear answer, not
    an empty file. The client socket (gunicorn's, when there is one) gets a
    send timeout: a client that stops reading ends the stream and its
    transaction after EXPORT_STALL_SECONDS instead of holding them forever.
    """
    sock = request.META.get("gunicorn.socket") if request is not None else None
    body = stream(user, fmt, window, family=family, request=request, sock=sock)
    if not next(body):
        body.close()
        raise ExportBusy(f"You are already downloading {settings.EXPORT_MAX_PER_USER} exports; "
                         "wait until one has finished, then start this one again.")
    return body


def stream(user, fmt: str, window: Range, *, family: str = "", request=None, sock=None):
    """The body of an export download: whether a slot was free, then chunks of text, then the audit record."""
    counts = {dataset.name: 0 for source in _chosen(family) for dataset in source.datasets if dataset.time_field}
    claimed = complete = False
    try:
        with user_scope(user.pk):
            with connection.cursor() as cursor:
                claimed = _claim_slot(cursor, user.pk)
                if claimed and settings.EXPORT_STALL_SECONDS:
                    # Without a socket to time out (another server), the database
                    # still ends a transaction the stream stopped using.
                    cursor.execute("SELECT set_config('idle_in_transaction_session_timeout', %s, true)",
                                   [f"{2 * settings.EXPORT_STALL_SECONDS}s"])
            yield claimed
            if not claimed:
                return
            if sock is not None and settings.EXPORT_STALL_SECONDS:
                # Python's sendall gives up after this long without finishing a
                # chunk (64 KiB): a client that stopped reading.
                sock.settimeout(settings.EXPORT_STALL_SECONDS)
            pending, size = [], 0
            for piece in _pieces(fmt, family, window, counts):
                pending.append(piece)
                size += len(piece)
                if size >= FLUSH_BYTES:
                    yield "".join(pending).encode()
                    pending, size = [], 0
            if pending:
                yield "".join(pending).encode()
        complete = True
    finally:
        if claimed:
            # Its own transaction, after the reading one (which a timeout may have
            # ended server-side, then Django reconnects): recorded even when the
            # client went away half-way (then with complete = false). In her
            # scope, because the database takes the event's actor from it.
            with user_scope(user.pk):
                record_event("export.downloaded", actor=user, target=f"user:{user.pk}", request=request,
                             details={"format": fmt, "family": family or "everything",
                                      "start": iso(window.start), "end": iso(window.end),
                                      "rows": counts, "complete": complete})


def filename(fmt: str, window: Range, family: str = "") -> str:
    span = "all"
    if window.start or window.end:
        span = f"{window.start:%Y%m%d}" if window.start else "start"
        span += "-" + (f"{(window.end - dt.timedelta(days=1)):%Y%m%d}" if window.end else "now")
    # Location history's files keep the names they had before there were other families.
    part = f"-{family}" if family and family != "location" else ""
    return f"datapunk-lake{part}-{span}.{FORMATS[fmt].extension}"




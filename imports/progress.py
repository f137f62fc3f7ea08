"""What the run page shows while a run is open: members done, rows/s, ETA.

Committed progress comes from the run row (PostgreSQL is the record); the
member in flight reports bytes and rows read into the cache about once a
second (imports.pipeline), since its transaction is invisible until it commits.
"""

import time
from dataclasses import dataclass

from django.core.cache import cache

from imports.models import ImportRun


def progress_key(run_id: int) -> str:
    return f"imports:progress:{run_id}"


@dataclass(frozen=True)
class Progress:
    members_done: int
    members_total: int
    current_member: str | None
    current_percent: int | None
    rows: int
    rows_per_second: float | None
    percent: int | None
    eta_seconds: float | None

    @property
    def eta_text(self) -> str:
        if self.eta_seconds is None:
            return ""
        seconds = int(self.eta_seconds)
        if seconds < 60:
            return f"{seconds} s"
        minutes = round(seconds / 60)
        return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"


def live(run: ImportRun) -> Progress:
    # Only a running run has a member in flight; anything else in the cache is left over.
    current = cache.get(progress_key(run.pk)) if run.status == ImportRun.Status.RUNNING else None
    rows = run.accepted + run.rejected + run.duplicates
    seconds = run.load_seconds
    bytes_done = run.bytes_done
    member = member_percent = None
    if current:
        member = current["member"]
        rows += current.get("rows", 0)
        seconds += max(current["at"] - current["since"], 0)
        bytes_done += current["bytes"]
        if current.get("size"):
            member_percent = min(100, int(100 * current["bytes"] / current["size"]))
    rate = rows / seconds if seconds > 0 and rows else None
    percent = eta = None
    if run.bytes_total:
        percent = min(100, int(100 * bytes_done / run.bytes_total))
        if seconds > 0 and bytes_done:
            eta = max(run.bytes_total - bytes_done, 0) / (bytes_done / seconds)
            if current:
                eta = max(eta - (time.time() - current["at"]), 0)
    return Progress(run.members_done, run.members_total, member, member_percent, rows, rate, percent, eta)

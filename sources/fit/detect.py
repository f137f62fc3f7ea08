"""Google Fit's signatures. Pure.

Fit's folders and files are named in the account language (``Aktivitäten``,
``Tägliche Aktivitätsmesswerte``): the content decides.

* a TCX workout: a ``TrainingCenterDatabase`` root element;
* a session: a JSON object with ``fitnessActivity`` and ``startTime``;
* All Data: ``{"Data Source", "Data Points"}`` (recognized, not imported);
* the daily metrics CSVs: a header row with a calories ``(kcal)`` and a distance ``(m)``
  column (units are not translated); a first data cell that is a date makes the daily
  summary, a clock time a day's 15-minute file.
"""

import csv
import re

from sources.detect import Head

_TCX_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?TrainingCenterDatabase[\s>/]")
_DATE_CELL = re.compile(r"\d{4}-\d{2}-\d{2}$")
_CLOCK_CELL = re.compile(r"\d{2}:\d{2}:\d{2}")


def detect(head: Head) -> str | None:
    if head.kind == "html":
        return "fit.tcx" if _TCX_ROOT.search(head.data[:4096]) else None
    if head.kind == "json":
        if head.is_array:
            return None
        keys = head.top_keys
        if {"fitnessActivity", "startTime"} <= keys:
            return "fit.sessions"
        if {"Data Source", "Data Points"} <= keys:
            return "fit.data"
        return None
    if head.kind == "text":
        return _csv(head)
    return None


def _csv(head: Head) -> str | None:
    lines = head.data.decode("utf-8", "replace").splitlines()
    if not lines:
        return None
    try:
        rows = list(csv.reader(lines[:2]))
    except csv.Error:
        return None
    names = [" ".join(cell.casefold().split()) for cell in rows[0]]
    if not (any(name.endswith("(kcal)") for name in names) and any(name.endswith("(m)") for name in names)):
        return None
    first = rows[1][0].strip() if len(rows) > 1 and rows[1] else ""
    if _CLOCK_CELL.match(first):
        return "fit.intervals"
    if _DATE_CELL.match(first) or not first:
        return "fit.daily"
    return None

"""How Google Fit exports: NDJSON and CSV writers over its sessions and daily metrics.

The TCX track points are location points and export with location history.
"""

import json

from sources.export import CsvLines, iso, plain, rows
from sources.fit.models import FitDaily, FitSession

SESSION_FIELDS = ("started_at", "ended_at", "activity", "name", "duration_s", "distance_m", "calories_kcal", "steps",
                  "extra", "product", "import_run_id")
DAILY_FIELDS = ("started_at", "ended_at", "span", "utc_offset_minutes", "steps", "distance_m", "calories_kcal",
                "move_minutes", "heart_points", "metrics", "product", "import_run_id")
CSV_COLUMNS = ("table", "started_at", "ended_at", "kind", "name", "duration_s", "distance_m", "calories_kcal",
               "steps", "move_minutes", "heart_points", "utc_offset_minutes", "extra", "product", "import_run_id")


def ndjson(window, counts):
    tables = (("fit_session", rows(FitSession, SESSION_FIELDS, "started_at", window)),
              ("fit_daily", rows(FitDaily, DAILY_FIELDS, "started_at", window)))
    for name, table in tables:
        for row in table:
            counts[name] += 1
            yield json.dumps({"kind": name, **plain(row)}, separators=(",", ":"), ensure_ascii=False) + "\n"


def csv_rows(window, counts):
    line = CsvLines().line
    header = line(CSV_COLUMNS)
    for row in rows(FitSession, SESSION_FIELDS, "started_at", window):
        counts["fit_session"] += 1
        yield header + line(["fit_session", iso(row["started_at"]), iso(row["ended_at"]), row["activity"], row["name"],
                             row["duration_s"], row["distance_m"], row["calories_kcal"], row["steps"], "", "", "",
                             _json(row["extra"]), row["product"], row["import_run_id"]])
        header = ""
    for row in rows(FitDaily, DAILY_FIELDS, "started_at", window):
        counts["fit_daily"] += 1
        yield header + line(["fit_daily", iso(row["started_at"]), iso(row["ended_at"]), row["span"], "", "",
                             row["distance_m"], row["calories_kcal"], row["steps"], row["move_minutes"],
                             row["heart_points"], row["utc_offset_minutes"], _json(row["metrics"]), row["product"],
                             row["import_run_id"]])
        header = ""


def _json(value) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False) if value else ""


WRITERS = {"ndjson": ndjson, "csv": csv_rows}

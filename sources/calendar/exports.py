"""How calendar events export: NDJSON, CSV, and .ics that imports back as the same rows.

The .ics writes one VCALENDAR per calendar (named by X-WR-CALNAME), the
VTIMEZONEs its events name, and each VEVENT as it was imported.
"""

import json

import icalendar

from sources.calendar.models import CalendarEvent
from sources.export import CsvLines, iso, plain, rows

FIELDS = ("calendar", "uid", "recurrence_id", "summary", "description", "location", "status", "organizer",
          "attendees", "starts_at", "ends_at", "all_day", "tzid", "utc_offset_minutes", "rrule", "rdates", "exdates",
          "recurs_until", "product", "import_run_id")
CSV_COLUMNS = ("calendar", "uid", "recurrence_id", "summary", "location", "status", "organizer", "attendees",
               "starts_at", "ends_at", "all_day", "tzid", "rrule", "exdates", "product", "import_run_id")


def events(window):
    return rows(CalendarEvent, FIELDS, "starts_at", window)


def ndjson(window, counts):
    for row in events(window):
        counts["calendar_event"] += 1
        yield json.dumps({"kind": "calendar_event", **plain(row)}, separators=(",", ":"), ensure_ascii=False) + "\n"


def csv_rows(window, counts):
    line = CsvLines().line
    for number, row in enumerate(events(window)):
        if number == 0:
            yield line(CSV_COLUMNS)
        counts["calendar_event"] += 1
        yield line([row["calendar"], row["uid"], row["recurrence_id"], row["summary"], row["location"], row["status"],
                    row["organizer"], "; ".join(person.get("email", "") for person in row["attendees"]),
                    iso(row["starts_at"]), iso(row["ends_at"]), row["all_day"], row["tzid"], row["rrule"],
                    " ".join(row["exdates"]), row["product"], row["import_run_id"]])


def ics(window, counts):
    chosen = window.filter(CalendarEvent.objects.all(), "starts_at")
    for calendar in chosen.order_by("calendar").values_list("calendar", flat=True).distinct():
        these = chosen.filter(calendar=calendar)
        yield _crlf(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Datapunk Lake//Calendar export//EN",
                     _folded("X-WR-CALNAME:" + _escaped(calendar))])
        for tzid in these.exclude(tzid__in=("", "UTC")).order_by("tzid").values_list("tzid", flat=True).distinct():
            yield _timezone(tzid)
        for text in these.order_by("starts_at", "uid", "recurrence_id").values_list("ics", flat=True).iterator(2000):
            counts["calendar_event"] += 1
            yield text if text.endswith("\r\n") else text + "\r\n"
        yield "END:VCALENDAR\r\n"


def _timezone(tzid: str) -> str:
    try:
        return icalendar.Timezone.from_tzid(tzid).to_ical().decode()
    except (ValueError, KeyError, LookupError):
        return ""  # a zone only its own VTIMEZONE described: the events keep their TZID and UTC offset


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _folded(line: str) -> str:
    # RFC 5545 3.1: lines of at most 75 octets, continued after CRLF and a space (counted in characters here,
    # which keeps every piece under 75 octets only for ASCII; parsers accept longer lines).
    return "\r\n ".join(line[i:i + 74] for i in range(0, len(line), 74)) or line


def _crlf(lines) -> str:
    return "".join(line + "\r\n" for line in lines)


WRITERS = {"ndjson": ndjson, "csv": csv_rows, "ics": ics}

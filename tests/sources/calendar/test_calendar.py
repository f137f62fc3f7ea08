"""Calendar end to end: an .ics through the import pipeline, then recurring occurrences on day
pages (bounded, in their own zones across DST), search, exports (.ics round trip) and rejections."""

import datetime as dt
import json
from collections import Counter

from django.urls import reverse

from core.rls import user_scope
from sources.calendar import exports, search, timeline
from sources.calendar.parsers import parse_ics
from sources.calendar.recurrence import MAX_STEPS
from sources.export import Range
from sources.localtime import utc_window
from sources.records import Rejection
from tests.imports.conftest import all_rows, count_rows, make_zip
from tests.sources.calendar.samples import calendar

TABLE = "user_data.calendar_event"
MEMBER = "Takeout/Kalender/Privat.ics"


def rows_of(user, columns: str) -> list[tuple]:
    """all_rows with jsonb columns (read raw as text) decoded."""
    return [tuple(json.loads(v) if isinstance(v, str) and v[:1] and v[:1] in "[{" else v for v in row)
            for row in all_rows(user, TABLE, columns)]


def day(user, when: dt.date):
    with user_scope(user.pk):
        return [(e["start"], e["tz"], e["title"]) for e in timeline.day_part(when, *utc_window(when)).entries]


def test_an_ics_imports_its_events_once_with_rejections(import_files, alice, bob, tmp_path):
    run = import_files(make_zip(tmp_path / "takeout-001.zip", {MEMBER: calendar()}))

    assert run.status == "succeeded"
    assert (run.products["calendar.ics"]["accepted"], run.products["calendar.ics"]["rejected"]) == (7, 3)
    assert run.rejections["malformed_record"]["count"] == 2
    assert run.rejections["unsupported_record"]["count"] == 1
    assert count_rows(alice, TABLE) == 7 and count_rows(bob, TABLE) == 0
    rows = rows_of(alice, "uid, recurrence_id, calendar, starts_at, ends_at, all_day, tzid, "
                    "utc_offset_minutes, rrule, exdates, recurs_until, attendees, location, organizer, status")
    by_key = {(r[0], r[1]): r for r in rows}
    standup = by_key[("standup@example.org", "")]
    assert standup[2:11] == ("Privat", dt.datetime(2024, 3, 18, 8, tzinfo=dt.UTC),
                             dt.datetime(2024, 3, 18, 8, 15, tzinfo=dt.UTC), False, "Europe/Berlin", 60,
                             "FREQ=WEEKLY;BYDAY=MO", ["2024-04-01T07:00:00+00:00"], None)
    assert standup[11] == [{"email": "bob@example.org", "name": "Bob", "status": "ACCEPTED", "role": "REQ-PARTICIPANT"},
                           {"email": "cy@example.org", "status": "NEEDS-ACTION"}]
    assert standup[12:] == ("Room 4, second floor", "Ana", "CONFIRMED")
    assert set(by_key) >= {("standup@example.org", "2024-04-08T07:00:00+00:00"),
                           ("standup@example.org", "2024-04-15T07:00:00+00:00")}
    # COUNT=3 ends on the third day; a yearly birthday has no end.
    assert by_key[("course@example.org", "")][10] == dt.datetime(2024, 5, 8, 18, tzinfo=dt.UTC)
    assert by_key[("birthday@example.org", "")][3:6] == (dt.datetime(1990, 5, 17, tzinfo=dt.UTC),
                                                        dt.datetime(1990, 5, 18, tzinfo=dt.UTC), True)
    assert by_key[("birthday@example.org", "")][10] is None
    trip = by_key[("trip@example.org", "")]
    assert trip[3:6] == (dt.datetime(2024, 5, 1, tzinfo=dt.UTC), dt.datetime(2024, 5, 3, tzinfo=dt.UTC), True)

    again = import_files(make_zip(tmp_path / "takeout-002.zip", {MEMBER: calendar()}))

    assert (again.accepted, again.duplicates) == (0, 7)
    assert count_rows(alice, TABLE) == 7


def test_day_pages_show_occurrences_in_their_own_zone_without_excluded_or_moved_ones(import_files, alice, bob,
                                                                                    tmp_path):
    import_files(make_zip(tmp_path / "takeout-001.zip", {MEMBER: calendar()}))

    # Berlin's standup stays at 09:00 local across the DST change of 2024-03-31.
    assert day(alice, dt.date(2024, 3, 25)) == [(dt.datetime(2024, 3, 25, 9), "UTC+01:00", "Standup")]
    assert day(alice, dt.date(2024, 4, 22)) == [(dt.datetime(2024, 4, 22, 9), "UTC+02:00", "Standup")]
    assert day(alice, dt.date(2024, 4, 1)) == []  # EXDATE
    assert day(alice, dt.date(2024, 4, 8)) == []  # moved to the next day
    assert day(alice, dt.date(2024, 4, 9)) == [(dt.datetime(2024, 4, 9, 14), "UTC+02:00", "Standup (moved)")]
    assert day(alice, dt.date(2024, 4, 15)) == []  # cancelled
    # No end: still there years later; never before its start.
    assert day(alice, dt.date(2030, 3, 18)) == [(dt.datetime(2030, 3, 18, 9), "UTC+01:00", "Standup")]
    assert day(alice, dt.date(2024, 3, 11)) == []
    # New York's call keeps 10:00 across the US change of 2024-03-10; COUNT=3 stops after the third.
    assert day(alice, dt.date(2024, 3, 1)) == [(dt.datetime(2024, 3, 1, 10), "UTC-05:00", "Call with New York")]
    assert day(alice, dt.date(2024, 3, 15)) == [(dt.datetime(2024, 3, 15, 10), "UTC-04:00", "Call with New York")]
    assert day(alice, dt.date(2024, 3, 22)) == []
    assert [title for _s, _tz, title in day(alice, dt.date(2024, 5, 8))] == ["Evening course"]
    assert day(alice, dt.date(2024, 5, 9)) == []
    # All-day: dates, on each day they cover, and a yearly one every year.
    assert day(alice, dt.date(2024, 5, 2)) == [(dt.datetime(2024, 5, 2), "", "Trip to the coast")]
    assert day(alice, dt.date(2024, 5, 3)) == []
    assert day(alice, dt.date(2031, 5, 17)) == [(dt.datetime(2031, 5, 17), "", "Ana's birthday")]
    assert day(bob, dt.date(2024, 3, 25)) == []
    with user_scope(alice.pk):
        assert timeline.neighbour_day(after=dt.date(2024, 4, 9)) == dt.date(2024, 5, 1)
        assert timeline.neighbour_day(before=dt.date(2024, 3, 18)) == dt.date(2024, 3, 1)


def test_a_rule_is_never_walked_without_bound(import_files, alice, tmp_path):
    secondly = ("BEGIN:VEVENT\nDTSTART:20000101T000000Z\nRRULE:FREQ=SECONDLY\nUID:tick@example.org\n"
                "SUMMARY:Tick\nEND:VEVENT\n")
    import_files(make_zip(tmp_path / "takeout-001.zip", {MEMBER: calendar(secondly)}))

    # Its first seconds still show; a day far beyond MAX_STEPS seconds of it shows none, at once.
    first = day(alice, dt.date(2000, 1, 1))
    assert len(first) == MAX_STEPS - 1 or len(first) == timeline.MAX_ENTRIES
    assert day(alice, dt.date(2024, 1, 1)) == []


def test_search_and_exports_read_them_back_and_the_ics_imports_as_the_same_rows(import_files, alice, bob, tmp_path):
    import_files(make_zip(tmp_path / "takeout-001.zip", {MEMBER: calendar()}))
    with user_scope(alice.pk):
        found = search.search("standup")
        by_place = search.search("floor")
        counts = Counter()
        lines = [json.loads(line) for line in exports.ndjson(Range(), counts)]
        text = "".join(exports.ics(Range(), counts))
        csv_text = "".join(exports.csv_rows(Range(), counts))
    with user_scope(bob.pk):
        assert search.search("standup") == [] and "".join(exports.ics(Range(), Counter())) == ""

    assert {r["title"] for r in found} == {"Standup", "Standup (moved)"}
    assert found[0]["day"] is not None and found[0]["kind"] == "Calendar event"
    assert [r["title"] for r in by_place] == ["Standup"]
    assert counts["calendar_event"] == 21 and len(lines) == 7
    assert {line["kind"] for line in lines} == {"calendar_event"}
    assert text.startswith("BEGIN:VCALENDAR\r\n") and "X-WR-CALNAME:Privat" in text and "TZID:Europe/Berlin" in text
    assert "TZID:America/New_York" in text and text.count("BEGIN:VEVENT") == 7
    assert csv_text.splitlines()[0].startswith("calendar,uid,")

    # Bob imports Alice's export: the same events, field for field.
    run = import_files(make_zip(tmp_path / "export.zip", {"export.ics": text.encode()}), user=bob)
    assert run.products["calendar.ics"]["accepted"] == 7
    columns = ("uid, recurrence_id, calendar, starts_at, ends_at, all_day, tzid, utc_offset_minutes, rrule, rdates,"
               " exdates, recurs_until, summary, description, location, organizer, attendees, status")
    assert all_rows(bob, TABLE, columns) == all_rows(alice, TABLE, columns)


def test_the_export_download_offers_ics_for_the_calendar(import_files, alice, client, tmp_path):
    import_files(make_zip(tmp_path / "takeout-001.zip", {MEMBER: calendar()}))
    client.force_login(alice)

    response = client.get(reverse("lake:export_download"), {"format": "ics", "family": "calendar"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = b"".join(response.streaming_content).decode()
    assert body.count("BEGIN:VEVENT") == 7 and body.rstrip().endswith("END:VCALENDAR")
    refused = client.get(reverse("lake:export_download"), {"format": "ics", "family": "contacts"})
    assert refused.status_code == 400 or b"BEGIN:VEVENT" not in b"".join(refused.streaming_content)


def test_bad_input_is_refused_event_by_event():
    big = "BEGIN:VEVENT\nUID:big\nDTSTART:20240101T000000Z\nDESCRIPTION:" + "x" * 70_000 + "\nEND:VEVENT\n"
    bad_rule = "BEGIN:VEVENT\nUID:rule\nDTSTART:20240101T000000Z\nRRULE:FREQ=NEVER;COUNT=2\nEND:VEVENT\n"
    backwards = ("BEGIN:VEVENT\nUID:back\nDTSTART:20240102T000000Z\nDTEND:20240101T000000Z\nEND:VEVENT\n")
    good = "BEGIN:VEVENT\nUID:ok\nDTSTART:20240101T000000Z\nSUMMARY:\\u0000 fine\nEND:VEVENT\n"
    data = calendar(big + bad_rule + backwards + good)
    items = list(parse_ics(_Named(data, "Work.ics")))
    reasons = [item.reason for item in items if isinstance(item, Rejection)]
    kept = [item for item in items if not isinstance(item, Rejection)]

    # Too large, an unknown FREQ, an end before the start.
    assert reasons == ["entry_too_large", "bad_recurrence", "malformed_record"]
    assert [event.uid for event in kept][-1] == "ok" and kept[-1].summary == "\\u0000 fine"
    assert list(parse_ics(_Named(b"BEGIN:VCARD\r\nEND:VCARD\r\n", "x.ics")))[0].reason == "bad_ics"
    # Cut mid-event: the cut event is refused, the rest kept.
    cut = calendar("BEGIN:VEVENT\nUID:a\nDTSTART:20240101T000000Z\nEND:VEVENT\nBEGIN:VEVENT\nUID:b\n")
    cut = cut[: cut.index(b"END:VCALENDAR")]
    items = list(parse_ics(_Named(cut, "Work.ics")))
    assert [getattr(i, "uid", None) or i.reason for i in items] == ["a", "truncated_entry"]


class _Named:
    def __init__(self, data: bytes, name: str) -> None:
        import io

        self._raw, self.name = io.BytesIO(data), name

    def read(self, size=-1):
        return self._raw.read(size)

"""The dates of My Activity HTML pages, in every language and zone form we know."""

from datetime import UTC, datetime

import pytest

from sources.activity.dates import MONTHS, ZONES, parse_stamp, zone_offset
from sources.sanitize import TIMESTAMP_MALFORMED, RecordRejected


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "hint", "at", "offset", "zone", "language"),
    [
        # English (US): month first, AM/PM; U+202F before PM since 2023.
        ("Jan 31, 2018, 10:54:50 PM EST", "", utc(2018, 2, 1, 3, 54, 50), -300, "EST", "en"),
        ("Jan 31, 2018, 10:54:50\u202fPM PST", "", utc(2018, 2, 1, 6, 54, 50), -480, "PST", "en"),
        ("Jul 4, 2023, 9:05:01\u202fAM PDT", "en", utc(2023, 7, 4, 16, 5, 1), -420, "PDT", "en"),
        ("Jan 31, 2018, 12:00:00 AM UTC", "", utc(2018, 1, 31, 0, 0, 0), 0, "UTC", "en"),
        ("Jan 31, 2018, 12:00:00 PM CEST", "", utc(2018, 1, 31, 10, 0, 0), 120, "CEST", "en"),
        ("Sep 10, 2019, 8:51:45 PM MSK", "", utc(2019, 9, 10, 17, 51, 45), 180, "MSK", "en"),
        # English (GB): day first, 24 hours; BST is British Summer Time there.
        ("31 Jan 2018, 22:54:50 GMT", "en", utc(2018, 1, 31, 22, 54, 50), 0, "GMT", "en"),
        ("31 Jul 2018, 22:54:50 BST", "en", utc(2018, 7, 31, 21, 54, 50), 60, "BST", "en"),
        # German: numeric, MEZ/MESZ; "um" between date and time.
        ("01.09.2022, 21:08:12 MESZ", "", utc(2022, 9, 1, 19, 8, 12), 120, "MESZ", "de"),
        ("01.02.2022, 21:08:12 MEZ", "", utc(2022, 2, 1, 20, 8, 12), 60, "MEZ", "de"),
        ("01.09.2022 um 21:08:12 MESZ", "de", utc(2022, 9, 1, 19, 8, 12), 120, "MESZ", "de"),
        ("1. Sept. 2022, 21:08:12 OESZ", "de", utc(2022, 9, 1, 18, 8, 12), 180, "OESZ", "de"),
        # French: "janv.", UTC+1 or CET, "à".
        ("31 janv. 2018, 22:54:50 UTC+1", "", utc(2018, 1, 31, 21, 54, 50), 60, "UTC+1", "fr"),
        ("31 janv. 2018 à 22:54:50 CET", "", utc(2018, 1, 31, 21, 54, 50), 60, "CET", "fr"),
        ("3 févr. 2020, 08:00:00 HNE", "fr", utc(2020, 2, 3, 13, 0, 0), -300, "HNE", "fr"),
        # Spanish, Italian, Dutch, Portuguese.
        ("31 ene 2018, 22:54:50 CET", "", utc(2018, 1, 31, 21, 54, 50), 60, "CET", "es"),
        ("31 ene 2018, 10:54:50 p. m. CET", "", utc(2018, 1, 31, 21, 54, 50), 60, "CET", "es"),
        ("31 gen 2018, 22:54:50 CET", "", utc(2018, 1, 31, 21, 54, 50), 60, "CET", "it"),
        ("31 jan 2018 22:54:50 CET", "nl", utc(2018, 1, 31, 21, 54, 50), 60, "CET", "nl"),
        ("31 mrt 2018 om 22:54:50 CEST", "", utc(2018, 3, 31, 20, 54, 50), 120, "CEST", "nl"),
        ("31 de jan. de 2018, 22:54:50 BRT", "", utc(2018, 2, 1, 1, 54, 50), -180, "BRT", "pt"),
        ("5 de out. de 2021 às 07:00:00 BRT", "pt", utc(2021, 10, 5, 10, 0, 0), -180, "BRT", "pt"),
        # Generic offsets everywhere, ICU's minus sign included.
        ("Jan 31, 2018, 10:54:50 PM GMT+05:30", "", utc(2018, 1, 31, 17, 24, 50), 330, "GMT+05:30", "en"),
        ("Jan 31, 2018, 10:54:50 PM GMT\u22125", "", utc(2018, 2, 1, 3, 54, 50), -300, "GMT\u22125", "en"),
        ("31.01.2018, 22:54:50 GMT-03:00", "", utc(2018, 2, 1, 1, 54, 50), -180, "GMT-03:00", "de"),
    ],
)
def test_dates_of_every_language(text, hint, at, offset, zone, language):
    stamp = parse_stamp(text, hint)
    assert (stamp.at, stamp.zone_known, stamp.utc_offset_minutes, stamp.zone) == (at, True, offset, zone)
    assert stamp.language == language


def test_without_a_zone_the_wall_clock_is_utc():
    # Pre-2018 pages: no zone written; Google meant UTC, but stated no offset.
    stamp = parse_stamp("Feb 8, 2017, 12:32:39 AM")
    assert (stamp.at, stamp.zone_known, stamp.utc_offset_minutes, stamp.zone) == (
        utc(2017, 2, 8, 0, 32, 39), True, None, "")


@pytest.mark.parametrize(
    ("text", "hint", "zone"),
    [
        ("Jan 31, 2018, 10:54:50 PM CST", "", "CST"),  # US Central, China, Cuba
        ("Jan 31, 2018, 10:54:50 PM IST", "", "IST"),  # India, Israel, Ireland
        ("Jan 31, 2018, 10:54:50 PM AST", "", "AST"),  # Atlantic, Arabia
        ("Jul 31, 2018, 10:54:50 PM BST", "", "BST"),  # not British in a US-English export
        ("31 Jan 2018, 22:54:50 IST", "en", "IST"),
        ("31 de jan. de 2018, 22:54:50 AMT", "pt", "AMT"),  # Amazon, Armenia
        ("Jan 31, 2018, 10:54:50 PM XYZT", "", "XYZT"),  # unknown
        ("01.09.2022, 21:08:12 EST", "", "EST"),  # not a German export's abbreviation
        ("Jan 31, 2018, 10:54:50 PM GMT+19", "", "GMT+19"),  # no such offset
    ],
)
def test_ambiguous_or_unknown_zones_stay_unresolved(text, hint, zone):
    stamp = parse_stamp(text, hint)
    assert not stamp.zone_known
    assert stamp.utc_offset_minutes is None
    assert stamp.zone == zone
    # The wall clock as written, stored as if it were UTC: nothing shifted by a guess.
    assert stamp.at.hour == 22 or stamp.at.hour == 21


def test_the_files_language_decides_between_dialects():
    # "jan" is English, Dutch, German and Portuguese: BST resolves only as British English.
    assert parse_stamp("31 Jul 2018, 22:54:50 BST", "en").utc_offset_minutes == 60
    assert not parse_stamp("31 jul 2018 22:54:50 BST", "nl").zone_known
    # Without a hint the candidates that know the zone agree: British Summer Time.
    assert parse_stamp("31 Jul 2018, 22:54:50 BST").utc_offset_minutes == 60
    assert parse_stamp("31 Jul 2018, 22:54:50 BST").language == ""


@pytest.mark.parametrize(
    "text",
    [
        "Feb 30, 2018, 10:54:50 PM EST",
        "Jan 31, 2018, 13:54:50 PM EST",
        "Jan 31, 2018, 0:54:50 AM EST",
        "31.13.2018, 10:00:00 MEZ",
        "31 janv. 2018, 25:00:00 CET",
        "31 Jan 2018, 22:61:00 GMT",
    ],
)
def test_impossible_dates_are_malformed(text):
    with pytest.raises(RecordRejected) as caught:
        parse_stamp(text)
    assert caught.value.reason == TIMESTAMP_MALFORMED


@pytest.mark.parametrize(
    "text",
    ["", "Searched for pizza", "10:54:50", "Channel 12:30:00", "Watched Jan 31, 2018, 10:54:50 PM",
     "Foo 31, 2018, 10:54:50 PM", "31 foo 2018, 22:54:50", "Jan 31, 2018, 10:54:50 PM EST and more",
     "x" * 10_000],
)
def test_lines_that_are_not_dates(text):
    assert parse_stamp(text) is None


def test_tables_are_consistent():
    assert MONTHS["janv"] == MONTHS["ene"] == MONTHS["gen"] == MONTHS["jan"] == 1
    assert MONTHS["mrt"] == MONTHS["märz"] == 3
    assert MONTHS["out"] == MONTHS["okt"] == 10
    for dialect, table in ZONES.items():
        for abbreviation, offset in table.items():
            assert offset is None or -14 * 60 <= offset <= 14 * 60, (dialect, abbreviation)
    assert zone_offset("CEST", ("it",)) == (120, True)
    assert zone_offset("CST", ("en-US",)) == (None, False)

"""Calendars and contacts are claimed by content, whatever the file's name, and claim nothing else."""

import pytest

from sources.registry import detect, source_for


@pytest.mark.parametrize(("name", "head", "expected"), [
    ("Takeout/Kalender/Privat.ics", b"BEGIN:VCALENDAR\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\n",
     "calendar.ics"),
    ("Takeout/Calendar/ana@example.org.ics", b"\xef\xbb\xbf\r\nbegin:vcalendar\r\nVERSION:2.0\r\n", "calendar.ics"),
    ("Takeout/Google Kontakte/Kontakte auf Ger\u00e4t\u00a0\u2013 Samsung.vcf", b"BEGIN:VCARD\r\nVERSION:3.0\r\n",
     "contacts.vcf"),
    ("Takeout/Contacts/All Contacts/All Contacts.vcf", b"BEGIN:VCARD\nVERSION:4.0\nFN:Ana\n", "contacts.vcf"),
    # Other text files mentioning the words are not calendars or contacts.
    ("Takeout/Keep/note.txt", b"Remember: BEGIN:VCALENDAR starts a calendar", None),
    # A mailbox separator with a card after it is neither a card file nor a mailbox (no mail headers).
    ("Takeout/x.ics", b"From 1789@xxx Mon Jan 01 00:00:00 +0000 2024\r\nBEGIN:VCARD\r\n", None),
])
def test_calendars_and_contacts_are_detected_by_content(name, head, expected):
    assert detect(name, head) == expected


def test_both_products_are_imported_now():
    assert source_for("calendar.ics").name == "calendar"
    assert source_for("contacts.vcf").name == "contacts"

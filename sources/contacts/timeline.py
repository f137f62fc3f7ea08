"""Contacts on a day's page: the birthdays that fall on it, every year."""

import datetime as dt

from sources.base import DayPart
from sources.contacts.models import Contact


def contact_name(contact) -> str:
    return contact.full_name or " ".join(part for part in (contact.name.get("given"), contact.name.get("family"))
                                         if part) or contact.organization or "Unnamed contact"


def day_part(day: dt.date, start: dt.datetime, end: dt.datetime) -> DayPart:
    entries = []
    people = Contact.objects.filter(birthday_month=day.month, birthday_day=day.day).order_by("full_name", "card_key")
    for contact in people[:2000]:
        year = contact.birthday[:4] if contact.birthday[:4].isdigit() else ""
        detail = " · ".join(part for part in (f"born {year}" if year else "", contact.address_book) if part)
        entries.append({"kind": "event", "start": dt.datetime.combine(day, dt.time()), "tz": "",
                        "source": "contacts", "label": "Birthday", "title": contact_name(contact), "url": "",
                        "detail": detail})
    return DayPart(entries)


def neighbour_day(before: dt.date | None = None, after: dt.date | None = None) -> dt.date | None:
    """The nearest day with a birthday, within a year of the given day (birthdays recur yearly)."""
    pairs = set(Contact.objects.filter(birthday_month__isnull=False).order_by()
                .values_list("birthday_month", "birthday_day").distinct())
    if not pairs:
        return None
    step = dt.timedelta(days=-1 if before is not None else 1)
    day = before if before is not None else after
    for _ in range(366):
        day += step
        if (day.month, day.day) in pairs:
            return day
    return None

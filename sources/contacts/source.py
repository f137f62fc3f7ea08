"""Contacts, declared once: format, table, loading, birthdays on the day page, search, export, stats."""

from operator import attrgetter

from sources.base import Dataset, Source
from sources.contacts import exports, records, search, stats, timeline
from sources.contacts.detect import detect
from sources.contacts.models import Contact
from sources.contacts.parsers import FORMATS
from sources.contacts.tables import LOAD_CONTACTS

SOURCE = Source(
    name="contacts",
    label="Contacts",
    formats=FORMATS,
    datasets=(Dataset("contact", "Contacts", Contact, None, text=("full_name", "organization", "title", "note")),),
    routes={records.Contact: (LOAD_CONTACTS, attrgetter(*LOAD_CONTACTS.columns))},
    day=timeline.day_part,
    search=search.search,
    search_products=search.search_products,
    exports=exports.WRITERS,
    detect=detect,
    stats=stats.stats,
    neighbour_day=timeline.neighbour_day,
    product_labels={"contacts.vcf": "Contacts (.vcf)"},
)

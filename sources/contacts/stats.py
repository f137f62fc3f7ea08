"""Contacts' section of the stats page: contacts per address book and per group."""

from django.db.models import Count
from django.db.models.expressions import RawSQL

from sources.base import StatsTable
from sources.contacts.models import Contact


def stats(grain: str) -> list[StatsTable]:
    tables = []
    books = list(Contact.objects.order_by().values_list("address_book").annotate(n=Count("*"))
                 .order_by("-n", "address_book"))
    if books:
        tables.append(StatsTable("Contacts per address book", ("Address book", "Contacts"), books))
    groups = list(Contact.objects.order_by()
                  .annotate(group=RawSQL("jsonb_array_elements_text(groups)", []))
                  .values_list("group").annotate(n=Count("*")).order_by("-n", "group")[:20])
    if groups:
        tables.append(StatsTable("Contacts per group", ("Group", "Contacts"), groups))
    return tables

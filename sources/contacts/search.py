"""Full-text search over contacts: names, organisations, e-mail addresses, phones, groups, notes.

A generated, weighted tsvector `search` on user_data.contact with a GIN index (migration 0001).
Contacts have no date: results carry no day.
"""

from django.db.models import BooleanField, FloatField
from django.db.models.expressions import RawSQL

from sources.contacts.models import Contact
from sources.contacts.timeline import contact_name

CONFIG = "simple"


def search(text: str, *, product: str = "", start=None, end=None, limit: int = 200) -> list[dict]:
    if start or end:
        return []  # a time window leaves out what has no time
    query = f"websearch_to_tsquery('{CONFIG}', %s)"
    contacts = Contact.objects.alias(
        hit=RawSQL(f"search @@ {query}", [text], output_field=BooleanField()),  # noqa: S611 - text is bound
    ).filter(hit=True).annotate(
        rank=RawSQL(f"ts_rank(search, {query})", [text], output_field=FloatField()),  # noqa: S611 - text is bound
    )
    if product:
        contacts = contacts.filter(product=product)
    results = []
    for contact in contacts.order_by("-rank", "full_name", "card_key")[:limit]:
        detail = " · ".join(part for part in (
            ", ".join(email["value"] for email in contact.emails[:3]), contact.organization, contact.address_book)
            if part)
        results.append({"kind": "Contact", "title": contact_name(contact), "detail": detail, "when": None,
                        "day": None, "product": contact.product, "rank": contact.rank, "url": ""})
    return results


def search_products() -> list[str]:
    return list(Contact.objects.order_by().values_list("product", flat=True).distinct())

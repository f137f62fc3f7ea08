"""Full-text search over mail: subject (weight A), sender (B) and the bounded body text (C).

A generated tsvector column `search` with a GIN index on the partitioned parent
timeseries.mail_message, made by migration mail.0001; the ORM does not know it,
so queries reach it through `matching()`. The 'simple' configuration: mail
comes in every language.
"""

from django.db.models import BooleanField, FloatField
from django.db.models.expressions import RawSQL

from sources.localtime import local
from sources.mail.models import MailMessage
from sources.mail.timeline import detail_of, label_of, title_of

CONFIG = "simple"


def matching(queryset, text: str):
    query = f"websearch_to_tsquery('{CONFIG}', %s)"
    return queryset.alias(
        hit=RawSQL(f"search @@ {query}", [text], output_field=BooleanField()),  # noqa: S611 - text is bound
    ).filter(hit=True).annotate(
        rank=RawSQL(f"ts_rank(search, {query})", [text], output_field=FloatField()),  # noqa: S611 - text is bound
    )


def search(text: str, *, product: str = "", start=None, end=None, limit: int = 200) -> list[dict]:
    """Messages whose subject, sender or body matches `text`, best first; `start`/`end` bound the UTC window."""
    messages = matching(MailMessage.objects.all(), text).defer("body", "labels", "label_meanings", "cc")
    if product:
        messages = messages.filter(product=product)
    if start:
        messages = messages.filter(sent_at__gte=start)
    if end:
        messages = messages.filter(sent_at__lt=end)
    results = []
    for message in messages.order_by("-rank", "-sent_at")[:limit]:
        when = local(message.sent_at, message.utc_offset_minutes)
        results.append({"kind": label_of(message), "title": title_of(message), "detail": detail_of(message),
                        "when": when, "day": when.date(), "product": message.product, "rank": message.rank,
                        "url": ""})
    return results


def search_products() -> list[str]:
    return list(MailMessage.objects.order_by().values_list("product", flat=True).distinct())

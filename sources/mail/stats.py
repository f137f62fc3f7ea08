"""Gmail's section of the stats page: plain GROUP BY queries under the user's scope."""

from django.db.models import Count
from django.db.models.functions import TruncMonth, TruncWeek

from sources.base import StatsTable
from sources.mail.models import MailMessage

_TRUNC = {"week": TruncWeek, "month": TruncMonth}
TOP_SENDERS = 20


def stats(grain: str) -> list[StatsTable]:
    trunc = _TRUNC.get(grain, TruncMonth)
    mails = MailMessage.objects.filter(is_chat=False).order_by()
    per_period = [(period.date(), count) for period, count in
                  mails.annotate(period=trunc("sent_at")).values_list("period").annotate(n=Count("*"))
                  .order_by("period")]
    tables = []
    if per_period:
        tables.append(StatsTable(f"Mails per {grain}", (grain.capitalize(), "Mails"), per_period))
    senders = list(mails.exclude(sender_address="").values_list("sender_address").annotate(n=Count("*"))
                   .order_by("-n", "sender_address")[:TOP_SENDERS])
    if senders:
        tables.append(StatsTable("Top senders", ("Sender", "Mails"), senders,
                                 note=f"The {TOP_SENDERS} addresses that sent the most mail."))
    return tables

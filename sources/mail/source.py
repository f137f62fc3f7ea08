"""Gmail, declared once: the mbox format, its table, loading, day timeline, search, export and stats."""

from operator import attrgetter

from sources.base import Dataset, Source
from sources.mail import exports, records, search, stats, timeline
from sources.mail.detect import detect
from sources.mail.models import MailMessage
from sources.mail.parsers import FORMATS
from sources.mail.tables import LOAD_MESSAGES

SOURCE = Source(
    name="mail",
    label="Gmail",
    formats=FORMATS,
    datasets=(Dataset("mail_message", "Mail messages", MailMessage, "sent_at", text=("subject", "body")),),
    routes={records.MailMessage: (LOAD_MESSAGES, attrgetter(*LOAD_MESSAGES.columns))},
    day=timeline.day_part,
    search=search.search,
    search_products=search.search_products,
    exports=exports.WRITERS,
    detect=detect,
    stats=stats.stats,
    neighbour_day=timeline.neighbour_day,
    product_labels={"mail.mbox": "Gmail (mbox)"},
)

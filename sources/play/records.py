"""What the Google Play parsers yield: plain values, no Django, no database."""

import uuid
from dataclasses import dataclass
from datetime import datetime

INSTALL = "install"
LIBRARY = "library"
PURCHASE = "purchase"
ORDER = "order"
REVIEW = "review"


@dataclass(frozen=True, slots=True)
class PlayEvent:
    at: datetime  # aware, UTC
    kind: str
    # uuid of md5(document type + title): the same app installed twice at one instant is one event.
    item_key: uuid.UUID
    title: str
    document_type: str | None
    device: str | None
    price: str | None
    # Small, bounded facts of the kind that have no column: {name: text or number}
    extra: dict

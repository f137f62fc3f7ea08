"""What the Chrome parsers yield: plain values, no Django, no database.

``url_key`` is the MD5 of the URL as a UUID: the natural keys use it so a
4,000-character URL does not sit in a primary-key index. Instants are aware
and in UTC; Chrome's exports state no local offset.
"""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass(frozen=True, slots=True)
class BrowserVisit:
    """One page visit of ``History.json``'s ``Browser History``."""

    visited_at: datetime
    url_key: UUID
    url: str
    host: str
    title: str | None = None
    page_transition: str | None = None
    page_transition_qualifier: str | None = None
    client_id: str | None = None


@dataclass(frozen=True, slots=True)
class Bookmark:
    """One ``<A>`` of ``Bookmarks.html``, with the path of the folders it sits in."""

    url_key: UUID
    url: str
    folder: str  # "Bookmarks bar/News"; "" at the top level
    title: str | None = None
    added_at: datetime | None = None

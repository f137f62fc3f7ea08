"""What the My Activity parsers yield: plain values, no Django, no database.

One `ActivityEvent` per entry of a My Activity file, JSON or HTML, any
product folder (Search, YouTube, Maps, Chrome, Discover, Assistant, Gemini, …).

The natural key is (`at`, `item_key`): `at` is the instant truncated to the
second, because HTML shows seconds only while JSON has microseconds (kept in
`micros`); `item_key` hashes the link (or, without one, the title). So the
JSON and the HTML of the same history, or an export and its re-export, are
one row each.
"""

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime


def item_key(url: str, title: str) -> uuid.UUID:
    """The entry's identity within its second: its link, else its title (as written)."""
    basis = f"url:{url}" if url else f"title:{title}"
    return uuid.UUID(bytes=hashlib.md5(basis.encode("utf-8", "surrogatepass")).digest())  # noqa: S324 - an id, not a secret


@dataclass(frozen=True, slots=True)
class ActivityEvent:
    at: datetime  # aware UTC, whole seconds (see zone_known)
    item_key: uuid.UUID
    service: str  # the header as written: "YouTube", "Search", "Maps", "Gemini Apps", …
    title: str  # the whole title as written: "Watched Funny cats", "Searched for pizza"
    micros: int | None = None  # the sub-second part, where the file had it (JSON)
    # False: an HTML export's time-zone abbreviation was ambiguous or unknown;
    # `at` then holds the wall-clock time as written, stored as if it were UTC.
    zone_known: bool = True
    # Minutes east of UTC that the HTML's abbreviation stated (the account's zone at
    # export time); None for JSON (UTC) and for an unknown zone.
    utc_offset_minutes: int | None = None
    zone: str = ""  # the abbreviation as written ("CEST", "MESZ", "GMT+2"), "" when none
    action: str = ""  # the verb, where recognized: "Watched", "Searched for", "Visited", ""
    subject: str = ""  # the title without the verb: the video, the query, the page
    url: str = ""  # titleUrl / the entry's link ("" when none)
    host: str = ""  # the link's host, lower-case, without "www."
    channel: str = ""  # first subtitle: a YouTube channel, an app
    channel_url: str = ""
    description: str = ""  # description, further subtitles, AI-activity trailers (<p> blocks), joined
    details: tuple[str, ...] = ()  # details[].name: "From Google Ads", …
    products: tuple[str, ...] = ()
    location_name: str = ""
    location_url: str = ""
    location_source: str = ""
    lat_e7: int | None = None  # from a locationInfos URL that carries coordinates
    lng_e7: int | None = None
    language: str = ""  # "en", "de", … where the file shows it (HTML); "" for JSON and unknown
    # A YouTube video that was removed or made private: its title is its URL.
    removed: bool = False

"""Every Takeout product family the lake imports, registered once.

Adding a family is one folder under sources/ and one line here
(docs/adding-a-source.md). Everything that works across products iterates
SOURCES: the import pipeline, the day timeline, search, counts, storage and
delete.
"""

from django.db import transaction

from core import usercache
from sources import recognized
from sources.activity.source import SOURCE as ACTIVITY
from sources.base import Dataset, Source
from sources.calendar.source import SOURCE as CALENDAR
from sources.chrome.source import SOURCE as CHROME
from sources.contacts.source import SOURCE as CONTACTS
from sources.derived.source import SOURCE as DERIVED
from sources.detect import identify
from sources.fit.source import SOURCE as FIT
from sources.keep.source import SOURCE as KEEP
from sources.location.source import SOURCE as LOCATION
from sources.mail.source import SOURCE as MAIL
from sources.photos.source import SOURCE as PHOTOS
from sources.places.source import SOURCE as PLACES
from sources.play.source import SOURCE as PLAY
from sources.youtube.source import SOURCE as YOUTUBE

SOURCES: tuple[Source, ...] = (LOCATION, ACTIVITY, YOUTUBE, CHROME, PLACES, PLAY, KEEP, FIT, CALENDAR, CONTACTS,
                               PHOTOS, MAIL, DERIVED)

_BY_PRODUCT = {product: source for source in SOURCES for product in source.formats}


_BY_NAME = {source.name: source for source in SOURCES}


def source_named(name: str) -> Source | None:
    """The source called `name` ("photos"), if one is registered."""
    return _BY_NAME.get(name)


def source_for(product: str | None) -> Source | None:
    """The source that imports detected `product` (e.g. "location.records"), if any does."""
    return _BY_PRODUCT.get(product)


def detect(name: str, head: bytes) -> str | None:
    """The product of a member (e.g. "location.records") from its name and first bytes, or None."""
    return identify(name, head, _DETECTORS)


# Every family's signatures, then what is recognized but not imported yet.
_DETECTORS = (*(source.detect for source in SOURCES if source.detect is not None), recognized.detect)


def datasets() -> list[tuple[Source, Dataset]]:
    return [(source, dataset) for source in SOURCES for dataset in source.datasets]


def data_changed(user_id: int) -> None:
    """A user's rows changed (an import or a deletion): drop their cached pages, refresh derived data.

    Both happen once the caller's transaction commits (at once outside one).
    """
    transaction.on_commit(lambda: usercache.invalidate_user_cache(user_id))
    for source in SOURCES:
        if source.on_change is not None:
            source.on_change(user_id)


def refresh_derived(*, actor=None) -> dict:
    """Refresh every source's derived data (materialized views) now; timings per view."""
    timings = {}
    for source in SOURCES:
        if source.refresh is not None:
            timings.update(source.refresh(actor=actor))
    return timings


def skip_reasons() -> dict[str, str]:
    return recognized.reasons() | {product: why for source in SOURCES for product, why in source.skip_reasons.items()}


_LABELS = {product: label for source in SOURCES for product, label in source.product_labels.items()}
_FORMAT_WORDS = {"json": "JSON", "html": "HTML", "csv": "CSV"}


def product_label(product: str | None) -> str:
    """What a person reads for a product code: "My Activity (HTML)", "Location history: Records.json"…"""
    if not product:
        return "Other files"
    if product in _LABELS:  # includes products no Takeout format makes (live ingestion's "owntracks")
        return _LABELS[product]
    source = source_for(product)
    if source is not None:
        if source.product_labels and product in source.product_labels:
            return source.product_labels[product]
        fmt = product.partition(".")[2]
        return f"{source.label} ({_FORMAT_WORDS.get(fmt, fmt.replace('_', ' '))})"
    return recognized.label(product) or {"info.encrypted_backups": "Timeline backups note",
                                         "info.archive_browser": "Takeout's index page"}.get(product, product)

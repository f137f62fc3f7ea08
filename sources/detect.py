"""Which Takeout product a file holds, judged from its first bytes.

Folder and file names follow the account language (``Standortverlauf``,
``Archiv_Übersicht.html``) and phone exports get renamed, so the decision rests
on content and structure: the top-level keys of a JSON document, the keys of its
first records, the markers of an HTML page.  The name only breaks a tie the
content cannot (legacy ``Location History.json`` against a ``Records.json``
from the years both used ``timestampMs``) or confirms a page with no markers in
its head.
"""

import io
import unicodedata

import ijson

from sources.sanitize import SafeJSONStream

HEAD_BYTES = 64 * 1024

_BOM = b"\xef\xbb\xbf"
# Keys of the first records suffice; stop before a large head costs real time.
_MAX_EVENTS = 20_000
_PHONE_SEGMENT_KEYS = {"visit", "activity", "timelinePath", "timelineMemory"}
_SETTINGS_KEYS = {"deviceSettings", "historyEnabled", "retentionWindowDays", "hasReportedLocations"}
_ARCHIVE_BROWSER_MARKERS = (b"extracted-file-name", b"extracted-folder-name", b"service-details", b"job-id")
_ARCHIVE_BROWSER_NAMES = {"archive_browser.html", "archiv_übersicht.html"}


def detect(name: str, head: bytes) -> str | None:
    """Product key (``"location.records"``, ..., ``"info.archive_browser"``) or None."""
    if head.startswith(_BOM):
        head = head[len(_BOM) :]
    head = head[:HEAD_BYTES].lstrip()
    basename = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1]).casefold()
    if head[:1] in (b"{", b"["):
        return _detect_json(basename, head)
    if head[:1] == b"<":
        return _detect_html(basename, head)
    if head:
        return _detect_text(basename, head)
    return None


def _detect_json(basename: str, head: bytes) -> str | None:
    top_keys, record_keys = _outline(head)
    if head[:1] == b"[":
        keys = record_keys.get("item", set())
        return "location.ios" if "startTime" in keys and keys & _PHONE_SEGMENT_KEYS else None
    if "locations" in top_keys:
        # Records.json switched from timestampMs to ISO timestamps around 2022; an
        # older Records.json and the original Location History.json look alike.
        keys = record_keys.get("locations.item", set())
        ms_only = "timestampMs" in keys and "timestamp" not in keys
        return "location.legacy" if ms_only and basename != "records.json" else "location.records"
    if "timelineObjects" in top_keys:
        return "location.semantic"
    if "semanticSegments" in top_keys or "rawSignals" in top_keys or "userLocationProfile" in top_keys:
        return "location.android"
    if "timelineEdits" in top_keys:
        return "location.timeline_edits"
    if top_keys & _SETTINGS_KEYS:
        return "location.settings"
    return None


def _outline(head: bytes) -> tuple[set[str], dict[str, set[str]]]:
    """Keys of the top-level object, and keys of the records of each top-level array
    (under ijson prefixes such as ``"locations.item"``, or ``"item"`` for a bare array).

    The head is usually cut mid-document; whatever was decoded before the cut
    (or before any other error) is what there is to judge by.
    """
    top_keys: set[str] = set()
    record_keys: dict[str, set[str]] = {}
    try:
        # use_float=True: yajl2_c builds an int of more than 4,300 digits through
        # a conversion CPython refuses, then dereferences the NULL (SIGSEGV).
        events = ijson.parse(SafeJSONStream(io.BytesIO(head)), use_float=True)
        for count, (prefix, event, value) in enumerate(events):
            if count > _MAX_EVENTS:
                break
            if event != "map_key":
                continue
            if prefix == "":
                top_keys.add(value)
            elif prefix == "item" or (prefix.endswith(".item") and prefix.count(".") == 1):
                record_keys.setdefault(prefix, set()).add(value)
    except (ijson.JSONError, ValueError, RecursionError, UnicodeError, OverflowError):
        pass
    return top_keys, record_keys


def _detect_html(basename: str, head: bytes) -> str | None:
    lowered = head.lower()
    if b"outer-cell" in lowered:
        return None  # a My Activity page
    if any(marker in lowered for marker in _ARCHIVE_BROWSER_MARKERS) or basename in _ARCHIVE_BROWSER_NAMES:
        return "info.archive_browser"
    return None


def _detect_text(basename: str, head: bytes) -> str | None:
    # "You have encrypted Timeline backups stored on Google servers." is all the
    # file says: Timeline moved to the phone, and Takeout only notes the backups.
    # Its wording follows the account language, so a short text under the
    # English name also counts.
    if len(head) > 4096 or b"\0" in head:
        return None
    lowered = head.lower()
    if (b"encrypted" in lowered and b"backup" in lowered) or basename == "encrypted backups.txt":
        return "info.encrypted_backups"
    return None

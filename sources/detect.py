"""Which Takeout product a file holds, judged from its first bytes.

Folder and file names follow the account language (``Standortverlauf``,
``Archiv_Übersicht.html``) and phone exports get renamed, so the decision rests
on content and structure: the top-level keys of a JSON document, the keys of its
first records, the markers of an HTML page, the header row of a CSV.  Each
source declares its own signatures (``Source.detect``, a pure function of a
`Head`); `identify` asks them in registry order, then this module's notices
(Takeout's index page, the encrypted-backups note).  The name only breaks a tie
the content cannot, or confirms a page with no markers in its head.
"""

import io
import unicodedata
from collections.abc import Callable, Iterable
from functools import cached_property

import ijson

from sources.sanitize import SafeJSONStream

HEAD_BYTES = 64 * 1024

_BOM = b"\xef\xbb\xbf"
# Keys of the first records suffice; stop before a large head costs real time.
_MAX_EVENTS = 20_000
_ARCHIVE_BROWSER_MARKERS = (b"extracted-file-name", b"extracted-folder-name", b"service-details", b"job-id")
_ARCHIVE_BROWSER_NAMES = {"archive_browser.html", "archiv_übersicht.html"}


class Head:
    """The first bytes of a member, with what detection asks of them computed once."""

    def __init__(self, name: str, head: bytes):
        if head.startswith(_BOM):
            head = head[len(_BOM) :]
        self.name = name
        self.data = head[:HEAD_BYTES].lstrip()
        # Casefolded and NFC: "Archiv_U\u0308bersicht.html" is "archiv_übersicht.html".
        self.basename = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1]).casefold()
        first = self.data[:1]
        self.kind = "json" if first in (b"{", b"[") else "html" if first == b"<" else "text" if self.data else ""

    @property
    def is_array(self) -> bool:
        return self.data[:1] == b"["

    @cached_property
    def lowered(self) -> bytes:
        return self.data.lower()

    @cached_property
    def first_line(self) -> str:
        """The first line as text (a CSV's header row), without BOM or line end."""
        return self.data.split(b"\n", 1)[0].rstrip(b"\r").decode("utf-8", "replace")

    @cached_property
    def _outline(self) -> tuple[frozenset[str], dict[str, frozenset[str]]]:
        return _outline(self.data) if self.kind == "json" else (frozenset(), {})

    @property
    def top_keys(self) -> frozenset[str]:
        """Keys of the top-level object (empty for an array)."""
        return self._outline[0]

    def record_keys(self, prefix: str = "item") -> frozenset[str]:
        """Keys of the first records of a top-level array: ``"item"`` for a bare array,
        ``"locations.item"`` for the array under a top-level key."""
        return self._outline[1].get(prefix, frozenset())


Detector = Callable[[Head], str | None]


def identify(name: str, head: bytes, detectors: Iterable[Detector]) -> str | None:
    """Product key (``"location.records"``, ..., ``"info.archive_browser"``) or None."""
    found = Head(name, head)
    if not found.kind:
        return None
    for detector in detectors:
        product = detector(found)
        if product is not None:
            return product
    return notice(found)


def notice(head: Head) -> str | None:
    """Takeout's own files that hold no data but explain something."""
    if head.kind == "html":
        if b"outer-cell" in head.lowered:
            return None  # a My Activity page
        if any(marker in head.lowered for marker in _ARCHIVE_BROWSER_MARKERS) or \
                head.basename in _ARCHIVE_BROWSER_NAMES:
            return "info.archive_browser"
    elif head.kind == "text":
        # "You have encrypted Timeline backups stored on Google servers." is all the
        # file says: Timeline moved to the phone, and Takeout only notes the backups.
        # Its wording follows the account language, so a short text under the
        # English name also counts.
        if len(head.data) > 4096 or b"\0" in head.data:
            return None
        if (b"encrypted" in head.lowered and b"backup" in head.lowered) or head.basename == "encrypted backups.txt":
            return "info.encrypted_backups"
    return None


def _outline(head: bytes) -> tuple[frozenset[str], dict[str, frozenset[str]]]:
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
    return frozenset(top_keys), {prefix: frozenset(keys) for prefix, keys in record_keys.items()}

"""Chrome's signatures: which of its formats a member's head holds. Pure.

By content only: ``History.json`` is ``Verlauf.json`` in a German export and
``BrowserHistory.json`` in older ones, but it always opens an object holding
the ``"Browser History"`` array. The bookmarks page is a Netscape bookmark
file, whose doctype no other Takeout page has.
"""

from sources.detect import Head

HISTORY_KEY = "Browser History"
_NETSCAPE_DOCTYPE = b"<!doctype netscape-bookmark-file"


def detect(head: Head) -> str | None:
    if head.kind == "json":
        return "chrome.history" if not head.is_array and HISTORY_KEY in head.top_keys else None
    if head.kind == "html" and head.lowered.startswith(_NETSCAPE_DOCTYPE):
        return "chrome.bookmarks"
    return None

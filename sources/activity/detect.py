"""My Activity's signatures: whether a member's head holds its JSON or its HTML. Pure.

JSON: a top-level array whose first entries have ``time``, a ``header`` or
``title``, and at least one of the keys only My Activity writes (``products``,
``titleUrl``, ``subtitles``, …).  The iOS location history is an array too,
but of ``startTime`` segments; Chrome's ``{"Browser History": …}`` is an object.
The pre-2017 YouTube ``snippet`` shape is parsed but not claimed here: YouTube's
playlists (``Liked videos.json``) look the same.

HTML: the page's cell classes (``outer-cell``, ``content-cell``, ``header-cell``,
``mdl-typography--body-1``/``--caption``), at least two of them, in the head;
Takeout's own index page (``archive_browser.html``) is never claimed.
"""

from sources.detect import Head

_ACTIVITY_KEYS = {"products", "titleUrl", "subtitles", "activityControls", "locationInfos", "details", "description"}
_CELL_MARKERS = (b"outer-cell", b"content-cell", b"header-cell", b"mdl-typography--body-1",
                 b"mdl-typography--caption")
_ARCHIVE_BROWSER_MARKERS = (b"extracted-file-name", b"extracted-folder-name", b"service-details", b"job-id")
_ARCHIVE_BROWSER_NAMES = {"archive_browser.html", "archiv_übersicht.html"}


def detect(head: Head) -> str | None:
    if head.kind == "json":
        if not head.is_array:
            return None
        keys = head.record_keys("item")
        if "time" in keys and ("header" in keys or "title" in keys) and keys & _ACTIVITY_KEYS \
                and "startTime" not in keys:
            return "activity.json"
        return None
    if head.kind == "html":
        lowered = head.lowered
        if head.basename in _ARCHIVE_BROWSER_NAMES or any(m in lowered for m in _ARCHIVE_BROWSER_MARKERS):
            return None
        if sum(marker in lowered for marker in _CELL_MARKERS) >= 2:
            return "activity.html"
    return None

"""Keep's signatures: a note's JSON keys, or a note page's markup. Pure.

Note files are named after the note's title (or its time), in any language:
only the content tells. A Photos sidecar also has a ``title``, but never a
note's text or list, nor its edit time and flags.
"""

from sources.detect import Head

_BODY_KEYS = {"textContent", "listContent", "textContentHtml"}
_NOTE_KEYS = {"userEditedTimestampUsec", "createdTimestampUsec", "isTrashed", "isPinned", "isArchived"}
_PAGE_MARKERS = (b'<div class="note', b'class="heading"')


def detect(head: Head) -> str | None:
    if head.kind == "json":
        keys = head.top_keys
        if not head.is_array and keys & _BODY_KEYS and keys & _NOTE_KEYS and "photoTakenTime" not in keys:
            return "keep.note"
        return None
    if head.kind == "html" and all(marker in head.lowered for marker in _PAGE_MARKERS) \
            and b"outer-cell" not in head.lowered:
        return "keep.note_html"
    return None

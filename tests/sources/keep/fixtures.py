"""Keep note files of ours, written from the documented shapes."""

import json

SHOPPING = {
    "color": "YELLOW", "isTrashed": False, "isPinned": True, "isArchived": False,
    "title": "Einkauf", "userEditedTimestampUsec": 1_600_000_000_123_456,
    "createdTimestampUsec": 1_599_000_000_000_000,
    "listContent": [{"text": "Milch", "isChecked": True}, {"text": "Eier", "isChecked": False}],
    "labels": [{"name": "Haushalt"}],
    "annotations": [{"description": "Shop", "source": "WEBLINK", "title": "Laden",
                     "url": "https://example.org/laden"}],
}
# An older note: no createdTimestampUsec.
OLD = {"color": "DEFAULT", "isTrashed": False, "isPinned": False, "isArchived": True, "title": "",
       "textContent": "Zahnarzt anrufen <script>alert(1)</script>", "userEditedTimestampUsec": 1_450_000_000_000_000,
       "attachments": [{"filePath": "1a2b.jpg", "mimetype": "image/jpeg"}]}
TRASHED = {"color": "DEFAULT", "isTrashed": True, "isPinned": False, "isArchived": False, "title": "Alt",
           "textContent": "weg", "userEditedTimestampUsec": "1500000000000000"}


def note(value) -> bytes:
    return json.dumps(value).encode()


def page(heading: str, title: str = "Packliste", body: str = "") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html><head><meta charset="UTF-8"/><title>{title}</title>
<style type="text/css">body {{ font-family: sans-serif; }}</style></head>
<body><div class="note BLUE"><div class="heading"><div class="meta-icons">
<span class="archived" title="Note archived"></span></div>
{heading}
</div>
<div class="title">{title}</div>
{body or '<div class="content">Zelt<br>Schlafsack &amp; Matte</div>'}
<div class="list"><ul class="list"><li class="listitem checked"><span class="bullet">&#9745;</span>
<span class="text">Kocher</span></li><li class="listitem"><span class="bullet">&#9744;</span>
<span class="text">Gas</span></li></ul></div>
<div class="chips"><span class="chip label"><span class="label-name">Urlaub</span></span>
<span class="chip annotation"><a href="https://example.org/camp"><span class="annotation-title">Camp</span></a></span>
</div>
</div></body></html>
""".encode()

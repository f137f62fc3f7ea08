"""Google Keep, declared once: note files (JSON and HTML), one table, day, search, export."""

from operator import attrgetter

from sources.base import Dataset, Source
from sources.keep import exports, records, search, timeline
from sources.keep.detect import detect
from sources.keep.models import KeepNote
from sources.keep.parsers import FORMATS
from sources.keep.tables import LOAD_NOTES

SOURCE = Source(
    name="keep",
    label="Keep",
    formats=FORMATS,
    datasets=(Dataset("keep_note", "Keep notes", KeepNote, "edited_at", text=("title", "text")),),
    routes={records.KeepNote: (LOAD_NOTES, attrgetter(*LOAD_NOTES.columns))},
    day=timeline.day_part,
    neighbour_day=timeline.neighbour_day,
    search=search.search,
    search_products=search.search_products,
    exports=exports.WRITERS,
    detect=detect,
    product_labels={"keep.note": "Keep (JSON notes)", "keep.note_html": "Keep (HTML notes)"},
)

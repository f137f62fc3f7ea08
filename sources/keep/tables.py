"""Keep's load target: an unpartitioned table of saved notes."""

from core.loading import PlainTable, Target
from sources.keep.models import KeepNote

KEEP_NOTE = PlainTable("user_data", "keep_note", "edited_at")

LOAD_NOTES = Target(
    KEEP_NOTE,
    ("note_key", "file_stem", "title", "text", "checklist", "labels", "color", "is_pinned", "is_archived",
     "is_trashed", "created_at", "edited_at", "annotations", "attachments", "undated_reason"),
    KeepNote,
    fill={name: f"coalesce({name}, '')" for name in ("title", "text", "color", "undated_reason")},
)

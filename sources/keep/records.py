"""What the Keep parsers yield: plain values, no Django, no database.

A note is keyed by ``note_key`` (see ``sources.keep.parsers.note_key``).
Instants are aware UTC; ``edited_at`` / ``created_at`` are None where the file
states none, and ``undated_reason`` then says why the note has no day.
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class KeepNote:
    note_key: uuid.UUID
    file_stem: str
    title: str | None
    text: str | None
    # [{"text": ..., "checked": bool}, ...] in the note's order
    checklist: list = field(default_factory=list)
    labels: list = field(default_factory=list)
    color: str | None = None
    is_pinned: bool = False
    is_archived: bool = False
    is_trashed: bool = False
    created_at: datetime | None = None
    edited_at: datetime | None = None
    # [{"url", "title", "description", "source"}, ...]: links Keep attached, never fetched
    annotations: list = field(default_factory=list)
    # [{"file": ..., "mimetype": ...}, ...]: listed only, the bytes are not stored
    attachments: list = field(default_factory=list)
    undated_reason: str | None = None

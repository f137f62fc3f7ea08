"""Saved places' load target: an unpartitioned table of saved things."""

from core.loading import PlainTable, Target
from sources.places.models import SavedPlace

SAVED_PLACE = PlainTable("user_data", "saved_place", "saved_at")

LOAD_PLACES = Target(
    SAVED_PLACE,
    ("kind", "list_name", "place_key", "title", "address", "note", "url", "lat_e7", "lng_e7", "country_code",
     "saved_at"),
    SavedPlace,
    fill={name: f"coalesce({name}, '')" for name in ("title", "address", "note", "url", "country_code")},
)

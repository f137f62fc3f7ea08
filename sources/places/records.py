"""What the saved-places parsers yield: plain values, no Django, no database.

Coordinates are degrees x 10^7 as integers, None where the export holds no
position (a list CSV, or GeoJSON's ``[0, 0]``). ``saved_at`` is when the place
was saved, never a visit; labeled places and lists carry none.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

SAVED = "saved"  # Saved Places.json: the starred places
LABELED = "labeled"  # Labeled places.json: Home, Work and the person's own labels
LIST = "list"  # Saved/<list>.csv: Favourite places, Want to go, any list of the person's


@dataclass(frozen=True, slots=True)
class SavedPlace:
    kind: str
    list_name: str
    place_key: uuid.UUID
    title: str | None
    address: str | None
    note: str | None
    url: str | None
    lat_e7: int | None
    lng_e7: int | None
    country_code: str | None
    saved_at: datetime | None

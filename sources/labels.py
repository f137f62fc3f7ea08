"""The words a person reads for the codes the sources store. Pure: no Django.

Takeout writes enums (``IN_PASSENGER_VEHICLE``, ``TYPE_HOME``, ``WIFI``) and the lake
names products (``location.records``) and tables (``location_point``); none of them
belongs on a page. Pages and the JSON they draw from go through these functions, and
``tests/explore/test_friendly_words.py`` walks the pages and fails on a raw code.
Product codes have their words in each source's declaration
(``sources.registry.product_label``); table names in each ``Dataset.label``.

A code the table does not know still reads as words ("SKIING" -> "Skiing"), never as
the enum itself: Google adds activity types without notice.
"""

# Activity types of Records.json, Semantic Location History and the phone timelines
# (Google's DetectedActivity and Timeline enums), and Google Fit's, lowercased or not.
ACTIVITIES = {
    "IN_PASSENGER_VEHICLE": "Driving", "IN_VEHICLE": "In a vehicle", "IN_ROAD_VEHICLE": "In a road vehicle",
    "IN_CAR": "By car", "DRIVING": "Driving", "IN_TAXI": "By taxi", "MOTORCYCLING": "Motorcycling",
    "IN_BUS": "By bus", "IN_TRAM": "By tram", "IN_TRAIN": "By train", "IN_SUBWAY": "By subway",
    "IN_RAIL_VEHICLE": "By rail", "IN_FERRY": "By ferry", "SAILING": "Sailing", "FLYING": "Flying",
    "IN_CABLECAR": "By cable car", "IN_FUNICULAR": "By funicular", "IN_GONDOLA_LIFT": "By gondola lift",
    "WALKING": "Walking", "ON_FOOT": "On foot", "RUNNING": "Running", "HIKING": "Hiking",
    "CYCLING": "Cycling", "ON_BICYCLE": "Cycling", "BIKING": "Cycling", "SKIING": "Skiing",
    "STILL": "Not moving", "TILTING": "Phone tilted", "UNKNOWN": "Moving (mode unknown)",
    "UNKNOWN_ACTIVITY_TYPE": "Moving (mode unknown)", "EXITING_VEHICLE": "Leaving a vehicle",
    "KAYAKING": "Kayaking", "ROWING": "Rowing", "SWIMMING": "Swimming", "HORSEBACK_RIDING": "Horse riding",
    "SKATEBOARDING": "Skateboarding", "WHEELCHAIR": "By wheelchair", "SNOWBOARDING": "Snowboarding",
    "SNOWSHOEING": "Snowshoeing", "CATCHING_POKEMON": "Playing Pokémon Go", "PLANE": "Flying",
    "BOATING": "Boating", "CAR": "By car", "BUS": "By bus", "TRAIN": "By train", "SUBWAY": "By subway",
    "TRAM": "By tram", "FERRY": "By ferry",
}

# Semantic Location History's place types, without their "TYPE_" prefix.
PLACE_TYPES = {
    "HOME": "Home", "WORK": "Work", "SCHOOL": "School", "ALIASED_LOCATION": "Saved place",
    "SEARCHED_ADDRESS": "Searched address", "INFERRED_HOME": "Home (guessed)", "INFERRED_WORK": "Work (guessed)",
    "UNKNOWN": "", "UNKNOWN_TYPE": "",
}

# Where a location point came from (Records.json's "source", and the files of other apps).
POINT_SOURCES = {
    "GPS": "GPS", "WIFI": "Wi-Fi", "CELL": "Cell tower", "UNKNOWN": "Unknown", "VISIT": "A visit",
    "track": "Track point", "route": "Route point", "waypoint": "Waypoint", "placemark": "Placemark",
    "point": "Point", "line": "Line", "owntracks": "OwnTracks", "csv": "CSV row",
}


def words(code: str) -> str:
    """An enum as words: ``SOME_NEW_TYPE`` -> ``Some new type``."""
    text = code.replace("_", " ").strip().lower()
    return text[:1].upper() + text[1:]


def activity_label(code: str | None) -> str:
    """``IN_PASSENGER_VEHICLE`` -> ``Driving``; empty for no activity."""
    if not code:
        return ""
    return ACTIVITIES.get(code.upper()) or words(code)


def place_type_label(code: str | None) -> str:
    """``TYPE_HOME`` -> ``Home``; empty for none and for Google's "unknown"."""
    if not code:
        return ""
    key = code.upper().removeprefix("TYPE_")
    return PLACE_TYPES[key] if key in PLACE_TYPES else words(key)


def point_source_label(code: str | None) -> str:
    if not code:
        return ""
    return POINT_SOURCES.get(code) or POINT_SOURCES.get(code.upper()) or words(code)

"""A small lake of ours for semantic search: place visits and saved places named in several languages."""

import json

import pytest

from tests.imports.conftest import alice, bob, import_files, make_zip  # noqa: F401 - fixtures, found by name

# (name, address, day) of place visits in May 2019, one hour each.
VISITS = [
    ("Café Central", "Herrengasse 14, 1010 Wien", "2019-05-01"),
    ("Louvre Museum", "Rue de Rivoli, 75001 Paris", "2019-05-02"),
    ("Shell", "Petrol station on the A1 motorway", "2019-05-02"),
    ("Wien Hauptbahnhof", "Am Hauptbahnhof 1, 1100 Wien", "2019-05-03"),
    ("Zahnarzt Dr. Huber", "Mariahilfer Straße 20, Wien", "2019-05-04"),
    ("Bäckerei Ströck", "Landstraßer Hauptstraße 7, Wien", "2019-05-05"),
    ("FitInn gym", "Gym and fitness studio, Wien", "2019-05-06"),
    ("Stadtbibliothek", "Public library, Urban-Loritz-Platz 2a", "2019-05-07"),
    ("Stephansdom", "Cathedral, Stephansplatz 3, Wien", "2019-05-08"),
    ("Schönbrunn Zoo", "Tiergarten Schönbrunn, Maxingstraße 13b", "2019-05-09"),
]


def semantic(visits) -> bytes:
    objects = []
    for index, (name, address, day) in enumerate(visits):
        objects.append({"placeVisit": {
            "location": {"latitudeE7": 482000000 + index, "longitudeE7": 163000000 + index, "placeId": f"p{index}",
                         "name": name, "address": address},
            "duration": {"startTimestamp": f"{day}T08:00:00Z", "endTimestamp": f"{day}T09:00:00Z"},
            "visitConfidence": 90}})
    return json.dumps({"timelineObjects": objects}).encode()


def saved(*places) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [16.37, 48.2]},
         "properties": {"date": "2019-06-01T12:00:00Z", "google_maps_url": f"https://maps.google.com/?cid={index}",
                        "location": {"name": name, "address": address}}}
        for index, (name, address) in enumerate(places)]}).encode()


SAVED = [("Eiffel Tower", "Champ de Mars, Paris"), ("Wiener Prater", "Amusement park with a Ferris wheel")]


@pytest.fixture
def lake_zip(tmp_path):
    def build(visits=VISITS, places=SAVED, name="takeout.zip"):
        members = {"Takeout/Location History/Semantic Location History/2019/2019_MAY.json": semantic(visits)}
        if places:
            members["Takeout/Maps (your places)/Saved Places.json"] = saved(*places)
        return make_zip(tmp_path / name, members)
    return build

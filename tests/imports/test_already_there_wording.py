"""'Already there' covers repeats inside the very files imported, not only earlier imports."""

from django.test import Client
from django.urls import reverse

from tests.imports.conftest import LH, make_zip, minute_points, records_json


def test_duplicates_inside_one_file_are_explained_as_such(import_files, alice, tmp_path):
    points = minute_points(3)
    archive = make_zip(tmp_path / "takeout-001.zip", {f"{LH}/Records.json": records_json(points + points[:1])})

    run = import_files(archive)

    assert (run.accepted, run.duplicates) == (3, 1)
    client = Client()
    client.force_login(alice)
    page = client.get(reverse("imports:run", args=[run.pk])).content.decode()
    assert "appeared more than once in these files" in page

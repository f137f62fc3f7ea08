"""Which sidecar is a media file's own, for every naming rule Takeout has used (sources/photos/naming.py).

Each case is one folder: its media files, its sidecars, and the pairs that
must come out — exactly those, no more.
"""

import unicodedata

import pytest

from sources.photos.naming import claim, pair_folder


def cut(name: str, length: int = 46) -> str:
    """The sidecar name Takeout writes for `name`: cut to `length` characters before ".json"."""
    return name[:length] + ".json"


LONG = "Screenshot_20230812-101500_Some Long App Name Here.jpg"  # 54 characters
SUPP = ".supplemental-metadata"
# Media names whose 2025 sidecar name Takeout cuts to ".supplemental-metad", ".supple", ".s", "." and ".j".
SUP_CUTS = ["PXL_20230812_101500123_.jpg", "PXL_20230812_101500123_MP.NIGHT_000.jpg",
            "PXL_20230812_101500123_MP.NIGHT_00000000.jpg", "PXL_20230812_101500123_MP.NIGHT_000000000.jpg",
            "PXL_20230812_101500123_MP.NIGHT_000000000000.jpg"]
NFD_NAME = unicodedata.normalize("NFD", "Café à la plage.jpg")
NFC_NAME = unicodedata.normalize("NFC", "Café à la plage.jpg")

CASES = [
    # (id, media, sidecars, {media: sidecar})
    ("plain json", ["IMG_1234.JPG"], ["IMG_1234.JPG.json"], {"IMG_1234.JPG": "IMG_1234.JPG.json"}),
    ("2025 supplemental", ["PXL_20250313.jpg"], ["PXL_20250313.jpg.supplemental-metadata.json"],
     {"PXL_20250313.jpg": "PXL_20250313.jpg.supplemental-metadata.json"}),
    *[(f"2025 sidecar name cut: {cut(name + SUPP)}", [name], [cut(name + SUPP)],
       {name: cut(name + SUPP)}) for name in SUP_CUTS],
    ("long name cut at 46", [LONG], [cut(LONG)], {LONG: cut(LONG)}),
    ("long name cut at 47", [LONG], [cut(LONG, 47)], {LONG: cut(LONG, 47)}),
    ("a cut name two files share pairs neither", [LONG, LONG.replace(".jpg", "2.jpg")], [cut(LONG)], {}),
    ("a cut name never takes a file that has its own sidecar", [LONG, LONG + ".png"],
     [cut(LONG), LONG + ".png.json"], {LONG + ".png": LONG + ".png.json", LONG: cut(LONG)}),
    ("numbered after the extension", ["DSC_0238.JPG", "DSC_0238(1).JPG"], ["DSC_0238.JPG.json", "DSC_0238.JPG(1).json"],
     {"DSC_0238.JPG": "DSC_0238.JPG.json", "DSC_0238(1).JPG": "DSC_0238.JPG(1).json"}),
    ("numbered supplemental", ["IMG(2).HEIC"], ["IMG.HEIC.supplemental-metadata(2).json"],
     {"IMG(2).HEIC": "IMG.HEIC.supplemental-metadata(2).json"}),
    ("numbered on the media side only", ["IMG(1).JPG"], ["IMG(1).JPG.json"], {"IMG(1).JPG": "IMG(1).JPG.json"}),
    ("numbered and cut", [LONG.replace(".jpg", "(1).jpg")], [LONG[:46] + "(1).json"],
     {LONG.replace(".jpg", "(1).jpg"): LONG[:46] + "(1).json"}),
    ("a numbered copy never takes the first file's sidecar", ["IMG.JPG", "IMG(1).JPG"], ["IMG.JPG.json"],
     {"IMG.JPG": "IMG.JPG.json"}),
    ("nor when the first file is absent", ["IMG(1).JPG"], ["IMG.JPG.json"], {}),
    ("two sidecars claiming one file pair neither", ["IMG(1).JPG"], ["IMG(1).JPG.json", "IMG.JPG(1).json"], {}),
    ("edited copy has none of its own", ["IMG.JPG", "IMG-edited.JPG"], ["IMG.JPG.json"], {"IMG.JPG": "IMG.JPG.json"}),
    ("localized edited copies", ["A.jpg", "A-bearbeitet.jpg", "A-modifié.jpg", "A-modificato.jpg"], ["A.jpg.json"],
     {"A.jpg": "A.jpg.json"}),
    ("an extension is never swapped", ["IMG_7.MP4"], ["IMG_7.HEIC.json"], {}),
    ("a name's case is the name", ["IMG_8.jpg"], ["IMG_8.JPG.json"], {}),
    ("NFD file, NFC sidecar", [NFD_NAME], [NFC_NAME + ".json"], {NFD_NAME: NFC_NAME + ".json"}),
    ("NFC file, NFD sidecar", [NFC_NAME], [NFD_NAME + ".supplemental-metadata.json"],
     {NFC_NAME: NFD_NAME + ".supplemental-metadata.json"}),
    ("album metadata and stray JSON pair nothing", ["IMG.JPG"],
     ["metadata.json", "métadonnées.json", "print-subscriptions.json"], {}),
    ("a short sidecar name is no prefix", ["IMG_1234.JPG"], ["IMG_12.json"], {}),
]


@pytest.mark.parametrize(("media", "sidecars", "expected"), [case[1:] for case in CASES], ids=[c[0] for c in CASES])
def test_each_file_gets_its_own_sidecar_or_none(media, sidecars, expected):
    assert pair_folder(media, sidecars).sidecar_of == expected


def test_the_cut_names_above_are_the_lengths_takeout_writes():
    # Guards the table itself: each "cut" case really is at the cut length.
    assert cut(LONG) == "Screenshot_20230812-101500_Some Long App Name .json"
    assert [cut(name + SUPP)[len(name):] for name in SUP_CUTS[:4]] == [
        ".supplemental-metad.json", ".supple.json", ".s.json", "..json"]
    assert cut(SUP_CUTS[4] + SUPP) == "PXL_20230812_101500123_MP.NIGHT_000000000000.j.json"


def test_edited_copies_are_linked_to_their_original_and_nothing_else():
    found = pair_folder(["IMG.JPG", "IMG-edited.JPG", "IMG-modifié.JPG", "OTHER-edited.JPG"], ["IMG.JPG.json"])
    assert found.original_of == {"IMG-edited.JPG": "IMG.JPG", "IMG-modifié.JPG": "IMG.JPG"}
    assert "IMG-edited.JPG" not in found.sidecar_of


@pytest.mark.parametrize(("name", "base", "number"), [
    ("a.jpg.json", "a.jpg", None),
    ("a.jpg(3).json", "a.jpg", 3),
    ("a.jpg.supplemental-metadata(12).json", "a.jpg", 12),
    ("a.jpg.SUPPLEMENTAL-METADATA.json", "a.jpg", None),
    # Not cut: a ".supple" tail this short is part of the name, not a cut suffix.
    ("a.jpg.supple.json", "a.jpg.supple", None),
])
def test_what_a_sidecar_name_claims(name, base, number):
    found = claim(name)
    assert (found.base, found.number) == (base, number)


@pytest.mark.parametrize("name", ["IMG.JPG", ".json", "notes.txt"])
def test_names_that_are_no_sidecar(name):
    assert claim(name) is None

"""Which sidecar is a media file's own: Takeout's naming rules, decided exactly or not at all. Pure.

Takeout writes a photo's metadata beside it as a JSON "sidecar" whose name is
derived from the media file's name, in ways that changed over the years:

* ``IMG_1234.JPG.json``; since 2025 ``IMG_1234.JPG.supplemental-metadata.json``;
* the sidecar name is cut to 46 characters before ``.json``, so the
  supplemental suffix arrives cut (``.supplemental-metad.json``, ``.supple.json``,
  ``.s.json``, ``.json`` right after the dot) and long media names lose their
  tail (and extension) in the sidecar's name; Takeout also cuts media names at
  47 characters, so the rule is "a unique prefix, at the cut length";
* a second file of the same name is numbered ``IMG_1234(1).JPG``, and its sidecar
  either as ``IMG_1234(1).JPG.json`` or, asymmetrically, ``IMG_1234.JPG(1).json``
  / ``IMG_1234.JPG.supplemental-metadata(1).json``;
* edited copies (``IMG_1234-edited.JPG``, localized: ``-bearbeitet``,
  ``-modifié``, …) have no sidecar of their own;
* names may reach us in NFC or NFD.

Pairing runs per folder (the folder path is the same in every zip part).
A sidecar is attached only where exactly one media file is its own: a second
claim, or a truncated name two files share, pairs nobody. Edited copies are
linked to their original but never inherit its sidecar (its GPS and date
describe the original as taken, and a loose match is how other tools moved
photos hundreds of kilometres).
"""

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass

SUPPLEMENTAL = "supplemental-metadata"
# Takeout cuts a sidecar's name to this many characters before ".json", a media name to one more.
CUT_LENGTHS = (46, 47)
# Files scanned past a cut name (numbered or already-paired ones) before giving up on it.
_MAX_CANDIDATES = 1000
_NUMBER = re.compile(r"\((\d{1,5})\)$")
# Suffixes Takeout gives edited copies, by account language.
EDITED_SUFFIXES = ("-edited", "-bearbeitet", "-modifié", "-modificato", "-editado", "-bewerkt", "-redigerad",
                   "-redigeret", "-redigert", "-edytowane", "-muokattu", "-upraveno", "-szerkesztett",
                   "-düzenlendi", "-изменено", "-编辑", "-編集済み", "-편집됨")


def nfc(name: str) -> str:
    return unicodedata.normalize("NFC", name)


@dataclass(frozen=True, slots=True)
class Claim:
    """What a sidecar's name says about its media file's name."""

    base: str  # the media name as written into the sidecar's name (maybe cut short)
    number: int | None  # a "(n)" Takeout moved after the extension
    cut: bool  # the name reached the cut length: `base` may be a prefix of the media name


def claim(sidecar_name: str) -> Claim | None:
    """What media name a sidecar names, or None when the name is not a sidecar's."""
    name = nfc(sidecar_name)
    if not name.lower().endswith(".json") or len(name) <= 5:
        return None
    stem = name[:-5]
    number = None
    found = _NUMBER.search(stem)
    if found:
        number, stem = int(found[1]), stem[: found.start()]
    cut = len(stem) in CUT_LENGTHS
    dot = stem.rfind(".")
    if dot > 0:
        tail = stem[dot + 1 :]
        # ".supplemental-metadata" whole; cut short (down to a bare ".") only where the name was cut.
        if tail.lower() == SUPPLEMENTAL or (cut and SUPPLEMENTAL.startswith(tail.lower())):
            stem = stem[:dot]
    if not stem:
        return None
    return Claim(stem, number, cut)


def split_ext(name: str) -> tuple[str, str]:
    dot = name.rfind(".")
    return (name[:dot], name[dot:]) if dot > 0 else (name, "")


def numbered(name: str, number: int) -> str:
    """``IMG.JPG`` with number 1 is ``IMG(1).JPG``."""
    stem, ext = split_ext(name)
    return f"{stem}({number}){ext}"


def unnumbered(name: str) -> tuple[str, int | None]:
    stem, ext = split_ext(name)
    found = _NUMBER.search(stem)
    return (stem[: found.start()] + ext, int(found[1])) if found else (name, None)


def original_of_edited(name: str) -> str | None:
    """``IMG-edited.JPG`` → ``IMG.JPG`` (any listed language), else None."""
    stem, ext = split_ext(nfc(name))
    lowered = stem.casefold()
    for suffix in EDITED_SUFFIXES:
        if lowered.endswith(suffix.casefold()) and len(stem) > len(suffix):
            return stem[: -len(suffix)] + ext
    return None


@dataclass(frozen=True)
class Pairing:
    sidecar_of: dict  # media name -> its sidecar's name (exact pairs only)
    original_of: dict  # edited copy's name -> its original's name (no metadata follows)


def pair_folder(media: Iterable[str], sidecars: Iterable[str]) -> Pairing:
    """Pair the media files of one folder with their own sidecars, names as stored."""
    by_nfc: dict[str, str] = {}
    for name in media:
        by_nfc.setdefault(nfc(name), name)
    claims: dict[str, list[str]] = {}  # media nfc name -> sidecar names claiming it
    cut_claims: list[tuple[str, Claim]] = []
    for sidecar in sidecars:
        found = claim(sidecar)
        if found is None:
            continue
        target = numbered(found.base, found.number) if found.number is not None else found.base
        if target in by_nfc:
            claims.setdefault(target, []).append(sidecar)
        elif found.cut:
            cut_claims.append((sidecar, found))
    if cut_claims:
        # Sorted unnumbered names: a cut name's candidates are one contiguous run (a year folder
        # holds thousands of files; comparing every cut name with every file would not scale).
        index = sorted((*_sort_key(key), key) for key in by_nfc)
        for sidecar, found in cut_claims:
            owner = _cut_owner(found, index, claims)
            if owner is not None:
                claims.setdefault(owner, []).append(sidecar)
    sidecar_of = {by_nfc[target]: names[0] for target, names in claims.items() if len(names) == 1}
    original_of = {}
    for key, name in by_nfc.items():
        if name in sidecar_of:
            continue
        original = original_of_edited(key)
        if original is not None and original in by_nfc:
            original_of[name] = by_nfc[original]
    return Pairing(sidecar_of, original_of)


def _cut_owner(found: Claim, index: list, claims: dict) -> str | None:
    """The one media file a cut sidecar name can belong to, or None if not exactly one."""
    wanted = -1 if found.number is None else found.number
    candidates = []
    start = bisect_left(index, (found.base,))
    for plain, number, key in index[start : start + _MAX_CANDIDATES]:
        if not plain.startswith(found.base):
            break
        # A file whose sidecar is named in full is not this one's; the name must really go on.
        if number == wanted and len(plain) > len(found.base) and key not in claims:
            candidates.append(key)
            if len(candidates) > 1:
                return None  # two files share the cut name: it is neither's for certain
    return candidates[0] if len(candidates) == 1 else None


def _sort_key(key: str) -> tuple[str, int]:
    plain, number = unnumbered(key)
    return plain, -1 if number is None else number

"""Streaming parsers for Google Maps' saved places: the GeoJSON files and the list CSVs.

``Saved Places.json`` and ``Labeled places.json`` are GeoJSON FeatureCollections,
decoded one feature at a time with ijson. The lists under ``Saved/`` are CSVs
(``Title,Note,URL,Comment``) with no coordinates at all; a position is taken only
from a URL that states one. Each parser yields ``SavedPlace`` and ``Rejection``
values in file order.

Contract, as for every parser of the lake:

* A feature or row that cannot be taken becomes a ``Rejection`` with a reason
  code from :mod:`sources.sanitize`, and parsing goes on.
* A document that stops being JSON (truncated, a 5,000-digit integer no decoder
  holds, nesting past ``MAX_JSON_DEPTH``) ends with one ``bad_json`` Rejection;
  a CSV that stops being text or breaks off inside a quoted cell ends with one
  ``bad_csv``. The pipeline then keeps nothing of the member.
* Exceptions raised by the stream itself (a corrupt archive member) propagate.

Text is stored as written: a title holding ``<script>`` is a title.
"""

import codecs
import csv
import re
import unicodedata
import uuid
from collections.abc import Callable, Iterator

import ijson

from sources.places.records import LABELED, LIST, SAVED, SavedPlace
from sources.records import Rejection
from sources.sanitize import (
    BAD_CSV,
    BAD_JSON,
    MALFORMED_COORDINATES,
    MALFORMED_RECORD,
    MISSING_COORDINATES,
    UNSUPPORTED_RECORD,
    MemberStream,
    RecordRejected,
    SafeJSONStream,
    Window,
    clean_code,
    clean_text,
    e7_from_degrees,
    instant_from_iso,
    plausible_window,
    sample_of,
)

type Item = SavedPlace | Rejection

_CHUNK = 64 * 1024
# csv refuses a cell past its field_size_limit (128 KiB) anyway; a line longer
# than that is not a list entry, and buffering it would cost memory.
_MAX_LINE = 128 * 1024
_MAX_LIST_NAME = 200
# place_key = uuid5(this, what identifies the place): stable across exports and re-imports.
_KEY_NAMESPACE = uuid.UUID("9a3c4f1e-6b7d-4e2a-8f50-2d1c7b9e0a64")

# Where a document stops being JSON (JSONTooDeep and int()'s refusal are ValueErrors).
_JSON_ERRORS = (ijson.JSONError, ValueError, RecursionError, UnicodeError, OverflowError)
# Where one feature has the wrong shape (a list where an object belongs, ...).
_RECORD_ERRORS = (TypeError, ValueError, AttributeError, KeyError, IndexError, OverflowError)


# --- GeoJSON -------------------------------------------------------------------


def parse_saved_places(stream) -> Iterator[Item]:
    """``Saved Places.json`` (German ``Gespeicherte Orte.json``): the starred places.

    Two generations of properties: older ``Title``, ``Google Maps URL``,
    ``Published`` and ``Location{Address, Business Name, Country Code, Geo
    Coordinates}``; newer ``date``, ``google_maps_url``, ``Comment`` and
    ``location{name, address, country_code}``, with ``[0, 0]`` coordinates for a
    place that has no position (kept, without one).
    """
    window = plausible_window()
    for raw in _json_values(stream, "features.item"):
        yield raw if isinstance(raw, Rejection) else _guarded(_saved_feature, raw, window)


def parse_labeled_places(stream) -> Iterator[Item]:
    """``Labeled places.json``: Home, Work and the person's own labels, ``properties{name, address}``."""
    window = plausible_window()
    for raw in _json_values(stream, "features.item"):
        yield raw if isinstance(raw, Rejection) else _guarded(_labeled_feature, raw, window)


def _saved_feature(raw: object, window: Window) -> SavedPlace:
    feature = _dict(raw)
    props = _dict(feature.get("properties"))
    location = _dict(_first(props, "location", "Location"))
    title = clean_text(_first(props, "Title", "title")) or clean_text(_first(location, "name", "Business Name"))
    address = clean_text(_first(location, "address", "Address"))
    url = clean_text(_first(props, "google_maps_url", "Google Maps URL"))
    lat, lng = _feature_position(feature, location, url)
    when = _first(props, "date", "Published")
    # Older exports may lack a save date; the place is still saved.
    saved_at = None if when is None else instant_from_iso(when, window)[0]
    return SavedPlace(SAVED, "", place_key(url, title, address, lat, lng), title, address,
                      clean_text(_first(props, "Comment", "comment")), url, lat, lng,
                      clean_code(_first(location, "country_code", "Country Code")), saved_at)


def _labeled_feature(raw: object, window: Window) -> SavedPlace:
    feature = _dict(raw)
    props = _dict(feature.get("properties"))
    title = clean_text(_first(props, "name", "Name"))
    address = clean_text(_first(props, "address", "Address"))
    url = clean_text(_first(props, "google_maps_url", "Google Maps URL"))
    lat, lng = _feature_position(feature, {}, url)
    return SavedPlace(LABELED, "", place_key(url, title, address, lat, lng), title, address, None, url, lat, lng,
                      None, None)


def _feature_position(feature: dict, location: dict, url: str | None) -> tuple[int | None, int | None]:
    """The feature's position in E7, or (None, None) where the export says it has none.

    A feature without any geometry (and no ``Geo Coordinates`` in its place of
    one) is refused: GeoJSON places always carry one, ``[0, 0]`` when the
    position is unknown. Bad numbers and positions out of range are refused
    rather than dropped, so the report shows them.
    """
    geo = _dict(location.get("Geo Coordinates"))
    geometry = feature.get("geometry")
    if geometry is None:
        if geo.get("Latitude") is None and geo.get("Longitude") is None:
            raise RecordRejected(MISSING_COORDINATES, "The feature has no geometry.")
        return _absent_if_null_island(e7_from_degrees(geo.get("Latitude"), geo.get("Longitude"))) or (None, None)
    point = _geometry_point(geometry)
    if point is None:
        # [0, 0]: what else the record states about the position is only a fallback.
        try:
            point = _absent_if_null_island(e7_from_degrees(geo.get("Latitude"), geo.get("Longitude")))
        except RecordRejected:
            point = None
    return point or position_from_url(url) or (None, None)


def _geometry_point(geometry: object) -> tuple[int, int] | None:
    geometry = _dict(geometry)
    kind = geometry.get("type", "Point")
    if kind != "Point":
        raise RecordRejected(UNSUPPORTED_RECORD, f"A {clean_text(str(kind), 40)!r} geometry is not a place.")
    coordinates = geometry.get("coordinates")
    if not isinstance(coordinates, list) or len(coordinates) < 2:
        raise RecordRejected(MALFORMED_COORDINATES, "The geometry's coordinates are not a [longitude, latitude] pair.")
    return _absent_if_null_island(e7_from_degrees(coordinates[1], coordinates[0]))


def _absent_if_null_island(point: tuple[int, int]) -> tuple[int, int] | None:
    # Google writes [0, 0] for "no position"; no saved place lies in the Gulf of Guinea at exactly 0°, 0°.
    return None if point == (0, 0) else point


def _json_values(stream, prefix: str) -> Iterator[object]:
    """The values under ``prefix``, then one ``bad_json`` Rejection if the document breaks off."""
    member = MemberStream(stream)
    try:
        # use_float=True: yajl2_c dereferences NULL on an int past CPython's 4,300 digits.
        yield from ijson.items(SafeJSONStream(member), prefix, use_float=True)
    except _JSON_ERRORS as exc:
        if member.failure is not None:
            raise
        first, _, context = str(exc).strip().partition("\n")
        detail = clean_text(f"Parsing stopped: {first[:200] or type(exc).__name__}")
        yield Rejection(BAD_JSON, detail or "Parsing stopped.", clean_text(context.strip()[:300]) or "")


# --- list CSVs -------------------------------------------------------------------


def parse_saved_list(stream, list_name: str | None = None) -> Iterator[Item]:
    """``Saved/<list>.csv`` (German ``Gespeichert/…``): ``Title,Note,URL,Comment``, no coordinates.

    The list's name exists only in the file name: ``list_name`` if given, else
    the stream's own ``name`` (a file opened from disk has one), else "".
    Blank lines (some exports start with one) are layout, not entries; the
    header is found by its cells' names, not their order.
    """
    name = list_name_from(getattr(stream, "name", "") or "") if list_name is None else list_name
    name = clean_text(name, _MAX_LIST_NAME) or ""
    member = MemberStream(stream)
    columns: dict[str, int] | None = None
    try:
        for row in csv.reader(_lines(member), strict=True):
            if not any(cell.strip() for cell in row):
                continue
            if columns is None:
                columns = _header(row)
                if columns is None:
                    yield Rejection(BAD_CSV, "The first row is not a Title/Note/URL header.", sample_of(row))
                    return
                continue
            yield _guarded(_list_entry, row, None, columns=columns, list_name=name)
    except (csv.Error, UnicodeDecodeError, _LineTooLong) as exc:
        if member.failure is not None:
            raise
        yield Rejection(BAD_CSV, clean_text(f"Reading stopped: {exc}", 300) or "Reading stopped.", "")


def list_name_from(path: str) -> str:
    """``Takeout/Saved/Want to go.csv`` -> ``Want to go``."""
    base = unicodedata.normalize("NFC", path.replace("\\", "/").rsplit("/", 1)[-1])
    return base[:-4] if base.lower().endswith(".csv") else base


_HEADER_CELLS = ("title", "note", "url", "comment")


def _header(row: list[str]) -> dict[str, int] | None:
    cells = [cell.strip().lstrip("\ufeff").casefold() for cell in row]
    columns = {name: cells.index(name) for name in _HEADER_CELLS if name in cells}
    return columns if "title" in columns and "url" in columns else None


def _list_entry(row: list[str], _window, *, columns: dict[str, int], list_name: str) -> SavedPlace:
    def cell(name: str) -> str | None:
        index = columns.get(name)
        return clean_text(row[index].strip()) if index is not None and index < len(row) else None

    title, url = cell("title"), cell("url")
    if title is None and url is None:
        raise RecordRejected(MALFORMED_RECORD, "The row has neither a title nor a URL.")
    lat, lng = position_from_url(url) or (None, None)
    note = "\n".join(text for text in (cell("note"), cell("comment")) if text) or None
    return SavedPlace(LIST, list_name, place_key(url, title, None, lat, lng), title, None, note, url, lat, lng,
                      None, None)


class _LineTooLong(ValueError):
    pass


def _lines(member) -> Iterator[str]:
    """The stream as text lines ("\\n" kept, for csv's quoted newlines), decoded incrementally."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    pending = ""
    while chunk := member.read(_CHUNK):
        pending += decoder.decode(chunk)
        *lines, pending = pending.split("\n")
        for line in lines:
            yield line + "\n"
        if len(pending) > _MAX_LINE:
            raise _LineTooLong(f"a line is longer than {_MAX_LINE // 1024} KiB")
    pending += decoder.decode(b"", final=True)
    if pending:
        yield pending


# --- shared ----------------------------------------------------------------------

_NUMBER = r"([-+]?\d{1,3}(?:\.\d{1,15})?)(?![\d.])"
# Most precise first: !3d!4d is the place itself, q=/ll= a stated point, /@ the map's centre.
_URL_POSITIONS = (
    re.compile(rf"!3d{_NUMBER}!4d{_NUMBER}"),
    re.compile(rf"[?&](?:q|ll|query|center|destination)=(?:loc:)?{_NUMBER}(?:,|%2[cC])\+?{_NUMBER}"),
    re.compile(rf"/@{_NUMBER},{_NUMBER}"),
)


def position_from_url(url: str | None) -> tuple[int, int] | None:
    """The position a Google Maps URL states (``!3dLAT!4dLNG``, ``q=LAT,LNG``, ``ll=``, ``/@LAT,LNG,``), if any.

    A URL is not a claim about the place, so one whose numbers are out of
    range simply gives no position.
    """
    if not url:
        return None
    for pattern in _URL_POSITIONS:
        match = pattern.search(url)
        if match:
            try:
                return _absent_if_null_island(e7_from_degrees(match[1], match[2]))
            except RecordRejected:
                return None
    return None


def place_key(url: str | None, title: str | None, address: str | None, lat: int | None, lng: int | None) -> uuid.UUID:
    """What identifies a place across exports: its URL, else its title and address, else its position."""
    if url:
        basis = f"url:{url}"
    elif title or address:
        basis = f"name:{title or ''}\n{address or ''}"
    elif lat is not None:
        basis = f"at:{lat},{lng}"
    else:
        raise RecordRejected(MALFORMED_RECORD, "Nothing identifies the place: no URL, title, address or position.")
    return uuid.uuid5(_KEY_NAMESPACE, basis)



def _guarded(build: Callable[..., SavedPlace], raw: object, window, **kwargs) -> Item:
    try:
        return build(raw, window, **kwargs)
    except RecordRejected as exc:
        return Rejection(exc.reason, exc.detail, sample_of(raw))
    except _RECORD_ERRORS as exc:
        return Rejection(MALFORMED_RECORD, f"The record has an unexpected shape ({type(exc).__name__}).",
                         sample_of(raw))


def _dict(value: object) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise RecordRejected(MALFORMED_RECORD, f"Expected a JSON object, got {type(value).__name__}.")
    return value


def _first(mapping: dict, *keys: str) -> object:
    for key in keys:
        value = mapping.get(key)
        if value is not None:
            return value
    return None


FORMATS: dict[str, Callable[..., Iterator[Item]]] = {
    "places.saved": parse_saved_places,
    "places.labeled": parse_labeled_places,
    "places.list": parse_saved_list,
}

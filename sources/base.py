"""What a Takeout product family declares about itself, in one place.

Each family is a sub-package of `sources` with a `source.py` that builds one
`Source`; `sources/registry.py` lists them. The pipeline, the day timeline,
search, counts, storage and delete iterate the registry and never name a
product's tables. See docs/adding-a-source.md.

Plain Python: no Django here, so the pure parts (parsers, records) of a source
can import this module without pulling in the database.
"""

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, BinaryIO

# A pure parser: a binary stream of one file in, records (and Rejections) out.
Parser = Callable[[BinaryIO], Iterator[Any]]


@dataclass(frozen=True)
class Dataset:
    """One per-user table of a source, as the generic features see it."""

    name: str  # the table's name, e.g. "location_point"; a key in deletion reports
    label: str  # what a person reads, e.g. "Location points"
    model: Any  # the Django model (a per-user table with FORCE'd row-level security)
    time_field: str | None  # the instant rows are placed in time by; None for things without one
    # Rows loaded by an import carry `import_run_id`, so one run can be deleted.
    by_run: bool = True
    # Its columns of words a person would search by meaning (vectors/): the first non-empty one is a
    # result's title, the rest its detail. Empty: the dataset is not embedded.
    text: tuple[str, ...] = ()


@dataclass(frozen=True)
class Collected:
    """Records gathered over a whole member (deduplicated by `key`) and stored once at its end."""

    key: Callable[[Any], Any]
    # (records, user_id=...) -> how many were stored; runs in the member's transaction
    store: Callable[..., int]
    # {attribute: max length} of its bounded text (core.loading.text_limits): longer ones are rejected
    text_limits: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class DayPart:
    """What a source puts on one local day's page: timeline entries and map path.

    An entry is a dict with at least "kind" and "start" (local, naive). Location
    history's are "visit" and "segment". Every other source uses kind "event":
    {"kind": "event", "start", "tz", "source": Source.name, "label": what it is
    ("YouTube", "Search"), "title", "url": an http(s) link or "", "detail": one
    line or ""}; the day page renders those generically and filters by "source".
    An entry with an "item" (a key of the source's `item_page`) links its title
    to that page in the lake, and its "url" beside it.
    """

    entries: list = field(default_factory=list)
    path: list = field(default_factory=list)  # [[lat, lng], ...] in time order
    points: int = 0


@dataclass(frozen=True)
class StatsTable:
    """One table of a source's stats page section, read from its materialized views."""

    title: str
    columns: tuple[str, ...]
    rows: list  # tuples in `columns` order; a number in the last column draws a bar
    note: str = ""

    @property
    def peak(self):
        """The largest number of the last column: the bars' full length."""
        return max((row[-1] for row in self.rows), default=0) or 1


@dataclass(frozen=True)
class MapLayer:
    """Things of a source drawn on the map as a layer of their own (saved places, photos, trips)."""

    name: str  # e.g. "saved_places"
    label: str  # e.g. "Saved places"
    # [[lat, lng, title, day-or-None], ...] (day: ISO date whose page the marker opens), or
    # [lat, lng, title, day-or-None, item]: the marker opens the source's item page of `item`
    markers: list
    # [[[[lat, lng], ...], label, day-or-None], ...]: polylines (trips), drawn and clicked like markers
    lines: list = field(default_factory=list)


@dataclass(frozen=True)
class ItemPage:
    """A page of its own for one thing of a source (a photo), rendered by explore's item view."""

    template: str  # e.g. "photos/photo.html", extending base.html
    title: str
    context: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Source:
    name: str  # "location"
    label: str  # "Location history"
    # product code (as detected, e.g. "location.records") -> its pure parser
    formats: Mapping[str, Parser]
    datasets: tuple[Dataset, ...]
    # record class -> (core.loading.Target, record -> row tuple in the target's column order):
    # the pipeline batches these into the target's table.
    routes: Mapping[type, tuple[Any, Callable[[Any], tuple]]]
    # record class -> Collected, for the few records stored once per member (devices)
    collected: Mapping[type, Collected] = field(default_factory=dict)
    # The local day's timeline part: (day, utc_start, utc_end) -> DayPart
    day: Callable[..., DayPart] | None = None
    # Full-text search: (text, product, utc_start, utc_end) -> iterable of result dicts
    search: Callable[..., Iterable[dict]] | None = None
    # Products that have something to search, for the search page's filter
    search_products: Callable[[], list[str]] | None = None
    # Called once every member of an import run has settled, in the run's user scope and in the
    # transaction that finishes the run: (run_id=, user_id=) -> None. For work that needs the whole
    # export, all parts together (pairing Photos sidecars with their media across zip parts).
    on_run_finished: Callable[..., None] | None = None
    # Called with a user id after an import or a deletion changed that user's rows
    # (refresh derived data: the source's materialized views)
    on_change: Callable[[int], None] | None = None
    # Export format (explore.exports.FORMATS) -> writer(window, counts) yielding text chunks
    exports: Mapping[str, Callable[..., Iterator[str]]] = field(default_factory=dict)
    # Refresh everything the source derives, for every user, now: (actor=...) -> {name: ms}
    refresh: Callable[..., dict] | None = None
    # Why a detected product of this family is recognized but not imported
    skip_reasons: Mapping[str, str] = field(default_factory=dict)
    # Which of its formats a member holds, from its head (sources.detect.Head) -> product code or None.
    # Pure; asked in registry order, so a signature must be specific to this family's files.
    detect: Callable[[Any], str | None] | None = None
    # Its section of the stats page: (grain: "week" | "month") -> [StatsTable]
    stats: Callable[[str], list[StatsTable]] | None = None
    # Its layers on the map page: () -> [MapLayer]
    map_layers: Callable[[], list[MapLayer]] | None = None
    # product code -> what a person reads for it ("Location history: Records.json"); default
    # "<label> (<format>)"
    product_labels: Mapping[str, str] = field(default_factory=dict)
    # Local days that have something of this source, for the day page's previous/next:
    # (before: date | None, after: date | None) -> the nearest such day, or None
    neighbour_day: Callable[..., Any] | None = None
    # A page per thing, in the user's scope: (key, user_id=...) -> ItemPage, or None (no such thing: 404)
    item_page: Callable[..., ItemPage | None] | None = None

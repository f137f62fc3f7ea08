"""The map's data: a viewport, a zoom and filters in; at most MAP_MAX_FEATURES features out.

At low zoom the points are counted on a grid (GROUP BY on integer-divided
e7 coordinates, so the counts are exact and sum to the viewport's count);
at high zoom the raw points come back, capped, with `truncated` set when
there were more. The queries run as the app role in the caller's user scope:
row-level security decides whose points they count.

One query interface, two index paths (settings.MAP_BACKEND). "btree":
(user_id, lat_e7, lng_e7), read index-only. "postgis": where PostGIS is
installed, migration 0003 adds a generated `geog` column with a GiST index
on the partitioned parent, and the viewport test gains `geog::geometry &&
envelope` so the planner can use it; the exact latitude/longitude ranges
stay, so both paths answer with the same rows. bench/map_bench.py measures
both; at 2M points the btree path won at both zooms, so it is the default.
"""

import datetime as dt
import math
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings
from django.db import connection
from django.urls import reverse
from psycopg import sql

from sources import registry

E7 = 10_000_000
# At and above this zoom (a few streets across) single points are shown.
RAW_ZOOM = 15
# A grid cell is about this many screen pixels wide at the requested zoom.
CELL_PIXELS = 24
GEOG_COLUMN = "geog"


class BadViewport(ValueError):
    pass


@dataclass(frozen=True)
class Viewport:
    south: int  # e7
    west: int
    north: int
    east: int

    @classmethod
    def parse(cls, text: str) -> "Viewport":
        """`west,south,east,north` in degrees (Leaflet's toBBoxString order)."""
        try:
            west, south, east, north = (float(part) for part in text.split(","))
        except ValueError:
            raise BadViewport("bbox must be four numbers: west,south,east,north") from None
        if not all(math.isfinite(v) for v in (west, south, east, north)):
            raise BadViewport("bbox must be finite numbers")
        # Leaflet reports longitudes past ±180 when the world wraps; clamp to one world.
        west, east = max(west, -180.0), min(east, 180.0)
        south, north = max(south, -90.0), min(north, 90.0)
        if west > east or south > north:
            raise BadViewport("bbox must have west <= east and south <= north")
        return cls(round(south * E7), round(west * E7), round(north * E7), round(east * E7))


@dataclass(frozen=True)
class Filters:
    start: dt.datetime | None = None  # inclusive, UTC
    end: dt.datetime | None = None  # exclusive
    device_tag: int | None = None


def zoom_cell_e7(zoom: int) -> int:
    """Cell edge in e7 degrees for a zoom: CELL_PIXELS of a 256-pixel tile."""
    return max(1, int(360 * E7 / (256 * 2**zoom) * CELL_PIXELS))


def cell_size(viewport: Viewport, zoom: int, max_cells: int) -> int:
    """The zoom's cell, grown until the viewport cannot hold more than `max_cells`.

    Cells are aligned to a global grid, so a viewport touches at most
    (width / cell + 1) x (height / cell + 1) of them.
    """
    cell = zoom_cell_e7(zoom)
    width, height = viewport.east - viewport.west, viewport.north - viewport.south
    while (width // cell + 2) * (height // cell + 2) > max_cells:
        cell *= 2
    return cell


_postgis: bool | None = None


def has_geography() -> bool:
    """Whether location_point has the PostGIS column (checked once per process)."""
    global _postgis
    if _postgis is None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM pg_attribute WHERE attrelid = 'timeseries.location_point'::regclass "
                "AND attname = %s AND NOT attisdropped",
                [GEOG_COLUMN],
            )
            _postgis = cursor.fetchone() is not None
    return _postgis


def _where(viewport: Viewport, filters: Filters, use_postgis: bool) -> tuple[sql.Composed, list]:
    # `user_id = current_user_id()` repeats the policy on purpose: it is the
    # leading index column, and saying it lets the planner use it for an
    # index-only scan instead of relying on the policy's qual alone.
    parts = [
        sql.SQL("user_id = user_data.current_user_id()"),
        sql.SQL("lat_e7 BETWEEN %s AND %s"),
        sql.SQL("lng_e7 BETWEEN %s AND %s"),
    ]
    params: list = [viewport.south, viewport.north, viewport.west, viewport.east]
    if use_postgis:
        # Planar on purpose: a geography envelope has great-circle edges, and
        # its bounding box misses points along a wide viewport's parallels.
        # The pad keeps float rounding from dropping a point on the edge; the
        # exact ranges above decide.
        parts.append(sql.SQL("({}::geometry) && ST_MakeEnvelope(%s, %s, %s, %s, 4326)").format(
            sql.Identifier(GEOG_COLUMN)))
        pad = 1e-6
        params += [viewport.west / E7 - pad, viewport.south / E7 - pad, viewport.east / E7 + pad,
                   viewport.north / E7 + pad]
    if filters.start:
        parts.append(sql.SQL("recorded_at >= %s"))
        params.append(filters.start)
    if filters.end:
        parts.append(sql.SQL("recorded_at < %s"))
        params.append(filters.end)
    if filters.device_tag is not None:
        parts.append(sql.SQL("device_tag = %s"))
        params.append(filters.device_tag)
    return sql.SQL(" AND ").join(parts), params


def _backend(backend: str | None) -> bool:
    """Whether to use the PostGIS column. "postgis" on a server without PostGIS
    (the embedded PostgreSQL has none) falls back to the plain index: one
    interface, every back end."""
    if backend is None:
        backend = settings.MAP_BACKEND
    if backend in ("auto", "postgis"):
        return has_geography()
    return False


def viewport_count(viewport: Viewport, filters: Filters = Filters(), backend: str | None = None) -> int:  # noqa: B008
    where, params = _where(viewport, filters, _backend(backend))
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("SELECT count(*) FROM timeseries.location_point WHERE {}").format(where), params)
        return cursor.fetchone()[0]


def map_features(viewport: Viewport, zoom: int, filters: Filters = Filters(), *,  # noqa: B008
                 max_features: int | None = None, backend: str | None = None) -> dict:
    """The features for one map request, as a JSON-ready dict.

    grid:   {"mode": "grid", "cell_deg": d, "features": [[lat, lng, count], ...]}
            lat/lng are the centroid of the cell's points; `total` is the viewport's count.
    points: {"mode": "points", "features": [[lat, lng, "iso time"], ...], "truncated": bool}
    """
    max_features = max_features or settings.MAP_MAX_FEATURES
    zoom = max(0, min(int(zoom), 22))
    where, params = _where(viewport, filters, _backend(backend))
    table = sql.SQL("timeseries.location_point")
    with connection.cursor() as cursor:
        if zoom >= RAW_ZOOM:
            cursor.execute(
                sql.SQL("SELECT lat_e7, lng_e7, recorded_at FROM {} WHERE {} ORDER BY recorded_at LIMIT %s").format(
                    table, where),
                [*params, max_features + 1],
            )
            rows = cursor.fetchall()
            truncated = len(rows) > max_features
            features = [[lat / E7, lng / E7, when.isoformat()] for lat, lng, when in rows[:max_features]]
            return {"mode": "points", "zoom": zoom, "features": features, "truncated": truncated,
                    "max_features": max_features}
        cell = cell_size(viewport, zoom, max_features)
        # Shift to non-negative before dividing: integer division truncates
        # toward zero, which would make the cells around the equator and the
        # prime meridian twice as wide as the rest.
        cursor.execute(
            sql.SQL(
                "SELECT (lat_e7::bigint + 900000000) / %s AS y, (lng_e7::bigint + 1800000000) / %s AS x, count(*), "
                "avg(lat_e7::float8), avg(lng_e7::float8) FROM {} WHERE {} GROUP BY 1, 2"
            ).format(table, where),
            [cell, cell, *params],
        )
        rows = cursor.fetchall()
    # Each cell is drawn at the centroid of its points, not its corner: a
    # city's worth of points stays on the city at every zoom.
    features = [[round(lat / E7, 6), round(lng / E7, 6), n] for _y, _x, n, lat, lng in rows]
    return {"mode": "grid", "zoom": zoom, "cell_deg": cell / E7, "features": features,
            "total": sum(row[2] for row in rows), "truncated": False, "max_features": max_features}


# --- Layers of the sources' own things (saved places…), drawn over the points ---

# Each marker is an element of its own in the browser (it is clicked and hovered),
# unlike the points on the canvas: past a few thousand the page slows to a crawl.
MAX_LAYER_MARKERS = 2000


def source_layers(max_markers: int = MAX_LAYER_MARKERS) -> list[dict]:
    """Every registered source's map layers, as JSON-ready dicts, at most `max_markers` markers each.

    {"name", "label", "markers": [[lat, lng, title, day-or-null], ...],
    "lines": [[[[lat, lng], ...], label, day-or-null], ...], "truncated": bool,
    "max_markers": n}. A marker of a thing with a page of its own (a photo) carries that page's
    path fifth. The sources' queries run in the caller's user scope like the points'.
    """
    layers = []
    for source in registry.SOURCES:
        if source.map_layers is None:
            continue
        # One reverse() per source, not per marker: a photo layer has tens of thousands.
        prefix = reverse("lake:item", args=[source.name, "-"])[:-1]
        for layer in source.map_layers():
            markers = [[*m[:4], prefix + quote(str(m[4]), safe="/")] if len(m) > 4 else m
                       for m in layer.markers[:max_markers]]
            layers.append({"name": layer.name, "label": layer.label, "markers": markers,
                           "lines": layer.lines[:max_markers],
                           "truncated": len(layer.markers) > max_markers or len(layer.lines) > max_markers,
                           "max_markers": max_markers})
    return layers


# --- PostGIS: whether the geography column and its index exist (location migration 0002) ---

def postgis_installed(cursor) -> bool:
    cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")
    return cursor.fetchone() is not None

"""Google Photos, declared once: formats, tables, pairing at run end, day timeline, map, search, export, stats."""

from operator import attrgetter

from sources.base import Dataset, Source
from sources.photos import exports, records, search, stats, timeline
from sources.photos.detect import detect
from sources.photos.models import PhotoAlbum, PhotoMedia, PhotoSidecar
from sources.photos.page import photo_page
from sources.photos.pairing import on_run_finished
from sources.photos.parsers import FORMATS
from sources.photos.tables import LOAD_ALBUMS, LOAD_MEDIA, LOAD_SIDECARS

SOURCE = Source(
    name="photos",
    label="Google Photos",
    formats=FORMATS,
    datasets=(
        Dataset("photo_media", "Photo and video files", PhotoMedia, "taken_at"),
        Dataset("photo_sidecar", "Photo metadata", PhotoSidecar, "taken_at", text=("title", "description")),
        Dataset("photo_album", "Photo albums", PhotoAlbum, "album_date", text=("title", "description", "location")),
    ),
    routes={
        records.Media: (LOAD_MEDIA, attrgetter(*LOAD_MEDIA.columns)),
        records.Sidecar: (LOAD_SIDECARS, attrgetter(*LOAD_SIDECARS.columns)),
        records.Album: (LOAD_ALBUMS, attrgetter(*LOAD_ALBUMS.columns)),
    },
    on_run_finished=on_run_finished,
    day=timeline.day_part,
    search=search.search,
    search_products=search.search_products,
    exports=exports.WRITERS,
    detect=detect,
    stats=stats.stats,
    neighbour_day=timeline.neighbour_day,
    map_layers=timeline.map_layers,
    item_page=photo_page,
    product_labels={"photos.sidecar": "Google Photos (metadata)", "photos.album": "Google Photos (albums)",
                    "photos.media": "Google Photos (media files)"},
)

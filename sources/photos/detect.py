"""Google Photos' signatures. Pure.

A media file by its magic bytes (JPEG, PNG, GIF, WebP, HEIC/AVIF, TIFF/DNG,
MP4/MOV/3GP, AVI); a sidecar by its keys (a ``title`` with ``photoTakenTime``,
``geoData``, ``geoDataExif`` or ``imageViews``); an album's metadata by
``albumData``, or ``title``, ``date`` and ``access`` without a photo's time.
Never by a file name: ``metadata.json`` is ``métadonnées.json`` in French.
"""

from sources.detect import Head

_SIDECAR_KEYS = {"photoTakenTime", "geoData", "geoDataExif", "imageViews"}
_PREFIXES = ((b"\xff\xd8\xff", "jpeg"), (b"\x89PNG\r\n\x1a\n", "png"), (b"GIF87a", "gif"), (b"GIF89a", "gif"),
             (b"II*\x00", "tiff"), (b"MM\x00*", "tiff"))
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis"}
_QUICKTIME_BRANDS = {b"qt  "}
_3GP_BRANDS = (b"3gp", b"3g2")


def media_kind(data: bytes) -> str | None:
    """What kind of photo or video `data` (a file's first bytes) begins, or None."""
    for prefix, kind in _PREFIXES:
        if data.startswith(prefix):
            return kind
    if data.startswith(b"RIFF") and data[8:12] in (b"WEBP", b"AVI "):
        return "webp" if data[8:12] == b"WEBP" else "avi"
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand in _HEIF_BRANDS:
            return "avif" if brand.startswith(b"avi") else "heic"
        if brand in _QUICKTIME_BRANDS:
            return "mov"
        if brand.startswith(_3GP_BRANDS):
            return "3gp"
        return "mp4"
    return None


def detect(head: Head) -> str | None:
    if head.kind == "json":
        if head.is_array:
            return None
        keys = head.top_keys
        if "albumData" in keys or ({"title", "date", "access"} <= keys and "photoTakenTime" not in keys):
            return "photos.album"
        if "title" in keys and keys & _SIDECAR_KEYS:
            return "photos.sidecar"
        return None
    # Head.data is left-stripped of whitespace only: every signature starts with NUL or a non-space byte.
    return "photos.media" if media_kind(head.data) else None

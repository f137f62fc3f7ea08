"""tus 1.0 wire details: headers in and out, metadata, checksums. No Django models here."""

import base64
import binascii
import hashlib
import re
import unicodedata

from django.http import HttpResponse

TUS_VERSION = "1.0.0"
EXTENSIONS = "creation,checksum,termination,expiration"
CHECKSUM_ALGORITHMS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "md5": hashlib.md5}
OFFSET_CONTENT_TYPE = "application/offset+octet-stream"
REASONS = {460: "Checksum Mismatch"}
_METADATA_KEY = re.compile(r"^[A-Za-z0-9._~-]{1,64}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class TusError(Exception):
    """A request the protocol refuses: status, a sentence for the person, extra headers."""

    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


def response(status: int = 204, message: str = "", headers: dict | None = None) -> HttpResponse:
    resp = HttpResponse(message, status=status, reason=REASONS.get(status),
                        content_type="text/plain; charset=utf-8")
    resp["Tus-Resumable"] = TUS_VERSION
    # Offsets change from one request to the next; no cache may keep them.
    resp["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        resp[name] = value
    return resp


def error_response(error: TusError) -> HttpResponse:
    return response(error.status, error.message + "\n", error.headers)


def require_version(request) -> None:
    if request.headers.get("Tus-Resumable") != TUS_VERSION:
        raise TusError(412, "This server speaks tus 1.0.0; send Tus-Resumable: 1.0.0.",
                       {"Tus-Version": TUS_VERSION})


def non_negative_int(request, header: str) -> int:
    value = request.headers.get(header)
    if value is None or not value.isascii() or not value.isdigit() or len(value) > 19:
        raise TusError(400, f"{header} must be a non-negative integer.")
    return int(value)


def parse_metadata(header: str | None) -> dict[str, str]:
    """`key base64value,key2,...` into a dict of text (values decoded as UTF-8)."""
    metadata = {}
    for pair in (header or "").split(","):
        pair = pair.strip()
        if not pair:
            continue
        key, _, encoded = pair.partition(" ")
        if not _METADATA_KEY.match(key) or key in metadata:
            raise TusError(400, f"Upload-Metadata has a bad or repeated key: {key[:40]!r}.")
        try:
            metadata[key] = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise TusError(400, f"Upload-Metadata value of {key!r} is not base64 of UTF-8 text.") from None
    return metadata


def clean_filename(name: str) -> str:
    """A display name: the last path segment, NFC, no control characters, bounded."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = _CONTROL.sub("", name).strip()
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 190] + dot + ext[:9]) if dot and len(ext) < 10 else name[:200]
    return name or "upload"


def clean_text(value: str, limit: int) -> str:
    return _CONTROL.sub("", unicodedata.normalize("NFC", value)).strip()[:limit]


def parse_checksum(header: str | None):
    """`<algorithm> <base64 digest>` into (hashlib constructor, expected digest), or None."""
    if header is None:
        return None
    algorithm, _, encoded = header.strip().partition(" ")
    constructor = CHECKSUM_ALGORITHMS.get(algorithm.lower())
    if constructor is None:
        raise TusError(400, f"Unsupported checksum algorithm {algorithm[:20]!r}; use one of "
                            + ", ".join(CHECKSUM_ALGORITHMS) + ".")
    try:
        digest = base64.b64decode(encoded.strip(), validate=True)
    except binascii.Error:
        raise TusError(400, "Upload-Checksum digest is not valid base64.") from None
    if len(digest) != constructor().digest_size:
        raise TusError(400, f"Upload-Checksum digest has the wrong length for {algorithm}.")
    return constructor, digest


def human_bytes(n: int) -> str:
    value = float(n)
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if value < 1024 or unit == "TB":
            return f"{int(value)} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} bytes"

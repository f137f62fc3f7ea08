"""Physical lines of a text stream, read in chunks with bounded memory. Pure: no Django.

For the line-based formats (iCalendar, vCard): a line longer than ``max_line``
is returned cut to its first ``max_line`` bytes together with its real length,
so a 20 MB base64 photo on one line costs ``max_line`` bytes, not 20 MB.
"""

from collections.abc import Iterator

_CHUNK = 64 * 1024


def physical_lines(stream, max_line: int) -> Iterator[tuple[bytes, int]]:
    """(line without its CR/LF, cut to max_line bytes; its full length in bytes)."""
    kept = b""
    length = 0
    while chunk := stream.read(_CHUNK):
        chunk = bytes(chunk)
        start = 0
        while True:
            end = chunk.find(b"\n", start)
            piece = chunk[start:] if end < 0 else chunk[start:end]
            length += len(piece)
            if len(kept) < max_line:
                kept += piece[: max_line - len(kept)]
            if end < 0:
                break
            yield _strip_cr(kept), length - (1 if kept.endswith(b"\r") else 0)
            kept, length = b"", 0
            start = end + 1
    if length:
        yield _strip_cr(kept), length


def _strip_cr(line: bytes) -> bytes:
    return line[:-1] if line.endswith(b"\r") else line

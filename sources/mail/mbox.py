"""An mbox split into messages over bounded reads, each message bounded in memory. Pure.

A message is buffered up to `MAX_MESSAGE` bytes; past that its bytes are no
longer kept. What follows is only scanned for MIME part boundaries and part
headers, so an attachment of any size past the bound is still listed (name,
type, size) while memory stays flat. A Gmail export is one mbox of up to tens
of GB: no step here holds more than one chunk plus one bounded message.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesHeaderParser

from sources.mail.detect import FROM_LINE

CHUNK = 1 << 20
# A longer line is handed on in pieces (an 8-bit attachment need have no line ends).
MAX_LINE = 64 * 1024
MAX_MESSAGE = 4 * 1024 * 1024
MAX_HEADERS = 256 * 1024
MAX_PART_HEADERS = 64 * 1024

_BLANK = (b"\n", b"\r\n")
_BOUNDARY = re.compile(rb'boundary\s*=\s*(?:"([^"\r\n]{1,200})"|([^\s;"]{1,200}))', re.IGNORECASE)


def _pieces(block: bytes) -> Iterator[bytes]:
    """`block`'s lines, line end included; a line longer than `MAX_LINE` in pieces of that length."""
    at, size = 0, len(block)
    while at < size:
        end = block.find(b"\n", at, at + MAX_LINE)
        stop = end + 1 if end != -1 else min(at + MAX_LINE, size)
        yield block[at:stop]
        at = stop


@dataclass
class TailPart:
    """A MIME part met past the buffering bound: only its name, type and size are learnt."""

    name: str
    type: str
    encoding: str
    encoded_bytes: int = 0
    padding: int = 0  # the "=" that end the last base64 line

    @property
    def size(self) -> int:
        return decoded_size(self.encoded_bytes, self.padding, self.encoding)


def decoded_size(encoded: int, padding: int, encoding: str) -> int:
    """base64 carries 3 bytes in 4 characters; other encodings are near enough their length."""
    return encoded * 3 // 4 - padding if encoding == "base64" else encoded


@dataclass
class RawMessage:
    """One message of the mbox: its separator line and its kept bytes (headers first)."""

    from_line: bytes
    # Where its separator line starts, in bytes from the start of the stream: a restart point.
    start: int = 0
    data: bytearray = field(default_factory=bytearray)
    size: int = 0
    headers_done: bool = False
    headers_clipped: bool = False
    header_len: int = 0
    clipped: bool = False
    # Set once clipped: the boundaries known, and the parts seen past the bound.
    boundaries: set = field(default_factory=set)
    top_boundary: bytes | None = None
    tail_parts: list = field(default_factory=list)
    current: TailPart | None = None
    cut_part_bytes: int = 0  # bytes past the bound that belong to the part the bound cut
    cut_padding: int = 0
    cut_done: bool = False  # a boundary past the bound ended that part
    in_part_headers: bool = False
    part_headers: bytearray = field(default_factory=bytearray)
    closed: bool = False  # the top-level multipart's closing boundary was met past the bound
    ends_with_newline: bool = True

    def feed(self, block: bytes) -> None:
        """Add whole lines: the headers line by line, then a body under the bound in one append.

        Most of a message is body lines that are merely kept; looking at each
        of them in Python was most of the splitting's time.
        """
        at, size = 0, len(block)
        while at < size and not self.headers_done:
            end = block.find(b"\n", at, at + MAX_LINE)
            stop = end + 1 if end != -1 else min(at + MAX_LINE, size)
            self.add(block[at:stop])
            at = stop
        if at == size:
            return
        rest = block[at:] if at else block
        if not self.clipped and len(self.data) + len(rest) <= MAX_MESSAGE:
            self.data += rest
            self.size += len(rest)
            self.ends_with_newline = rest.endswith(b"\n")
            return
        for line in _pieces(rest):
            self.add(line)

    def add(self, line: bytes) -> None:
        self.size += len(line)
        self.ends_with_newline = line.endswith(b"\n")
        if not self.headers_done:
            if line in _BLANK:
                self.headers_done = True
                self.header_len = len(self.data)
            elif len(self.data) + len(line) > MAX_HEADERS:
                self.headers_clipped = True
                return
            self.data += line
            return
        if not self.clipped:
            if len(self.data) + len(line) <= MAX_MESSAGE:
                self.data += line
                return
            self._clip()
        self._scan(line)

    def _clip(self) -> None:
        self.clipped = True
        for match in _BOUNDARY.finditer(self.data):
            self.boundaries.add(b"--" + (match.group(1) or match.group(2)).strip())
        top = _BOUNDARY.search(self.data[:self.header_len])
        self.top_boundary = b"--" + (top.group(1) or top.group(2)).strip() if top else None

    def _scan(self, line: bytes) -> None:
        if line.startswith(b"--") and self.boundaries:
            mark = line.rstrip(b"\r\n")
            closing = mark.endswith(b"--") and mark[:-2] in self.boundaries
            if closing or mark in self.boundaries:
                self._end_part()
                if closing and mark[:-2] == self.top_boundary:
                    self.closed = True
                self.in_part_headers = not closing
                return
        if self.in_part_headers:
            if line in _BLANK:
                self._start_part()
            elif len(self.part_headers) < MAX_PART_HEADERS:
                self.part_headers += line
            return
        content = line.rstrip(b"\r\n")
        padding = len(content) - len(content.rstrip(b"="))
        if self.current is not None:
            self.current.encoded_bytes += len(content)
            self.current.padding = padding
        elif not self.cut_done:
            self.cut_part_bytes += len(content)
            self.cut_padding = padding

    def _start_part(self) -> None:
        self.in_part_headers = False
        headers = BytesHeaderParser(policy=policy.default).parsebytes(bytes(self.part_headers) + b"\n")
        self.part_headers = bytearray()
        try:
            ctype = headers.get_content_type()
            boundary = headers.get_boundary() if headers.get_content_maintype() == "multipart" else None
            name = headers.get_filename() or ""
            encoding = str(headers.get("content-transfer-encoding", "")).strip().lower()
        except (ValueError, TypeError, LookupError, IndexError, AttributeError):
            ctype, boundary, name, encoding = "application/octet-stream", None, "", ""
        if boundary:
            self.boundaries.add(b"--" + boundary.encode("utf-8", "replace"))
            self.current = None
        else:
            self.current = TailPart(name, ctype, encoding)

    def _end_part(self) -> None:
        self.cut_done = True
        if self.current is not None:
            self.tail_parts.append(self.current)
            self.current = None

    def finish(self) -> None:
        # The blank line before the next separator is the mbox's, not the message's.
        if self.clipped:
            self._end_part()
        elif self.data.endswith(b"\r\n\r\n"):
            del self.data[-2:]
        elif self.data.endswith(b"\n\n"):
            del self.data[-1:]


def split(stream) -> Iterator[RawMessage | int]:
    """The messages of an mbox in file order; the size of any bytes before the first separator, as an int.

    A separator is a line that starts with "From ", matches FROM_LINE and
    follows a blank line (or starts the stream). The stream is read `CHUNK`
    bytes at a time; separators are found with bytes.find over the chunk's
    complete lines, and what lies between two is handed to the message whole.
    """
    current: RawMessage | None = None
    preamble = 0
    blank_before = True  # the line before buffer[0] is blank, or buffer[0] starts the stream
    buffer = b""
    position = 0  # where buffer[0] lies in the stream
    done = False
    while not done:
        chunk = stream.read(CHUNK)
        if chunk:
            buffer = buffer + bytes(chunk) if buffer else bytes(chunk)
        else:
            done = True
        # Complete lines only: a separator may be cut by the chunk's end.
        end = len(buffer) if done else buffer.rfind(b"\n") + 1
        if not end:
            if len(buffer) <= MAX_LINE:
                continue
            end = len(buffer) - len(buffer) % MAX_LINE  # a line without end, handed on in pieces
        start = 0
        while True:
            at = _separator(buffer, start, end, blank_before)
            stop = end if at is None else at
            if stop > start:
                segment = buffer[start:stop]
                if current is None:
                    preamble += len(segment)
                else:
                    current.feed(segment)
                last = buffer.rfind(b"\n", start, stop - 1) + 1 or start
                blank_before = buffer[last:stop] in _BLANK
            if at is None:
                break
            line_end = buffer.find(b"\n", at, end) + 1 or end
            if current is not None:
                current.finish()
                yield current
            current = RawMessage(buffer[at:line_end].rstrip(b"\r\n"), position + at)
            if preamble:
                yield preamble
                preamble = 0
            blank_before = False
            start = line_end
        position += end
        buffer = buffer[end:]
    if preamble:
        yield preamble
    if current is not None:
        current.finish()
        yield current


def _separator(buffer: bytes, start: int, end: int, blank_before: bool) -> int | None:
    """Where the first separator line in buffer[start:end] begins (start is a line start), or None."""
    if blank_before and buffer.startswith(b"From ", start) and _is_separator(buffer, start, end):
        return start
    found = start
    while (found := buffer.find(b"\nFrom ", found, end)) != -1:
        at = found + 1
        # The line before it is blank: "\n" or "\r\n" alone.
        blank = (found == start or buffer[found - 1] == 0x0A
                 or (buffer[found - 1] == 0x0D and (found - 1 == start or buffer[found - 2] == 0x0A)))
        if blank and _is_separator(buffer, at, end):
            return at
        found = at
    return None


def _is_separator(buffer: bytes, at: int, end: int) -> bool:
    line_end = buffer.find(b"\n", at, min(end, at + MAX_LINE))
    line = buffer[at:line_end if line_end != -1 else min(end, at + MAX_LINE)]
    return bool(FROM_LINE.match(line))

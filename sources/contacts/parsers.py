"""The contacts parser: ``.vcf`` files of vCard 3.0 and 4.0 (and 2.1's plain forms), card by card.

Our own parser rather than vobject: vobject holds a whole card, base64-decodes
an embedded PHOTO into memory and keeps it; here a card's lines are read with
bounded memory, and a photo costs only its first bytes (to say its type) and
a count of the rest. A PHOTO URL is kept as text and never requested.

Contract, as for every parser of the lake: a card that cannot be taken is a
``Rejection`` and parsing goes on; a card cut by the end of the file is
refused as ``truncated_entry``; a file that is no vCard at all ends with one
``bad_vcf`` Rejection (the pipeline then keeps nothing of the member).
"""

import base64
import binascii
import quopri
import re
import unicodedata
import uuid
from collections.abc import Iterator

from sources.contacts.records import Contact
from sources.lines import physical_lines
from sources.records import Rejection
from sources.sanitize import BAD_VCF, MALFORMED_RECORD, TRUNCATED_ENTRY, RecordRejected, clean_text

type Item = Contact | Rejection

MAX_LINE = 64 * 1024
MAX_CARD = 256 * 1024
MAX_VALUES = 200
TOO_LARGE = "entry_too_large"
_KEY_NAMESPACE = uuid.UUID("3f1d7c52-8a4e-4b6f-9e21-0c5a7d8b9f13")
_PHOTO_HEAD = 96
_NOT_IN_KEY = {"PHOTO", "REV", "PRODID"}
_IMAGE_MAGIC = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG", "image/png"), (b"GIF8", "image/gif"),
                (b"RIFF", "image/webp"))
_BIRTHDAY = re.compile(r"(?:(\d{4})|--)-?(\d{2})-?(\d{2})(?:T.*)?")


class _Property:
    """One logical (unfolded) property line; a PHOTO's value keeps only its head, and its length."""

    def __init__(self, line: bytes, length: int) -> None:
        self.head = line
        self.length = length
        self.cut = length > len(line)
        # The last bytes written: a base64 value's "=" padding, for its exact decoded size
        self.tail = line[-2:] if length == len(line) else b""

    def extend(self, line: bytes, length: int) -> None:
        self.length += length - 1
        self.tail = (self.tail + line[1:])[-2:] if length == len(line) else b""
        if len(self.head) < MAX_LINE:
            self.head += line[1:MAX_LINE + 1 - len(self.head)]
        self.cut = self.cut or length > len(line) or self.length > len(self.head)


def parse_vcf(stream) -> Iterator[Item]:
    """Every vCard of a .vcf file as a Contact or a Rejection."""
    book = address_book_from(getattr(stream, "name", "") or "")
    card: list[_Property] | None = None
    size = 0
    seen = False
    for line, length in physical_lines(stream, MAX_LINE):
        if card is None:
            if line.strip().upper() == b"BEGIN:VCARD":
                card, size, seen = [], 0, True
            elif line.strip() and not seen:
                yield Rejection(BAD_VCF, "The file does not begin with BEGIN:VCARD.", _sample(line))
                return
            continue
        if line[:1] in (b" ", b"\t") and card:
            card[-1].extend(line, length)
        elif line.strip().upper() == b"END:VCARD":
            yield _card(card, size, book)
            card = None
            continue
        elif line.strip():
            card.append(_Property(line, length))
        if not _is_photo(card[-1].head if card else b""):
            size += length + 2
    if card is not None:
        yield Rejection(TRUNCATED_ENTRY, "The file ends inside a vCard.", _sample(b"\n".join(p.head for p in card)))
    elif not seen:
        yield Rejection(BAD_VCF, "The file holds no vCard.", "")


def _is_photo(line: bytes) -> bool:
    name = line.split(b":", 1)[0].split(b";", 1)[0].rsplit(b".", 1)[-1]
    return name.strip().upper() in (b"PHOTO", b"LOGO")


def _card(properties: list[_Property], size: int, book: str) -> Item:
    text = b"\n".join(p.head for p in properties if not p.cut)
    if size > MAX_CARD:
        return Rejection(TOO_LARGE, f"A vCard of {size} bytes (without its photo) is larger than "
                         f"{MAX_CARD // 1024} KiB.", _sample(text))
    try:
        return contact_from(properties, book)
    except RecordRejected as exc:
        return Rejection(exc.reason, exc.detail, _sample(text))
    except (ValueError, TypeError, IndexError, KeyError) as exc:
        return Rejection(MALFORMED_RECORD, f"The vCard cannot be read ({type(exc).__name__}).", _sample(text))


def contact_from(properties: list[_Property], book: str) -> Contact:
    fields: dict[str, list[tuple[dict, str]]] = {}
    kept_lines: list[str] = []
    key_lines: list[str] = []
    photo: dict = {}
    for prop in properties:
        if _is_photo(prop.head):
            if not photo and prop.head.split(b":", 1)[0].rsplit(b".", 1)[-1].split(b";")[0].upper() == b"PHOTO":
                photo, line = _photo(prop)
                if line:
                    kept_lines.append(line)
            continue
        if prop.cut:
            raise RecordRejected(MALFORMED_RECORD, f"A property is longer than {MAX_LINE // 1024} KiB.")
        try:
            raw = prop.head.decode("utf-8")
        except UnicodeDecodeError:
            raise RecordRejected(MALFORMED_RECORD, "The vCard is not UTF-8 text.") from None
        name, params, value = _split(raw)
        kept_lines.append(raw)
        if name not in _NOT_IN_KEY:
            key_lines.append(raw)
        if len(fields.setdefault(name, [])) < MAX_VALUES:
            fields[name].append((params, _decoded(value, params)))
    uid = _one(fields, "UID")
    full_name = clean_text(_unescape(_one(fields, "FN") or ""), 500)
    name = _structured(_one(fields, "N"), ("family", "given", "additional", "prefix", "suffix"))
    if not full_name and not any(name.values()) and not fields.get("EMAIL") and not fields.get("TEL") \
            and not _one(fields, "ORG"):
        raise RecordRejected(MALFORMED_RECORD, "The vCard has no name, e-mail, phone or organisation.")
    basis = f"uid:{uid}" if uid else "card:" + "\n".join(key_lines)
    birthday = clean_text(_one(fields, "BDAY"), 40)
    month, day = _month_day(birthday)
    org = _one(fields, "ORG")
    return Contact(
        address_book=book, card_key=uuid.uuid5(_KEY_NAMESPACE, basis),
        version=clean_text(_one(fields, "VERSION"), 10), full_name=full_name, name=name,
        nickname=clean_text(_unescape(_one(fields, "NICKNAME") or ""), 500),
        emails=_typed(fields.get("EMAIL", []), strip_scheme="mailto:"), phones=_typed(fields.get("TEL", []),
                                                                                       strip_scheme="tel:"),
        addresses=[_structured(value, ("pobox", "extended", "street", "locality", "region", "code", "country"))
                   | {"types": _types(params)} for params, value in fields.get("ADR", [])],
        birthday=birthday, birthday_month=month, birthday_day=day,
        organization=clean_text(" · ".join(part for part in _parts(org or "") if part), 500),
        title=clean_text(_unescape(_one(fields, "TITLE") or ""), 500),
        groups=sorted({clean_text(group.strip(), 200) for _params, value in fields.get("CATEGORIES", [])
                       for group in _parts(value, ",") if group.strip()} - {None}),
        note=clean_text(_unescape(_one(fields, "NOTE") or ""), 20_000),
        urls=[clean_text(_unescape(value), 2000) for _params, value in fields.get("URL", [])],
        photo=photo, vcf="BEGIN:VCARD\r\n" + "".join(_fold(line) for line in kept_lines) + "END:VCARD\r\n",
    )


def _photo(prop: _Property) -> tuple[dict, str]:
    """What a PHOTO says (never the image), and the line to keep for export: a URL's, not an image's."""
    raw = prop.head.decode("utf-8", "replace")
    _name, params, value = _split(raw)
    value = value.strip()
    lowered = value[:16].lower()
    if lowered.startswith("data:"):
        media, _, data = value[5:].partition(",")
        return {"kind": "embedded", "type": clean_text(media.split(";")[0], 100) or "",
                "bytes": _decoded_size(prop.length - (len(raw) - len(data)), prop.tail)}, ""
    if params.get("ENCODING", [""])[0].upper() in ("B", "BASE64"):
        kind = (params.get("TYPE") or [""])[0].lower()
        return {"kind": "embedded", "type": f"image/{kind}" if kind else _sniff(value),
                "bytes": _decoded_size(prop.length - (len(raw) - len(value)), prop.tail)}, ""
    if prop.cut:
        return {"kind": "url", "url": "", "note": "longer than the lake keeps"}, ""
    return {"kind": "url", "url": clean_text(value, 2000) or ""}, raw


def _sniff(data: str) -> str:
    try:
        head = base64.b64decode(data[:_PHOTO_HEAD - _PHOTO_HEAD % 4] + "==", validate=False)
    except (binascii.Error, ValueError):
        return ""
    return next((kind for magic, kind in _IMAGE_MAGIC if head.startswith(magic)), "")


def _decoded_size(encoded_chars: int, tail: bytes) -> int:
    return max(max(encoded_chars, 0) * 3 // 4 - tail.count(b"="), 0)


def _split(raw: str) -> tuple[str, dict, str]:
    """``item1.EMAIL;TYPE=INTERNET,HOME:a@b`` -> ("EMAIL", {"TYPE": ["INTERNET", "HOME"]}, "a@b")."""
    head, value = _split_unquoted(raw, ":")
    if value is None:
        raise RecordRejected(MALFORMED_RECORD, "A line of the vCard is not NAME:value.")
    parts = _split_all(head, ";")
    name = parts[0].rsplit(".", 1)[-1].strip().upper()
    params: dict[str, list[str]] = {}
    for part in parts[1:]:
        key, sep, val = part.partition("=")
        if not sep:  # vCard 2.1 and 3.0 allow a bare type: TEL;CELL:
            key, val = "TYPE", key
        params.setdefault(key.strip().upper(), []).extend(v.strip().strip('"') for v in val.split(",") if v.strip())
    return name, params, value


def _split_unquoted(text: str, sep: str) -> tuple[str, str | None]:
    quoted = False
    for index, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char == sep and not quoted:
            return text[:index], text[index + 1:]
    return text, None


def _split_all(text: str, sep: str) -> list[str]:
    parts, rest = [], text
    while True:
        head, rest = _split_unquoted(rest, sep)
        parts.append(head)
        if rest is None:
            return parts


def _decoded(value: str, params: dict) -> str:
    if params.get("ENCODING", [""])[0].upper() == "QUOTED-PRINTABLE":
        charset = params.get("CHARSET", ["utf-8"])[0]
        try:
            return quopri.decodestring(value.encode("ascii", "replace")).decode(charset, "replace")
        except LookupError:
            return quopri.decodestring(value.encode("ascii", "replace")).decode("utf-8", "replace")
    return value


def _parts(value: str, sep: str = ";") -> list[str]:
    """Split a structured value at unescaped separators, then unescape each part."""
    parts, current, escaped = [], [], False
    for char in value:
        if escaped:
            current.append("\\" + char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == sep:
            parts.append(_unescape("".join(current)))
            current = []
        else:
            current.append(char)
    parts.append(_unescape("".join(current)))
    return parts


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m[1] in "nN" else m[1], value)


def _structured(value: str | None, names: tuple[str, ...]) -> dict:
    parts = _parts(value or "")
    return {name: clean_text(parts[index].strip(), 500) or "" if index < len(parts) else ""
            for index, name in enumerate(names)}


def _types(params: dict) -> list[str]:
    return sorted({t.lower() for t in params.get("TYPE", []) if t and t.lower() not in ("pref", "internet")})[:10]


def _typed(values, strip_scheme: str) -> list[dict]:
    found = []
    for params, value in values:
        text = _unescape(value).strip()
        if text[:len(strip_scheme)].lower() == strip_scheme:
            text = text[len(strip_scheme):]
        if text:
            found.append({"value": clean_text(text, 500), "types": _types(params)})
    return found


def _one(fields: dict, name: str) -> str | None:
    values = fields.get(name)
    return values[0][1] if values else None


def _month_day(birthday: str | None) -> tuple[int | None, int | None]:
    match = _BIRTHDAY.fullmatch(birthday.strip()) if birthday else None
    if not match:
        return None, None
    month, day = int(match[2]), int(match[3])
    return (month, day) if 1 <= month <= 12 and 1 <= day <= 31 else (None, None)


def _fold(line: str) -> str:
    # 75 characters a line, continued after CRLF and a space (RFC 6350 3.2)
    return "\r\n ".join(line[i:i + 74] for i in range(0, len(line), 74)) + "\r\n"


def address_book_from(path: str) -> str:
    """``Takeout/Contacts/Kontakte auf Gerät – Samsung/Kontakte….vcf`` -> the file's name without .vcf.

    NFC, with its no-break spaces and dashes as written: they are part of the name.
    """
    base = unicodedata.normalize("NFC", path.replace("\\", "/").rsplit("/", 1)[-1])
    return (base[:-4] if base.lower().endswith(".vcf") else base)[:200]


def _sample(text: bytes) -> str:
    return clean_text(text[:300].decode("utf-8", "replace"), 300) or ""


FORMATS = {"contacts.vcf": parse_vcf}

"""What a token may do. `read:<family>` per product family, as the registry names them."""

from sources import registry

READ_ALL = "read:all"
WRITE_IMPORTS = "write:imports"
WRITE_INGEST = "write:ingest"
DELETE = "delete"
EVENTS = "events"


def read_scope(family: str) -> str:
    return f"read:{family}"


def all_scopes() -> list[str]:
    return [READ_ALL, *(read_scope(source.name) for source in registry.SOURCES), WRITE_IMPORTS, WRITE_INGEST,
            DELETE, EVENTS]


def parse(text: str | list) -> list[str]:
    """"read:all, write:ingest" -> ["read:all", "write:ingest"]; ValueError naming an unknown one."""
    items = text.split(",") if isinstance(text, str) else list(text)
    chosen = list(dict.fromkeys(item.strip() for item in items if item.strip()))
    if not chosen:
        raise ValueError("give at least one scope")
    known = set(all_scopes())
    unknown = [scope for scope in chosen if scope not in known]
    if unknown:
        raise ValueError(f"unknown scope {', '.join(unknown)}; known: {', '.join(all_scopes())}")
    return chosen


def grants(held: list[str], needed: str) -> bool:
    """read:all covers every read:<family>; nothing else covers anything but itself."""
    return needed in held or (needed.startswith("read:") and READ_ALL in held)

"""Where archive files may be: inside ARCHIVE_DIR, and nowhere else."""

from pathlib import Path

from django.conf import settings


class ArchivePathError(ValueError):
    """A recorded archive path resolves outside ARCHIVE_DIR; nothing was read, written or deleted."""


def archive_path(relative: str) -> Path:
    """`relative` under ARCHIVE_DIR, resolved, or ArchivePathError.

    The paths come from rows in schema ops, and a run unlinks what they name:
    a forged or corrupted row must not reach a file elsewhere. Joining an
    absolute path replaces the base, `..` climbs out, and a symlink inside the
    tree may point away, so the check is made on the resolved path.
    """
    root = Path(settings.ARCHIVE_DIR).resolve()
    try:
        path = (root / relative).resolve()
    except (ValueError, OSError) as error:  # NUL bytes, symlink loops
        raise ArchivePathError(f"archive path {relative!r} cannot be resolved ({error}); refusing to touch it") \
            from error
    if path == root or not path.is_relative_to(root):
        raise ArchivePathError(f"archive path {relative!r} lies outside the archive folder {root} "
                               f"(it resolves to {path}); refusing to touch it")
    return path

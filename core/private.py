"""Files and folders of the lake are its own account's alone.

Redis's snapshot holds cached pages, TEMP_DIR holds partial uploads before
they are encrypted, VAR_DIR the database itself: nothing the lake writes is
for other local users. settings.py sets the umask for every process of the
lake; folders made before that (or by an older version) are tightened here.
"""

import os
from pathlib import Path

UMASK = 0o077


def private_dir(path) -> Path:
    """Create `path` (and its parents) as 0700, and tighten it if it exists and is ours."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    info = path.stat()
    # A folder someone else owns (a mounted volume) is theirs to set; ours we can fix.
    if info.st_uid == os.getuid() and info.st_mode & 0o077:
        path.chmod(0o700)
    return path

"""Files only their owner may read: credentials, profiles and every export (0600 in a 0700 folder).

A delivery's request and response hold user ids, emails and phone numbers, so an export is as
private as the history it comes from. Written atomically: a reader never sees half a file.
"""

from __future__ import annotations

import os
from pathlib import Path


def write_private(path: Path, data: bytes | str) -> Path:
    """Write `data` to `path`, readable by the owner only, replacing it atomically."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.parent.chmod(0o700)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data.encode("utf-8") if isinstance(data, str) else data)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return path

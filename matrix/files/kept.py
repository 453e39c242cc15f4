"""A folder of files kept between builds to save work (loaded directives, pieces of large outputs), each named
by a key (a SHA-256 in hex) and a suffix: read back when asked for, written whole without an fsync (a file torn
by a crash fails its reader's checks and counts as none), and those a build did not ask for removed at its end,
so that the folder holds one build's files. Only a speed-up: a file missing, unreadable or not written only
costs time."""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

from ..core.errors import OutputError
from .safeio import write_file

_KEY = re.compile(r"[0-9a-f]{64}")


class KeptFolder:
    """The files under ``folder`` named ``<key><suffix>`` (``folder`` None: nothing kept). ``hits`` and
    ``misses`` count what the reader made of them (:meth:`found`)."""

    def __init__(self, folder: Path | None, suffix: str = "") -> None:
        self.folder = folder
        self.suffix = suffix
        self.used: set[str] = set()
        self.hits = self.misses = 0

    def read(self, key: str) -> bytes | None:
        """The bytes kept under ``key`` (None: nothing kept, or unreadable); the key counts as used."""
        if self.folder is None:
            return None
        self.used.add(key)
        try:
            return (self.folder / f"{key}{self.suffix}").read_bytes()
        except (OSError, ValueError):
            return None

    def found(self, ok: bool) -> bool:
        """Count a file read as kept (``ok``) or as none; ``ok`` back."""
        if ok:
            self.hits += 1
        else:
            self.misses += 1
        return ok

    def write(self, key: str, data: bytes) -> None:
        """Keep ``data`` under ``key`` for the next build (a failure to write only costs that build time)."""
        if self.folder is None:
            return
        self.used.add(key)
        with contextlib.suppress(OutputError):
            write_file(self.folder / f"{key}{self.suffix}", data, "tệp tạm", make_parents=True, durable=False)

    def tidy(self) -> None:
        """Remove the kept files no one asked for in this build."""
        if self.folder is None:
            return
        with contextlib.suppress(OSError):
            for name in os.listdir(self.folder):
                key = name[: len(name) - len(self.suffix)] if name.endswith(self.suffix) else ""
                if _KEY.fullmatch(key) and key not in self.used:
                    with contextlib.suppress(OSError):
                        os.unlink(self.folder / name)

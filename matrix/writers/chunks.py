"""Pieces of a large text output kept between builds (the exports' directives, the assignment table's sections),
each by the digest of what it was made from, so that a build renders only the pieces whose inputs changed and
joins the others as the last build wrote them.

A folder per output, a file per piece named by its key: a build reads the pieces it needs, writes the new ones
and removes, at the end (:meth:`ChunkStore.finish`), those it did not use. A file is one line of text (the
format, the CRC-32 and length of the rest), then the piece's bytes. Only a speed-up: a missing, damaged,
truncated or foreign file is read as no piece (and the piece is made anew); nothing read is ever run (bytes
only, no pickle read back).
"""

from __future__ import annotations

import hashlib
import io
import pickle
import re
import sys
import zlib
from functools import lru_cache
from pathlib import Path

from ..core.model import Task
from ..files.kept import KeptFolder

CHUNKS_FORMAT = "matrix-chunks-1"


def printed_fields(task: Task) -> tuple[object, ...]:
    """A task's own fields as the exports and the assignment table print them (their pieces' keys read them)."""
    return (task.text, task.title, task.deadline, task.report, task.targets, task.notes)


_KEY = re.compile(r"[0-9a-f]{64}")


def chunk_key(code: str, *inputs: object) -> str:
    """The key of a piece made by code ``code`` (:func:`code_version`) from ``inputs``: plain values (strings,
    numbers, dates, enums, tuples, lists, dicts), told apart by their pickle written without its memo (equal values
    give equal bytes whether shared or not). The pickle is only hashed, never read back."""
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=5)
    pickler.fast = True
    pickler.dump(inputs)
    digest = hashlib.sha256(code.encode())
    digest.update(out.getvalue())
    return digest.hexdigest()


@lru_cache(maxsize=8)
def code_version(*modules: str) -> str:
    """What pieces depend on besides their inputs: matrix's version, Python's (its json and str escapes) and the
    source of the ``modules`` (files) that make them."""
    from .. import __version__

    code = hashlib.sha256(f"{CHUNKS_FORMAT} {__version__} {sys.version}".encode())
    for module in modules:
        code.update(Path(module).read_bytes())
    return code.hexdigest()


class ChunkStore(KeptFolder):
    """The pieces of one output kept in ``folder`` (None: nothing kept, every piece made anew)."""

    def get(self, key: str) -> bytes | None:
        """The piece kept under ``key``, or None (none, or unreadable or damaged)."""
        if self.folder is None:
            return None
        found = _read(self.read(key))
        self.found(found is not None)
        return found

    def put(self, key: str, data: bytes) -> None:
        """Keep ``data`` under ``key`` for the next build (a failure to write only costs that build time)."""
        self.write(key, f"{CHUNKS_FORMAT} {zlib.crc32(data)} {len(data)}\n".encode() + data)

    def finish(self) -> None:
        """Remove the kept pieces this build did not use (the folder holds one output's pieces, no more)."""
        self.tidy()


def _read(data: bytes | None) -> bytes | None:
    """The piece a kept file holds: its bytes after a head line (format, CRC-32, length) they match."""
    if data is None:
        return None
    end = data.find(b"\n", 0, 100)
    if end < 0:
        return None
    head = data[:end].split(b" ")
    if len(head) != 3 or head[0] != CHUNKS_FORMAT.encode() or not head[1].isdigit() or not head[2].isdigit():
        return None
    body = data[end + 1 :]
    if len(body) != int(head[2]) or zlib.crc32(body) != int(head[1]):
        return None
    return body

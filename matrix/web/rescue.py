"""A directive file matrix cannot read at all (a YAML syntax error, a clerk's half-edited file), for its page.

The page says what is wrong in plain words (line, column, the line itself with the place marked) and offers what
a clerk can do without knowing YAML: put back the previous version (the ``.bak`` every save keeps, with its date),
withdraw the file, draft it again from its source document, or open the raw text. Every write here is locked and
atomic, keeps the replaced version as ``.bak`` (nothing a clerk typed is ever lost: putting back the ``.bak`` swaps
the two versions), and is refused when the file changed since the page was shown (optimistic version check).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import InputError, Problem
from ..core.model import Registry
from ..draft import drafted_from
from ..files.safeio import backup_path, update_file
from ..input import edit as ed
from ..input.edit import version_of
from ..input.yamlio import SYNTAX_ERROR

# The source documents the pages take (an upload, a directive's source found again), with the bytes each starts with.
UPLOAD_TYPES = {".txt": b"", ".docx": b"PK\x03\x04", ".pdf": b"%PDF-"}
SOURCE_FOLDERS = (".", "nguon", "..")  # where a source document named in a draft's header is looked for
CONTEXT_LINES = 2  # lines shown before and after the line of a problem


@dataclass(frozen=True)
class Trouble:
    """One problem of the file in plain words, with the lines around it (number, text, is it the line)."""

    line: int
    column: int
    what: str
    hint: str | None
    lines: tuple[tuple[int, str, bool], ...]


@dataclass(frozen=True)
class Backup:
    """The previous version of the file (``<name>.bak``): when it was saved, and whether matrix can read it."""

    path: Path
    saved: dt.datetime
    readable: bool
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class Rescue:
    """Everything the page of an unreadable directive file shows."""

    path: Path
    version: str
    troubles: tuple[Trouble, ...]
    backup: Backup | None
    source_name: str | None  # the source document its draft was made from, as the draft's header names it
    source: Path | None  # that document, when it is found beside the input folder


def plain(problem: Problem) -> tuple[str, str | None]:
    """What a loader message says, for a clerk: a syntax error as "the way the file is written is broken"."""
    message, hint = problem.message, problem.hint
    if message.startswith(SYNTAX_ERROR):
        detail = message[len(SYNTAX_ERROR) :].lstrip(": ").strip()
        what = "Cách viết của tệp bị hỏng ở đây" + (f": {detail}" if detail else "") + "."
        return what, (hint + "; " if hint and not hint.startswith("xem dòng") else "") + (
            "thường do tệp đang sửa dở hoặc bị sửa tay (thiếu dấu ngoặc, thụt lề lệch)"
        )
    return message[:1].upper() + message[1:] + ".", hint


def in_words(problem: Problem) -> str:
    """A problem as one line for a page: "Dòng 121, cột 3: what is wrong. Gợi ý: ..." (no file path)."""
    what, hint = plain(problem)
    where = (
        f"Dòng {problem.line}" + (f", cột {problem.column}" if problem.column else "") + ": " if problem.line else ""
    )
    return where + what + (f" Gợi ý: {hint}." if hint else "")


def _troubles(text: str, problems: list[Problem]) -> tuple[Trouble, ...]:
    lines = text.split("\n")
    out = []
    for problem in problems:
        if not problem.is_error:
            continue
        what, hint = plain(problem)
        shown: tuple[tuple[int, str, bool], ...] = ()
        if 0 < problem.line <= len(lines):
            first = max(1, problem.line - CONTEXT_LINES)
            last = min(len(lines), problem.line + CONTEXT_LINES)
            shown = tuple((n, lines[n - 1][:300], n == problem.line) for n in range(first, last + 1))
        out.append(Trouble(problem.line, problem.column, what, hint, shown))
    return tuple(out)


def _backup(path: Path, registry: Registry | None) -> Backup | None:
    bak = backup_path(path)
    try:
        data = bak.read_bytes()
        saved = dt.datetime.fromtimestamp(bak.stat().st_mtime)
    except OSError:
        return None
    problems: list[Problem] = []
    readable = False
    if registry is not None:
        doc, problems = ed.open_doc(data.decode("utf-8-sig", errors="replace"), registry, path.name)
        readable = doc is not None
    return Backup(bak, saved, readable, tuple(p for p in problems if p.is_error))


def source_of(text: str, input_dir: Path) -> tuple[str | None, Path | None]:
    """The source document a draft's header names (``matrix draft`` writes it), and where it is, if found."""
    named = drafted_from(text)
    if named is None:
        return None, None
    name = Path(named).name  # a name, never a path the file could point anywhere with
    if Path(name).suffix.lower() not in UPLOAD_TYPES:
        return name, None
    for folder in SOURCE_FOLDERS:
        candidate = input_dir / folder / name
        if candidate.is_file() and not candidate.is_symlink():
            return name, candidate.resolve()
    return name, None


def rescue(path: Path, problems: list[Problem], input_dir: Path, registry: Registry | None) -> Rescue:
    """The page of the unreadable file ``path`` (its ``problems`` as the loader gave them)."""
    data = path.read_bytes()
    text = data.decode("utf-8-sig", errors="replace")
    name, source = source_of(text, input_dir)
    return Rescue(path, version_of(data), _troubles(text, problems), _backup(path, registry), name, source)


__all__ = [
    "Rescue",
    "in_words",
    "keep_source",
    "put_back",
    "replace_with_draft",
    "rescue",
    "source_of",
    "version_of",
    "write_text",
]


def keep_source(source: Path, input_dir: Path) -> Path:
    """The document a draft saved from the page was made from, kept as ``input/nguon/<its name>`` (where
    :func:`source_of` looks; the loader reads only the ``.yaml`` files of ``input/`` itself). A file of that name
    already there is replaced with a ``.bak`` kept."""
    from ..files.safeio import write_file

    target = input_dir / SOURCE_FOLDERS[1] / source.name
    write_file(target, source.read_bytes(), "tệp gốc", backup=True, make_parents=True)
    return target


def _refused(message: str, hint: str | None = None) -> InputError:
    return InputError([Problem("", 0, 0, message, hint)])


def _changed() -> InputError:
    return _refused(
        "tệp đã thay đổi sau khi trang được mở (có người vừa lưu hoặc sửa): chưa làm gì",
        "tải lại trang để xem bản hiện tại rồi làm lại",
    )


def put_back(path: Path, version: str) -> None:
    """The ``.bak`` becomes the file, and the file (still ``version``) the ``.bak``: swapped, so nothing is lost."""
    bak = backup_path(path)

    def change(current: bytes | None) -> bytes:
        if current is None or version_of(current) != version:
            raise _changed()
        try:
            return bak.read_bytes()
        except OSError:
            raise _refused("không còn bản trước (.bak) của tệp này") from None

    update_file(path, change, "văn bản", backup=True)


def write_text(path: Path, text: str, version: str) -> None:
    """The raw text typed on the page written over the file (still ``version``), the old text kept as ``.bak``."""
    data = text.replace("\r\n", "\n").encode("utf-8")

    def change(current: bytes | None) -> bytes:
        if current is None or version_of(current) != version:
            raise _changed()
        return data

    update_file(path, change, "văn bản", backup=True)


def replace_with_draft(yaml_text: str, path: Path, version: str) -> None:
    """A new draft of the same directive written over its unreadable file (still ``version``), kept as ``.bak``."""
    write_text(path, yaml_text, version)

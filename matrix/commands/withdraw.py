"""Withdraw a directive from the input folder, and restore it: its file is moved, never deleted.

A withdrawn directive's file goes to ``input/da-rut/`` (a folder the loader never reads: it reads the
``.yaml`` files of ``input/`` itself), its tracking records to ``input/da-rut/theo-doi/``, so neither the
build nor the tracking sees it any more; restoring moves both back. Every move goes through
:func:`matrix.files.safeio.move_file` (under the file's lock, never over an existing file), and every
target is checked before anything moves: a refused withdrawal or restoration leaves the folder as it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import InputError, OutputError, Problem
from ..files.guard import INPUT_SUFFIXES
from ..files.safeio import move_file
from ..input.load import REGISTRY_FILE
from ..tracking.records import TRACKING_DIR

WITHDRAWN_DIR = "da-rut"
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class Withdrawn:
    """A withdrawn directive's file, and its records when it had some."""

    id: str
    path: Path
    records: Path | None


def withdrawn_dir(input_dir: Path) -> Path:
    return input_dir / WITHDRAWN_DIR


def _directive_file(folder: Path, directive_id: str) -> Path | None:
    if not _ID.match(directive_id):
        return None
    for suffix in INPUT_SUFFIXES:
        path = folder / f"{directive_id}{suffix}"
        if path.name != REGISTRY_FILE and path.is_file() and not path.is_symlink():
            return path
    return None


def _moves(source_dir: Path, target_dir: Path, directive_id: str, where: str) -> list[tuple[Path, Path]]:
    """The files of ``directive_id`` to move from ``source_dir`` to ``target_dir``; refused when one is missing or
    a target is taken."""
    path = _directive_file(source_dir, directive_id)
    if path is None:
        raise InputError([Problem(str(source_dir), 0, 0, f"không có văn bản mã '{directive_id}' {where}")])
    moves = [(path, target_dir / path.name)]
    records = source_dir / TRACKING_DIR / f"{directive_id}.yaml"
    if records.is_file():
        moves.append((records, target_dir / TRACKING_DIR / records.name))
    taken = [target for _, target in moves if target.exists() or target.is_symlink()]
    if taken:
        raise InputError(
            [
                Problem(
                    str(target),
                    0,
                    0,
                    f"đã có tệp {target.parent.name}/{target.name}: matrix không ghi đè",
                    "đổi tên hoặc dời tệp đó đi trước (hoặc dùng mã văn bản khác)",
                )
                for target in taken
            ]
        )
    return moves


def _move_all(moves: list[tuple[Path, Path]]) -> None:
    done: list[tuple[Path, Path]] = []
    try:
        for source, target in moves:
            move_file(source, target, "tệp văn bản", make_parents=True)
            done.append((source, target))
    except OutputError:
        for source, target in reversed(done):  # all or nothing: the directive and its records stay together
            move_file(target, source, "tệp văn bản")
        raise


def withdraw(input_dir: Path, directive_id: str) -> str:
    """Move the directive's file (and its records) to ``input/da-rut/``; the message to show."""
    moves = _moves(input_dir, withdrawn_dir(input_dir), directive_id, "trong thư mục đầu vào")
    _move_all(moves)
    return (
        f"Đã rút văn bản '{directive_id}': tệp chuyển sang {WITHDRAWN_DIR}/{moves[0][0].name}"
        + (", sổ theo dõi cùng chuyển theo" if len(moves) > 1 else "")
        + ". Văn bản không còn trong ma trận, thư và bảng theo dõi; có thể khôi phục bất cứ lúc nào."
    )


def restore(input_dir: Path, directive_id: str) -> str:
    """Move a withdrawn directive's file (and its records) back into the input folder; the message to show."""
    moves = _moves(withdrawn_dir(input_dir), input_dir, directive_id, f"trong thư mục {WITHDRAWN_DIR}/")
    _move_all(moves)
    return f"Đã khôi phục văn bản '{directive_id}' vào thư mục đầu vào: hãy tạo lại kết quả để có lại thư và bảng."


def withdrawn(input_dir: Path) -> list[Withdrawn]:
    """The withdrawn directives, by id."""
    folder = withdrawn_dir(input_dir)
    if not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.iterdir()):
        if (
            path.suffix in INPUT_SUFFIXES
            and not path.name.startswith(".")
            and _directive_file(folder, path.stem) == path
        ):
            records = folder / TRACKING_DIR / f"{path.stem}.yaml"
            out.append(Withdrawn(path.stem, path, records if records.is_file() else None))
    return out

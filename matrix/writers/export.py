"""Machine-readable exports (JSON, CSV, a text-only workbook) of the matrix, for other systems: a writer that takes
the pivoted model (``matrix export`` loads and pivots in :mod:`matrix.commands.export`)."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from ..core.model import Directive
from ..core.pivot import Entry, Matrix, Row
from .chunks import printed_fields

CSV_COLUMNS = ("directive", "task", "agency", "role", "text")
# What a spreadsheet reads as the start of a formula (OWASP, "CSV injection"): such cells get a leading quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """``value`` as a CSV cell no spreadsheet will run: ``=HYPERLINK(...)`` becomes ``'=HYPERLINK(...)``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _assignment(entry: Entry) -> dict[str, Any]:
    out: dict[str, Any] = {
        "agency": entry.agency.name,
        "agency_id": entry.agency.id,
        "role": entry.role.value,
        "written": entry.written,
    }
    if entry.via is not None:
        out["via"] = entry.via.name
    return out


def to_data(matrix: Matrix) -> dict[str, Any]:
    """The JSON document: directives with nested tasks and their assignments."""
    rows = {row.key: row for row in matrix.rows}
    return {"directives": [_directive_data(matrix, d, rows) for d in matrix.directives]}


def _directive_data(matrix: Matrix, d: Directive, rows: Mapping[tuple[str, str], Row]) -> dict[str, Any]:
    """One directive of :func:`to_data`; ``rows``: the matrix's rows by key."""

    def task_data(row: Row) -> dict[str, Any]:
        task = row.task
        data: dict[str, Any] = {
            "id": task.id,
            "text": task.text,
            "assignments": [_assignment(e) for e in matrix.entries_in(row)],
            "tasks": [task_data(rows[(row.directive.id, sub.id)]) for sub in task.tasks],
        }
        for key in ("title", "deadline", "report"):
            if getattr(task, key):
                data[key] = getattr(task, key)
        if task.targets:
            data["targets"] = list(task.targets)
        if task.notes:
            data["notes"] = list(task.notes)
        return data

    return {
        "id": d.id,
        "title": d.title,
        "issuer": d.issuer.name,
        "issuer_kind": d.issuer.kind.value,
        "kind": d.kind,
        "number": d.reference or None,
        "date": d.date.isoformat() if d.date else None,
        "province": d.province,
        "tasks": [task_data(rows[(d.id, t.id)]) for t in d.tasks],
    }


def to_json(matrix: Matrix) -> str:
    """:func:`to_data` as ``json.dumps(..., ensure_ascii=False, indent=2)`` writes it, plus a final line break."""
    out: list[str] = []
    _indented(to_data(matrix), "\n", out)
    out.append("\n")
    return "".join(out)


# json.dumps with an indent runs its pure-Python encoder (the C one takes no indent): over 6,000 tasks that is most
# of the export's time. This writes the same text for what to_data holds (dicts with str keys, lists, str, int,
# bool, None) with the C string encoder; tests/test_export.py compares it with json.dumps.
_ENCODE = json.encoder.encode_basestring  # the C encoder where available, ensure_ascii=False's


def _indented(value: Any, newline: str, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(_ENCODE(value))
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = newline + "  "
        separator = "{" + inner
        for key, item in value.items():
            if isinstance(item, str):  # most items: one piece
                out.append(f"{separator}{_ENCODE(key)}: {_ENCODE(item)}")
            else:
                out.append(f"{separator}{_ENCODE(key)}: ")
                _indented(item, inner, out)
            separator = "," + inner
        out.append(newline + "}")
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append("[]")
            return
        inner = newline + "  "
        separator = "[" + inner
        for item in value:
            out.append(separator)
            _indented(item, inner, out)
            separator = "," + inner
        out.append(newline + "]")
    else:  # None, bool, int: json's own spelling (a float or another type never reaches here: to_data makes none)
        out.append(json.dumps(value))


def csv_rows(matrix: Matrix) -> list[tuple[str, ...]]:
    """The header and one row per task x addressee as named (a group stays one row unless expanded)."""
    rows: list[tuple[str, ...]] = [CSV_COLUMNS]
    for entry in matrix.entries:
        rows.append(
            (entry.row.directive.id, entry.row.task.id, entry.agency.name, entry.role.value, entry.row.task.text)
        )
    return rows


def to_csv(matrix: Matrix, sep: str = ",") -> str:
    """:func:`csv_rows` as CSV, every cell a spreadsheet would read as a formula neutralised.

    The text ``csv.writer(lineterminator="\\n", delimiter=sep)`` writes: a cell is quoted by its own content
    alone, so each distinct cell (a task's text repeats on every row of the task) is written once, and the rows
    joined (tests/test_export.py compares it with the csv module's)."""
    cells = _CsvCells(sep).get
    return sep.join(map(cells, CSV_COLUMNS)) + "\n" + _csv_body(matrix.entries, cells, sep)


def _csv_body(entries: Iterable[Entry], cells: Callable[[str], str], sep: str) -> str:
    """The CSV lines of ``entries`` (:func:`to_csv` without its header)."""
    lines = []
    row, head, tail = None, "", ""
    for entry in entries:  # a task's entries follow one another: its cells are joined once
        if entry.row is not row:
            row = entry.row
            head = f"{cells(row.directive.id)}{sep}{cells(row.task.id)}{sep}"
            tail = f"{sep}{cells(row.task.text)}\n"
        lines.append(f"{head}{cells(entry.agency.name)}{sep}{cells(entry.role.value)}{tail}")
    return "".join(lines)


class _CsvCells:
    """Each distinct cell of a CSV text as the csv module writes it in a row of several cells, neutralised.

    A cell holding the separator, a quote or a line break is quoted, its quotes doubled, as csv's minimal quoting
    does; one holding a CR goes through the csv module itself (versions differ on it)."""

    def __init__(self, sep: str) -> None:
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, lineterminator="\n", delimiter=sep)  # what quoting looks for
        self.special = re.compile(f'[{re.escape(sep)}"\n]')
        self.known: dict[str, str] = {"": ""}  # alone on its row, csv writes '""'; among others, nothing

    def get(self, value: str) -> str:
        found = self.known.get(value)
        if found is None:
            cell = neutralise(value)
            if "\r" in cell:
                self.buffer.seek(0)
                self.buffer.truncate()
                self.writer.writerow([cell])
                found = self.buffer.getvalue()[:-1]
            elif self.special.search(cell):
                found = '"' + cell.replace('"', '""') + '"'
            else:
                found = cell
            self.known[value] = found
        return found


# assignments.json around its directives, as :func:`to_json` writes it (each directive indented by four spaces)
_JSON_HEAD, _JSON_BETWEEN, _JSON_TAIL = b'{\n  "directives": [\n    ', b",\n    ", b"\n  ]\n}\n"
_JSON_EMPTY = b'{\n  "directives": []\n}\n'


def write_exports(matrix: Matrix, csv_path: Path, json_path: Path, kept: Path | None = None) -> None:
    """assignments.csv (:func:`to_csv` with a BOM) and assignments.json (:func:`to_json`) of ``matrix``, in UTF-8.

    ``kept``: a folder where each directive's piece of both files is kept for the next writing
    (:class:`~matrix.writers.chunks.ChunkStore`), keyed by what the piece reads (:func:`_piece_inputs`): a build
    after one directive changed makes that directive's pieces and joins the others' as kept. The files are the
    same bytes either way (tests/test_export_chunks.py compares them after each kind of change)."""
    # where text files end their lines with "\r\n" (Windows) the pieces, joined as bytes, would not be the text
    # written whole: the files are then written whole, as text, as before
    groups = _directive_rows(matrix) if kept is not None and os.linesep == "\n" else None
    if groups is None:
        csv_path.write_text(to_csv(matrix), encoding="utf-8-sig")
        json_path.write_text(to_json(matrix), encoding="utf-8")
        return
    from .chunks import ChunkStore, chunk_key, code_version

    store = ChunkStore(kept)
    code = code_version(__file__)
    cells = _CsvCells(",").get
    by_key: dict[tuple[str, str], Row] | None = None
    csv_parts = [("\ufeff" + ",".join(map(cells, CSV_COLUMNS)) + "\n").encode("utf-8")]
    json_parts = []
    for d in matrix.directives:
        rows = groups.get(d.id, [])
        key = chunk_key(code, _piece_inputs(matrix, d, rows))
        found = _split_piece(store.get(key))
        if found is None:
            if by_key is None:
                by_key = {row.key: row for row in matrix.rows}
            body = _csv_body((e for row in rows for e in matrix.entries_in(row)), cells, ",").encode("utf-8")
            out: list[str] = []
            _indented(_directive_data(matrix, d, by_key), "\n    ", out)
            found = body, "".join(out).encode("utf-8")
            store.put(key, b"%d\n" % len(body) + b"".join(found))
        csv_parts.append(found[0])
        json_parts.append(found[1])
    store.finish()
    csv_path.write_bytes(b"".join(csv_parts))
    json_path.write_bytes(_JSON_HEAD + _JSON_BETWEEN.join(json_parts) + _JSON_TAIL if json_parts else _JSON_EMPTY)


def _directive_rows(matrix: Matrix) -> dict[str, list[Row]] | None:
    """The rows of each directive of ``matrix``, when they make its rows and entries directive by directive in
    the order of ``matrix.directives`` (a pivot's do), so that the files are the pieces joined; else None."""
    groups: dict[str, list[Row]] = {}
    last, entries = None, 0
    for row in matrix.rows:
        directive = row.directive.id
        if directive != last:
            if directive in groups:
                return None
            groups[directive] = []
            last = directive
        groups[directive].append(row)
        entries += len(matrix.entries_in(row))
    ids = [d.id for d in matrix.directives]
    if entries != len(matrix.entries) or len(set(ids)) != len(ids) or [i for i in ids if i in groups] != list(groups):
        return None
    return groups


def _piece_inputs(matrix: Matrix, d: Directive, rows: list[Row]) -> tuple[Any, ...]:
    """Everything a directive's pieces of the exports read (:func:`_directive_data`, :func:`_csv_body`): the
    directive's fields printed, its tasks' tree, fields and entries (agency names and ids, roles, names as
    written, groups)."""
    return (
        d.id,
        d.title,
        d.issuer.name,
        d.issuer.kind.value,
        d.kind,
        d.reference,
        d.date,
        d.province,
        [t.id for t in d.tasks],
        [
            (
                row.key,
                *printed_fields(row.task),
                [sub.id for sub in row.task.tasks],
                [
                    (e.agency.name, e.agency.id, e.role.value, e.written, e.via.name if e.via is not None else None)
                    for e in matrix.entries_in(row)
                ],
            )
            for row in rows
        ],
    )


def _split_piece(data: bytes | None) -> tuple[bytes, bytes] | None:
    """A kept piece as (CSV lines, JSON text), or None when there is none or it is not as written."""
    if data is None:
        return None
    end = data.find(b"\n", 0, 20)
    size = data[:end]
    if end < 0 or not size.isdigit() or int(size) > len(data) - end - 1:
        return None
    start = end + 1 + int(size)
    return data[end + 1 : start], data[start:]


def write_export(matrix: Matrix, path: Path, fmt: str, sep: str = ",") -> str:
    """Write the export to ``path`` (one locked, atomic write: :func:`matrix.files.safeio.write_file`); the format is the
    file's suffix, else ``fmt``.

    CSV carries a BOM so that Excel reads Vietnamese correctly; ``.xlsx`` writes
    a workbook whose cells are all text (a formula is never stored). Returns the format written.
    """
    from ..files.safeio import write_file

    suffix = Path(path).suffix.lower()
    fmt = {".xlsx": "xlsx", ".csv": "csv", ".json": "json"}.get(suffix, fmt)
    if fmt == "xlsx":
        data = _xlsx_bytes(matrix)
    elif fmt == "csv":
        data = to_csv(matrix, sep).encode("utf-8-sig")
    else:
        data = to_json(matrix).encode("utf-8")
    write_file(Path(path), data, "tệp xuất")
    return fmt


def _xlsx_bytes(matrix: Matrix) -> bytes:
    from openpyxl import Workbook

    from .xlsx_seam import first_sheet

    book = Workbook()
    sheet = first_sheet(book)
    sheet.title = "Phân công"
    for row in csv_rows(matrix):
        sheet.append(list(row))
    for cells in sheet.iter_rows():
        for cell in cells:
            cell.data_type = "s"  # text, even "=HYPERLINK(...)": a cell never holds a formula
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

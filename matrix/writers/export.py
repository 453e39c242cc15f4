"""Machine-readable exports (JSON, CSV, a text-only workbook) of the matrix, for other systems: a writer that takes
the pivoted model (``matrix export`` loads and pivots in :mod:`matrix.commands.export`)."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

from ..core.pivot import Entry, Matrix, Row

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

    directives = []
    for d in matrix.directives:
        directives.append(
            {
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
        )
    return {"directives": directives}


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
    lines = [sep.join(map(cells, CSV_COLUMNS)) + "\n"]
    row, head, tail = None, "", ""
    for entry in matrix.entries:  # a task's entries follow one another: its cells are joined once
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

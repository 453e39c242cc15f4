"""Machine-readable exports (JSON, CSV, a text-only workbook) of the matrix, for other systems: a writer that takes
the pivoted model (``matrix export`` loads and pivots in :mod:`matrix.commands.export`)."""

from __future__ import annotations

import csv
import io
import json
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
    return json.dumps(to_data(matrix), ensure_ascii=False, indent=2) + "\n"


def csv_rows(matrix: Matrix) -> list[tuple[str, ...]]:
    """The header and one row per task x addressee as named (a group stays one row unless expanded)."""
    rows: list[tuple[str, ...]] = [CSV_COLUMNS]
    for entry in matrix.entries:
        rows.append(
            (entry.row.directive.id, entry.row.task.id, entry.agency.name, entry.role.value, entry.row.task.text)
        )
    return rows


def to_csv(matrix: Matrix, sep: str = ",") -> str:
    """:func:`csv_rows` as CSV, every cell a spreadsheet would read as a formula neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", delimiter=sep)
    for row in csv_rows(matrix):
        writer.writerow([neutralise(cell) for cell in row])
    return buffer.getvalue()


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

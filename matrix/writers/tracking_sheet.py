"""The "Theo dõi" sheet: a form in the workbook that a clerk or an agency fills, and `matrix import` reads back.

One row per tracked assignment (chủ trì, thực hiện). The clerk fills the
white columns (date, number, state, note); the grey ones say what the row is.
Two hidden columns hold the row's identity (directive, task, agency) and a
fingerprint of the task text, so a row whose task changed since the workbook
was made is reported, never applied to the wrong task. Tasks have no identity
beyond their number and text: a row of a sheet printed before the tasks were
renumbered (or moved) is matched by its task's text (the fingerprint; the
printed text only when the hidden check is lost) among the tasks the row's
agency follows, with a note saying so; a text that fits several such tasks, or
none, is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..core.model import Corpus, Directive
from ..core.pivot import Entry, Matrix, location
from ..core.stamp import SHEET_DATE_FORMATS, read_day
from ..core.text import XML_ILLEGAL, shorten
from ..tracking.records import TRACKED_ROLES, Record, schedules, tracked_entries
from .xlsx_seam import SheetCells, cell_xml, set_text, style_index, style_record, styled_cell

SHEET_TRACKING = "Theo dõi"
STATE_DONE = "Đã hoàn thành"
STATE_WORKING = "Đang thực hiện"
HEADERS = (
    "Văn bản",
    "Mục",
    "Nội dung nhiệm vụ",
    "Cơ quan",
    "Vai trò",
    "Thời hạn",
    "Ngày báo cáo",
    "Số báo cáo",
    "Tình trạng",
    "Ghi chú",
    "mã",
    "kiểm",
)
WIDTHS = (16, 7, 60, 24, 10, 12, 13, 16, 16, 24, 4, 4)
FIRST_INPUT, KEY_COL, CHECK_COL = 7, 11, 12
_GREY = PatternFill("solid", fgColor="EEEEEE")
_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTRED = Alignment(horizontal="center", vertical="center", wrap_text=True)
_ILLEGAL = re.compile(f"[{XML_ILLEGAL}]")
_HEADER = 0  # the style key of the header row; a data cell's is its column


class _Putter:
    """Writes a value into a cell, text always as text, and the cell's style (one record per column, copied).

    With ``cells`` (a streamed workbook's :class:`SheetCells` for the sheet) no openpyxl cell is made: each cell is
    serialised as openpyxl would write it, its style numbered in the workbook's table when first used."""

    def __init__(self, ws: Worksheet, font: str, size: float, cells: SheetCells | None = None) -> None:
        self.ws, self.font, self.size, self.cells = ws, font, size, cells
        self.styles: dict[int, StyleArray] = {}
        self.indexes: dict[int, int] = {}  # streamed: the style's index in the workbook's cell styles

    def __call__(self, row: int, column: int, value: str | None, key: int) -> None:
        if self.cells is not None:
            index = self.indexes.get(key)
            if index is None:
                index = self.index(key, column)
            self.cells.put(row, column, cell_xml(row, column, index, value or None))
            return
        style = self.styles.get(key)
        if style is not None:
            cell = styled_cell(self.ws, row, column, style)
            if value:
                set_text(cell, value)  # a task or name starting with "=" stays text, never a formula
            return
        cell = self.ws.cell(row=row, column=column)
        if value:
            set_text(cell, value)
        self.styles[key] = self._style(cell, key, column)

    def row(self, row: int, values: Sequence[str | None]) -> None:
        """``self(row, column, value, column)`` for each of ``values`` (columns from 1): a streamed row's cells
        serialised in one go."""
        if self.cells is None:
            for column, value in enumerate(values, 1):
                self(row, column, value, column)
            return
        indexes, found = self.indexes, {}
        for column, value in enumerate(values, 1):
            index = indexes.get(column)
            if index is None:
                index = self.index(column, column)
            found[column] = cell_xml(row, column, index, value or None)
        self.cells.put_row(row, found)

    def index(self, key: int, column: int) -> int:
        """The index of the style of ``key`` (for cells of ``column``) in the workbook's cell styles (added when new)."""
        style = self.styles.get(key)
        if style is None:
            style = self.styles[key] = self._style(Cell(self.ws, row=1, column=column), key, column)  # in no sheet
        index = self.indexes[key] = style_index(self.ws, style)
        return index

    def _style(self, cell: Cell | MergedCell, key: int, column: int) -> StyleArray:
        """Style ``cell`` as the cells of ``key`` in ``column`` are, and return its style record."""
        font, alignment, fill, number_format = _parts(self.font, self.size, key == _HEADER, column)
        cell.font = font
        cell.border = _BORDER
        cell.alignment = alignment
        if fill is not None:
            cell.fill = fill
        if number_format is not None:
            cell.number_format = number_format
        return style_record(cell)

    def height(self, row: int, height: float) -> None:
        """Set the height of ``row`` (points)."""
        if self.cells is not None:
            self.cells.height(row, height)
        else:
            self.ws.row_dimensions[row].height = height


@lru_cache(maxsize=64)
def _parts(font: str, size: float, header: bool, column: int) -> tuple[Font, Alignment, PatternFill | None, str | None]:
    """The font, alignment, fill and number format of the header's cells or of a column's (made once for the process:
    a cell keeps only their indexes in its workbook's tables)."""
    if header:
        return Font(name=font, size=size, bold=True), _CENTRED, _GREY, None
    number_format = None
    if column in (FIRST_INPUT, FIRST_INPUT + 1, FIRST_INPUT + 3):
        number_format = "@" if column != FIRST_INPUT else "DD/MM/YYYY"
    alignment = Alignment(vertical="top", wrap_text=column < KEY_COL)
    return Font(name=font, size=size, bold=False), alignment, _GREY if column < FIRST_INPUT else None, number_format


def _cell_text(text: str) -> str:
    """``text`` without XML-illegal characters, within a cell's 32,767 characters (the workbook writer passes its own)."""
    return _ILLEGAL.sub("", text)[:32_767]


@lru_cache(maxsize=8192)  # a task is on a row per agency following it, in its workbook and the consolidated one
def fingerprint(text: str) -> str:
    """A short hash of a task's text: tells a changed task from an unchanged one."""
    return hashlib.sha1(" ".join(text.split()).encode()).hexdigest()[:10]


def write_tracking_sheet(
    ws: Worksheet,
    matrix: Matrix,
    font: str = "Times New Roman",
    size: float = 12,
    text: Callable[[str], str] | None = None,
    labels: Mapping[str, str] | None = None,
    rows_done: Callable[[int], None] | None = None,
    block: Callable[[int, object, Callable[[int], int]], int] | None = None,
    cells: SheetCells | None = None,
    identity: Callable[[Directive], object] | None = None,
) -> None:
    """Fill ``ws`` with one form row per tracked assignment of ``matrix``.

    The workbook writer passes its font, size, ``text`` (how a value becomes safe cell text; by default
    XML-illegal characters are dropped and the text cut to a cell's length) and
    ``labels`` (how a directive is named in print, "05/CT-UBND"); print settings are the caller's too.
    Directives and tasks are printed as the documents print them; their ids stay in the hidden key.
    ``rows_done(n)`` is told after each row that the rows before row ``n`` are final (a streamed painter's
    ``done``: the workbook writer writes them out). ``block(start, inputs, write)``: each directive's rows are
    written by ``write(start)`` (returning the next row), a pure function of ``inputs``, through it (a streamed
    painter's ``block``: the workbook writer may copy them from its last writing). ``cells``: the sheet's
    :class:`SheetCells` in a streamed workbook (the cells are serialised there as they are written, no openpyxl cell
    is made; the workbook is then saved by :func:`matrix.writers.xlsx_seam.save_workbook` with them).
    ``identity(directive)``: what identifies the directive and its assignments in ``matrix`` (the tracked entries
    derive from them), given to ``block`` with the directive's label in place of its rows' values, which are then
    worked out only when ``write`` is called (by default the values themselves are ``block``'s inputs).
    """
    text = text or _cell_text
    ws.title = SHEET_TRACKING
    put = _Putter(ws, font, size, cells)
    for column, header in enumerate(HEADERS, 1):
        put(1, column, header, _HEADER)
    for index, width in enumerate(WIDTHS, 1):
        ws.column_dimensions[get_column_letter(index)].width = width
    choice = DataValidation(type="list", formula1=f'"{STATE_WORKING},{STATE_DONE}"', allow_blank=True)
    choice.error = f"Chọn '{STATE_WORKING}' hoặc '{STATE_DONE}'"
    choice.errorTitle = "Tình trạng"
    ws.add_data_validation(choice)
    if block is not None and identity is not None:
        _finish(ws, choice, _write_known(ws, matrix, put, font, size, rows_done, text, labels, block, identity))
        return
    entries = tracked_entries(matrix)
    if cells is not None and entries:
        # the rows' styles, numbered in the order their first row would number them, before any block of rows:
        # a block copied from the last writing adds none
        for column in range(1, len(HEADERS) + 1):
            put.index(column, column)
    row_number = 2  # the next row
    for _, group in itertools.groupby(entries, key=lambda e: e.row.directive.id):
        # a directive's rows: a block the workbook writer may have kept from its last writing
        found = tuple(group)
        write = partial(_write_entries, ws, put, size, rows_done, found, text, labels)
        if block is None:
            row_number = write(row_number)
        else:
            rows = tuple(_values(entry, text, labels) for entry in found)
            row_number = block(row_number, (font, size, rows), partial(_write_rows, ws, put, size, rows_done, rows))
    _finish(ws, choice, row_number)


def _write_known(
    ws: Worksheet,
    matrix: Matrix,
    put: _Putter,
    font: str,
    size: float,
    rows_done: Callable[[int], None] | None,
    text: Callable[[str], str],
    labels: Mapping[str, str] | None,
    block: Callable[[int, object, Callable[[int], int]], int],
    identity: Callable[[Directive], object],
) -> int:
    """The form rows, a block per directive known by its ``identity``: a directive's tracked entries are worked
    out only for a block written again (those of the matrix cut to the directive: the same, in the same order, as
    it only tracks a directive's own assignments); returns the row after them."""
    tracked = {e.row.directive.id for e in matrix.entries if e.role in TRACKED_ROLES}  # the directives with rows
    directives = [d for d in matrix.directives if d.id in tracked]
    if put.cells is not None and directives:  # the rows' styles numbered first, as above
        for column in range(1, len(HEADERS) + 1):
            put.index(column, column)
    row_number = 2
    for directive in directives:
        inputs = (font, size, (labels or {}).get(directive.id), identity(directive))
        row_number = block(
            row_number, inputs, partial(_write_directive, ws, matrix, put, size, rows_done, directive, text, labels)
        )
    return row_number


def _write_directive(
    ws: Worksheet,
    matrix: Matrix,
    put: _Putter,
    size: float,
    rows_done: Callable[[int], None] | None,
    directive: Directive,
    text: Callable[[str], str],
    labels: Mapping[str, str] | None,
    row_number: int,
) -> int:
    """The form rows of ``directive``'s tracked assignments from ``row_number``; returns the next row."""
    found = tuple(tracked_entries(matrix.subset([directive.id])))
    return _write_entries(ws, put, size, rows_done, found, text, labels, row_number)


def _finish(ws: Worksheet, choice: DataValidation, row_number: int) -> None:
    """The sheet's settings once its rows, up to ``row_number`` (excluded), are written."""
    row_number -= 1  # the last row
    if row_number > 1:
        state_column = get_column_letter(FIRST_INPUT + 2)
        choice.add(f"{state_column}2:{state_column}{row_number}")
    ws.column_dimensions[get_column_letter(KEY_COL)].hidden = True
    ws.column_dimensions[get_column_letter(CHECK_COL)].hidden = True
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = f"A1:J{max(row_number, 2)}"


def _values(entry: Entry, text: Callable[[str], str], labels: Mapping[str, str] | None) -> tuple[str | None, ...]:
    """The cells of an assignment's form row."""
    row = entry.row
    deadline, _ = schedules(row)
    due = deadline.fixed[-1].strftime("%d/%m/%Y") if deadline.fixed else (row.task.deadline or "")
    label = (labels or {}).get(row.directive.id) or row.directive.reference or row.directive.kind.capitalize()
    key = f"{row.directive.id}|{row.task.id}|{entry.agency.id}"
    return (
        text(label),
        text(location(row)),
        text(_printed(row.task.text)),
        text(entry.agency.name),
        entry.role.value,
        text(due),
        None,
        None,
        None,
        None,
        key,
        fingerprint(row.task.text),
    )


@lru_cache(maxsize=8192)
def _printed(text: str) -> str:
    """A task's text as its form rows print it (the first 300 characters, on a word boundary)."""
    return shorten(text, 300)


def _write_entries(
    ws: Worksheet,
    put: _Putter,
    size: float,
    rows_done: Callable[[int], None] | None,
    entries: tuple[Entry, ...],
    text: Callable[[str], str],
    labels: Mapping[str, str] | None,
    row_number: int,
) -> int:
    """Write the form rows of ``entries`` from ``row_number``; returns the next row."""
    rows = tuple(_values(entry, text, labels) for entry in entries)
    return _write_rows(ws, put, size, rows_done, rows, row_number)


def _write_rows(
    ws: Worksheet,
    put: _Putter,
    size: float,
    rows_done: Callable[[int], None] | None,
    rows: tuple[tuple[str | None, ...], ...],
    row_number: int,
) -> int:
    """Write the form ``rows`` from ``row_number``; returns the next row."""
    for values in rows:
        put.row(row_number, values)
        put.height(row_number, _height(values, size))
        row_number += 1
        if rows_done is not None:
            rows_done(row_number)
    return row_number


def _height(values: tuple[str | None, ...], size: float) -> float:
    """A row tall enough for its wrapped text (Excel and LibreOffice do not grow rows written by openpyxl)."""
    # About 1.1 characters of Times New Roman 12 pt fit in one unit of column width.
    per_unit = 1.1 * 12 / size
    lines = max(
        math.ceil(len(str(v)) / (w * per_unit)) if v else 1 for v, w in zip(values[: KEY_COL - 1], WIDTHS, strict=False)
    )
    return round(max(lines, 1) * size * 1.3 + 2, 1)


@dataclass(frozen=True)
class SheetRow:
    """One filled row of a Theo dõi sheet: the record it makes, or the problem that stops it."""

    line: int
    record: Record | None
    problem: str | None = None
    note: str | None = None  # how the row was matched when its task's number changed since the sheet was printed


MAX_SHEET_ROWS = 100_000  # rows of a "Theo dõi" sheet: a province's year is about 20,000 assignments


#: the most bytes a returned workbook may unpack to (100,000 rows of a Theo dõi sheet take some 60 MB)
MAX_UNPACKED = 400 * 1024 * 1024


class TooManyRows(Exception):
    """The sheet has more rows than :data:`MAX_SHEET_ROWS` (nothing is imported)."""


def read_tracking_sheet(path: Path, corpus: Corpus) -> list[SheetRow]:
    """Every filled row of the Theo dõi sheet(s) of a workbook, checked against the corpus.

    The workbook is streamed (openpyxl's read-only mode: one row in memory at a time); a sheet of more than
    :data:`MAX_SHEET_ROWS` rows raises :class:`TooManyRows`.
    """
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        if SHEET_TRACKING not in wb.sheetnames:
            return [
                SheetRow(0, None, f"tệp không có trang '{SHEET_TRACKING}' (hãy dùng bảng Excel do 'matrix build' tạo)")
            ]
        return _read_rows(wb[SHEET_TRACKING], corpus)
    finally:
        wb.close()


def _read_rows(ws: Any, corpus: Corpus) -> list[SheetRow]:
    if (ws.max_row or 0) > MAX_SHEET_ROWS + 1:  # the size the sheet declares: refused before reading it
        raise TooManyRows
    tasks = {(d.id, t.id): t for d in corpus.directives for t, _ in d.walk()}
    prints: dict[tuple[str, str], str] = {}
    moved = _Moved(corpus)
    out: list[SheetRow] = []
    for number, cells in enumerate(ws.iter_rows(min_row=2, max_col=len(HEADERS), values_only=True), 2):
        if number > MAX_SHEET_ROWS + 1:  # the declared size can lie
            raise TooManyRows
        values = list(cells) + [None] * (len(HEADERS) - len(cells))
        date, doc, state, remark = values[FIRST_INPUT - 1 : FIRST_INPUT + 3]
        if date is None and doc is None and state is None and remark is None:
            continue
        key, check = values[KEY_COL - 1], values[CHECK_COL - 1]
        parts = str(key or "").split("|")
        unknown = "dòng không ứng với nhiệm vụ nào của các văn bản hiện có (có thể đã bị xóa hoặc sửa mã)"
        if len(parts) != 3 or parts[0] not in moved.directives or parts[2] not in corpus.registry:
            out.append(SheetRow(number, None, unknown))
            continue
        directive_id, task_id, agency_id = parts
        if (directive_id, task_id) in tasks and (directive_id, task_id) not in prints:
            prints[(directive_id, task_id)] = fingerprint(tasks[(directive_id, task_id)].text)
        note = None
        if prints.get((directive_id, task_id)) != check:  # renumbered, moved or rewritten since the sheet was printed
            printed = (str(values[1] or "").strip(), str(values[2] or ""))
            found, note = moved.match(directive_id, agency_id, str(check or ""), *printed)
            if found is None:
                exists = (directive_id, task_id) in tasks
                out.append(
                    SheetRow(
                        number,
                        None,
                        note
                        or (
                            f"nội dung mục {task_id} của '{directive_id}' đã thay đổi từ khi lập bảng; "
                            "hãy ghi lại trên bảng mới"
                            if exists
                            else unknown
                        ),
                    )
                )
                continue
            note = note if found != task_id else None  # the same task, its check lost: nothing to say
            task_id = found
        day = _as_date(date)
        if day is None:
            out.append(SheetRow(number, None, f"ngày báo cáo '{date}' không đọc được (ghi dạng dd/mm/yyyy)"))
            continue
        if state not in (None, STATE_DONE, STATE_WORKING):
            out.append(
                SheetRow(
                    number, None, f"tình trạng '{state}' không hợp lệ (chọn '{STATE_WORKING}' hoặc '{STATE_DONE}')"
                )
            )
            continue
        agency = corpus.registry.get(agency_id)
        out.append(
            SheetRow(
                number,
                Record(
                    directive_id,
                    agency_id,
                    agency.name,
                    day,
                    task_id,
                    str(doc).strip() if doc not in (None, "") else None,
                    state == STATE_DONE,
                    str(remark).strip() if remark not in (None, "") else None,
                ),
                note=note,
            )
        )
    return out


class _Moved:
    """Finds the task a row of a sheet printed before a renumbering is about: by its text, among the tasks its
    agency is given to follow (the matrix is pivoted only when a row needs it)."""

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        self.directives = {d.id for d in corpus.directives}
        self._by_text: dict[tuple[str, str, str], list[Any]] | None = None

    def _rows(self) -> dict[tuple[str, str, str], list[Any]]:
        """(directive, agency, fingerprint) and (directive, agency, printed text) -> the tracked rows."""
        if self._by_text is None:
            from ..core.pivot import build_matrix

            self._by_text = {}
            seen: set[tuple[str, str, str]] = set()
            for entry in tracked_entries(build_matrix(self.corpus)):
                row = entry.row
                if (row.directive.id, row.task.id, entry.agency.id) in seen:
                    continue
                seen.add((row.directive.id, row.task.id, entry.agency.id))
                for text in (fingerprint(row.task.text), "=" + _words(shorten(row.task.text, 300))):
                    self._by_text.setdefault((row.directive.id, entry.agency.id, text), []).append(row)
        return self._by_text

    def match(
        self, directive_id: str, agency_id: str, check: str, label: str, text: str
    ) -> tuple[str | None, str | None]:
        """The id of the one task with the row's text given to its agency, and a note saying so; else None and
        why (several tasks fit), or None and None (no task fits)."""
        rows = self._rows()
        if check:  # the whole text's fingerprint; the printed text (cut at 300 characters) only when it is lost
            found = rows.get((directive_id, agency_id, check), [])
        else:
            found = rows.get((directive_id, agency_id, "=" + _words(text)), []) if text.strip() else []
        printed = f"'{label}'" if label else "của dòng"
        if len(found) > 1:
            places = ", ".join(location(r) for r in found)
            return None, (
                f"nhiệm vụ {printed} nay không còn ở chỗ cũ, và nội dung của nó khớp {len(found)} nhiệm vụ của cùng cơ "
                f"quan ({places}): không biết ghi vào nhiệm vụ nào; hãy ghi lại trên bảng mới"
            )
        if not found:
            return None, None
        row = found[0]
        return row.task.id, (
            f"nhiệm vụ {printed} trên bảng in nay là {location(row)} (cùng nội dung, số thứ tự đã đổi): "
            f"báo cáo ghi vào {location(row)}"
        )


def _words(text: str) -> str:
    return " ".join(text.split())


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return read_day(value, SHEET_DATE_FORMATS)
    return None

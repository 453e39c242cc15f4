"""Write the agency x task matrix as an Excel workbook that prints well.

Four sheets, each ready to print landscape and one page wide:

* "Ma trận": tasks down, addressees across (narrow columns, names turned 90°),
  one mark per cell (C chủ trì, P phối hợp, T thực hiện) on a coloured fill,
  totals per agency at the bottom and per task at the right, a legend under
  the totals and at the foot of every printed page. A matrix of few tasks and
  very many agencies prints turned, agencies down and tasks across, when that
  gives more whole rows a page than splitting it across pages.
* "Nhiệm vụ": the list form of Vietnamese appendices, one row per task.
* "Theo cơ quan": one block per addressee, each starting on a new page.
* "Văn bản": the directives the workbook covers.

openpyxl does not size rows, so every row height is estimated here from the
text, the column width and the font. Text is always written as text, never
as a formula ("- Chủ trì ...", "=..."), and text longer than an Excel cell
holds is cut with a visible note.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import enum
import hashlib
import io
import itertools
import json
import math
import pickle
import re
from collections.abc import Callable, Iterable, Sequence
from copy import copy
from dataclasses import dataclass, field, fields, is_dataclass, replace
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, NamedTuple

import openpyxl
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from ..core.errors import OutputError
from ..core.model import ROLES, Agency, Block, Directive, Role, format_date
from ..core.pivot import Entry, Matrix, Row, location
from ..core.stamp import build_date
from ..core.text import XML_ILLEGAL, inline_name, roman, shorten
from ..files.safeio import write_file
from .tracking_sheet import write_tracking_sheet
from .xlsx_seam import (
    EMPTY,
    SPILL_ROWS,
    CellValue,
    Deflated,
    SheetCells,
    Written,
    add_merged_range,
    cell_xml,
    first_sheet,
    new_style_record,
    odd_header_footer,
    openpyxl_cell_xml,
    save_workbook,
    set_default_font,
    set_text,
    style_index,
    style_state,
    styled_cell,
)

# Public, including the seam other workbooks (status_excel) build on: context, columns, records, looks.
__all__ = [
    "MAX_CELL_CHARS",
    "PAPER_SIZES",
    "TRUNCATION_NOTE",
    "BlockCache",
    "Column",
    "Painter",
    "WorkbookContext",
    "capitalised",
    "cite",
    "directive_labels",
    "lines_height",
    "put_records",
    "solid_fill",
    "start_table",
    "use_default_font",
    "write_workbook",
]

FONT_NAME = "Times New Roman"
BODY_SIZE = 11
HEADING_SIZE = 14
PAPER_SIZES = {"A4": 9, "A3": 8}
PAGE_WIDTHS = {"A4": 842.0, "A3": 1191.0}  # landscape, points
SIDE_MARGIN = 0.5  # inches

MAX_CELL_CHARS = 32_767
HEADER_CHARS = 200  # of the title in the page header (Excel allows 255 with the font codes)
TRUNCATION_NOTE = (
    " … [Đã cắt bớt: nội dung dài hơn 32.767 ký tự, giới hạn của một ô Excel; xem toàn văn trong văn bản gốc.]"
)

SHEET_MATRIX = "Ma trận"
SHEET_TASKS = "Nhiệm vụ"
SHEET_AGENCIES = "Theo cơ quan"
SHEET_DIRECTIVES = "Văn bản"

LEGEND = {
    Role.LEAD: "Chủ trì: cơ quan chủ trì thực hiện nhiệm vụ",
    Role.PARTNER: "Phối hợp: cơ quan phối hợp với cơ quan chủ trì",
    Role.DOER: "Thực hiện: cơ quan cùng thực hiện nhiệm vụ chung",
}
ROLE_FILLS = {Role.LEAD: "F8CBAD", Role.PARTNER: "BDD7EE", Role.DOER: "C6E0B4"}
# A sub-task inherits the assignments of the task above it: the same mark in brackets, lighter.
INHERITED_FILLS = {Role.LEAD: "FCE4D6", Role.PARTNER: "DDEBF7", Role.DOER: "E2EFDA"}
INHERITED_LEGEND = "Theo mục trên (ngoặc, chữ nghiêng): áp dụng cho mục con, không tính vào tổng"
# Below this print scale (fit to one page wide) an A4 matrix is hard to read: it goes to A3.
MIN_SCALE = 0.55
CLOSING_LABEL = "(đoạn cuối)"
HEADER_FILL = "D9D9D9"
BAND_FILL = "EDEDED"
TOTAL_HEADER = "Tổng số cơ quan"

# Row-height estimate. A width unit is one "0" of the default font (7 px);
# Times New Roman fits about 1.2 average lower-case Vietnamese characters in
# it at 11 pt (capitals count 1.45). Lines are a little taller than Latin
# text needs because of stacked diacritics (ế, ỗ).
CHARS_PER_UNIT = 1.2
UPPER_WEIGHT = 1.45
EM_PER_CHAR = 0.5  # average advance of a character, bold, in ems (turned headers)
CELL_PADDING_UNITS = 1.0
BOLD_FACTOR = 0.9  # bold text fits 10 % fewer characters
INDENT_UNITS = 1.6
LINE_FACTOR = 1.2
ROW_PADDING = 4.0
MAX_ROW_HEIGHT = 409.0
SPARSE_CELLS = 60_000  # matrix cells above which empty cells are left unwritten
# Per row: a row cannot be split over pages, so a long text continues on the rows below; 10 lines (about
# 136 pt) keep three rows or more on a printed A4 page.
MAX_TEXT_LINES = 10
MIN_ROW_HEIGHT = 16.0

TITLE_CHARS = 90  # a task's title in the matrix, shortened from its text: two lines of a narrow column
ONE_LINE_TITLE = 40  # or one line of a column that holds this many characters (more rows a printed page)
MAX_TITLE_WIDTH = 90.0  # the task column of the matrix, grown when the paper has room
MAX_TEXT_WIDTH = 110.0  # the text column of the lists, likewise
AGENCY_WIDTH = 3.6  # one turned line of 11 pt
WIDE_AGENCY_WIDTH = 5.4  # two turned lines
TOTAL_WIDTH = 5.4
MAX_HEADER_HEIGHT = 220.0

_THIN = Side(style="thin", color="000000")
_SENTENCE_ENDS = (".", ";", ":", "!", "?")
_ILLEGAL = re.compile(f"[{XML_ILLEGAL}]")


# --------------------------------------------------------------------------
# Styles


@dataclass(frozen=True, eq=False)
class Look:
    """A complete cell style; every cell the writer styles gets exactly one."""

    font: Font
    alignment: Alignment
    fill: PatternFill = field(default_factory=PatternFill)
    border: Border = field(default_factory=Border)


# The parts of the looks are made once for the process (and only read): the same object for the same look, so a
# workbook files each in its style tables once (xlsx_seam.new_style_record knows a part it has filed by its identity)
@lru_cache(maxsize=64)
def _font(size: float = BODY_SIZE, bold: bool = False, italic: bool = False) -> Font:
    return Font(name=FONT_NAME, size=size, bold=bold, italic=italic)


@lru_cache(maxsize=64)
def solid_fill(rgb: str) -> PatternFill:
    return PatternFill(fill_type="solid", start_color=rgb, end_color=rgb)


@lru_cache(maxsize=64)
def _align(horizontal: str = "left", vertical: str = "top", rotation: int = 0) -> Alignment:
    return Alignment(horizontal=horizontal, vertical=vertical, wrap_text=True, text_rotation=rotation)


def _looks() -> dict[str, Look]:
    """Every look the workbook uses, by name (a painter's own copy of :func:`_shared_looks`)."""
    return dict(_shared_looks())


@lru_cache(maxsize=1)
def _shared_looks() -> dict[str, Look]:
    """Every look the workbook uses, by name: made once for the process (a style's parts are only read: a cell
    keeps their indexes in its workbook's tables), not for each of a build's 301 workbooks."""
    grid = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
    header = Look(_font(bold=True), _align("center", "center"), solid_fill(HEADER_FILL), grid)
    looks = {
        "heading": Look(_font(HEADING_SIZE, bold=True), _align("center", "center")),
        "header": header,
        "header_vertical": replace(header, alignment=_align("center", "bottom", rotation=90)),
        "band": Look(_font(12, bold=True), _align("left", "center"), solid_fill(BAND_FILL), grid),
        "text": Look(_font(), _align(), border=grid),
        "id": Look(_font(), _align("center"), border=grid),
        "cell": Look(_font(), _align("center", "center"), border=grid),
        "total_label": Look(_font(bold=True), _align("right", "center"), solid_fill(BAND_FILL), grid),
        "total": Look(_font(bold=True), _align("center", "center"), solid_fill(BAND_FILL), grid),
        "legend": Look(_font(italic=True), _align("left", "center")),
    }
    for role in ROLES:
        looks[role.mark] = Look(_font(bold=True), _align("center", "center"), solid_fill(ROLE_FILLS[role]), grid)
        looks[inherited_mark(role)] = Look(
            _font(italic=True), _align("center", "center"), solid_fill(INHERITED_FILLS[role]), grid
        )
    return looks


def inherited_mark(role: Role) -> str:
    """The mark of an assignment a sub-task inherits from the task above: "(C)"."""
    return f"({role.mark})"


class Painter:
    """Writes values and looks into cells, fast.

    Each look is resolved to openpyxl's style record once per workbook and
    then copied onto cells: assigning font, fill, border and alignment one by
    one costs a lookup each, which dominates on large matrices.

    A ``streamed`` painter makes no openpyxl cell at all: each cell is serialised as it is
    written (its look's index in the workbook's style table, its value as text) into the
    sheet's :class:`SheetCells` in ``sheets``, and the workbook must then be saved with
    :func:`matrix.writers.xlsx_seam.save_workbook` and those sheets (``write_workbook`` does).
    A large workbook so needs a fraction of the memory and of the time.
    """

    def __init__(self, streamed: bool = False) -> None:
        self.looks = _looks()
        self._styles: dict[tuple[str, int], StyleArray] = {}
        self._indexes: dict[tuple[str, int], int] = {}  # streamed: the look's index in the workbook's styles
        self.sheets: dict[Worksheet, SheetCells] | None = {} if streamed else None
        self.blocks: BlockCache | None = None  # streamed: rows of the last writing, reused by :meth:`block`
        self._merges: list[str] | None = None  # while a block is written: the ranges it merges
        self._dated = False  # while a block is written: whether it holds a date (not kept: its number format)

    @property
    def keeps(self) -> bool:
        """Whether :meth:`block` keeps blocks (a streamed painter with a :class:`BlockCache`): when not, a block's
        ``inputs`` are not read, and need not be worked out."""
        return self.blocks is not None and self.sheets is not None

    def block(self, ws: Worksheet, start: int, inputs: object, write: Callable[[int], int]) -> int:
        """Rows from ``start`` written by ``write(start)``, which returns the row after them; returns it too.

        ``write`` must be a pure function of ``inputs`` (what the rows show, as plain values: strings, numbers,
        tuples, dataclasses, told apart by their pickle) and of ``start``. With a :class:`BlockCache`, rows whose
        inputs, first row, sheet, style tables and matrix's code are those of a block of the last build are copied
        from it as they went into the workbook (serialised and compressed), with the merged ranges and styles the
        block adds; new blocks are kept for the next build.
        """
        cache, sheets = self.blocks, self.sheets
        if cache is None or sheets is None or self._merges is not None:
            return write(start)
        cells = self._cells(ws)
        cells.write_out(ws, start, 0)
        if cells.done != start or _row_numbers_from(ws, cells, start):
            return write(start)  # rows of the block already begun: written as they come
        book: Any = ws.parent
        state = style_state(book)
        digest = hashlib.sha256(repr((_code_version(), ws.title, start, state, tuple(self._indexes.items()))).encode())
        digest.update(_pickled(inputs))
        key = digest.hexdigest()
        found = cache.get(key)
        if found is not None:
            for style in found.styles:
                self._index(ws, style)
            cells.put_written(found.written)
            # the block's ranges lie in its own rows, where no range was before (they were all written out and none
            # reached them): added to the sheet's set as they are, without openpyxl's check against every range
            ranges = ws.merged_cells.ranges
            for ref in found.merges:
                ranges.add(MergedCellRange(ws, ref))
            return found.written.stop
        known, self._merges, self._dated = len(self._indexes), [], False
        try:
            stop = write(start)
            # openpyxl's own cells (the Theo dõi form's) add their styles to the workbook's tables when written
            # out, which a copied block would not do: such a block is kept only when it adds none (the empty cell
            # openpyxl makes at the corner of a merged range adds nothing)
            foreign = any(cell.has_style or cell.value is not None for cell in ws._cells.values())
            written = cells.write_out(ws, stop, 0) or Written(EMPTY, start, ())
            merges = tuple(self._merges)
        finally:
            self._merges = None
        if foreign and style_state(book) != state:
            return stop
        if not self._dated and written.stop == stop:
            cache.put(key, CachedBlock(written, merges, tuple(list(self._indexes)[known:])))
        return stop

    def _style(self, ws: Worksheet, look: str, indent: int) -> StyleArray:
        """The style record of ``look`` indented ``indent`` levels, its parts added to the workbook's tables."""
        base = self.looks[look]
        alignment = base.alignment if not indent else _indented(base.alignment, indent)
        record = self._styles[look, indent] = new_style_record(ws, base.font, base.fill, base.border, alignment)
        return record

    def put(
        self, ws: Worksheet, row: int, col: int, value: CellValue, look: str, indent: int = 0, formula: bool = False
    ) -> None:
        """Write ``value`` (text always as text, unless ``formula``) in ``look``, indented ``indent`` levels."""
        key = (look, indent)
        sheets = self.sheets
        if sheets is not None:
            if type(value) is str and value and not formula:  # most cells: text, serialised at once
                index = self._indexes.get(key)
                if index is None:
                    index = self._index(ws, key)
                cells = sheets.get(ws) or self._cells(ws)
                cells.put(row, col, cell_xml(row, col, index, cell_text(value)))
                return
            if value is None:  # an empty cell of the grid, styled
                index = self._indexes.get(key)
                if index is None:
                    index = self._index(ws, key)
                cells = sheets.get(ws) or self._cells(ws)
                cells.put(row, col, cell_xml(row, col, index, None))
                return
            self._serialise(ws, row, col, value, key, formula)
            return
        style = self._styles.get(key) or self._style(ws, look, indent)
        cell = styled_cell(ws, row, col, style)  # the record openpyxl itself copies between cells
        if formula:
            cell.value = value  # "=..." : openpyxl stores it as a formula
        elif isinstance(value, str):
            if value:
                set_text(cell, cell_text(value))  # "=...", "-...", "+...", "@..." stay text
        elif value is not None:
            cell.value = value

    def put_row(self, ws: Worksheet, row: int, cells: Iterable[tuple[int, CellValue, str, int]]) -> None:
        """:meth:`put` of each (column, value, look, indent) of ``cells`` on ``row`` (no formula): the cells of a row
        serialised in one go by a streamed painter."""
        sheets = self.sheets
        if sheets is None:
            for col, value, look, indent in cells:
                self.put(ws, row, col, value, look, indent)
            return
        found = (sheets.get(ws) or self._cells(ws)).row(row)
        indexes = self._indexes
        for col, value, look, indent in cells:
            key = (look, indent)
            index = indexes.get(key)
            if index is None:
                index = self._index(ws, key)
            if type(value) is str and value:  # most cells: text
                found[col] = cell_xml(row, col, index, cell_text(value))
            elif value is None or value == "":  # an empty cell of the grid, styled
                found[col] = cell_xml(row, col, index, None)
            else:
                self._serialise(ws, row, col, value, key, False)

    def _serialise(
        self, ws: Worksheet, row: int, col: int, value: CellValue, key: tuple[str, int], formula: bool
    ) -> None:
        """``put`` of a streamed painter: the cell as openpyxl would write it, into the sheet's :class:`SheetCells`."""
        cells = self._cells(ws)
        index = self._index(ws, key)
        if isinstance(value, str) and value and not formula:
            value = cell_text(value)
        elif value == "":
            value = None
        if isinstance(value, dt.date):  # a number with a date format: the cell openpyxl makes of it
            self._dated = True
            cell = Cell(ws, row=row, column=col, style_array=self._styles[key])
            cell.value = value
            cells.put(row, col, openpyxl_cell_xml(ws, cell))
        else:
            cells.put(row, col, cell_xml(row, col, index, value, formula=formula))

    def _index(self, ws: Worksheet, key: tuple[str, int]) -> int:
        """The index of the look ``key`` (look, indent) in the workbook's cell styles (added when new)."""
        index = self._indexes.get(key)
        if index is None:
            index = self._indexes[key] = style_index(ws, self._styles.get(key) or self._style(ws, *key))
        return index

    def _cells(self, ws: Worksheet) -> SheetCells:
        assert self.sheets is not None
        cells = self.sheets.get(ws)
        if cells is None:
            cells = self.sheets[ws] = SheetCells()
        return cells

    def height(self, ws: Worksheet, row: int, height: float) -> None:
        """Set the height of ``row`` (points)."""
        if self.sheets is None:
            ws.row_dimensions[row].height = height
        else:
            self._cells(ws).height(row, height)

    def done(self, ws: Worksheet, row: int, least: int = SPILL_ROWS) -> None:
        """The rows of ``ws`` before ``row`` are final: a streamed painter writes them out (compressed)
        (their cells, openpyxl's as well, and heights) once ``least`` of them wait; no cell may go there after."""
        if self.sheets is not None and self._merges is None:  # a block being written is written out whole
            self._cells(ws).write_out(ws, row, least)

    def merge(self, ws: Worksheet, top: int, left: int, bottom: int, right: int, value: CellValue, look: str) -> None:
        """Write ``value`` over a merged range, styling every cell so borders print all round."""
        for r in range(top, bottom + 1):
            for c in range(left, right + 1):
                self.put(ws, r, c, value if (r, c) == (top, left) else None, look)
        if (top, left) != (bottom, right):
            # Every cell is styled above, so openpyxl's merge_cells (which turns the cells into
            # MergedCells and re-derives their borders, ~3 ms a range) is not needed: record the range.
            add_merged_range(ws, top, left, bottom, right)
            if self._merges is not None:
                self._merges.append(f"{get_column_letter(left)}{top}:{get_column_letter(right)}{bottom}")


def _row_numbers_from(ws: Worksheet, cells: SheetCells, start: int) -> bool:
    """Whether ``ws`` has rows from ``start`` on not yet written out (cells, heights or openpyxl's own)."""
    return any(row >= start for row in cells.rows.keys() | cells.heights.keys()) or any(
        row >= start for row, _ in ws._cells
    )


def _pickled(inputs: object) -> bytes:
    """``inputs`` as bytes that tell them apart (a pickle: the bytes give the values back) and depend on their values
    only: pickle's memo, which writes an object met twice as a reference to the first, is off (its "fast" mode), so
    equal values shared or not give the same bytes. Several times faster than ``repr`` on long texts."""
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=5)
    pickler.fast = True  # no memo: see above
    pickler.dump(inputs)
    return out.getvalue()


@lru_cache(maxsize=1)
def _code_version() -> str:
    """What the blocks' bytes depend on besides their inputs: matrix's version, the code writing them, openpyxl's."""
    from .. import __version__
    from ..core import text
    from . import status_excel, tracking_sheet, xlsx_seam

    code = hashlib.sha256()
    for module in (__file__, xlsx_seam.__file__, tracking_sheet.__file__, status_excel.__file__, text.__file__):
        code.update(Path(module).read_bytes())
    return f"{BLOCKS_FORMAT} {__version__} {openpyxl.__version__} {code.hexdigest()}"


class InputKeys:
    """Identities of what a block of rows reads, cheap to make, for :meth:`Painter.block`'s ``inputs`` in place of
    the rows' contents, so that a block's contents are computed only when its key is not kept.

    A directive is identified by a digest of all its fields (:func:`_fingerprint`; its tasks' texts, numbers,
    deadlines and assignments included: the rows, their numbering and schedules derive from it), a task by a digest
    of its own fields (its sub-tasks left out), an agency by a digest of its fields, and a directive's assignments
    by a digest of its rows' entries (the task, the agency, the role, the words, the group or former body it came
    through). :attr:`base` is what the blocks of the matrix depend on besides: the pivot's options and the registry
    without its agencies (blocks, provinces, mergers). Each is worked out once a workbook; the objects are held, so
    an identity is never taken for another object's.
    """

    def __init__(self, matrix: Matrix) -> None:
        registry = matrix.registry
        self.matrix = matrix
        self.base = _fingerprint(
            (
                matrix.expanded,
                matrix.as_of,
                registry.blocks,
                tuple(sorted(registry.provinces.items())),
                tuple(sorted(registry.mergers.items())),
                registry.merger_date,
                registry.home,
                registry.per_province,
            )
        )
        self._directives: dict[str, tuple[Directive, str]] = {}
        self._tasks: dict[tuple[str, str], str] = {}
        self._agencies: dict[int, tuple[Agency, str]] = {}
        self._entries: dict[str, tuple[Directive, str]] = {}
        self._rows: dict[str, list[Row]] | None = None

    def directive(self, directive: Directive) -> str:
        """The digest of everything ``directive`` says (and of each of its tasks on its own: :meth:`task`)."""
        found = self._directives.get(directive.id)
        if found is None or found[0] is not directive:
            parts = [_fingerprint(directive, "tasks")]
            pending = list(reversed(directive.tasks))
            while pending:  # depth first, in document order
                task = pending.pop()
                own = self._tasks[directive.id, task.id] = _fingerprint(task, "tasks")
                parts.append(f"{own}{len(task.tasks)}")
                pending.extend(reversed(task.tasks))
            found = self._directives[directive.id] = (directive, digest("".join(parts)))
        return found[1]

    def task(self, row: Row) -> str:
        """The digest of the row's task on its own (its sub-tasks left out): its text, title, dates, assignments."""
        found = self._tasks.get(row.key)
        if found is None or self._directives[row.directive.id][0] is not row.directive:
            self.directive(row.directive)
            found = self._tasks[row.key]
        return found

    def agency(self, agency: Agency | None) -> str:
        """The digest of everything ``agency`` is (its name, short name, block, province, dates, successor...)."""
        if agency is None:
            return ""
        found = self._agencies.get(id(agency))
        if found is None or found[0] is not agency:
            found = self._agencies[id(agency)] = (agency, _fingerprint(agency))
        return found[1]

    def entries(self, directive: Directive) -> str:
        """The digest of the directive's assignments in the matrix: every entry of its rows, in order."""
        found = self._entries.get(directive.id)
        if found is None or found[0] is not directive:
            if self._rows is None:
                self._rows = {}
                for row in self.matrix.rows:
                    self._rows.setdefault(row.directive.id, []).append(row)
            agency, parts = self.agency, [self.base]
            for row in self._rows.get(directive.id, ()):
                parts.append(f"\x00{len(row.key[1])}\x00{row.key[1]}")  # every free text with its length
                for e in self.matrix.entries_in(row):
                    others = "" if e.via is None and e.was is None else f"{agency(e.via)}\x02{agency(e.was)}"
                    parts.append(f"\x01{agency(e.agency)}{e.role}\x01{others}\x01{len(e.written)}\x01")
                    parts.append(e.written)
            found = self._entries[directive.id] = (directive, digest("".join(parts)))
        return found[1]


def digest(text: str) -> str:
    """The SHA-256 of ``text`` (hex): what a block's key holds in place of a long text."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _fingerprint(value: object, without: str = "") -> str:
    """A digest of ``value``, a tree of dataclasses, tuples and plain values (strings, numbers, dates, enums,
    mappings), that tells any two such trees apart: strings are hashed with their length, containers with their
    type and size, other values by their ``repr``. Faster than hashing ``repr(value)``, which escapes every long
    text. ``without``: a field of the dataclass ``value`` left out."""
    parts: list[str] = []
    if without:
        parts.append(f"\x00d{type(value).__qualname__}-{without}\x00")
        for name in _fields_of(type(value), without):
            item = getattr(value, name)
            if type(item) is str:  # most fields: inlined
                parts.append(f"\x00s{len(item)}\x00")
                parts.append(item)
            else:
                _walk(item, parts)
    else:
        _walk(value, parts)
    return digest("".join(parts))


def _fields_of(kind: type, without: str = "") -> tuple[str, ...]:
    """The names of the fields of the dataclass ``kind`` (none when it is not one), but ``without``."""
    found = _FIELDS.get((kind, without))
    if found is None:
        found = _FIELDS[kind, without] = (
            tuple(f.name for f in fields(kind) if f.name != without) if is_dataclass(kind) else ()
        )
    return found


_FIELDS: dict[tuple[type, str], tuple[str, ...]] = {}


def _walk(value: object, parts: list[str]) -> None:
    """:func:`_fingerprint`'s parts of ``value``, appended to ``parts``."""
    kind = type(value)
    if kind is str:
        parts.append(f"\x00s{len(value)}\x00")  # type: ignore[arg-type]
        parts.append(value)  # type: ignore[arg-type]
        return
    if kind is tuple:
        parts.append(f"\x00t{len(value)}\x00")  # type: ignore[arg-type]
        for item in value:  # type: ignore[attr-defined]
            if type(item) is str:
                parts.append(f"\x00s{len(item)}\x00")
                parts.append(item)
            else:
                _walk(item, parts)
        return
    if value is None:
        parts.append("\x00n")
        return
    names = _fields_of(kind)
    if names:
        parts.append(f"\x00d{kind.__qualname__}\x00")
        for name in names:
            _walk(getattr(value, name), parts)
        return
    text = _enum_text(value) if isinstance(value, enum.Enum) else repr(value)
    parts.append(f"\x00r{len(text)}\x00")
    parts.append(text)


@lru_cache(maxsize=256)
def _enum_text(value: enum.Enum) -> str:
    return repr(value)


@dataclass(frozen=True)
class CachedBlock:
    """A block of rows as the last build wrote it: its rows, the ranges it merges, the looks it used first."""

    written: Written
    merges: tuple[str, ...]
    styles: tuple[tuple[str, int], ...]


BLOCKS_FORMAT = "matrix-blocks-3"


class BlockCache:
    """Blocks of rows a workbook's last build wrote (:meth:`Painter.block`), by the digest of what they depend on.

    Read from ``path`` (nothing when missing or unreadable: the blocks are then written anew); :meth:`save`
    keeps, in place of the old ones, the blocks this build used or wrote, so the file never grows beyond
    one workbook's rows. Only a speed-up: a block is used only when everything it depends on is equal.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.old = _read_blocks(path) if path is not None else {}
        self.new: dict[str, CachedBlock] = {}
        self.hits = self.misses = 0

    def get(self, key: str) -> CachedBlock | None:
        found = self.old.get(key) or self.new.get(key)
        if found is None:
            self.misses += 1
        else:
            self.hits += 1
            self.new[key] = found
        return found

    def put(self, key: str, block: CachedBlock) -> None:
        self.new[key] = block

    def save(self) -> None:
        """Write the blocks of this build to ``path`` (atomically; a failure only costs the next build time).

        The file is a line of JSON (the format, and per block its key, length in bytes, row after it, corners,
        merged ranges, styles, and its rows' CRC-32, length before compression and CRC shift), then the blocks'
        rows as they go into the workbook (compressed: :class:`matrix.writers.xlsx_seam.Deflated`), one after
        the other.
        """
        if self.path is None:
            return
        index = [
            [
                key,
                len(b.written.rows.data),
                b.written.stop,
                [list(c) for c in b.written.corners],
                list(b.merges),
                b.styles,
                b.written.rows.crc,
                b.written.rows.size,
                b.written.rows.shift,
            ]
            for key, b in self.new.items()
        ]
        head = json.dumps({"format": BLOCKS_FORMAT, "blocks": index}, ensure_ascii=False).encode()
        with contextlib.suppress(OutputError):
            write_file(
                self.path,
                b"".join([head, b"\n", *(b.written.rows.data for b in self.new.values())]),
                make_parents=True,
            )


def _read_blocks(path: Path) -> dict[str, CachedBlock]:
    """The blocks kept at ``path`` (none when the file is missing, unreadable or not as :meth:`BlockCache.save`
    writes it)."""
    try:
        data = path.read_bytes()
        end = data.index(b"\n")
        head = json.loads(data[:end])
        if head["format"] != BLOCKS_FORMAT:
            return {}
        found, at = {}, end + 1
        for key, size, stop, corners, merges, styles, crc, length, shift in head["blocks"]:
            numbers = (size, stop, crc, length, shift)
            if not all(isinstance(n, int) and n >= 0 for n in numbers) or not isinstance(key, str):
                return {}
            rows = Deflated(data[at : at + size], crc, length, shift)
            found[key] = CachedBlock(
                Written(rows, stop, tuple((int(r), int(c)) for r, c in corners)),
                tuple(str(m) for m in merges),
                tuple((str(look), int(indent)) for look, indent in styles),
            )
            at += size
        return found if at == len(data) else {}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


@lru_cache(maxsize=256)
def _indented(alignment: Alignment, indent: int) -> Alignment:
    """``alignment`` indented ``indent`` levels: made once for the process (only read, as the looks' parts are)."""
    aligned = copy(alignment)
    aligned.indent = indent
    return aligned


@lru_cache(maxsize=65536)
def cell_text(text: str) -> str:
    """``text`` as a cell can hold it: no XML-illegal characters, at most 32,767 characters."""
    text = _ILLEGAL.sub("", text)
    if len(text) > MAX_CELL_CHARS:
        text = text[: MAX_CELL_CHARS - len(TRUNCATION_NOTE)].rstrip() + TRUNCATION_NOTE
    return text


def use_default_font(wb: Workbook) -> None:
    """Make Times New Roman the workbook's default font (cells typed later, column units)."""
    set_default_font(wb, _font())


# --------------------------------------------------------------------------
# Text measurement


@lru_cache(maxsize=1024)
def _capacity(width: float, size: float = BODY_SIZE, bold: bool = False, indent: int = 0, italic: bool = False) -> int:
    """About how many characters fit on one line of a cell ``width`` units wide."""
    usable = width - CELL_PADDING_UNITS - indent * INDENT_UNITS
    chars = usable * CHARS_PER_UNIT * BODY_SIZE / size * (BOLD_FACTOR if bold else 1.0)
    return max(1, int(chars))


@lru_cache(maxsize=1 << 14)  # a paragraph is measured at each width it is shown in (sheets, indents, workbooks)
def _width(text: str) -> float:
    """The width of ``text`` in average lower-case characters."""
    return len(text) + (UPPER_WEIGHT - 1) * _capitals(text)


def _capitals(text: str) -> int:
    """How many characters of ``text`` are capitals (``str.isupper``): the ones the pattern finds, each asked."""
    return sum(map(str.isupper, _capitals_pattern().findall(text)))


@lru_cache(maxsize=1)
def _capitals_pattern() -> re.Pattern[str]:
    """The capitals of the Basic Multilingual Plane (``str.isupper``) and every character beyond it, as one
    character class: counting a text's capitals with it is several times faster than asking each character."""
    ranges: list[tuple[int, int]] = []
    for code in range(0x10000):
        if chr(code).isupper():
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    ranges.append((0x10000, 0x10FFFF))
    return re.compile("[" + "".join(f"{re.escape(chr(low))}-{re.escape(chr(high))}" for low, high in ranges) + "]")


def _room(paragraph: str, capacity: int) -> float | None:
    """How many characters of ``paragraph`` a line of ``capacity`` holds (capitals are wider: each character counts
    the paragraph's average width); None when the whole paragraph fits on one line."""
    size = len(paragraph)
    if size * UPPER_WEIGHT <= capacity:  # fits on one line, whatever its capitals
        return None
    room = capacity / (_width(paragraph) / size)
    return None if size <= room else room  # every word fits on the first line


@lru_cache(maxsize=256)
def _lines_of(limit: int) -> re.Pattern[str]:
    """The lines of a greedy wrap at ``limit`` characters, of words of at most ``limit`` characters joined by single
    spaces: each match is the longest run of whole words that fits (group 1), then its space."""
    return re.compile(f"(.{{1,{limit}}})(?: |$)")


def _wrap(paragraph: str, capacity: int) -> list[str]:
    """Greedy word wrap, as a spreadsheet does it (long words break anywhere).

    Capitals are wider: each character counts the paragraph's average width.
    """
    room = _room(paragraph, capacity)
    if room is None:
        return [" ".join(paragraph.split())]
    words = paragraph.split()
    if room >= 1 and words and max(map(len, words)) <= room:  # no word to break: the wrap is a regular expression's
        return _lines_of(int(room)).findall(" ".join(words))
    return _wrap_words(words, room)


def _wrap_words(words: Sequence[str], room: float) -> list[str]:
    """Greedy word wrap of ``words`` at ``room`` characters a line, a word longer than a line broken anywhere."""
    lines: list[str] = []
    current = ""
    for word in words:
        while len(word) > room:
            if current:
                lines.append(current)
                current = ""
            cut = max(1, int(room))
            lines.append(word[:cut])
            word = word[cut:]
        if not current:
            current = word
        elif len(current) + 1 + len(word) <= room:
            current = f"{current} {word}"
        else:
            lines.append(current)
            current = word
    lines.append(current)
    return lines


def _wrapped_lines(paragraph: str, capacity: int) -> int:
    """``len(_wrap(paragraph, capacity))``, counted without keeping the lines."""
    room = _room(paragraph, capacity)
    if room is None:
        return 1
    words = paragraph.split()
    if room >= 1 and words and max(map(len, words)) <= room:
        return len(_lines_of(int(room)).findall(" ".join(words)))
    return len(_wrap_words(words, room))


@lru_cache(maxsize=1024)  # long texts only: their pieces are kept by _measured
def _layout(text: str, capacity: int) -> tuple[tuple[int, str], ...]:
    """The wrapped lines of ``text``, each with the number of its paragraph."""
    return tuple((p, line) for p, paragraph in enumerate(text.split("\n")) for line in _wrap(paragraph, capacity))


# Texts are measured for every sheet and workbook they appear in (a task in its directive's workbook, once per
# agency in "Theo cơ quan", again in the consolidated workbook): the counts are kept for the process, bounded
# (a count is small; the texts themselves belong to the model).
@lru_cache(maxsize=1 << 16)
def _line_count(text: str, capacity: int) -> int:
    """How many lines ``text`` wraps to (``len(_layout(text, capacity))``, counted without making the lines)."""
    if "\n" not in text:
        return _wrapped_lines(text, capacity)
    return sum(_wrapped_lines(paragraph, capacity) for paragraph in text.split("\n"))


def lines_height(lines: int, size: float = BODY_SIZE) -> float:
    return lines * size * LINE_FACTOR + ROW_PADDING


def _chunks(text: str, capacity: int, max_lines: int = MAX_TEXT_LINES) -> list[str]:
    """``text`` cut into pieces of at most ``max_lines`` wrapped lines.

    A row cannot be taller than 409 pt nor split over pages, so a long task
    continues on the rows below. Pieces end at a paragraph or a sentence
    where one is near; paragraph breaks are kept.
    """
    if _line_count(text, capacity) <= max_lines:
        return [text]
    lines = _layout(text, capacity)
    pieces = []
    start = 0
    while start < len(lines):
        end = min(start + max_lines, len(lines))
        if end < len(lines):
            end = _break_point(lines, start, end)
        part = lines[start:end]
        joined = part[0][1]
        for (prev, _), (p, line) in itertools.pairwise(part):
            joined += ("\n" if p != prev else " ") + line
        pieces.append(joined)
        start = end
    return pieces


@lru_cache(maxsize=1 << 13)
def _measured(text: str, capacity: int) -> tuple[tuple[str, int], ...]:
    """The pieces of ``text`` (:func:`_chunks`), each with the lines it wraps to, as a record's cell shows them."""
    if len(text) > capacity * MAX_TEXT_LINES:  # surely more lines than a row holds: laid out at once
        count = len(_layout(text, capacity))
    else:
        count = _line_count(text, capacity)
    if count <= MAX_TEXT_LINES:
        return ((text, count),)
    return tuple((piece, _line_count(piece, capacity)) for piece in _chunks(text, capacity))


@lru_cache(maxsize=1 << 14)
def _cell_pieces(value: str, width: float, indent: int) -> tuple[tuple[str, int], ...]:
    """:func:`_measured` of ``value`` as a cell holds it (:func:`cell_text`) in a column ``width`` units wide, indented
    ``indent`` levels, in the body font: one look-up for a record's cell instead of three, kept by all it reads."""
    return _measured(cell_text(value), _capacity(width, indent=indent))


def _break_point(lines: Sequence[tuple[int, str]], start: int, end: int) -> int:
    """Where a piece ending at ``end`` should rather end: after a paragraph or a sentence in its second half."""
    for cut in range(end, start + (end - start) // 2, -1):
        paragraph, line = lines[cut - 1]
        if lines[cut][0] != paragraph or line.endswith(_SENTENCE_ENDS):
            return cut
    return end


# --------------------------------------------------------------------------
# Labels


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def directive_labels(matrix: Matrix) -> dict[str, str]:
    """A short, unique label per directive for the narrow "Văn bản" columns.

    Its number and symbol ("05/CT-UBND"); without them its kind and province
    or issuer ("Chỉ thị Tiền Giang", "Công văn Ban Thường vụ Tỉnh ủy"), then its
    date or "[n]" if still alike. With several directives each label starts
    with the Roman number of the directive's section in the matrix ("II. 05/CT-UBND").
    """
    labels: dict[str, str] = {}
    for index, directive in enumerate(matrix.directives, 1):
        where = (
            matrix.registry.provinces.get(directive.province or "") or directive.issuer.short or directive.issuer.name
        )
        label = directive.reference or " ".join(p for p in (capitalised(directive.kind), where) if p)
        for extra in (format_date(directive.date), f"[{index}]"):
            if label in labels.values() and extra:
                label = f"{label} {extra}"
        labels[directive.id] = label
    if len(matrix.directives) > 1:
        return {d.id: f"{roman(i)}. {labels[d.id]}" for i, d in enumerate(matrix.directives, 1)}
    return labels


def task_label(row: Row) -> str:
    """The task's number as the document prints it, for STT columns: "2", "3.1", "a)", "-", "(đoạn cuối)"."""
    return row.node.label or CLOSING_LABEL


def cite(directive: Directive) -> str:
    """ "Chỉ thị số 12/CT-UBND ngày 27/12/2024" (what the text gives of it)."""
    parts = [capitalised(directive.kind)]
    if directive.reference:
        parts.append(f"số {directive.reference}")
    if directive.date:
        parts.append(f"ngày {format_date(directive.date)}")
    return " ".join(parts)


def directive_heading(directive: Directive, number: int) -> str:
    """A section row of a consolidated sheet: "I. Chỉ thị số 05/CT-UBND ngày 06/01/2025 của ... về ..."."""
    return f"{roman(number)}. {cite(directive)} của {inline_name(directive.issuer.name)}: {directive.title.strip()}"


def column_labels(matrix: Matrix, columns: Sequence[Agency]) -> list[str]:
    """Agency.short per column; where shorts repeat, with the province, else the full name."""
    labels = [a.short for a in columns]
    for attempt in (_with_province, lambda _, agency: agency.name):
        repeated = {label for label in labels if labels.count(label) > 1}
        labels = [attempt(matrix, a) if label in repeated else label for a, label in zip(columns, labels, strict=True)]
    return labels


def _with_province(matrix: Matrix, agency: Agency) -> str:
    province = matrix.registry.provinces.get(agency.province or "")
    return f"{agency.short} ({province})" if province else agency.name


def _column_groups(matrix: Matrix) -> list[tuple[Block, tuple[Agency, ...]]]:
    """The column blocks, plus a block "Khác" for columns whose block is unknown."""
    groups = matrix.column_blocks()
    placed = {a.id for _, agencies in groups for a in agencies}
    rest = tuple(a for a in matrix.columns if a.id not in placed)
    return [*groups, (Block("khac", "Khác"), rest)] if rest else groups


def _in_order(groups: list[tuple[Block, tuple[Agency, ...]]]) -> tuple[Agency, ...]:
    """The agencies of ``groups``, block after block: the order of the matrix's columns."""
    return tuple(a for _, agencies in groups for a in agencies)


def _deadline(row: Row) -> str:
    parts = []
    if row.task.deadline:
        parts.append(f"Thời hạn: {row.task.deadline}")
    if row.task.report:
        parts.append(f"Báo cáo: {row.task.report}")
    return "\n".join(parts)


# --------------------------------------------------------------------------
# Workbook


@dataclass
class WorkbookContext:
    """What every sheet writer needs."""

    matrix: Matrix
    title: str
    paper: str
    painter: Painter
    labels: dict[str, str]
    _numbers: dict[str, int] = field(default_factory=dict, repr=False)
    _places: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)
    _keys: InputKeys | None = field(default=None, repr=False)

    @property
    def keys(self) -> InputKeys:
        """Identities of what the blocks of rows read (:class:`InputKeys`), made when first asked for."""
        if self._keys is None:
            self._keys = InputKeys(self.matrix)
        return self._keys

    @property
    def consolidated(self) -> bool:
        return len(self.matrix.directives) > 1

    def number(self, directive: Directive) -> int:
        """The directive's number in the workbook (1, 2, ...: its section's Roman number)."""
        if not self._numbers:
            self._numbers.update((d.id, index) for index, d in enumerate(self.matrix.directives, 1))
        return self._numbers[directive.id]

    def place(self, row: Row) -> str:
        """ "05/CT-UBND, mục 2-1": where a task stands (worked out once a task: each of its agencies shows it)."""
        found = self._places.get(row.key)
        if found is None:
            found = self._places[row.key] = f"{self.labels[row.directive.id]}, {location(row)}"
        return found


SheetWriter = Callable[[Worksheet, "WorkbookContext"], None]
"""Writes one sheet: gets the new worksheet and the shared context (matrix, paper, painter, labels)."""


def write_workbook(
    matrix: Matrix,
    path: Path,
    *,
    title: str,
    paper: str = "A4",
    extra_sheets: Sequence[SheetWriter] = (),
    created: dt.datetime | None = None,
    blocks: Path | None = None,
) -> None:
    """Write ``matrix`` as a workbook at ``path`` (sheets Ma trận, Nhiệm vụ, Theo cơ quan, Văn bản, Theo dõi).

    ``title`` heads every printed page; ``paper`` is "A4" or "A3" (a matrix too wide
    for A4 is printed on A3). The matrix has one directive, or several for the
    consolidated workbook. ``extra_sheets`` are written after the five, each on a
    new sheet it names itself (with :func:`setup_print` for the house print settings).
    ``created`` dates the workbook's properties (default :func:`matrix.core.stamp.build_date`).
    ``blocks``: a file where the workbook's blocks of rows are kept for the next writing (:class:`BlockCache`):
    a directive's rows in "Ma trận" and "Nhiệm vụ", an agency's in "Theo cơ quan" are then copied from the last
    writing when all they show is the same, instead of laid out again.
    """
    if paper not in PAPER_SIZES:
        raise ValueError(f"paper must be one of {', '.join(PAPER_SIZES)}, not {paper!r}")
    wb = Workbook()
    use_default_font(wb)
    wb.properties.title = title
    wb.properties.creator = "matrix"
    wb.properties.created = wb.properties.modified = created or build_date()
    wb.calculation.fullCalcOnLoad = True  # the totals are formulas: Excel recomputes them on opening
    cache = BlockCache(blocks) if blocks is not None else None
    painter = Painter(streamed=True)
    painter.blocks = cache
    ctx = WorkbookContext(matrix, title, paper, painter, directive_labels(matrix))
    _write_matrix(first_sheet(wb), ctx)
    for writer in (_write_tasks, _write_agencies, _write_directives, _write_tracking, *extra_sheets):
        writer(wb.create_sheet(), ctx)
    save_workbook(wb, path, painter.sheets)
    if cache is not None:
        cache.save()


def _write_tracking(ws: Worksheet, ctx: WorkbookContext) -> None:
    """The "Theo dõi" form that a clerk fills and `matrix import` reads back (matrix.writers.tracking_sheet)."""
    sheets = ctx.painter.sheets
    write_tracking_sheet(
        ws,
        ctx.matrix,
        FONT_NAME,
        BODY_SIZE,
        cell_text,
        ctx.labels,
        rows_done=lambda row: ctx.painter.done(ws, row),
        block=partial(ctx.painter.block, ws),
        identity=(lambda d: (ctx.keys.directive(d), ctx.keys.entries(d))) if ctx.painter.keeps else None,
        cells=None if sheets is None else sheets.setdefault(ws, SheetCells()),
    )
    setup_print(ws, ctx, "1:1")


def setup_print(
    ws: Worksheet, ctx: WorkbookContext, rows: str, cols: str | None = None, note: str = "", paper: str | None = None
) -> None:
    """Landscape, one page wide, repeated headings, the title on top and page numbers below.

    Pages are numbered per sheet ("Ma trận - trang 2"): each sheet restarts at 1, and the
    total is left out because LibreOffice counts it over the whole workbook.
    """
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = PAPER_SIZES[paper or ctx.paper]
    ws.page_setup.firstPageNumber = 1
    ws.page_setup.useFirstPageNumber = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    props = ws.sheet_properties
    if props.pageSetUpPr is None:  # openpyxl makes it with the sheet
        props.pageSetUpPr = PageSetupProperties()
    props.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = SIDE_MARGIN
    ws.page_margins.top = ws.page_margins.bottom = 0.7
    ws.page_margins.header = ws.page_margins.footer = 0.3
    ws.print_title_rows = rows
    if cols:
        ws.print_title_cols = cols
    header, footer = odd_header_footer(ws)
    header.center.text = _header_text(ctx.title)
    header.center.font = f"{FONT_NAME},Bold"
    header.center.size = BODY_SIZE
    footer.center.text = "&A - trang &P"
    footer.center.font = FONT_NAME
    footer.center.size = BODY_SIZE
    if note:
        footer.left.text = note
        footer.left.font = f"{FONT_NAME},Italic"
        footer.left.size = 10


def _header_text(title: str) -> str:
    """``title`` for a page header: "&" escaped, within Excel's 255 characters with the font codes."""
    text = shorten(title, HEADER_CHARS)
    while len(text.replace("&", "&&")) > HEADER_CHARS:
        text = shorten(text, len(text) - 5)
    return text.replace("&", "&&")


def _heading(ws: Worksheet, ctx: WorkbookContext, text: str, width: int) -> None:
    """The sheet's heading on row 1, across ``width`` columns."""
    ctx.painter.merge(ws, 1, 1, 1, max(width, 1), text, "heading")
    ctx.painter.height(ws, 1, 26)


# --------------------------------------------------------------------------
# Sheet "Ma trận"

_BLOCK_ROW = 2
_AGENCY_ROW = 3
_FIRST_ROW = 4


@dataclass(frozen=True)
class _Grid:
    """Where things stand on the matrix sheet, and how it prints."""

    left: tuple[tuple[str, float], ...]  # (header, width) of the task columns
    groups: list[tuple[Block, tuple[Agency, ...]]]
    columns: tuple[Agency, ...]
    widths: tuple[float, ...]  # of the agency columns
    label_lines: int  # lines of a turned agency name (wider columns, lower header)
    paper: str = "A4"  # the paper the sheet prints on
    scale: float = 1.0  # its print scale
    breaks: tuple[int, ...] = ()  # a matrix too wide for one page: the last sheet column of each page but the last

    @property
    def first(self) -> int:
        """The first agency column."""
        return len(self.left) + 1

    @property
    def total(self) -> int:
        """The per-task total column, right of the agencies."""
        return self.first + len(self.columns)


# Agency column widths by the lines a turned name takes: one, two or three.
LABEL_WIDTHS = {1: AGENCY_WIDTH, 2: WIDE_AGENCY_WIDTH, 3: 7.2}
# Among layouts printing one page wide, the one with the most task rows a page, unless its scale is
# more than this much below the largest (more rows a page, but smaller print, is no gain).
SCALE_TOLERANCE = 0.85
PAGE_HEIGHTS = {"A4": 595.0, "A3": 842.0}  # landscape, points
SAMPLE_ROWS = 300  # rows whose height estimates the rows a page


def _grid(ctx: WorkbookContext) -> _Grid | _ByAgency:
    """The matrix's columns and print layout: whichever fits the most task rows a page at a readable scale.

    One page wide on the paper asked for (A4 too narrow: A3), names turned in one, two or three lines
    (wider columns lower the header row, narrower ones widen the task titles); a matrix that would print
    below ``MIN_SCALE`` even on A3 is split across pages at a readable scale, the task columns repeated,
    or printed turned, agencies as rows (:class:`_ByAgency`), when that gives more whole rows a page.
    """
    matrix = ctx.matrix
    # STT wide enough for the longest label on one line ("(đoạn cuối)", "3.1.2"), so no row is two lines for it.
    longest = max((_width(task_label(row)) for row in matrix.rows), default=1.0)
    base = [("STT", max(7.0, min(11.0, longest / CHARS_PER_UNIT + CELL_PADDING_UNITS + 0.5))), ("Nhiệm vụ", 46.0)]
    if ctx.consolidated:
        base.append(("Văn bản", 7.0))  # the section's Roman number (the "Văn bản" sheet says which document)
    groups = _column_groups(matrix)
    columns = _in_order(groups)
    labels = [*column_labels(matrix, columns), TOTAL_HEADER]
    papers = [ctx.paper] + (["A3"] if ctx.paper == "A4" else [])
    for paper in papers:
        found = []
        for lines, least in LABEL_WIDTHS.items():
            widths = _agency_widths(matrix, groups, least)
            left = list(base)
            left[1] = (
                "Nhiệm vụ",
                _stretch([w for _, w in left] + widths + [TOTAL_WIDTH], 1, paper, MAX_TITLE_WIDTH)[1],
            )
            grid = _Grid(tuple(left), groups, columns, tuple(widths), lines, paper)
            scale = print_scale([w for _, w in left] + widths + [TOTAL_WIDTH], paper)
            if scale >= MIN_SCALE:
                found.append((_rows_a_page(ctx, grid, labels, scale), scale, replace(grid, scale=scale)))
        if found:
            best = max(scale for _, scale, _ in found)
            readable = [f for f in found if f[1] >= best * SCALE_TOLERANCE]
            return max(readable, key=lambda f: (f[0], f[1]))[2]
    widths = _agency_widths(matrix, groups, AGENCY_WIDTH)
    grid = _Grid(tuple(base), groups, columns, tuple(widths), 1, papers[-1])
    scale, breaks = _split(grid)
    split = replace(grid, scale=scale, breaks=breaks)
    # A split row is read across all its pages: it counts as 1/n of a row on each of n pages across.
    turned = _by_agency(ctx, groups, beat=_rows_a_page(ctx, split, labels, scale) / (len(breaks) + 1))
    return split if turned is None else turned


def _rows_a_page(ctx: WorkbookContext, grid: _Grid, labels: Sequence[str], scale: float) -> float:
    """About how many task rows a printed page of ``grid`` holds at ``scale`` (headings repeated)."""
    usable = (PAGE_HEIGHTS[grid.paper] - 2 * 72 * 0.7) / scale - 26  # margins; the sheet's heading on page 1
    header = _block_height(grid) + _turned_height(labels, grid.label_lines)
    sample = ctx.matrix.rows[:SAMPLE_ROWS]
    heights = [_task_row_height(ctx, grid, row)[1] for row in sample]
    average = sum(heights) / len(heights) if heights else MIN_ROW_HEIGHT
    return (usable - header) / average


def _split(grid: _Grid) -> tuple[float, tuple[int, ...]]:
    """A matrix too wide for one page: the largest scale (from ``MIN_SCALE`` up) that prints its agency
    columns on as few pages as ``MIN_SCALE`` does, the task columns repeated on each; and where pages end."""
    printable = (PAGE_WIDTHS[grid.paper] - 2 * 72 * SIDE_MARGIN) / 0.75  # pixels
    left = sum(w * 7 + 5 for _, w in grid.left)
    pixels = [w * 7 + 5 for w in grid.widths] + [TOTAL_WIDTH * 7 + 5]

    def pages(scale: float) -> list[int]:
        room = printable / scale - left
        ends, used = [], 0.0
        for index, width in enumerate(pixels):
            if used and used + width > room:
                ends.append(index)  # the page ends before this column
                used = 0.0
            used += width
        return ends

    least = len(pages(MIN_SCALE))
    low, high = MIN_SCALE, 1.0
    if len(pages(high)) == least:
        low = high
    for _ in range(30):
        if high - low < 0.001:
            break
        middle = (low + high) / 2
        if len(pages(middle)) == least:
            low = middle
        else:
            high = middle
    scale = math.floor(low * 100) / 100  # the printed scale is a whole percentage
    return scale, tuple(grid.first - 1 + end for end in pages(scale))


def _spare(widths: Sequence[float], paper: str) -> float:
    """How many width units columns of ``widths`` leave free on the paper at 100 % (negative: too wide)."""
    printable = (PAGE_WIDTHS[paper] - 2 * 72 * SIDE_MARGIN) / 0.75  # pixels
    return (printable - sum(w * 7 + 5 for w in widths)) / 7  # a unit is 7 pixels, plus 5 a column


def _stretch(widths: Sequence[float], index: int, paper: str, limit: float) -> list[float]:
    """``widths`` with column ``index`` grown, up to ``limit``, to fill the paper's width at 100 %."""
    grown = list(widths)
    grown[index] = max(widths[index], min(limit, widths[index] + _spare(widths, paper)))
    return grown


def _agency_widths(matrix: Matrix, groups: list[tuple[Block, tuple[Agency, ...]]], least: float) -> list[float]:
    """Narrow columns, wide enough for their totals and for their block's name in three lines."""
    widths = []
    for block, agencies in groups:
        digits = max(len(str(len(matrix.entries_for(a.id)))) for a in agencies)
        base = max(least, digits * 1.1 + 1.4)
        chars = max(max(_width(w) for w in block.name.split()) + 1, _width(block.name) / 3 + 2)
        needed = chars / (CHARS_PER_UNIT * BOLD_FACTOR) + CELL_PADDING_UNITS
        widths += [max(base, needed / len(agencies))] * len(agencies)
    return widths


def _write_matrix(ws: Worksheet, ctx: WorkbookContext) -> None:
    """Sheet "Ma trận": marks, legend, totals, frozen headings, autofilter."""
    ws.title = SHEET_MATRIX
    grid = _grid(ctx)
    if isinstance(grid, _ByAgency):
        _write_by_agency(ws, ctx, grid)
        return
    for col, (_, width) in enumerate(grid.left, 1):
        ws.column_dimensions[get_column_letter(col)].width = width
    for col, width in enumerate(grid.widths, grid.first):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.column_dimensions[get_column_letter(grid.total)].width = TOTAL_WIDTH
    # a matrix split across pages: the heading over the first page's columns, so it prints on page 1
    _heading(
        ws, ctx, "MA TRẬN PHÂN CÔNG THỰC HIỆN NHIỆM VỤ", min(grid.breaks[0], grid.total) if grid.breaks else grid.total
    )
    _matrix_headers(ws, ctx, grid)
    last = _matrix_rows(ws, ctx, grid)
    _matrix_totals(ws, ctx, grid, last + 1)
    _matrix_legend(ws, ctx, len(grid.left), last + len(ROLES) + 2)  # right under the totals
    ws.freeze_panes = f"{get_column_letter(grid.first)}{_FIRST_ROW}"
    ws.auto_filter.ref = f"A{_AGENCY_ROW}:{get_column_letter(grid.total)}{max(last, _AGENCY_ROW)}"
    legend = "; ".join(f"{r.mark}: {r.value}" for r in ROLES) + "; (C), (P), (T): theo mục trên"
    if grid.breaks:
        legend += (
            f". Bảng rộng: in khổ {grid.paper} ở tỷ lệ {round(grid.scale * 100)}%, "
            f"chia {len(grid.breaks) + 1} trang theo chiều ngang, cột nhiệm vụ in lại ở mỗi trang"
        )
    elif grid.paper != ctx.paper:
        legend += f". Bảng rộng: in khổ {grid.paper} ở tỷ lệ khoảng {round(grid.scale * 100)}%"
    setup_print(ws, ctx, f"{_BLOCK_ROW}:{_AGENCY_ROW}", f"A:{get_column_letter(len(grid.left))}", legend, grid.paper)
    if grid.breaks:  # split across pages at a fixed scale instead of one page wide
        ws.page_setup.scale = round(grid.scale * 100)
        ws.page_setup.fitToWidth = None
        ws.page_setup.fitToHeight = None
        if ws.sheet_properties.pageSetUpPr is not None:
            ws.sheet_properties.pageSetUpPr.fitToPage = False
        ws.page_setup.pageOrder = "overThenDown"  # a band of tasks across every agency, then the next band
        for column in grid.breaks:
            ws.col_breaks.append(Break(id=column))


def print_scale(widths: Sequence[float], paper: str) -> float:
    """The scale at which columns of ``widths`` print one page wide on ``paper`` (landscape), at most 1."""
    needed = sum(w * 7 + 5 for w in widths)  # pixels, as _spare counts them
    printable = (PAGE_WIDTHS[paper] - 2 * 72 * SIDE_MARGIN) / 0.75
    return min(1.0, printable / needed) if needed else 1.0


def print_layout(matrix: Matrix, paper: str = "A4") -> tuple[str, float]:
    """The paper the "Ma trận" sheet of ``matrix`` prints on, and its scale (for warnings before printing)."""
    grid = _grid(WorkbookContext(matrix, "", paper, Painter(), {}))
    return grid.paper, grid.scale


def _matrix_legend(ws: Worksheet, ctx: WorkbookContext, left_width: int, start: int) -> None:
    """What the marks mean, under the totals (the footer of every page repeats it)."""
    rows = [(role.mark, role.mark, LEGEND[role]) for role in ROLES]
    rows.append((inherited_mark(Role.LEAD), inherited_mark(Role.LEAD), INHERITED_LEGEND))
    width = sum(ws.column_dimensions[get_column_letter(c)].width for c in range(2, left_width + 1))
    for row, (mark, look, text) in enumerate(rows, start):
        ctx.painter.put(ws, row, 1, mark, look)
        ctx.painter.merge(ws, row, 2, row, left_width, text, "legend")
        ctx.painter.height(ws, row, max(MIN_ROW_HEIGHT, lines_height(_line_count(text, _capacity(width, italic=True)))))


def _matrix_headers(ws: Worksheet, ctx: WorkbookContext, grid: _Grid) -> None:
    """Task column titles, block names over their agencies, agency names turned 90°."""
    paint = ctx.painter
    for col, (header, _) in enumerate(grid.left, 1):
        paint.merge(ws, _BLOCK_ROW, col, _AGENCY_ROW, col, header, "header")
    col = grid.first
    for block, agencies in grid.groups:
        end = col + len(agencies) - 1
        paint.merge(ws, _BLOCK_ROW, col, _BLOCK_ROW, end, block.name, "header")
        col = end + 1
    labels = column_labels(ctx.matrix, grid.columns)
    for col, label in enumerate(labels, grid.first):
        paint.put(ws, _AGENCY_ROW, col, label, "header_vertical")
    paint.merge(ws, _BLOCK_ROW, grid.total, _AGENCY_ROW, grid.total, TOTAL_HEADER, "header_vertical")
    ctx.painter.height(ws, _BLOCK_ROW, _block_height(grid))
    ctx.painter.height(ws, _AGENCY_ROW, _turned_height([*labels, TOTAL_HEADER], grid.label_lines))


def _block_height(grid: _Grid) -> float:
    """The height of the row of block names, each over its agencies' columns."""
    block_lines, col = 1, 0
    for block, agencies in grid.groups:
        width = sum(grid.widths[col : col + len(agencies)])
        block_lines = max(block_lines, _line_count(block.name, _capacity(width, bold=True)))
        col += len(agencies)
    return lines_height(block_lines)


def _task_row_height(ctx: WorkbookContext, grid: _Grid, row: Row) -> tuple[str, float]:
    """A task's title in the matrix (its own short title, or its text shortened) and the height of its row."""
    number = roman(ctx.number(row.directive)) if ctx.consolidated else None
    return _title_height(grid.left, number, _MatrixTask(task_label(row), row.task.title, row.task.text, row.depth, ()))


def _title_height(left: Sequence[tuple[str, float]], number: str | None, task: _MatrixTask) -> tuple[str, float]:
    """:func:`_task_row_height` of ``task`` in the task columns ``left`` (its directive's Roman ``number`` in the
    third when consolidated)."""
    title_width = left[1][1]
    capacity = _capacity(title_width, indent=task.depth)
    title = task.title or _short_title(task.text, capacity - 2 if capacity >= ONE_LINE_TITLE else TITLE_CHARS)
    lines = max(_line_count(title, capacity), _line_count(task.label, _capacity(left[0][1])))
    if number is not None:
        lines = max(lines, _line_count(number, _capacity(left[2][1])))
    return title, max(MIN_ROW_HEIGHT, lines_height(lines))


@lru_cache(maxsize=8192)
def _short_title(text: str, limit: int) -> str:
    """A task's text shortened to ``limit`` characters for its title in the matrix (kept per text: the print layout
    measures a sample of titles for each paper and width it tries, the sheet then writes them)."""
    return shorten(text, limit)


def _turned_height(labels: Sequence[str], lines: int) -> float:
    """The row height that shows every label, turned 90°, in at most ``lines`` lines."""
    longest = max((_width(label) for label in labels), default=1.0)
    capacity = int(max(longest / lines, *(_width(w) for label in labels for w in label.split())))
    while capacity < longest and any(len(_wrap(label, capacity)) > lines for label in labels):
        capacity += 1
    # A character to spare: a turned line that wraps once more would be cut off.
    return min(MAX_HEADER_HEIGHT, (capacity + 1) * BODY_SIZE * EM_PER_CHAR + 8)


def _matrix_rows(ws: Worksheet, ctx: WorkbookContext, grid: _Grid) -> int:
    """One row per task (a section row before each directive's tasks when there are several); returns the last row."""
    paint, matrix = ctx.painter, ctx.matrix
    # A large matrix is mostly empty cells: styling each one (a border) costs more than the rest
    # of the workbook, so there only the marks are written and the printed gridlines draw the grid.
    sparse = len(matrix.rows) * len(grid.columns) > SPARSE_CELLS
    ws.print_options.gridLines = sparse
    column_of = {agency.id: col for col, agency in enumerate(grid.columns, grid.first)}
    width = sum(w for _, w in grid.left) + sum(grid.widths) + TOTAL_WIDTH
    shape = _MatrixShape(grid.left, grid.first, grid.total, width, sparse, ctx.consolidated)
    keys, row_no = ctx.keys, _FIRST_ROW
    columns = digest(repr(tuple(column_of.items()))) if paint.keeps else ""
    for _, group in itertools.groupby(matrix.rows, key=lambda r: r.directive.id):  # a block per directive
        rows = tuple(group)
        directive = rows[0].directive
        number = ctx.number(directive)
        inputs = (shape, columns, number, keys.directive(directive), keys.entries(directive)) if paint.keeps else None
        row_no = paint.block(ws, row_no, inputs, partial(_matrix_directive, ws, ctx, shape, column_of, number, rows))
    return row_no - 1


def _matrix_directive(
    ws: Worksheet,
    ctx: WorkbookContext,
    shape: _MatrixShape,
    column_of: dict[str, int],
    number: int,
    rows: Sequence[Row],
    row_no: int,
) -> int:
    """A directive's ``rows`` on the matrix sheet from ``row_no`` (its section number ``number``; its agencies'
    marks in the columns ``column_of``); the next free row."""
    matrix, directive = ctx.matrix, rows[0].directive
    heading = directive_heading(directive, number) if ctx.consolidated else None
    tasks = []
    for row in rows:
        marks = {e.agency.id: inherited_mark(e.role) for e in matrix.context(row)} if row.node.inherited else {}
        marks |= {e.agency.id: e.role.mark for e in matrix.entries_in(row)}
        found = tuple((column_of[agency_id], mark) for agency_id, mark in marks.items())
        tasks.append(_MatrixTask(task_label(row), row.task.title, row.task.text, row.depth, found))
    return _matrix_block(ws, ctx, shape, heading, roman(number), tasks, row_no)


@dataclass(frozen=True)
class _MatrixShape:
    """What a directive's rows on the matrix sheet take from the whole grid."""

    left: tuple[tuple[str, float], ...]  # (header, width) of the task columns
    first: int  # the first agency column
    total: int  # the per-task total column
    width: float  # of all the columns (the section row's text)
    sparse: bool  # only the marked cells written
    consolidated: bool  # several directives: a section row each, their Roman number in column 3


class _MatrixTask(NamedTuple):
    """What a task's row on the matrix sheet shows: its number, title or text, depth, and marks by column."""

    label: str
    title: str | None
    text: str
    depth: int
    marks: tuple[tuple[int, str], ...]


def _matrix_block(
    ws: Worksheet,
    ctx: WorkbookContext,
    shape: _MatrixShape,
    heading: str | None,
    number: str,
    tasks: Sequence[_MatrixTask],
    row_no: int,
) -> int:
    """A directive's rows on the matrix sheet from ``row_no`` (its section row when ``heading``); the next free row."""
    paint = ctx.painter
    if heading is not None:
        paint.merge(ws, row_no, 1, row_no, shape.total, heading, "band")
        paint.height(ws, row_no, lines_height(_line_count(heading, _capacity(shape.width, size=12, bold=True)), 12))
        row_no += 1
    first_col, last_col = get_column_letter(shape.first), get_column_letter(shape.total - 1)
    for task in tasks:
        title, height = _title_height(shape.left, number if shape.consolidated else None, task)
        paint.put(ws, row_no, 1, task.label, "id")
        paint.put(ws, row_no, 2, title, "text", indent=task.depth)
        if shape.consolidated:
            paint.put(ws, row_no, 3, number, "id")
        if shape.sparse:  # only the marked cells
            for col, mark in task.marks:
                paint.put(ws, row_no, col, mark, mark)
        else:
            marks = dict(task.marks)
            paint.put_row(
                ws,
                row_no,
                [(col, marks.get(col), marks.get(col) or "cell", 0) for col in range(shape.first, shape.total)],
            )
        # Agencies on the task, its own and inherited: a formula, so a mark changed in a meeting counts.
        paint.put(ws, row_no, shape.total, f"=COUNTA({first_col}{row_no}:{last_col}{row_no})", "cell", formula=True)
        paint.height(ws, row_no, height)
        paint.done(ws, row_no + 1)
        row_no += 1
    return row_no


def _matrix_totals(ws: Worksheet, ctx: WorkbookContext, grid: _Grid, start: int) -> None:
    """Rows under the matrix: per agency, how many tasks it leads, partners, does (own marks), in all.

    Formulas (COUNTIF over the column, SUM of the three), so Excel and LibreOffice recompute
    them when a mark is changed; inherited marks "(C)" do not count.
    """
    paint = ctx.painter
    first, last = _FIRST_ROW, start - 1
    labels = [f"Số nhiệm vụ {role.value} ({role.mark})" for role in ROLES] + ["Tổng số nhiệm vụ được giao"]
    for offset, label in enumerate(labels):
        row = start + offset
        paint.merge(ws, row, 1, row, len(grid.left), label, "total_label")
        for col in range(grid.first, grid.total + 1):
            letter = get_column_letter(col)
            if offset < len(ROLES) and col < grid.total:
                formula = f'=COUNTIF({letter}{first}:{letter}{last},"{ROLES[offset].mark}")'
            elif offset < len(ROLES):  # right-hand corner: the row's sum
                formula = f"=SUM({get_column_letter(grid.first)}{row}:{get_column_letter(grid.total - 1)}{row})"
            else:
                formula = f"=SUM({letter}{start}:{letter}{start + len(ROLES) - 1})"
            paint.put(ws, row, col, formula, "total", formula=True)
        ctx.painter.height(ws, row, lines_height(1))


# --------------------------------------------------------------------------
# Sheet "Ma trận" turned: agencies as rows, for a matrix of few tasks and many agencies

NAME_WIDTH = 34.0  # the agency names' column
TASK_HEADER_CHARS = 60  # a task's column header: its number and the start of its title, turned
TURNED_TOTALS = ("C", "P", "T", "Tổng")


@dataclass(frozen=True)
class _ByAgency:
    """The matrix turned: agencies down, block by block under a band row each; tasks across, headed by their number
    and title turned 90°; per agency its counts of C, P, T at the right, per task its count of agencies at the bottom.

    Chosen for a matrix too wide to print one page wide at ``MIN_SCALE`` (a commune-level directive with its groups
    expanded: a few tasks, hundreds of agencies) when it prints more whole rows a page than the split matrix.
    """

    groups: list[tuple[Block, tuple[Agency, ...]]]
    names: tuple[str, ...]  # one per agency, block after block
    headers: tuple[str, ...]  # one per task
    widths: tuple[float, ...]  # STT, Cơ quan, the tasks, C, P, T, Tổng
    header_height: float
    row_heights: tuple[float, ...]  # one per agency
    paper: str
    scale: float
    rows: float  # agency rows a printed page holds

    @property
    def first(self) -> int:
        """The first task column."""
        return 3

    @property
    def last(self) -> int:
        """The last task column."""
        return len(self.widths) - len(TURNED_TOTALS)


def _row_names(matrix: Matrix, agencies: Sequence[Agency]) -> list[str]:
    """Agency names for the rows; where names repeat, with the province, else the id."""
    names = [a.name for a in agencies]
    repeated = {n for n in names if names.count(n) > 1}
    names = [
        f"{a.name} ({matrix.registry.provinces[a.province]})"
        if n in repeated and a.province is not None and a.province in matrix.registry.provinces
        else n
        for a, n in zip(agencies, names, strict=True)
    ]
    repeated = {n for n in names if names.count(n) > 1}
    return [f"{n} [{a.id}]" if n in repeated else n for a, n in zip(agencies, names, strict=True)]


def _task_header(row: Row) -> str:
    """ "2. Công an tỉnh: chủ trì, phối hợp …": a task's number and the start of its title."""
    label = task_label(row)
    return f"{label}{'' if label.endswith((')', '-')) or label == CLOSING_LABEL else '.'} " + shorten(
        row.task.title or row.task.text, TASK_HEADER_CHARS
    )


def _by_agency(
    ctx: WorkbookContext, groups: list[tuple[Block, tuple[Agency, ...]]], beat: float = -math.inf
) -> _ByAgency | None:
    """The turned layout on the paper where it holds the most agency rows a page at ``MIN_SCALE`` or more (None when
    even A3 prints it smaller: then it is too wide turned as well), when it holds more than ``beat`` rows a page
    (None when not).

    The task headers' row is at least as high as the totals' headers need, so the rows a page are first bounded
    without the headers: a layout that cannot hold more than ``beat`` rows is left without reading every task.
    """
    matrix = ctx.matrix
    agencies = _in_order(groups)
    if not agencies or not matrix.rows:
        return None
    names = _row_names(matrix, agencies)
    lines = 2
    widths = [7.0, NAME_WIDTH] + [WIDE_AGENCY_WIDTH] * len(matrix.rows) + [TOTAL_WIDTH] * len(TURNED_TOTALS)
    capacity = _capacity(NAME_WIDTH)
    heights = [max(MIN_ROW_HEIGHT, lines_height(_line_count(name, capacity))) for name in names]
    band = lines_height(1, 12)
    average = (sum(heights) + band * len(groups)) / len(heights)
    papers = {}
    for paper in dict.fromkeys([ctx.paper, "A3"]):
        scale = print_scale(widths, paper)
        if scale >= MIN_SCALE:
            papers[paper] = (scale, (PAGE_HEIGHTS[paper] - 2 * 72 * 0.7) / scale - 26)  # margins; the heading
    least = _turned_height(TURNED_TOTALS, lines)  # the header row of no task: the lowest it can be
    if all((usable - lines_height(1) - least) / average <= beat for _, usable in papers.values()):
        return None
    headers = [_task_header(row) for row in matrix.rows]
    header_height = _turned_height([*headers, *TURNED_TOTALS], lines)
    best: _ByAgency | None = None
    for paper, (scale, usable) in papers.items():
        rows = (usable - lines_height(1) - header_height) / average
        if best is None or rows > best.rows:
            best = _ByAgency(
                groups, tuple(names), tuple(headers), tuple(widths), header_height, tuple(heights), paper, scale, rows
            )
    return best if best is not None and best.rows > beat else None


@dataclass(frozen=True)
class _TurnedShape:
    """What a block of agencies' rows on the turned matrix sheet takes from the whole grid."""

    first: int  # the first task column
    last: int  # the last task column
    right: int  # the last column (the agency's total)
    sparse: bool  # only the marked cells written


class _TurnedAgency(NamedTuple):
    """What an agency's row on the turned matrix sheet shows: its number, name, row height, marks by column."""

    number: int
    name: str
    height: float
    marks: tuple[tuple[int, str], ...]


def _turned_block(
    ws: Worksheet, ctx: WorkbookContext, shape: _TurnedShape, name: str, agencies: Sequence[_TurnedAgency], row_no: int
) -> int:
    """A block of agencies on the turned matrix sheet from ``row_no``: its band row (``name``), then a row per agency
    with its marks and counts; the next free row."""
    paint = ctx.painter
    paint.merge(ws, row_no, 1, row_no, shape.right, name, "band")
    paint.height(ws, row_no, lines_height(1, 12))
    first_letter, last_letter = get_column_letter(shape.first), get_column_letter(shape.last)
    for agency in agencies:
        row_no += 1
        paint.put(ws, row_no, 1, agency.number, "id")
        paint.put(ws, row_no, 2, agency.name, "text")
        if shape.sparse:  # only the marked cells
            for col, mark in agency.marks:
                paint.put(ws, row_no, col, mark, mark)
        else:
            marks = dict(agency.marks)
            for col in range(shape.first, shape.last + 1):
                found = marks.get(col)
                paint.put(ws, row_no, col, found, found or "cell")
        span = f"{first_letter}{row_no}:{last_letter}{row_no}"
        for offset, role in enumerate(ROLES):  # own marks only, as the totals of the matrix count them
            paint.put(ws, row_no, shape.last + 1 + offset, f'=COUNTIF({span},"{role.mark}")', "total", formula=True)
        sums = f"{get_column_letter(shape.last + 1)}{row_no}:{get_column_letter(shape.last + len(ROLES))}{row_no}"
        paint.put(ws, row_no, shape.right, f"=SUM({sums})", "total", formula=True)
        paint.height(ws, row_no, agency.height)
        paint.done(ws, row_no + 1)
    return row_no + 1


def _write_by_agency(ws: Worksheet, ctx: WorkbookContext, grid: _ByAgency) -> None:
    """Sheet "Ma trận", turned: agencies down, tasks across (see :class:`_ByAgency`)."""
    paint, matrix = ctx.painter, ctx.matrix
    for col, width in enumerate(grid.widths, 1):
        ws.column_dimensions[get_column_letter(col)].width = width
    right = len(grid.widths)
    _heading(ws, ctx, "MA TRẬN PHÂN CÔNG THỰC HIỆN NHIỆM VỤ", right)
    paint.merge(ws, _BLOCK_ROW, 1, _AGENCY_ROW, 1, "STT", "header")
    paint.merge(ws, _BLOCK_ROW, 2, _AGENCY_ROW, 2, "Cơ quan", "header")
    if ctx.consolidated:  # each directive's Roman number over its tasks
        col = grid.first
        for number, directive in enumerate(matrix.directives, 1):
            count = len(matrix.rows_of(directive.id))
            if count:
                paint.merge(ws, _BLOCK_ROW, col, _BLOCK_ROW, col + count - 1, roman(number), "header")
            col += count
    else:
        paint.merge(ws, _BLOCK_ROW, grid.first, _BLOCK_ROW, grid.last, "Nhiệm vụ", "header")
    paint.merge(ws, _BLOCK_ROW, grid.last + 1, _BLOCK_ROW, right, "Số nhiệm vụ", "header")
    for col, header in enumerate(grid.headers, grid.first):
        paint.put(ws, _AGENCY_ROW, col, header, "header_vertical")
    for col, header in enumerate(TURNED_TOTALS, grid.last + 1):
        paint.put(ws, _AGENCY_ROW, col, header, "header_vertical")
    ctx.painter.height(ws, _BLOCK_ROW, lines_height(1))
    ctx.painter.height(ws, _AGENCY_ROW, grid.header_height)
    # the marks of each agency, its own and inherited, by task column
    marks: dict[str, dict[int, str]] = {}
    for col, row in enumerate(matrix.rows, grid.first):
        found = {e.agency.id: inherited_mark(e.role) for e in matrix.context(row)} if row.node.inherited else {}
        found |= {e.agency.id: e.role.mark for e in matrix.entries_in(row)}
        for agency_id, mark in found.items():
            marks.setdefault(agency_id, {})[col] = mark
    sparse = len(matrix.rows) * len(grid.names) > SPARSE_CELLS
    ws.print_options.gridLines = sparse
    shape = _TurnedShape(grid.first, grid.last, right, sparse)
    row_no, index = _AGENCY_ROW + 1, 0
    for block, agencies in grid.groups:  # a block of rows per block of agencies
        rows = tuple(
            _TurnedAgency(
                index + offset + 1,
                grid.names[index + offset],
                grid.row_heights[index + offset],
                tuple(sorted(marks.get(agency.id, {}).items())),
            )
            for offset, agency in enumerate(agencies)
        )
        row_no = paint.block(
            ws, row_no, (shape, block.name, rows), partial(_turned_block, ws, ctx, shape, block.name, rows)
        )
        index += len(agencies)
    row_no -= 1  # the last agency's row
    total = row_no + 1
    paint.merge(ws, total, 1, total, 2, TOTAL_HEADER, "total_label")
    for col in range(grid.first, right + 1):
        letter = get_column_letter(col)
        function = "COUNTA" if col <= grid.last else "SUM"  # agencies on the task, its own and inherited
        paint.put(ws, total, col, f"={function}({letter}{_FIRST_ROW}:{letter}{row_no})", "total", formula=True)
    ctx.painter.height(ws, total, lines_height(1))
    _matrix_legend(ws, ctx, 2, total + 2)
    ws.freeze_panes = f"{get_column_letter(grid.first)}{_FIRST_ROW}"
    legend = "; ".join(f"{r.mark}: {r.value}" for r in ROLES) + "; (C), (P), (T): theo mục trên"
    legend += ". Bảng rộng: cơ quan theo hàng, nhiệm vụ theo cột"  # short: the footer prints at 100 %
    setup_print(ws, ctx, f"{_BLOCK_ROW}:{_AGENCY_ROW}", "A:B", legend, grid.paper)


# --------------------------------------------------------------------------
# List sheets


@dataclass(frozen=True)
class Column:
    header: str
    width: float
    look: str = "text"
    grows: bool = False  # widens to fill the paper


_STT = Column("STT", 7, "id")
_WHEN, _WHERE = Column("Thời hạn / báo cáo", 16), Column("Văn bản, mục", 15)
_TASK_COLUMNS = (
    _STT,
    Column("Nội dung nhiệm vụ", 58, grows=True),
    *(Column(f"Cơ quan {r.value}", 18) for r in ROLES),
    _WHEN,
    _WHERE,
)
_AGENCY_COLUMNS = (_STT, Column("Nội dung nhiệm vụ", 70, grows=True), Column("Vai trò", 14), _WHEN, _WHERE)
_DIRECTIVE_COLUMNS = (
    Column("STT", 5, "id"),
    Column("Viết tắt trong bảng", 14),
    Column("Loại văn bản", 11),
    Column("Số, ký hiệu", 13),
    Column("Ngày ban hành", 12, "id"),
    Column("Cơ quan ban hành", 24),
    Column("Trích yếu", 40, grows=True),
    Column("Người ký", 24),
    Column("Số nhiệm vụ", 9, "id"),
)


def start_table(
    ws: Worksheet, ctx: WorkbookContext, name: str, heading: str, columns: Sequence[Column]
) -> tuple[int, list[Column]]:
    """Name the sheet, write its heading and column headers.

    Returns the first data row and the columns as laid out on the paper.
    """
    ws.title = name
    grows = next(i for i, c in enumerate(columns) if c.grows)
    widths = _stretch([c.width for c in columns], grows, ctx.paper, MAX_TEXT_WIDTH)
    columns = [replace(c, width=w) for c, w in zip(columns, widths, strict=True)]
    _heading(ws, ctx, heading, len(columns))
    for col, column in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(col)].width = column.width
        ctx.painter.put(ws, 2, col, column.header, "header")
    lines = max(_line_count(c.header, _capacity(c.width, bold=True)) for c in columns)
    ctx.painter.height(ws, 2, lines_height(lines))
    ws.freeze_panes = "A3"
    setup_print(ws, ctx, "2:2")
    return 3, columns


def put_records(
    ws: Worksheet,
    ctx: WorkbookContext,
    row: int,
    columns: Sequence[Column],
    values: Sequence[CellValue],
    text_col: int | None = None,
    indent: int = 0,
) -> int:
    """Write one record; a text taller than a row continues below. Returns the next free row.

    ``text_col`` (0-based) is the long-text column, indented ``indent`` levels. Any column's text (a task,
    a long list of agencies) longer than ``MAX_TEXT_LINES`` lines continues on the rows below.
    The rows above the next free row are then final (:meth:`Painter.done`): records go down the sheet.
    """
    paint = ctx.painter
    # per column: its pieces (a text longer than a row continues below), each with the lines it wraps to
    pieces: list[tuple[tuple[CellValue, int], ...]] = []
    for col, (column, value) in enumerate(zip(columns, values, strict=True)):
        if isinstance(value, str) and value:
            pieces.append(_cell_pieces(value, column.width, indent if col == text_col else 0))
        else:
            pieces.append(((value, 1),))  # one line: what a row holds at least
    height = max(map(len, pieces))
    for index in range(height):
        lines = 1
        cells = []
        for col, (column, found) in enumerate(zip(columns, pieces, strict=True)):
            value, count = found[index] if index < len(found) else (None, 1)
            cells.append((col + 1, value, column.look, indent if col == text_col else 0))
            if count > lines:
                lines = count
        paint.put_row(ws, row, cells)
        paint.height(ws, row, min(MAX_ROW_HEIGHT, max(MIN_ROW_HEIGHT, lines_height(lines))))
        row += 1
    paint.done(ws, row)
    return row


def _names(row: Row, entries: Iterable[Entry], role: Role) -> str:
    """The agencies of ``role`` on a task, one a line: its own, then those it inherits "(theo mục 2)"."""
    return "\n".join(
        e.agency.name if e.row.key == row.key else f"{e.agency.name} (theo {location(e.row)})"
        for e in entries
        if e.role is role
    )


def _write_tasks(ws: Worksheet, ctx: WorkbookContext) -> None:
    """Sheet "Nhiệm vụ": one row per task with its addressees by role."""
    row, columns = start_table(ws, ctx, SHEET_TASKS, "DANH SÁCH NHIỆM VỤ", _TASK_COLUMNS)
    layout, keys = tuple(columns), ctx.keys
    for _, group in itertools.groupby(ctx.matrix.rows, key=lambda r: r.directive.id):  # a block per directive
        rows = tuple(group)
        directive = rows[0].directive
        keeps = ctx.painter.keeps
        inputs = (
            (layout, ctx.labels[directive.id], keys.directive(directive), keys.entries(directive)) if keeps else None
        )
        row = ctx.painter.block(ws, row, inputs, partial(_task_records, ws, ctx, layout, rows))


def _task_records(ws: Worksheet, ctx: WorkbookContext, layout: Sequence[Column], rows: Sequence[Row], row: int) -> int:
    """A directive's ``rows`` on the "Nhiệm vụ" sheet from ``row``; returns the next free row."""
    records: list[_Record] = []
    for task_row in rows:
        # A sub-item's rows name the agencies it inherits too, as the matrix marks them "(C)".
        inherited = [e for e in ctx.matrix.context(task_row) if e.row.key != task_row.key]
        entries = [*ctx.matrix.entries_in(task_row), *inherited]
        values = (
            task_label(task_row),
            task_row.task.text,
            *(_names(task_row, entries, role) for role in ROLES),
            _deadline(task_row),
            ctx.place(task_row),
        )
        records.append((values, task_row.depth))
    return _put_all(ws, ctx, layout, records, row)


_Record = tuple[tuple[CellValue, ...], int]  # a record's values, and how deep its text is indented


def _put_all(
    ws: Worksheet, ctx: WorkbookContext, columns: Sequence[Column], records: Sequence[_Record], row: int
) -> int:
    """Write ``records`` (each values and indent, the text in column 1) from ``row``; returns the next free row."""
    for values, indent in records:
        row = put_records(ws, ctx, row, columns, values, text_col=1, indent=indent)
    return row


def _applying(matrix: Matrix) -> dict[str, list[tuple[Row, Entry]]]:
    """Per agency, every task that applies to it (stated there or at a parent), in order."""
    found: dict[str, list[tuple[Row, Entry]]] = {}
    for row in matrix.rows:
        for entry in matrix.context(row):
            found.setdefault(entry.agency.id, []).append((row, entry))
    return found


def _role_text(row: Row, entry: Entry) -> str:
    """ "Chủ trì", with where it comes from when inherited or expanded from a group."""
    parts = [capitalised(entry.role.value)]
    if entry.row.key != row.key:
        parts.append(f"(theo {location(entry.row)})")
    if entry.via is not None:
        parts.append(f"(thuộc {entry.via.short})")
    return "\n".join(parts)


def _write_agencies(ws: Worksheet, ctx: WorkbookContext) -> None:
    """Sheet "Theo cơ quan": each addressee's tasks, one addressee per printed page run."""
    row, layout = start_table(ws, ctx, SHEET_AGENCIES, "NHIỆM VỤ THEO CƠ QUAN", _AGENCY_COLUMNS)
    columns, keys = tuple(layout), ctx.keys
    tasks: dict[tuple[str, str], str] = {}  # by task: what its records show of it (for their blocks' keys)
    applying = _applying(ctx.matrix)
    for number, agency in enumerate(_in_order(_column_groups(ctx.matrix)), 1):
        if number > 1:
            ws.row_breaks.append(Break(id=row - 1))
        counts = ctx.matrix.counts(agency.id)
        summary = "; ".join(f"{r.value}: {counts[r]}" for r in ROLES)
        row = _agency_band(ws, ctx, columns, f"{number}. {agency.name} ({summary})", row)
        # the agency's tasks in blocks of whole directives, so that a task edited costs its block only: a block
        # shows the agency's tasks of its directives, all there are, so it is known by them and the agency
        for chunk in _directive_runs(applying.get(agency.id, []), AGENCY_BLOCK_RECORDS):
            parts = []  # what each record shows (the task, where it stands, the role's source), when blocks are kept
            for task_row, entry in chunk if ctx.painter.keeps else ():
                shown = tasks.get(task_row.key)
                if shown is None:
                    task, place = keys.task(task_row), ctx.place(task_row)
                    shown = tasks[task_row.key] = f"{task}{task_row.node.label}\x00{task_row.depth}\x00{place}"
                source = "" if entry.row.key == task_row.key else ctx.place(entry.row)
                via = "" if entry.via is None else keys.agency(entry.via)
                parts.append(f"{shown}\x00{entry.role}\x00{source}\x00{via}\x01")
            inputs = (columns, keys.base, digest("".join(parts)))
            row = ctx.painter.block(ws, row, inputs, partial(_agency_records, ws, ctx, columns, chunk))


def _agency_records(
    ws: Worksheet, ctx: WorkbookContext, columns: Sequence[Column], chunk: Sequence[tuple[Row, Entry]], row: int
) -> int:
    """An agency's tasks ``chunk`` on the "Theo cơ quan" sheet from ``row``; returns the next free row."""
    records = [
        (
            (
                task_label(task_row),
                task_row.task.text,
                _role_text(task_row, entry),
                _deadline(task_row),
                ctx.place(task_row),
            ),
            task_row.depth,
        )
        for task_row, entry in chunk
    ]
    return _put_all(ws, ctx, columns, records, row)


AGENCY_BLOCK_RECORDS = 40  # an agency's tasks kept in blocks of whole directives, closed from this many records on


def _directive_runs(applying: Sequence[tuple[Row, Entry]], least: int) -> list[list[tuple[Row, Entry]]]:
    """``applying`` (in document order) cut into runs of whole directives, each of ``least`` records or more (the
    last one may be shorter): where the cuts fall depends only on the directives' counts of records."""
    chunks: list[list[tuple[Row, Entry]]] = []
    current: list[tuple[Row, Entry]] = []
    for _, group in itertools.groupby(applying, key=lambda found: found[0].directive.id):
        if len(current) >= least:
            chunks.append(current)
            current = []
        current.extend(group)
    if current:
        chunks.append(current)
    return chunks


def _agency_band(ws: Worksheet, ctx: WorkbookContext, layout: Sequence[Column], band: str, row: int) -> int:
    """An agency's band row in "Theo cơ quan" at ``row`` (its number, name and counts); the next free row."""
    ctx.painter.merge(ws, row, 1, row, len(layout), band, "band")
    width = sum(c.width for c in layout)
    ctx.painter.height(ws, row, lines_height(_line_count(band, _capacity(width, size=12, bold=True)), 12))
    return row + 1


def _signer(directive: Directive) -> str:
    """The signer's name, then the authority and title lines as printed."""
    signer = directive.signer
    return "\n".join(p for p in (signer.name or "", *signer.authority, signer.title or "") if p)


DIRECTIVE_BLOCK = 50  # directives a block of rows in "Văn bản" (kept for the next writing)


def _write_directives(ws: Worksheet, ctx: WorkbookContext) -> None:
    """Sheet "Văn bản": what each directive is, who issued and signed it."""
    row, columns = start_table(ws, ctx, SHEET_DIRECTIVES, "DANH SÁCH VĂN BẢN", _DIRECTIVE_COLUMNS)
    layout = tuple(columns)
    counts = collections.Counter(row.directive.id for row in ctx.matrix.rows)  # its tasks (rows_of: a scan each)
    records: list[_Record] = []
    for number, directive in enumerate(ctx.matrix.directives, 1):
        values: tuple[CellValue, ...] = (
            number,
            ctx.labels[directive.id],
            capitalised(directive.kind),
            directive.reference,
            format_date(directive.date),
            directive.issuer.name,
            directive.title,
            _signer(directive),
            counts[directive.id],
        )
        records.append((values, 0))
    for start in range(0, len(records), DIRECTIVE_BLOCK):
        block = tuple(records[start : start + DIRECTIVE_BLOCK])
        row = ctx.painter.block(ws, row, (layout, block), partial(_put_records, ws, ctx, layout, block))


def _put_records(
    ws: Worksheet, ctx: WorkbookContext, columns: Sequence[Column], records: Sequence[_Record], row: int
) -> int:
    """Write ``records`` (each values, no long-text column) from ``row``; returns the next free row."""
    for values, _ in records:
        row = put_records(ws, ctx, row, columns, values)
    return row

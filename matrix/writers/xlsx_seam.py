"""The few places where matrix reaches past openpyxl's public API, in one module.

openpyxl keeps a cell's style as a record of indexes into the workbook's style tables
(``cell._style``); copying that record is what openpyxl itself does between cells, and it
is many times faster than assigning font, fill, border and alignment one by one. The
workbook's default font lives in its private font table (``wb._fonts``, font 0) and the
"Normal" named style; a worksheet files its cells in ``ws._cells``. A checked text goes into ``cell._value`` as a string cell without
the setter's second check. None has a public equivalent, so both are reached here, typed,
and tested against the installed openpyxl (tests/test_xlsx_seam.py); setup.cfg pins
openpyxl below the next minor version. ``first_sheet`` and ``odd_header_footer`` narrow
values that openpyxl types as optional (a workbook's first sheet, a sheet's header and footer).

``save_workbook`` saves a workbook as ``Workbook.save`` does, with one difference: each sheet's
rows (``<sheetData>``) are written by this module as strings, not by openpyxl's per-cell lxml
writer (most of the saving time of a large workbook). The cells come from ``ws._cells`` (openpyxl's
own, serialised as openpyxl serialises them) and from a :class:`SheetCells` per sheet: cells already
serialised when they were written (the Painter's streamed mode), so a large sheet never holds an
openpyxl ``Cell`` per cell. Everything else of the sheet (columns, panes, merges, print setup,
validations) is openpyxl's own writer, which is told to leave an empty ``<sheetData/>`` that the
rows then replace.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping
from copy import copy
from dataclasses import dataclass, field
from functools import lru_cache, partial
from io import BytesIO
from pathlib import Path
from typing import Any, TypeAlias
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

import openpyxl.writer.excel as openpyxl_excel
from openpyxl import Workbook
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.compat import safe_string
from openpyxl.descriptors.nested import NestedText
from openpyxl.descriptors.sequence import NestedSequence, Sequence
from openpyxl.descriptors.serialisable import Serialisable
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.packaging.extended import ExtendedProperties
from openpyxl.packaging.relationship import RelationshipList
from openpyxl.styles import Alignment, Border, Font
from openpyxl.styles.cell_style import CellStyle, StyleArray
from openpyxl.styles.colors import ColorList
from openpyxl.styles.fills import Fill
from openpyxl.styles.numbers import BUILTIN_FORMATS_MAX_SIZE, NumberFormat
from openpyxl.styles.stylesheet import Stylesheet
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel, to_ISO8601
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.workbook._writer import WorkbookWriter
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.datavalidation import DataValidationList
from openpyxl.worksheet.header_footer import HeaderFooter, HeaderFooterItem
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.theme import theme_xml
from openpyxl.xml.constants import (
    ARC_APP,
    ARC_CORE,
    ARC_ROOT_RELS,
    ARC_STYLE,
    ARC_THEME,
    ARC_WORKBOOK,
    ARC_WORKBOOK_RELS,
    SHEET_MAIN_NS,
)
from openpyxl.xml.functions import Element, SubElement, tostring

from ..core.text import XML_ILLEGAL

__all__ = [
    "SPILL_ROWS",
    "CellValue",
    "Deflated",
    "SheetCells",
    "Written",
    "add_merged_range",
    "cell_xml",
    "first_sheet",
    "new_style_record",
    "odd_header_footer",
    "openpyxl_cell_xml",
    "openpyxl_sheet_frame",
    "save_workbook",
    "set_default_font",
    "set_style_record",
    "set_text",
    "sheet_frame",
    "style_index",
    "style_record",
    "style_state",
    "stylesheet_xml",
    "write_part",
]

# What matrix writes into a cell (a subset of what openpyxl accepts).
CellValue: TypeAlias = str | int | float | dt.date | None


def style_record(cell: Cell | MergedCell) -> StyleArray:
    """A copy of ``cell``'s style record (indexes into its workbook's style tables)."""
    record: StyleArray = copy(cell._style)  # type: ignore[union-attr]
    return record


def set_style_record(cell: Cell | MergedCell, record: StyleArray) -> None:
    """Give ``cell`` the style ``record`` taken from a cell of the same workbook."""
    cell._style = StyleArray(record)  # type: ignore[union-attr]  # a copy, as StyleArray.__copy__ makes it


def styled_cell(ws: Worksheet, row: int, column: int, record: StyleArray) -> Cell | MergedCell:
    """The cell at (``row``, ``column``) of ``ws`` with the style ``record``: made directly when new.

    ``ws.cell()`` validates the coordinates, makes a cell with a blank style and looks it up again;
    this makes it with its style in one step and files it where ``ws.cell()`` would (``ws._cells``).
    """
    cells: dict[tuple[int, int], Cell | MergedCell] = ws._cells
    cell = cells.get((row, column))
    if cell is None:
        cell = cells[(row, column)] = Cell(ws, row=row, column=column, style_array=record)
    else:
        cell._style = StyleArray(record)  # type: ignore[union-attr]
    return cell


def new_style_record(ws: Worksheet, font: Font, fill: Fill, border: Border, alignment: Alignment) -> StyleArray:
    """The style record a new cell of ``ws`` gets from setting its ``font``, ``fill``, ``border`` and ``alignment``
    (in that order), each added to its table in the workbook as the public setters add it
    (``StyleDescriptor.__set__``), without making a cell and going through its descriptors.

    The parts must not change once given (matrix's looks are made once for the process and only read): a part
    already filed in this workbook is known by its identity, without hashing its value again (openpyxl hashes a
    font or a fill field by field, child objects too)."""
    book: Any = ws.parent
    record = StyleArray()
    record.fontId = _filed(book, "_fonts", font)
    record.fillId = _filed(book, "_fills", fill)
    record.borderId = _filed(book, "_borders", border)
    record.alignmentId = _filed(book, "_alignments", alignment)
    return record


_FILED = "_matrix_filed_parts"  # where a workbook keeps the parts filed by new_style_record, by table and identity


def _filed(book: Any, table: str, part: object) -> int:
    """The index of ``part`` in the workbook's style ``table`` (``IndexedList.add``: added when new)."""
    filed: dict[tuple[str, int], tuple[object, object, int]] | None = book.__dict__.get(_FILED)
    if filed is None:
        filed = book.__dict__[_FILED] = {}
    entries = getattr(book, table)
    found = filed.get((table, id(part)))
    if found is not None and found[0] is part and found[1] is entries:  # the part kept alive with its id: no reuse
        return found[2]
    index: int = entries.add(part)
    filed[table, id(part)] = (part, entries, index)
    return index


def style_index(ws: Worksheet, record: StyleArray) -> int:
    """The index of the style ``record`` in the cell styles of ``ws``'s workbook (added when new), as ``<c s=...>``."""
    book: Any = ws.parent
    index: int = book._cell_styles.add(record)
    return index


_STYLE_TABLES = ("_cell_styles", "_fonts", "_fills", "_borders", "_alignments", "_protections", "_number_formats")
_STATE = "_matrix_style_state"  # where a workbook keeps the digest of its style tables, with their lengths


def style_state(wb: Workbook) -> str:
    """A digest of ``wb``'s style tables: equal digests, equal tables (so a style gets the same index in both).

    The tables only grow, so within a workbook their lengths tell their content: the digest is made once
    for each lengths met, and kept on the workbook itself (a workbook made later may have the same ``id``
    and lengths, not the same tables).
    """
    tables = [getattr(wb, name) for name in _STYLE_TABLES]
    lengths = tuple(len(table) for table in tables)
    kept: tuple[tuple[int, ...], str] | None = getattr(wb, _STATE, None)
    if kept is not None and kept[0] == lengths:
        return kept[1]
    text = repr([[repr(entry) for entry in table] for table in tables])
    found = hashlib.sha256(text.encode()).hexdigest()
    setattr(wb, _STATE, (lengths, found))
    return found


def add_merged_range(ws: Worksheet, top: int, left: int, bottom: int, right: int) -> None:
    """Record the merged range from (``top``, ``left``) to (``bottom``, ``right``) in ``ws``, of cells already styled.

    ``ws.merge_cells`` turns the cells into ``MergedCell`` objects and re-derives their borders; a
    ``MergedCellRange`` makes the corner cell; ``merged_cells.add`` looks through every range already there
    (a range inside another is dropped: matrix never merges one range inside another). A plain ``CellRange``
    goes into the same set (``merged_cells.ranges``) as those would, so the sheet's ``<mergeCells>`` is the same.
    """
    ws.merged_cells.ranges.add(CellRange(min_col=left, min_row=top, max_col=right, max_row=bottom))


def set_text(cell: Cell | MergedCell, text: str) -> None:
    """Store ``text`` in ``cell`` as a string cell, whatever it starts with ("=", "#N/A" stay text).

    The public setter checks every string again (an illegal-character search and a length check) and
    then types "=..." as a formula; matrix's ``cell_text`` has already made the text fit a cell, so the
    value goes in as openpyxl's setter would store a plain string, and the type is fixed to text.
    """
    cell._value = text  # type: ignore[union-attr]
    cell.data_type = "s"


def set_default_font(wb: Workbook, font: Font) -> None:
    """Make ``font`` the default of every unstyled cell and of the "Normal" style (column units follow it)."""
    wb._fonts = IndexedList([font])  # type: ignore[attr-defined]  # font 0 is the default
    wb._named_styles["Normal"].font = font  # type: ignore[attr-defined]


def first_sheet(wb: Workbook) -> Worksheet:
    """The worksheet a new workbook starts with."""
    sheet = wb.active
    if not isinstance(sheet, Worksheet):  # a new (not write-only) Workbook always has one
        raise TypeError(f"the workbook starts with {type(sheet).__name__}, not a worksheet")
    return sheet


def odd_header_footer(ws: Worksheet) -> tuple[HeaderFooterItem, HeaderFooterItem]:
    """The header and footer of ``ws``'s pages; openpyxl makes both with the sheet, else they are made here."""
    header, footer = ws.oddHeader, ws.oddFooter
    if header is None:
        header = ws.oddHeader = HeaderFooterItem()
    if footer is None:
        footer = ws.oddFooter = HeaderFooterItem()
    return header, footer


# --------------------------------------------------------------------------
# Rows written as strings


_ILLEGAL = re.compile(f"[{XML_ILLEGAL}]")


def _escaped(text: str) -> str:
    """``text`` as XML character data, escaped as lxml escapes it; XML-illegal characters refused as lxml does."""
    if _ILLEGAL.search(text):
        raise ValueError("All strings must be XML compatible: Unicode or ASCII, no NULL bytes or control characters")
    # as lxml escapes character data (str.replace: many times faster than str.translate)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


@lru_cache(maxsize=1 << 13)  # the recent texts: a workbook repeats its own (some 13 MB when 32,768)
def _inline(text: str) -> str:
    """The content of a string cell holding ``text`` (``<is>...</is>``, nothing for ""), as openpyxl writes it.

    Kept for the process: a task's text, an agency's name, a role are written in many cells and workbooks."""
    if not text:
        return ""
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f"<is><t{space}>{_escaped(text)}</t></is>"


def _styled(style: int) -> str:
    """The style attribute of a cell of style index ``style`` (none for 0, the default)."""
    return f' s="{style}"' if style else ""


def cell_xml(row: int, column: int, style: int, value: CellValue | bool, formula: bool = False) -> str:
    """The ``<c>`` element openpyxl writes for a cell of style index ``style`` (0: unstyled) holding ``value``.

    Text is always a string cell (an inline string, as openpyxl writes them), unless ``formula``
    ("=SUM(...)"). Numbers and booleans are written as openpyxl writes them; a date has a number
    format, so it goes through :func:`openpyxl_cell_xml` with the cell that openpyxl makes of it.
    """
    if type(value) is str and not formula:  # most cells: text (checked first)
        return f'<c r="{get_column_letter(column)}{row}"{_styled(style)} t="inlineStr">{_inline(value)}</c>'
    if value is None:  # openpyxl writes an empty cell only when it is styled
        return f'<c r="{get_column_letter(column)}{row}" s="{style}" t="n"></c>' if style else ""
    ref = f"{get_column_letter(column)}{row}"
    styled = _styled(style)
    if formula and isinstance(value, str):
        return f'<c r="{ref}"{styled}><f>{_escaped(value[1:])}</f><v></v></c>'
    if isinstance(value, str):  # a subclass of str
        return f'<c r="{ref}"{styled} t="inlineStr">{_inline(value)}</c>'
    if isinstance(value, bool):
        return f'<c r="{ref}"{styled} t="b"><v>{safe_string(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"{styled} t="n"><v>{safe_string(value)}</v></c>'
    raise TypeError(f"cell_xml writes text, numbers and formulas, not {type(value).__name__}")


def openpyxl_cell_xml(ws: Worksheet, cell: Cell | MergedCell) -> str:
    """The ``<c>`` element of an openpyxl cell, as openpyxl's own cell writer makes it (``openpyxl.cell._writer``)."""
    found: Any = cell  # its private attributes, typed by no stub
    book: Any = ws.parent
    value = found._value
    if found._comment is not None or getattr(found, "_hyperlink", None) is not None:
        raise ValueError(f"{ws.title}!{cell.coordinate}: comments and hyperlinks are not written by save_workbook")
    style = book._cell_styles.add(found._style) if cell.has_style else 0
    kind = found.data_type
    if kind == "f":
        if not isinstance(value, str):  # array and data-table formulas: not written by matrix
            raise TypeError(f"{ws.title}!{cell.coordinate}: a {type(value).__name__} formula")
        return cell_xml(found.row, found.column, style, value, formula=True)
    if kind == "s":
        if not isinstance(value, str):  # rich text: not written by matrix
            raise TypeError(f"{ws.title}!{cell.coordinate}: a {type(value).__name__} text")
        return cell_xml(found.row, found.column, style, value)
    ref, styled = cell.coordinate, f' s="{style}"' if style else ""
    if kind == "d":
        if getattr(value, "tzinfo", None) is not None:
            raise TypeError("Excel does not support timezones in datetimes.")
        if book.iso_dates and not isinstance(value, dt.timedelta):
            return f'<c r="{ref}"{styled} t="d"><v>{safe_string(to_ISO8601(value))}</v></c>'  # type: ignore[no-untyped-call]
        value = to_excel(value, book.epoch)  # type: ignore[no-untyped-call]
        kind = "n"
    if value is None or value == "":
        return f'<c r="{ref}"{styled} t="{kind}"></c>'
    return f'<c r="{ref}"{styled} t="{kind}"><v>{_escaped(safe_string(value))}</v></c>'


SPILL_ROWS = 500  # final rows written out (compressed) at a time

# --------------------------------------------------------------------------
# Sheets compressed piece by piece
#
# A zip member compressed with deflate is one raw deflate stream. Pieces of XML compressed each on their own
# (a fresh compressor ended by a sync flush: whole bytes, no reference to what came before) follow one another
# as one stream, closed by a final empty block; so a sheet is written from pieces compressed when their rows
# were, and a piece kept from an earlier writing (excel's kept blocks) is copied as it is, never compressed
# again. The member's CRC-32 is combined from the pieces' own (zlib's crc32_combine, which Python lacks).

# zlib level of the sheets. Level 6 (zipfile's default) spent 1.4 s compressing the 85 MB of XML of a 6,000-task
# province's consolidated workbook; level 5 spends 0.8 s for files 7 % larger (tong-hop/ma-tran.xlsx 8.98 -> 9.61 MB,
# a directive's workbook 31.6 -> 32.2 KB). Level 1 was 3x faster than 6 but made the files a third larger: clerks
# send these files by mail
LEVEL = 5
_FINAL_BLOCK = b"\x03\x00"  # a final, empty block of fixed codes: the end of a raw deflate stream
_CRC_POLY = 0xEDB88320  # CRC-32's polynomial, bits reflected


def _times_mod(a: int, b: int) -> int:
    """``a`` times ``b`` modulo the CRC-32 polynomial (polynomials over GF(2), bits reflected; zlib's multmodp)."""
    m, p = 1 << 31, 0
    while True:
        if a & m:
            p ^= b
            if a & (m - 1) == 0:
                return p
        m >>= 1
        b = (b >> 1) ^ _CRC_POLY if b & 1 else b >> 1


def _powers() -> list[int]:
    """x to the power 2**k modulo the polynomial, k = 0..31 (zlib's x2n_table)."""
    found, p = [], 1 << 30  # x
    for _ in range(32):
        found.append(p)
        p = _times_mod(p, p)
    return found


_X2N = _powers()


def crc_shift(length: int) -> int:
    """x to the power 8 * ``length`` modulo the CRC-32 polynomial: what moves a CRC past ``length`` bytes of zeros
    (zlib's x2nmodp(length, 3))."""
    shift, k = 1 << 31, 3  # x**0
    while length:
        if length & 1:
            shift = _times_mod(_X2N[k & 31], shift)
        length >>= 1
        k += 1
    return shift


def crc32_combine(first: int, second: int, shift: int) -> int:
    """The CRC-32 of ``a + b`` from ``first``, the CRC-32 of ``a``, ``second``, that of ``b``, and ``shift``, the
    :func:`crc_shift` of ``b``'s length (zlib's crc32_combine)."""
    return _times_mod(shift, first) ^ second


@dataclass(frozen=True)
class Deflated:
    """Bytes compressed as a piece of a raw deflate stream (on their own, ended by a sync flush: see above), with
    the CRC-32 and length of the bytes, and the :func:`crc_shift` of that length (what moves a CRC past the piece in
    a multiplication: worked out when first asked for, as a piece that starts a stream never needs it). Pieces
    concatenate: :meth:`join`."""

    data: bytes
    crc: int = 0
    size: int = 0
    known_shift: int | None = field(default=None, compare=False)  # the shift when given or worked out

    @property
    def shift(self) -> int:
        found = self.known_shift
        if found is None:
            found = crc_shift(self.size)
            object.__setattr__(self, "known_shift", found)  # a value derived from the fields, kept
        return found

    @classmethod
    def of(cls, raw: bytes) -> Deflated:
        if not raw:
            return EMPTY
        compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
        data = compressor.compress(raw) + compressor.flush(zlib.Z_SYNC_FLUSH)
        return cls(data, zlib.crc32(raw), len(raw))

    @staticmethod
    def join(pieces: Iterable[Deflated]) -> Deflated:
        data, crc, size = [], 0, 0
        for piece in pieces:
            if piece.size:
                data.append(piece.data)
                crc = crc32_combine(crc, piece.crc, piece.shift) if size else piece.crc
                size += piece.size
        return Deflated(b"".join(data), crc, size)


EMPTY = Deflated(b"")


@dataclass(frozen=True)
class Written:
    """Rows written out: their ``<row>`` elements (UTF-8, compressed: :class:`Deflated`), the row after the last
    (``stop``), the corners of their cells (top left and bottom right, none when no cell) for the sheet's
    ``<dimension>``."""

    rows: Deflated
    stop: int
    corners: tuple[tuple[int, int], ...]


def _corners(cells: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """The top left and bottom right corners of the cells at (row, column) ``cells`` (none when none)."""
    found = list(cells)
    if not found:
        return ()
    rows, columns = [r for r, _ in found], [c for _, c in found]
    return ((min(rows), min(columns)), (max(rows), max(columns)))


class SheetCells:
    """A sheet's cells already serialised (``<c>`` elements by row and column), and row heights.

    What :func:`save_workbook` writes for the sheet besides its openpyxl cells; a coordinate is
    either here or an openpyxl cell (an openpyxl cell there that is empty and unstyled gives way).
    Rows the sheet's writer declares final (:meth:`write_out`) are serialised and compressed, with
    the sheet's openpyxl cells and row dimensions of those rows, which leave the sheet: a large
    sheet then holds only the rows still being written, and the rest as compressed pieces. A cell or a row height given to a row
    already written out is refused.
    """

    def __init__(self) -> None:
        self.rows: dict[int, dict[int, str]] = {}
        self.heights: dict[int, float] = {}
        self.done = 1  # rows before this one are written out
        self.spill: list[Deflated] = []  # the rows written out, piece by piece
        self.bounds: tuple[tuple[int, int], ...] = ()  # the corners of the cells written out (for <dimension>)

    def put(self, row: int, column: int, xml: str) -> None:
        self.row(row)[column] = xml

    def row(self, row: int) -> dict[int, str]:
        """The cells of ``row`` not yet written out (column: ``<c>`` element), to put more in; ValueError when the
        row is written out already."""
        if row < self.done:
            raise ValueError(f"row {row} is already written out (rows before {self.done} are)")
        found = self.rows.get(row)
        if found is None:
            found = self.rows[row] = {}
        return found

    def put_row(self, row: int, cells: dict[int, str]) -> None:
        """:meth:`put` of each (column: ``<c>`` element) of ``cells`` on ``row``."""
        self.row(row).update(cells)

    def height(self, row: int, height: float) -> None:
        if row < self.done:
            raise ValueError(f"row {row} is already written out (rows before {self.done} are)")
        self.heights[row] = height

    def write_out(self, ws: Worksheet, before: int, least: int = SPILL_ROWS) -> Written | None:
        """Rows before ``before`` are final: once ``least`` or more of them wait, write them out.

        Returns what was written (None: nothing): the rows' XML and the corners of their cells.
        """
        if before - self.done < max(least, 1):
            return None
        numbers = _row_numbers(ws, self, before)
        xml = Deflated.of("".join(_sheet_rows(ws, self, numbers)).encode())
        corners = [
            (row, column) for row in numbers for found in (self.rows.get(row),) if found for column in _ends(found)
        ]
        for key, _ in _own_cells(ws, self.done, before):
            corners.append(key)
            del ws._cells[key]
        for row in numbers:
            self.rows.pop(row, None)
            self.heights.pop(row, None)
            ws.row_dimensions.pop(row, None)
        written = Written(xml, before, _corners(corners))
        self.put_written(written)
        return written

    def put_written(self, written: Written) -> None:
        """Write out rows already serialised (``written``, from :meth:`write_out` of an equal sheet): they
        follow the rows written out so far, and no row before ``written.stop`` may be given a cell after."""
        if self.rows.keys() | self.heights.keys() and min(self.rows.keys() | self.heights.keys()) < written.stop:
            raise ValueError(f"rows before {written.stop} are still being written")
        if written.rows.size:
            self.spill.append(written.rows)
        self.bounds = _corners([*self.bounds, *written.corners])
        self.done = max(self.done, written.stop)

    def close(self) -> None:
        self.spill = []


def _ends(columns: dict[int, str]) -> tuple[int, ...]:
    """The first and last column of a row's cells (what its corners depend on)."""
    return (min(columns), max(columns))


def _own_cells(ws: Worksheet, start: int, stop: int | None) -> list[tuple[tuple[int, int], Cell | MergedCell]]:
    """The sheet's openpyxl cells in rows ``start`` to ``stop`` (excluded; None: to the end)."""
    found: dict[tuple[int, int], Cell | MergedCell] = ws._cells
    if not found:
        return []
    end = (1 << 31) if stop is None else stop  # beyond any sheet's last row
    return [(key, cell) for key, cell in found.items() if start <= key[0] < end]


def _row_numbers(ws: Worksheet, cells: SheetCells, stop: int | None) -> list[int]:
    """The numbers of the rows not yet written out, up to ``stop`` (excluded; None: all), in order."""
    found = cells.rows.keys() | cells.heights.keys() | ws.row_dimensions.keys() | {row for row, _ in ws._cells}
    return sorted(row for row in found if cells.done <= row and (stop is None or row < stop))


def _dimension(ws: Worksheet, cells: SheetCells | None) -> str:
    """The range the sheet's cells cover, as ``Worksheet.calculate_dimension`` gives it for its own cells."""
    rows = {row for row, _ in ws._cells}
    columns = {column for _, column in ws._cells}
    if cells is not None:
        for row, found in cells.rows.items():
            if found:
                rows.add(row)
                columns.update((min(found), max(found)))
        rows.update(row for row, _ in cells.bounds)
        columns.update(column for _, column in cells.bounds)
    if not rows:
        return "A1:A1"
    return f"{get_column_letter(min(columns))}{min(rows)}:{get_column_letter(max(columns))}{max(rows)}"


def _row_attributes(ws: Worksheet, cells: SheetCells, row: int) -> str:
    """The attributes of a ``<row>``: its number, then what its ``RowDimension`` writes (height, hidden...)."""
    dimension = ws.row_dimensions.get(row)
    if dimension is None:  # most rows: a number and the height given (nothing in them to escape)
        height = cells.heights.get(row)
        return f' r="{row}"' if height is None else f' r="{row}" ht="{safe_string(height)}" customHeight="1"'
    attributes = {"r": str(row), **dict(dimension)}
    if row in cells.heights:
        attributes["ht"] = safe_string(cells.heights[row])
        attributes["customHeight"] = "1"
    return "".join(f' {name}="{_escaped(value)}"' for name, value in attributes.items())


def _empty(cell: Cell | MergedCell) -> bool:
    """An openpyxl cell that openpyxl does not write (no value, no style, no comment)."""
    return cell.value is None and not cell.has_style and cell.comment is None


def _sheet_rows(ws: Worksheet, cells: SheetCells, numbers: list[int]) -> Iterator[str]:
    """The ``<row>`` elements of the rows ``numbers`` (ascending): their openpyxl cells and their serialised ones."""
    if not numbers:
        return
    own: dict[int, dict[int, Cell | MergedCell]] = {}
    for (row, column), cell in _own_cells(ws, numbers[0], numbers[-1] + 1):
        own.setdefault(row, {})[column] = cell
    for row in numbers:
        elements = dict(cells.rows.get(row, {}))
        for column, cell in own.get(row, {}).items():
            if _empty(cell):
                continue  # openpyxl leaves it out too
            if column in elements:
                raise ValueError(f"{ws.title}!{cell.coordinate} written twice (an openpyxl cell and a serialised one)")
            elements[column] = openpyxl_cell_xml(ws, cell)
        body = "".join(elements[column] for column in sorted(elements))
        yield f"<row{_row_attributes(ws, cells, row)}>{body}</row>"


def _check_written_out(ws: Worksheet, cells: SheetCells) -> None:
    """Refuse a cell or a row setting given, through openpyxl, to a row already written out."""
    if cells.done == 1:
        return
    for _, cell in _own_cells(ws, 1, cells.done):
        if not _empty(cell):
            raise ValueError(f"{ws.title}!{cell.coordinate} written after its row was written out")
    for row, dimension in ws.row_dimensions.items():
        if row < cells.done and dict(dimension):
            raise ValueError(f"{ws.title}: row {row} set after it was written out")


class _SheetWriter(WorksheetWriter):
    """openpyxl's sheet writer, leaving ``<sheetData/>`` empty for the rows and writing into memory."""

    def __init__(self, ws: Worksheet, cells: SheetCells) -> None:
        self.sheet, self.cells = ws, cells
        super().__init__(ws, out=BytesIO())

    def write_dimensions(self) -> None:
        self.xf.send(Element("dimension", ref=_dimension(self.sheet, self.cells)))

    def write_rows(self) -> None:
        self.xf.send(Element("sheetData"))

    def write_merged_cells(self) -> None:
        """The merged ranges as openpyxl writes them (``MergeCells(...).to_tree()``), without a record per range."""
        refs = [str(ref) for ref in self.sheet.merged_cells]
        if refs:
            element = Element("mergeCells", count=str(len(refs)))
            for ref in refs:
                SubElement(element, "mergeCell", ref=ref)
            self.xf.send(element)

    def cleanup(self) -> None:  # nothing on disk
        pass


_PLACEHOLDER = b"<sheetData/>"


# --------------------------------------------------------------------------
# A sheet's elements around its rows, written as strings
#
# openpyxl's sheet writer builds an lxml element of each of the sheet's settings (views, columns, print
# settings, header and footer...) and writes them into an ``xmlfile`` stream: most of the time of saving a
# small sheet. :func:`sheet_frame` writes the same bytes as strings from the same objects (their attributes
# as ``dict(obj)`` gives them, which is what ``Serialisable.to_tree`` writes), for the elements and shapes
# matrix's sheets use; a sheet with anything else (protection, conditional formatting, drawings, tables...)
# is written by openpyxl's writer (tests/test_xlsx_seam.py compares both on every sheet matrix writes).


class _Unwritten(Exception):
    """A sheet's setting that :func:`sheet_frame` does not write (openpyxl's writer then writes the sheet)."""


# As lxml escapes them, in an attribute and in text; the sheet's stream is written in ASCII, other characters as
# decimal character references (str.encode's "xmlcharrefreplace").
_ATTRIBUTE_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
)


def _attribute(value: str) -> str:
    if _ILLEGAL.search(value):
        raise _Unwritten("an XML-illegal character")
    return value.translate(_ATTRIBUTE_ESCAPES)


def _text(value: str) -> str:
    if _ILLEGAL.search(value):
        raise _Unwritten("an XML-illegal character")
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _attributes(pairs: Iterable[tuple[str, str]]) -> str:
    return "".join(f' {name}="{_attribute(value)}"' for name, value in pairs)


_PLAIN = (str, int, float, bool, type(None))


def _leaf_attributes(kind: type) -> tuple[str, ...] | None:
    """The attributes of a ``Serialisable`` class whose element is only its attributes, each a stored value (what
    ``dict(obj)`` reads from the object's ``__dict__``); None for another class (worked out once a class)."""
    if kind in _LEAF_KINDS:
        return _LEAF_KINDS[kind]
    found: Any = kind
    names: tuple[str, ...] | None = tuple(found.__attrs__)
    if found.__elements__ or found.__nested__ or any(isinstance(getattr(kind, n, None), property) for n in names or ()):
        names = None
    _LEAF_KINDS[kind] = names
    return names


_LEAF_KINDS: dict[type, tuple[str, ...] | None] = {}


_LEAVES: dict[tuple[object, ...], str] = {}  # a leaf element's XML by its class, tag and values (they repeat)
_MISSING = object()


def _leaf(obj: Any, tag: str) -> str | None:
    """:func:`_element` of a leaf, kept for the process by its values (None: not a leaf of plain values)."""
    kind = type(obj)
    names = _leaf_attributes(kind)
    if names is None:
        return None
    stored = obj.__dict__
    values = tuple(stored.get(name, _MISSING) for name in names)
    if not all(type(value) in _PLAIN for value in values):
        return None
    key = (kind, tag, *((type(value), value) for value in values))
    found = _LEAVES.get(key)
    if found is None:
        if len(_LEAVES) > 4096:
            _LEAVES.clear()
        found = _LEAVES[key] = _element(obj, tag, leaf=False)
    return found


def _element(obj: Any, tag: str, own: bool = False, leaf: bool = True) -> str:
    """``obj.to_tree(tag)`` of a plain ``Serialisable`` (attributes, child objects, sequences of them, nested
    texts), as lxml serialises it; anything else is :class:`_Unwritten`. ``own``: the class has its own
    ``to_tree``, whose work the caller has done (what ``Serialisable.to_tree`` is then given is written)."""
    kind = type(obj)
    if leaf and not own and (found := _leaf(obj, tag)) is not None:
        return found
    if (kind.to_tree is not Serialisable.to_tree and not own) or "attr_text" in kind.__attrs__:
        raise _Unwritten(f"{kind.__name__} is written by openpyxl")
    attributes = dict(obj)
    if any(key in attributes for key, _ in kind.__namespaced__):  # a relationship id (r:id)
        raise _Unwritten(f"{kind.__name__}: a namespaced attribute")
    head = f"<{tag}{_attributes(attributes.items())}"
    children: list[str] = []
    for child in kind.__elements__:
        value = getattr(obj, child)
        desc = getattr(kind, child, None)
        if child in kind.__nested__:
            if type(desc) is not NestedText:
                raise _Unwritten(f"{kind.__name__}.{child}")
            if value is not None:
                text = safe_string(value)
                stripped = text.strip()
                space = ' xml:space="preserve"' if stripped and text != stripped else ""
                children.append(f"<{child}{space}>{_text(text)}</{child}>")
        elif isinstance(value, list | tuple):
            if not isinstance(desc, Sequence) or isinstance(desc, NestedSequence):
                raise _Unwritten(f"{kind.__name__}.{child}")
            children.extend(_element(item, child) for item in value)
        elif value is not None:
            children.append(_element(value, child))
    return f"{head}>{''.join(children)}</{tag}>" if children else f"{head}/>"


def _header_footer(hf: HeaderFooter) -> str:
    """``<headerFooter>``: its attributes, then each item's text (``str(item)``, openpyxl's mini-format)."""
    if dict(hf):
        raise _Unwritten("header and footer attributes")
    items = "".join(
        f"<{tag}>{_text(_item_text(item))}</{tag}>"
        for tag in HeaderFooter.__elements__
        if (item := getattr(hf, tag)) is not None
    )
    return f"<headerFooter>{items}</headerFooter>"


def _item_text(item: HeaderFooterItem) -> str:
    """``str(item)`` (openpyxl's mini-format of a header or footer), kept by the parts' values: the same few
    headers and footers are on every sheet."""
    key = tuple((part.text, part.font, part.size, part.color) for part in (item.left, item.center, item.right))
    found = _ITEM_TEXTS.get(key)
    if found is None:
        if len(_ITEM_TEXTS) > 1024:
            _ITEM_TEXTS.clear()
        found = _ITEM_TEXTS[key] = str(item)
    return found


_ITEM_TEXTS: dict[tuple[tuple[object, ...], ...], str] = {}


def _columns(ws: Worksheet) -> str:
    """``<cols>`` as ``DimensionHolder.to_tree`` writes it (which also numbers each column and notes the deepest
    outline level: done here too)."""
    holder: Any = ws.column_dimensions
    found, outlines = [], set()
    for column in sorted(holder.values(), key=_column_start):
        attributes = _column_attributes(column)
        if attributes.keys() != {"min", "max"}:
            outlines.add(column.outlineLevel)
            found.append(f"<col{_attributes(attributes.items())}/>")
    if outlines:
        holder.max_outline = max(outlines)
    return f"<cols>{''.join(found)}</cols>" if found else ""


def _column_attributes(column: Any) -> dict[str, str]:
    """``dict(column)`` (``Dimension.__iter__``: each field that is set, in order) read from the stored values; a
    column with a style is asked (its ``style`` is the index of its style in the workbook's cell styles)."""
    if column._style is not None and any(column._style):  # None: made blank when asked
        return dict(column)
    stored = column.__dict__
    found = {}
    for name in type(column).__fields__:
        if name == "style":  # no style: index 0, not written
            continue
        value = bool(stored.get("width")) if name == "customWidth" else stored.get(name)
        if value:
            found[name] = safe_string(value)
    return found


def _column_start(column: Any) -> int:
    column.reindex()
    start: int = column.min
    return start


def _merged(ws: Worksheet) -> str:
    refs = [str(ref) for ref in ws.merged_cells]
    if not refs:
        return ""
    return f'<mergeCells count="{len(refs)}">' + "".join(f'<mergeCell ref="{ref}"/>' for ref in refs) + "</mergeCells>"


def sheet_frame(ws: Worksheet, cells: SheetCells) -> tuple[bytes, bytes] | None:
    """The bytes of ``ws``'s part before its rows (``<worksheet>`` to ``<sheetData>``) and after them
    (``</sheetData>`` to the end), as openpyxl's sheet writer writes them; None for a sheet with a setting
    written by openpyxl only (see above)."""
    sheet: Any = ws
    if (
        sheet.protection
        or sheet.scenarios
        or sheet.conditional_formatting
        or sheet._charts
        or sheet._images
        or sheet.legacy_drawing is not None
        or sheet.tables
        or len(sheet.views.sheetView) != 1
    ):
        return None
    try:
        head = [
            f'<worksheet xmlns="{SHEET_MAIN_NS}">',
            _element(sheet.sheet_properties, "sheetPr"),
            f'<dimension ref="{_attribute(_dimension(ws, cells))}"/>',
            f"<sheetViews>{_element(sheet.views.sheetView[0], 'sheetView')}</sheetViews>",
        ]
        sheet.sheet_format.outlineLevelCol = sheet.column_dimensions.max_outline  # as openpyxl's writer
        head.append(_element(sheet.sheet_format, "sheetFormatPr"))
        head.append(_columns(ws))
        head.append("<sheetData>")
        tail = ["</sheetData>"]
        if sheet.auto_filter:
            tail.append(_element(sheet.auto_filter, "autoFilter"))
        tail.append(_merged(ws))
        validations = sheet.data_validations
        if validations:
            if type(validations) is not DataValidationList:
                return None
            kept = validations.dataValidation
            validations.dataValidation = [v for v in kept if bool(v.sqref)]  # as DataValidationList.to_tree
            try:
                tail.append(_element(validations, "dataValidations", own=True))
            finally:
                validations.dataValidation = kept
        for setting, tag in ((sheet.print_options, "printOptions"), (sheet.page_margins, "pageMargins")):
            if setting:
                tail.append(_element(setting, tag))
        if sheet.page_setup:
            tail.append(_element(sheet.page_setup, "pageSetup"))
        if sheet.HeaderFooter:
            tail.append(_header_footer(sheet.HeaderFooter))
        for breaks, tag in ((sheet.row_breaks, "rowBreaks"), (sheet.col_breaks, "colBreaks")):
            if breaks:
                tail.append(_element(breaks, tag))
        tail.append("</worksheet>")
        return (
            "".join(head).encode("ascii", "xmlcharrefreplace"),
            "".join(tail).encode("ascii", "xmlcharrefreplace"),
        )
    except _Unwritten:
        return None


def openpyxl_sheet_frame(ws: Worksheet, cells: SheetCells) -> tuple[bytes, bytes]:
    """:func:`sheet_frame` as openpyxl's own sheet writer writes it (its rows left to :func:`_sheet_rows`)."""
    writer = _SheetWriter(ws, cells)
    writer.write()
    ws._rels = writer._rels  # type: ignore[attr-defined]
    out = writer.out
    assert isinstance(out, BytesIO)
    xml = out.getvalue()
    if xml.count(_PLACEHOLDER) != 1:
        raise ValueError(f"{ws.title}: openpyxl wrote no single <sheetData/> to fill")
    head, tail = xml.split(_PLACEHOLDER)
    return head + b"<sheetData>", b"</sheetData>" + tail


class _Compressed:
    """What zipfile's member writer calls its compressor, for data that come compressed: they pass as they are,
    and the stream ends with a final empty block."""

    def compress(self, data: bytes) -> bytes:
        return data

    def flush(self) -> bytes:
        return _FINAL_BLOCK


def write_deflated(archive: ZipFile, name: str | ZipInfo, pieces: Iterable[Deflated]) -> None:
    """Write the member ``name`` of ``archive`` (deflated) whose content is ``pieces`` one after the other.

    zipfile's own member writer writes the headers (the local one, then the central directory's at the end) as
    for any deflated member; only its compressor is replaced (by :class:`_Compressed`), and the CRC and the size
    it counts from what it was given (the compressed pieces) are set to the content's before it closes.
    """
    if archive.compression != ZIP_DEFLATED:  # the member is marked with the archive's method
        raise ValueError(f"{name}: deflated pieces go into a deflated archive, not method {archive.compression}")
    whole = Deflated.join(pieces)
    with archive.open(name, "w") as member:
        writer: Any = member  # zipfile._ZipWriteFile: _compressor, _crc and _file_size are read when it closes
        writer._compressor = _Compressed()
        member.write(whole.data)
        writer._crc, writer._file_size = whole.crc, whole.size


# a small part's compressed bytes, by its bytes (most are the same in every workbook)
_PARTS: dict[bytes, Deflated] = {}


def write_part(archive: ZipFile, name: str, data: bytes | str, kept: bool = True) -> None:
    """``archive.writestr(name, data)`` (the member dated now, as writestr dates it), with ``data`` compressed once
    for the process when ``kept``: the theme, the application's properties, the relationships, often the styles and
    the workbook part are the same bytes in every workbook of a build (not so the core properties: their dates)."""
    raw = data.encode() if isinstance(data, str) else data
    found = _PARTS.get(raw) if kept else None
    if found is None:
        found = Deflated.of(raw)
        if kept:
            if len(_PARTS) > 256:
                _PARTS.clear()
            _PARTS[raw] = found
    clock: Any = zipfile.time  # type: ignore[attr-defined]  # writestr's (which tests freeze)
    info = ZipInfo(name, date_time=clock.localtime(clock.time())[:6])
    info.compress_type = ZIP_DEFLATED
    info.external_attr = 0o600 << 16  # as writestr
    write_deflated(archive, info, [found])


# --------------------------------------------------------------------------
# styles.xml written from pieces kept for the process
#
# ``write_stylesheet`` makes an object of each entry of the workbook's style tables (a ``CellStyle`` per cell
# style, an ``RgbColor`` per indexed colour) and lxml writes the tree. The workbooks of a build differ in which looks
# they use and in what order, but the entries are the same few fonts, fills, borders and cell styles: each entry's
# XML is kept for the process by its value, and ``styles.xml`` is joined from them.


def _serialised(element: Any) -> bytes:
    """openpyxl's ``tostring`` of ``element`` (lxml's, UTF-8: bytes, though typed as text)."""
    written: Any = tostring(element)
    return bytes(written)


_ENTRIES: dict[tuple[object, ...], bytes] = {}  # an entry's XML by its value


def _entry(key: tuple[object, ...], make: Any) -> bytes:
    found = _ENTRIES.get(key)
    if found is None:
        if len(_ENTRIES) > 8192:
            _ENTRIES.clear()
        found = _ENTRIES[key] = _serialised(make())
    return found


def _listed(tag: str, entries: list[bytes]) -> bytes:
    """A ``NestedSequence`` with its count (``<fonts count="2">...``), or nothing when empty (not written)."""
    if not entries:
        return b""
    return b"".join([f'<{tag} count="{len(entries)}">'.encode(), *entries, f"</{tag}>".encode()])


def _cell_format(wb: Any, record: StyleArray) -> Any:
    """The ``<xf>`` of a cell style ``record``, as ``write_stylesheet`` makes it."""
    xf = CellStyle.from_array(record)  # type: ignore[no-untyped-call]
    if record.alignmentId:
        xf.alignment = wb._alignments[record.alignmentId]
    if record.protectionId:
        xf.protection = wb._protections[record.protectionId]
    return xf.to_tree("xf")


def stylesheet_xml(wb: Workbook) -> bytes:
    """``styles.xml`` of ``wb``: what ``tostring(write_stylesheet(wb))`` gives, joined from pieces kept for the process
    (see above); a workbook with differential styles is written by openpyxl."""
    book: Any = wb
    if book._differential_styles.styles:
        return _serialised(openpyxl_excel.write_stylesheet(wb))  # type: ignore[attr-defined]
    sheet: Any = Stylesheet()
    formats = [NumberFormat(i, code) for i, code in enumerate(book._number_formats, BUILTIN_FORMATS_MAX_SIZE)]
    sheet.numFmts.numFmt = formats
    sheet._split_named_styles(book)
    records = []
    for record in book._cell_styles:
        alignment = book._alignments[record.alignmentId] if record.alignmentId else None
        protection = book._protections[record.protectionId] if record.protectionId else None
        records.append(_entry(("xf", tuple(record), alignment, protection), partial(_cell_format, book, record)))
    colors = tuple(book._colors)
    parts = [
        f'<styleSheet xmlns="{SHEET_MAIN_NS}">'.encode(),
        _serialised(sheet.numFmts.to_tree("numFmts")),
        *(
            _listed(tag, [_entry((tag, entry), entry.to_tree) for entry in getattr(book, table)])
            for tag, table in (("fonts", "_fonts"), ("fills", "_fills"), ("borders", "_borders"))
        ),
        _serialised(sheet.cellStyleXfs.to_tree("cellStyleXfs")),
        _listed("cellXfs", records),
        _serialised(sheet.cellStyles.to_tree("cellStyles")),
        _serialised(book._table_styles.to_tree("tableStyles")),
        _entry(("colors", colors), lambda: ColorList(indexedColors=list(colors)).to_tree("colors")) if colors else b"",
        b"</styleSheet>",
    ]
    return b"".join(parts)


class _BookWriter(openpyxl_excel.ExcelWriter):
    """openpyxl's workbook writer with the sheets' rows written by :func:`_sheet_rows`, and ``styles.xml`` by
    :func:`stylesheet_xml`."""

    def __init__(self, wb: Workbook, archive: ZipFile, sheets: Mapping[Worksheet, SheetCells]) -> None:
        super().__init__(wb, archive)
        self.sheets = sheets

    def write_data(self) -> None:
        """``ExcelWriter.write_data`` (openpyxl 3.1), with ``styles.xml`` written by :func:`stylesheet_xml`."""
        writer: Any = self
        book: Any = self.workbook
        archive: ZipFile = writer._archive
        write_part(archive, ARC_APP, tostring(ExtendedProperties().to_tree()))
        write_part(archive, ARC_CORE, tostring(book.properties.to_tree()), kept=False)
        write_part(archive, ARC_THEME, book.loaded_theme if book.loaded_theme else theme_xml)
        if len(book.custom_doc_props) >= 1:  # not written by matrix
            raise ValueError("custom document properties are not written by save_workbook")
        writer._write_worksheets()
        writer._write_chartsheets()
        writer._write_images()
        writer._write_charts()
        writer._write_external_links()
        write_part(archive, ARC_STYLE, stylesheet_xml(book))
        books: Any = WorkbookWriter(book)
        write_part(archive, ARC_ROOT_RELS, books.write_root_rels())
        write_part(archive, ARC_WORKBOOK, books.write())
        write_part(archive, ARC_WORKBOOK_RELS, books.write_rels())
        writer._merge_vba()
        writer.manifest._write(archive, book)

    def write_worksheet(self, ws: Worksheet) -> None:
        ws._drawing = SpreadsheetDrawing()  # type: ignore[attr-defined]  # as ExcelWriter.write_worksheet
        ws._drawing.charts = ws._charts  # type: ignore[attr-defined]
        ws._drawing.images = ws._images  # type: ignore[attr-defined]
        cells = self.sheets.get(ws) or SheetCells()
        _check_written_out(ws, cells)
        frame = sheet_frame(ws, cells)
        if frame is None:
            head, tail = openpyxl_sheet_frame(ws, cells)
        else:
            head, tail = frame
            sheet: Any = ws
            sheet._hyperlinks, sheet._comments, sheet._rels = [], [], RelationshipList()  # as WorksheetWriter
        archive: ZipFile = self._archive  # type: ignore[attr-defined]  # set by ExcelWriter.__init__
        rows = "".join(_sheet_rows(ws, cells, _row_numbers(ws, cells, None))).encode()
        pieces = [Deflated.of(head), *cells.spill, Deflated.of(rows + tail)]
        write_deflated(archive, ws.path[1:], pieces)
        self.manifest.append(ws)


def save_workbook(wb: Workbook, path: Path, sheets: Mapping[Worksheet, SheetCells] | None = None) -> None:
    """Save ``wb`` at ``path`` as ``wb.save`` would, the rows written here (with ``sheets``' serialised cells)."""
    archive = ZipFile(path, "w", ZIP_DEFLATED, allowZip64=True)
    # as openpyxl.writer.excel.save_workbook (its clock, which tests freeze)
    clock: Any = openpyxl_excel.datetime  # type: ignore[attr-defined]
    wb.properties.modified = clock.datetime.now(tz=clock.timezone.utc).replace(tzinfo=None)
    try:
        _BookWriter(wb, archive, sheets or {}).save()
    finally:
        archive.close()
        for cells in (sheets or {}).values():
            cells.close()  # the rows written out

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
"""

from __future__ import annotations

import datetime as dt
from copy import copy
from typing import TypeAlias

from openpyxl import Workbook
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.styles import Font
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.header_footer import HeaderFooterItem
from openpyxl.worksheet.worksheet import Worksheet

__all__ = [
    "CellValue",
    "first_sheet",
    "odd_header_footer",
    "set_default_font",
    "set_style_record",
    "set_text",
    "style_record",
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

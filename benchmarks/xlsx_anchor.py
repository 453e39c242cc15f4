"""The yardstick of the Excel writer: the same grid written with XlsxWriter.

``grid_of(path)`` reads back a workbook that matrix wrote (every sheet's cells with
their values and looks, column widths, row heights, merged ranges, frozen panes);
``write_with_xlsxwriter(grid, path)`` writes that grid again with XlsxWriter, a
fast streaming writer, and is what the benchmark times. Reading back is not timed.
The ratio of the two times is the figure of issue 23 (at most 2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import xlsxwriter


@dataclass
class Sheet:
    name: str
    cells: list[tuple[int, int, Any, bool, tuple[Any, ...]]] = field(default_factory=list)  # row, col (0-based)
    widths: dict[int, float] = field(default_factory=dict)
    heights: dict[int, float] = field(default_factory=dict)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    freeze: tuple[int, int] | None = None


def _look(cell: Any) -> tuple[Any, ...]:
    font, fill, border, align = cell.font, cell.fill, cell.border, cell.alignment
    return (
        font.name,
        font.sz,
        bool(font.b),
        bool(font.i),
        fill.fgColor.rgb if fill.fill_type == "solid" else None,
        bool(border.left and border.left.style),
        align.horizontal,
        align.vertical,
        bool(align.wrap_text),
        int(align.textRotation or 0),
        int(align.indent or 0),
        cell.number_format,
    )


def grid_of(path: Path) -> list[Sheet]:
    """What the workbook at ``path`` holds, sheet by sheet, in a form XlsxWriter can write."""
    wb = openpyxl.load_workbook(path)
    sheets = []
    for ws in wb:
        sheet = Sheet(ws.title)
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None and not cell.has_style:
                    continue
                formula = cell.data_type == "f"
                sheet.cells.append((cell.row - 1, cell.column - 1, cell.value, formula, _look(cell)))
        for letter, dim in ws.column_dimensions.items():
            if dim.width:
                sheet.widths[openpyxl.utils.column_index_from_string(letter) - 1] = dim.width
        sheet.heights = {r - 1: d.height for r, d in ws.row_dimensions.items() if d.height}
        sheet.merged = [(r.min_row - 1, r.min_col - 1, r.max_row - 1, r.max_col - 1) for r in ws.merged_cells.ranges]
        if ws.freeze_panes:
            top = ws[ws.freeze_panes]
            sheet.freeze = (top.row - 1, top.column - 1)
        sheets.append(sheet)
    return sheets


def write_with_xlsxwriter(sheets: list[Sheet], path: Path) -> None:
    """Write ``sheets`` with XlsxWriter: values, one format per look, widths, heights, merges, panes, print setup."""
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": False, "strings_to_formulas": False})
    formats: dict[tuple[Any, ...], Any] = {}

    def fmt(look: tuple[Any, ...]) -> Any:
        found = formats.get(look)
        if found is None:
            name, size, bold, italic, fill, border, horizontal, vertical, wrap, rotation, indent, number = look
            props: dict[str, Any] = {"font_name": name, "font_size": size or 11, "bold": bold, "italic": italic}
            if fill:
                props["bg_color"] = "#" + str(fill)[-6:]
            if border:
                props["border"] = 1
            if horizontal:
                props["align"] = horizontal
            if vertical:
                props["valign"] = {"center": "vcenter"}.get(vertical, vertical)
            props.update(text_wrap=wrap, rotation=rotation, indent=indent, num_format=number)
            found = formats[look] = wb.add_format(props)
        return found

    for sheet in sheets:
        ws = wb.add_worksheet(sheet.name)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        for col, width in sheet.widths.items():
            ws.set_column(col, col, width)
        for row, height in sheet.heights.items():
            ws.set_row(row, height)
        merged = {(r, c) for r, c, *_ in sheet.merged}
        for r0, c0, r1, c1 in sheet.merged:
            ws.merge_range(r0, c0, r1, c1, None)
        for row, col, value, formula, look in sheet.cells:
            if (row, col) in merged and value is None:
                continue
            if formula:
                ws.write_formula(row, col, value, fmt(look))
            elif isinstance(value, str):
                ws.write_string(row, col, value, fmt(look))
            else:
                ws.write(row, col, value, fmt(look))
        if sheet.freeze:
            ws.freeze_panes(*sheet.freeze)
    wb.close()

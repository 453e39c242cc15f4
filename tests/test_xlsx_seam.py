"""matrix.writers.xlsx_seam against the installed openpyxl: each shortcut gives what the public path gives."""

from __future__ import annotations

import re
import zipfile
from copy import copy
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray

from matrix.writers.xlsx_seam import (
    first_sheet,
    odd_header_footer,
    set_default_font,
    set_style_record,
    set_text,
    style_record,
    styled_cell,
)

LOOK = {
    "font": Font(name="Times New Roman", size=13, bold=True, color="FF0000"),
    "fill": PatternFill("solid", fgColor="FFFF00"),
    "border": Border(left=Side(style="thin"), bottom=Side(style="double")),
    "alignment": Alignment(wrap_text=True, vertical="top", indent=2),
}


def _public_looks(cell: object) -> list[object]:
    return [copy(getattr(cell, name)) for name in LOOK]  # the style objects behind openpyxl's proxies


def test_a_copied_style_record_gives_the_look_the_public_setters_give(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = first_sheet(wb)
    styled, copied, by_setters = ws["A1"], ws["B2"], ws["C3"]
    for name, value in LOOK.items():
        setattr(styled, name, value)
        setattr(by_setters, name, value)
    record = style_record(styled)
    assert isinstance(record, StyleArray)
    set_style_record(copied, record)
    assert _public_looks(copied) == _public_looks(by_setters)
    assert copied.font.name == "Times New Roman" and copied.font.b and copied.alignment.indent == 2
    assert style_record(copied) == style_record(by_setters)
    set_style_record(ws["D4"], record)
    record[0] = 0  # the cell keeps its own copy
    assert ws["D4"].font == LOOK["font"]
    wb.save(tmp_path / "look.xlsx")
    back = openpyxl.load_workbook(tmp_path / "look.xlsx").active
    assert back is not None
    assert _public_looks(back["B2"]) == _public_looks(back["C3"]) != _public_looks(back["A2"])


def test_the_default_font_is_font_zero_and_the_normal_style(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    font = Font(name="Times New Roman", size=13)
    set_default_font(wb, font)
    first_sheet(wb)["A1"] = "chưa định dạng"
    wb.save(tmp_path / "font.xlsx")
    with zipfile.ZipFile(tmp_path / "font.xlsx") as archive:
        styles = archive.read("xl/styles.xml").decode()
    fonts = re.search(r"<fonts[^>]*>(.*?)</fonts>", styles, re.S)
    assert fonts is not None
    first = re.search(r"<font>.*?</font>", fonts.group(1), re.S)
    assert first is not None and 'val="Times New Roman"' in first.group() and 'val="13"' in first.group()
    normal = re.search(r'<cellStyle name="Normal"[^>]*xfId="(\d+)"', styles)
    assert normal is not None and normal.group(1) == "0"
    back = openpyxl.load_workbook(tmp_path / "font.xlsx").active
    assert back is not None
    assert (back["A1"].font.name, back["A1"].font.size) == ("Times New Roman", 13)


def test_first_sheet_is_the_new_workbooks_worksheet_and_refuses_a_chartsheet() -> None:
    wb = openpyxl.Workbook()
    assert first_sheet(wb) is wb.worksheets[0]
    wb.active = wb.create_chartsheet()
    with pytest.raises(TypeError, match="Chartsheet"):
        first_sheet(wb)


def test_header_and_footer_are_the_sheets_own_or_made_when_missing(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = first_sheet(wb)
    header, footer = odd_header_footer(ws)
    assert header is ws.oddHeader and footer is ws.oddFooter
    ws.oddHeader = ws.oddFooter = None
    header, footer = odd_header_footer(ws)
    header.center.text = "ĐẦU TRANG"
    footer.center.text = "&A - trang &P"
    wb.save(tmp_path / "hf.xlsx")
    back = openpyxl.load_workbook(tmp_path / "hf.xlsx").active
    assert back is not None and back.oddHeader is not None and back.oddFooter is not None
    assert (back.oddHeader.center.text, back.oddFooter.center.text) == ("ĐẦU TRANG", "&A - trang &P")


@pytest.mark.parametrize("text", ["=SUM(A1)", "#N/A", "văn bản", "-1", "@x", "+2"])
def test_set_text_stores_what_the_public_setter_stores_as_text(text: str, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = first_sheet(wb)
    public = ws["A1"]
    public.value = text
    public.data_type = "s"
    set_text(ws["B1"], text)
    assert (ws["B1"].value, ws["B1"].data_type) == (public.value, public.data_type) == (text, "s")
    wb.save(tmp_path / "text.xlsx")
    back = openpyxl.load_workbook(tmp_path / "text.xlsx").active
    assert back is not None
    assert back["B1"].value == back["A1"].value == text and back["B1"].data_type == "s"


def test_styled_cell_is_the_cell_ws_cell_gives_with_the_record(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = first_sheet(wb)
    model = ws["A1"]
    for name, value in LOOK.items():
        setattr(model, name, value)
    record = style_record(model)
    public = ws.cell(row=3, column=2)
    set_style_record(public, record)
    made = styled_cell(ws, 4, 2, record)
    assert made is ws.cell(row=4, column=2) and made.coordinate == "B4"
    assert _public_looks(made) == _public_looks(public) and style_record(made) == record
    ws["C5"] = "giữ nguyên"
    again = styled_cell(ws, 5, 3, record)  # an existing cell keeps its value, takes the style
    assert again.value == "giữ nguyên" and _public_looks(again) == _public_looks(public)
    record[0] = 0  # each cell keeps its own copy
    assert made.font == LOOK["font"]
    wb.save(tmp_path / "made.xlsx")
    back = openpyxl.load_workbook(tmp_path / "made.xlsx").active
    assert back is not None
    assert _public_looks(back["B4"]) == _public_looks(back["B3"]) == _public_looks(back["C5"])

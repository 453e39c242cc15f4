"""matrix.writers.xlsx_seam against the installed openpyxl: each shortcut gives what the public path gives."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
import zlib
from copy import copy
from io import BytesIO
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.styles.stylesheet import write_stylesheet
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.functions import tostring

from matrix.writers.xlsx_seam import (
    Deflated,
    SheetCells,
    add_merged_range,
    cell_xml,
    crc32_combine,
    crc_shift,
    first_sheet,
    new_style_record,
    odd_header_footer,
    openpyxl_sheet_frame,
    save_workbook,
    set_default_font,
    set_style_record,
    set_text,
    sheet_frame,
    style_index,
    style_record,
    styled_cell,
    write_deflated,
    write_part,
)

from .helpers.xlsx import xml_parts

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


def test_a_new_style_record_is_the_one_the_public_setters_make_with_the_same_tables() -> None:
    """Two looks sharing a font, each made both ways on a workbook of its own: the same records, the same tables."""
    plain = {**LOOK, "fill": PatternFill("solid", fgColor="00FF00"), "alignment": Alignment(horizontal="center")}
    setters, direct = openpyxl.Workbook(), openpyxl.Workbook()
    made = []
    for row, look in enumerate((LOOK, plain, LOOK), 1):
        cell = first_sheet(setters).cell(row=row, column=1)
        for name, value in look.items():
            setattr(cell, name, value)
        record = new_style_record(first_sheet(direct), look["font"], look["fill"], look["border"], look["alignment"])
        made.append((style_record(cell), record))
    assert all(ours == theirs for theirs, ours in made) and made[0][1] != made[1][1]
    for table in ("_fonts", "_fills", "_borders", "_alignments", "_protections", "_number_formats"):
        assert list(getattr(direct, table)) == list(getattr(setters, table)), table


def test_a_part_already_filed_in_a_workbook_is_known_by_its_identity_not_hashed_again(monkeypatch) -> None:
    from openpyxl.utils.indexed_list import IndexedList

    added: list[object] = []
    real = IndexedList.add
    monkeypatch.setattr(IndexedList, "add", lambda table, value: added.append(value) or real(table, value))
    wb, look = openpyxl.Workbook(), dict(LOOK)
    other = openpyxl.Workbook()
    added.clear()  # what making the workbooks filed
    first = new_style_record(first_sheet(wb), look["font"], look["fill"], look["border"], look["alignment"])
    assert added == [look["font"], look["fill"], look["border"], look["alignment"]]
    again = new_style_record(first_sheet(wb), look["font"], look["fill"], look["border"], look["alignment"])
    assert added[4:] == [] and again == first  # the same objects: nothing hashed, the same indexes
    twin = copy(look["font"])  # equal, not the same object: filed by value, as openpyxl files it
    assert new_style_record(first_sheet(wb), twin, look["fill"], look["border"], look["alignment"]) == first
    assert added[4:] == [twin]
    assert new_style_record(first_sheet(other), look["font"], look["fill"], look["border"], look["alignment"]) == first
    assert added[5:] == [look["font"], look["fill"], look["border"], look["alignment"]]  # another's tables: anew
    set_default_font(wb, Font(name="Arial"))  # a table replaced: its parts are filed again
    added.clear()
    new_style_record(first_sheet(wb), look["font"], look["fill"], look["border"], look["alignment"])
    assert added == [look["font"]] and list(wb._fonts) == [Font(name="Arial"), look["font"]]


def test_a_row_of_cells_put_in_one_go_joins_the_cells_already_there_and_not_a_row_written_out() -> None:
    wb = openpyxl.Workbook()
    ws, cells = first_sheet(wb), SheetCells()
    cells.put(2, 1, cell_xml(2, 1, 0, "một"))
    cells.put_row(2, {3: cell_xml(2, 3, 0, "ba"), 2: cell_xml(2, 2, 0, "hai")})
    cells.put_row(3, {1: cell_xml(3, 1, 0, "bốn")})
    assert {row: sorted(found) for row, found in cells.rows.items()} == {2: [1, 2, 3], 3: [1]}
    cells.write_out(ws, 4, 0)
    with pytest.raises(ValueError, match="already written out"):
        cells.put_row(3, {2: cell_xml(3, 2, 0, "năm")})


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


# --------------------------------------------------------------------------- rows written as strings


def _every_kind_of_cell(wb: openpyxl.Workbook) -> None:
    ws = first_sheet(wb)
    ws["A1"] = ' lề & <thẻ> \r\n"trích"\t '
    ws["B1"] = "=SUM(C1:D1)"
    ws["C1"], ws["D1"], ws["E1"] = 3, 2.5, True
    ws["F1"] = dt.date(2025, 1, 2)
    ws["G1"] = dt.datetime(2025, 1, 2, 8, 30)
    for name, value in LOOK.items():
        setattr(ws["H2"], name, value)  # styled, empty
    ws["A3"] = "vẫn là chữ"
    set_text(ws["B3"], "=A1")  # text that looks like a formula
    ws.row_dimensions[2].height = 30.5
    ws.row_dimensions[5].hidden = True  # a row with no cell
    ws.column_dimensions["A"].width = 40
    ws.merge_cells("A7:C8")
    ws["A7"] = "gộp"
    ws.freeze_panes = "B2"
    second = wb.create_sheet("Trống")  # no cell at all
    second.row_dimensions[2].height = 12


def test_save_workbook_writes_the_parts_openpyxl_writes(tmp_path: Path) -> None:
    wb, again = openpyxl.Workbook(), openpyxl.Workbook()  # a save changes a workbook a little: one each
    _every_kind_of_cell(wb)
    _every_kind_of_cell(again)
    wb.save(tmp_path / "openpyxl.xlsx")
    save_workbook(again, tmp_path / "seam.xlsx")
    ours, theirs = xml_parts(tmp_path / "seam.xlsx"), xml_parts(tmp_path / "openpyxl.xlsx")
    assert ours.keys() == theirs.keys() and "xl/worksheets/sheet1.xml" in ours
    for name in theirs:
        assert ours[name] == theirs[name], name
    back = openpyxl.load_workbook(tmp_path / "seam.xlsx").active
    assert back is not None
    assert back["A1"].value == ' lề & <thẻ> \r\n"trích"\t ' and back["B3"].value == "=A1"
    assert (
        back["B3"].data_type == "s" and back["B1"].data_type == "f" and back["F1"].value.date() == dt.date(2025, 1, 2)
    )


def test_cell_xml_is_the_element_openpyxl_writes_for_the_same_value(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = first_sheet(wb)
    values: list[tuple[str | int | float | bool | None, bool]] = [
        ("chữ", False),
        (" cách ", False),
        ("a<b>&c\r", False),
        ('=COUNTIF(A1:A9,"C")', True),
        (7, False),
        (0.1 + 0.2, False),
        (False, False),
        (None, False),
    ]
    cells = SheetCells()
    for column, (value, formula) in enumerate(values, 1):
        ws.cell(row=1, column=column).value = value
        if isinstance(value, str) and not formula:
            set_text(ws.cell(row=1, column=column), value)
        cells.put(2, column, cell_xml(2, column, 0, value, formula=formula))
        ws.cell(row=2, column=column).value = value  # what openpyxl would write there
    wb.save(tmp_path / "openpyxl.xlsx")
    wb2 = openpyxl.Workbook()
    ws2 = first_sheet(wb2)
    for column, (value, formula) in enumerate(values, 1):
        ws2.cell(row=1, column=column).value = value
        if isinstance(value, str) and not formula:
            set_text(ws2.cell(row=1, column=column), value)
    save_workbook(wb2, tmp_path / "seam.xlsx", {ws2: cells})
    assert xml_parts(tmp_path / "seam.xlsx") == xml_parts(tmp_path / "openpyxl.xlsx")
    with pytest.raises(ValueError, match="XML compatible"):
        cell_xml(1, 1, 0, "ký tự \x01 cấm")


def test_rows_written_out_leave_memory_and_take_no_cell_after(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = first_sheet(wb)
    cells = SheetCells()
    for row in range(1, 13):
        cells.put(row, 2, cell_xml(row, 2, 0, f"dòng {row}"))
        cells.height(row, 20 + row)
    ws["A3"] = "của openpyxl"  # an openpyxl cell of a row written out goes with it
    cells.write_out(ws, 10, least=5)
    assert cells.done == 10 and sorted(cells.rows) == [10, 11, 12] and sorted(cells.heights) == [10, 11, 12]
    assert not ws._cells  # type: ignore[attr-defined]
    cells.write_out(ws, 12, least=5)  # too few rows waiting: kept
    assert cells.done == 10
    with pytest.raises(ValueError, match="row 9 is already written out"):
        cells.put(9, 1, cell_xml(9, 1, 0, "muộn"))
    with pytest.raises(ValueError, match="row 4 is already written out"):
        cells.height(4, 30)
    save_workbook(wb, tmp_path / "out.xlsx", {ws: cells})
    back = openpyxl.load_workbook(tmp_path / "out.xlsx").active
    assert back is not None
    assert [back.cell(row, 2).value for row in range(1, 13)] == [f"dòng {row}" for row in range(1, 13)]
    assert back["A3"].value == "của openpyxl" and back.row_dimensions[3].height == 23
    assert back.calculate_dimension() == "A1:B12"
    with zipfile.ZipFile(tmp_path / "out.xlsx") as archive:
        assert '<dimension ref="A1:B12"/>' in archive.read("xl/worksheets/sheet1.xml").decode()


def test_an_openpyxl_cell_given_to_a_row_written_out_is_refused(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = first_sheet(wb)
    cells = SheetCells()
    for row in range(1, 4):
        cells.put(row, 1, cell_xml(row, 1, 0, "x"))
    cells.write_out(ws, 4, least=1)
    ws.cell(row=2, column=5)  # an empty cell (as ws.cell() makes for a coordinate) is no harm
    save_workbook(wb, tmp_path / "ok.xlsx", {ws: cells})
    ws["C2"] = "muộn"
    with pytest.raises(ValueError, match="C2 written after its row was written out"):
        save_workbook(wb, tmp_path / "late.xlsx", {ws: cells})


def test_a_coordinate_written_both_ways_is_refused(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = first_sheet(wb)
    cells = SheetCells()
    cells.put(1, 1, cell_xml(1, 1, 0, "một"))
    ws["A1"] = "hai"
    with pytest.raises(ValueError, match="A1 written twice"):
        save_workbook(wb, tmp_path / "twice.xlsx", {ws: cells})


# --------------------------------------------------------------------------- sheets compressed piece by piece


@settings(max_examples=60)
@given(st.lists(st.binary(max_size=3000) | st.text(max_size=2000).map(str.encode), max_size=8))
def test_pieces_compressed_on_their_own_are_one_deflate_stream_of_their_bytes_and_crc(pieces: list[bytes]) -> None:
    whole = Deflated.join(Deflated.of(piece) for piece in pieces)
    content = b"".join(pieces)
    assert zlib.decompress(whole.data + b"\x03\x00", -15) == content  # closed by a final empty block
    assert (whole.crc, whole.size, whole.shift) == (zlib.crc32(content), len(content), crc_shift(len(content)))
    if len(pieces) >= 2:
        first, second = b"".join(pieces[:-1]), pieces[-1]
        assert crc32_combine(zlib.crc32(first), zlib.crc32(second), crc_shift(len(second))) == zlib.crc32(content)


class _Unseekable(BytesIO):
    """A stream zipfile cannot seek back into (a pipe): it writes each member's sizes after its data."""

    def seekable(self) -> bool:
        return False

    def seek(self, *args: object) -> int:
        raise OSError("not seekable")


@pytest.mark.parametrize("seekable", [True, False], ids=["file", "pipe"])
def test_a_member_written_from_deflated_pieces_is_what_zipfile_reads_back(seekable: bool) -> None:
    pieces = ["<row>ă</row>".encode() * 5000, b"", b"<row>b</row>" * 3, bytes(range(256)) * 40]
    out: BytesIO = BytesIO() if seekable else _Unseekable()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("before.xml", b"<a/>")
        write_deflated(archive, "xl/worksheets/sheet1.xml", [Deflated.of(piece) for piece in pieces])
        archive.writestr("after.xml", b"<b/>")
    with zipfile.ZipFile(BytesIO(out.getvalue())) as archive:
        assert archive.testzip() is None
        assert archive.read("xl/worksheets/sheet1.xml") == b"".join(pieces)
        assert (archive.read("before.xml"), archive.read("after.xml")) == (b"<a/>", b"<b/>")
        info = archive.getinfo("xl/worksheets/sheet1.xml")
        assert info.compress_type == zipfile.ZIP_DEFLATED and info.file_size == len(b"".join(pieces))


def test_a_piece_that_starts_a_stream_never_works_out_its_crc_shift(monkeypatch: pytest.MonkeyPatch) -> None:
    from matrix.writers import xlsx_seam

    asked: list[int] = []
    real = xlsx_seam.crc_shift
    monkeypatch.setattr(xlsx_seam, "crc_shift", lambda length: asked.append(length) or real(length))
    first, second = Deflated.of(b"<row>a</row>" * 50), Deflated.of(b"<row>b</row>")
    whole = Deflated.join([first, second])
    assert asked == [len(b"<row>b</row>")]  # the second piece's, to move the first's CRC past it
    assert whole.crc == zlib.crc32(b"<row>a</row>" * 50 + b"<row>b</row>")
    assert whole.shift == real(whole.size) and asked[-1] == whole.size  # asked for: worked out, then kept
    assert whole.shift == real(whole.size) and len(asked) == 2


class _FrozenTime:
    """zipfile's clock, frozen (as the build tests freeze it)."""

    @staticmethod
    def time() -> float:
        return 0.0

    @staticmethod
    def localtime(_: float) -> tuple[int, ...]:
        return (2024, 2, 3, 4, 5, 6, 5, 34, 0)


def test_a_part_is_written_as_writestr_writes_it_and_compressed_once_for_the_process(monkeypatch) -> None:
    from matrix.writers import xlsx_seam

    compressed: list[bytes] = []
    real = xlsx_seam.Deflated.of
    monkeypatch.setattr(xlsx_seam.Deflated, "of", lambda raw: compressed.append(raw) or real(raw))
    monkeypatch.setattr(xlsx_seam, "_PARTS", {})
    monkeypatch.setattr(zipfile, "time", _FrozenTime)
    part, other = "<Types>ă</Types>" * 40, b"<core/>"
    archives = []
    for _ in range(2):
        ours, theirs = BytesIO(), BytesIO()
        with zipfile.ZipFile(ours, "w", zipfile.ZIP_DEFLATED) as archive:
            write_part(archive, "[Content_Types].xml", part)
            write_part(archive, "docProps/core.xml", other, kept=False)
        with zipfile.ZipFile(theirs, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("[Content_Types].xml", part)
            archive.writestr("docProps/core.xml", other)
        archives.append((ours, theirs))
    assert compressed == [part.encode(), other, other]  # the kept part once, the other each time
    for ours, theirs in archives:
        with zipfile.ZipFile(ours) as mine, zipfile.ZipFile(theirs) as expected:
            assert mine.testzip() is None
            for name in ("[Content_Types].xml", "docProps/core.xml"):
                got, want = mine.getinfo(name), expected.getinfo(name)
                assert mine.read(name) == expected.read(name)
                fields = ("compress_type", "external_attr", "file_size", "CRC", "create_system", "flag_bits")
                assert [getattr(got, f) for f in fields] == [getattr(want, f) for f in fields]
                assert got.date_time == want.date_time == (2024, 2, 3, 4, 5, 6)  # dated by writestr's clock


def test_the_style_digest_is_the_workbooks_own_not_that_of_a_workbook_with_its_id(monkeypatch) -> None:
    """A workbook made after another is freed may get its id, and its style tables the same lengths."""
    from matrix.writers import xlsx_seam

    monkeypatch.setattr(xlsx_seam, "id", lambda _: 1, raising=False)  # every workbook at the same address
    books = []
    for colour in ("FF0000", "00FF00"):
        wb = openpyxl.Workbook()
        first_sheet(wb)["A1"].font = Font(color=colour)
        books.append((wb, xlsx_seam.style_state(wb)))
    (first, state), (_, other) = books
    assert state != other and xlsx_seam.style_state(first) == state


def test_deflated_pieces_are_refused_by_an_archive_that_stores() -> None:
    with zipfile.ZipFile(BytesIO(), "w", zipfile.ZIP_STORED) as archive, pytest.raises(ValueError, match="deflated"):
        write_deflated(archive, "sheet.xml", [Deflated.of(b"<row/>")])


def _every_sheet_framed_both_ways(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make every save compare :func:`sheet_frame` with openpyxl's own writer on each sheet; the sheets compared."""
    from matrix.writers import xlsx_seam

    framed, compared = xlsx_seam.sheet_frame, []

    def both(ws: Worksheet, cells: SheetCells) -> tuple[bytes, bytes] | None:
        outline = ws.column_dimensions.max_outline  # set by writing the columns: the next writing reads it
        ours = framed(ws, cells)
        assert ours is not None, f"{ws.title}: written by openpyxl's writer"
        ws.column_dimensions.max_outline = outline
        assert ours == openpyxl_sheet_frame(ws, cells), ws.title
        compared.append(ws.title)
        return ours

    joined = xlsx_seam.stylesheet_xml

    def styles(wb: openpyxl.Workbook) -> bytes:
        ours = joined(wb)
        assert ours == tostring(write_stylesheet(wb)), "styles.xml"
        compared.append("styles.xml")
        return ours

    monkeypatch.setattr(xlsx_seam, "sheet_frame", both)
    monkeypatch.setattr(xlsx_seam, "stylesheet_xml", styles)
    return compared


def test_every_sheet_matrix_writes_is_framed_as_openpyxl_frames_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A directive's workbook, the consolidated one (wide: split across pages, and turned), the status workbook:
    the bytes around each sheet's rows are openpyxl's, to the character references and the attribute order."""
    from matrix.core.pivot import build_matrix
    from matrix.input.load import load_corpus
    from matrix.input.synthetic import make_corpus
    from matrix.tracking.records import assess
    from matrix.writers.excel import write_workbook
    from matrix.writers.status_excel import write_status_workbook

    from .helpers import WIDE
    from .helpers.corpus import small_corpus

    compared = _every_sheet_framed_both_ways(monkeypatch)
    small = build_matrix(small_corpus())
    wide = build_matrix(load_corpus([WIDE]).require(), True)
    many = build_matrix(make_corpus(60, 300, 3, 1))
    title = 'Tổng hợp & <thử> "nghiệm"\tcột'
    write_workbook(small.subset([small.directives[0].id]), tmp_path / "one.xlsx", title=title)
    write_workbook(small, tmp_path / "all.xlsx", title=title, paper="A3")
    write_workbook(wide, tmp_path / "wide.xlsx", title="Rộng")
    write_workbook(many, tmp_path / "many.xlsx", title="Nhiều")
    day = dt.date(2026, 1, 1)
    write_status_workbook(many, assess(many, (), day), day, tmp_path / "status.xlsx")
    assert len(compared) >= 5 * 4 + 3 and {"Ma trận", "Theo cơ quan", "Theo dõi"} <= set(compared)
    assert compared.count("styles.xml") == 5


def test_styles_joined_from_kept_pieces_are_openpyxls_for_every_kind_of_style() -> None:
    """Number formats, protections, named styles, colours: each workbook's styles.xml as write_stylesheet writes it,
    also when its pieces were kept from another workbook."""
    from openpyxl.styles import NamedStyle, Protection

    from matrix.writers.xlsx_seam import stylesheet_xml

    for extra in (False, True, False):
        wb = openpyxl.Workbook()
        _every_kind_of_cell(wb)
        ws = first_sheet(wb)
        ws["J1"].protection = Protection(locked=False)
        ws["J2"].number_format = "0.0%"
        if extra:
            wb.add_named_style(NamedStyle("nổi bật", font=Font(bold=True, color="FF0000")))
            ws["J3"].style = "nổi bật"
            wb._colors = ["00FF0000", "0000FF00"]
        for sheet in wb.worksheets:  # the cells' styles go into the table as a save writes them
            for cell in sheet._cells.values():
                if cell.has_style:
                    style_index(sheet, cell._style)
        assert len(wb._cell_styles) > 5 and len(wb._protections) == 2
        assert stylesheet_xml(wb) == tostring(write_stylesheet(wb))


def test_a_sheet_with_a_setting_the_frame_does_not_write_is_written_by_openpyxl(tmp_path: Path) -> None:
    wb, again = openpyxl.Workbook(), openpyxl.Workbook()
    for book in (wb, again):
        _every_kind_of_cell(book)
        first_sheet(book).protection.sheet = True  # sheet protection: openpyxl's writer
    assert sheet_frame(first_sheet(again), SheetCells()) is None
    wb.save(tmp_path / "openpyxl.xlsx")
    save_workbook(again, tmp_path / "seam.xlsx")
    assert xml_parts(tmp_path / "seam.xlsx") == xml_parts(tmp_path / "openpyxl.xlsx")


def test_the_frame_of_a_sheet_of_every_kind_is_openpyxls(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    _every_kind_of_cell(wb)
    ws = first_sheet(wb)
    header, footer = odd_header_footer(ws)
    header.center.text, footer.left.text = ' lề & <thẻ> "trích" ', "&P / &N"
    ws.auto_filter.ref = "A1:C3"
    ws.print_title_rows = "1:2"
    ws.page_setup.orientation, ws.page_setup.fitToWidth = "landscape", 1
    ws.column_dimensions["D"].hidden = True
    check = DataValidation(type="list", formula1='"Có,Không"', allow_blank=True, error=' "sai" &\n\t<chọn> ')
    check.add("B2:B9")
    ws.add_data_validation(check)
    ws.add_data_validation(DataValidation(type="whole"))  # no cell: not written
    for sheet in wb.worksheets:
        outline = sheet.column_dimensions.max_outline
        ours = sheet_frame(sheet, SheetCells())
        sheet.column_dimensions.max_outline = outline
        assert ours == openpyxl_sheet_frame(sheet, SheetCells()), sheet.title


def test_a_merged_range_recorded_directly_is_written_where_openpyxls_merged_range_is() -> None:
    """The same ranges, in the same order in ``<mergeCells>`` (a set's order), as ``MergedCellRange`` records give."""
    from openpyxl.worksheet.merge import MergedCellRange

    wb = openpyxl.Workbook()
    ours, theirs = first_sheet(wb), wb.create_sheet()
    ranges = [(row, column, row + row % 3, column + column % 4) for row in range(1, 60, 2) for column in (1, 5, 9)]
    for top, left, bottom, right in ranges:
        add_merged_range(ours, top, left, bottom, right)
        ref = f"{get_column_letter(left)}{top}:{get_column_letter(right)}{bottom}"
        theirs.merged_cells.add(MergedCellRange(theirs, ref))
    assert [str(r) for r in ours.merged_cells] == [str(r) for r in theirs.merged_cells]
    assert len(list(ours.merged_cells)) == len(ranges) and not ours._cells  # no corner cell made

"""The Excel writer: workbooks read back with openpyxl and compared with the model."""

from __future__ import annotations

import datetime as dt
import math
import re
import tempfile
import zipfile
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from matrix.core.model import (
    ROLES,
    Agency,
    Assignment,
    Block,
    Corpus,
    Directive,
    Issuer,
    IssuerKind,
    Registry,
    Role,
    Task,
)
from matrix.core.pivot import Matrix, build_matrix, location
from matrix.input.synthetic import make_corpus
from matrix.writers import excel
from matrix.writers.excel import MAX_CELL_CHARS, TRUNCATION_NOTE, task_label, write_workbook
from matrix.writers.xlsx_seam import SPILL_ROWS

from .helpers import examples
from .helpers.corpus import small_corpus
from .helpers.strategies import corpora
from .helpers.xlsx import xml_parts

SHEETS = [
    "Ma trận",
    "Nhiệm vụ",
    "Theo cơ quan",
    "Văn bản",
    "Theo dõi",
]  # Theo dõi: the tracking form (test_tracking.py)
TASK_HEADERS = [
    "STT",
    "Nội dung nhiệm vụ",
    "Cơ quan chủ trì",
    "Cơ quan phối hợp",
    "Cơ quan thực hiện",
    "Thời hạn / báo cáo",
    "Văn bản, mục",
]
ROLE_HEADERS = {Role.LEAD: "Cơ quan chủ trì", Role.PARTNER: "Cơ quan phối hợp", Role.DOER: "Cơ quan thực hiện"}
MARKS = {"C", "P", "T"}
INHERITED = {"(C)", "(P)", "(T)"}


# --------------------------------------------------------------------------- helpers


def write(matrix: Matrix, folder: Path, name: str = "ma-tran.xlsx", **options: str) -> openpyxl.Workbook:
    path = folder / name
    write_workbook(matrix, path, title=options.pop("title", "Tổng hợp & thử nghiệm"), **options)
    return openpyxl.load_workbook(path)


def views(corpus: Corpus) -> list[tuple[str, Matrix]]:
    """Every workbook a build writes: one per directive and the consolidated one, grouped and expanded."""
    out = []
    for expand in (False, True):
        matrix = build_matrix(corpus, expand)
        out += [(f"{d.id}-{expand}", matrix.subset([d.id])) for d in corpus.directives]
        out.append((f"tong-hop-{expand}", matrix))
    return out


def column_order(matrix: Matrix) -> list[Agency]:
    return [a for _, agencies in matrix.column_blocks() for a in agencies]


def expected_marks(matrix: Matrix) -> dict[tuple[tuple[str, str], str], str]:
    return {(e.row.key, e.agency.id): e.role.mark for e in matrix.entries}


def grid_origin(ws: Worksheet) -> tuple[int, int]:
    """(first task row, first agency column): the top-left cell below and right of the frozen panes."""
    top_left = ws[ws.freeze_panes]
    return top_left.row, top_left.column


def sheet_rows(ws: Worksheet, matrix: Matrix) -> list[int]:
    """The sheet row of each task of ``matrix`` on "Ma trận": a section row precedes each directive when there are several."""
    first_row, _ = grid_origin(ws)
    found, row_no, current = [], first_row - 1, None
    for row in matrix.rows:
        row_no += 1
        if len(matrix.directives) > 1 and row.directive.id != current:
            current = row.directive.id
            number = matrix.directives.index(row.directive) + 1
            heading = ws.cell(row_no, 1).value
            assert heading.startswith(f"{roman(number)}. {row.directive.kind.capitalize()}"), heading
            assert row.directive.title.strip() in heading
            row_no += 1
        found.append(row_no)
    return found


def roman(number: int) -> str:
    return ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"][number - 1]


def read_marks(ws: Worksheet, matrix: Matrix, inherited: bool = False) -> dict[tuple[tuple[str, str], str], str]:
    """The marks of the matrix sheet (or, with ``inherited``, the bracketed inherited ones), keyed like the model.

    Checks row labels and column headers on the way.
    """
    first_row, first_col = grid_origin(ws)
    columns = column_order(matrix)
    for j, agency in enumerate(columns):
        label = ws.cell(first_row - 1, first_col + j).value
        assert label == agency.short or label == agency.name or label.startswith(f"{agency.short} ("), (label, agency)
    assert ws.cell(first_row - 2, first_col + len(columns)).value == "Tổng số cơ quan"
    marks = {}
    for row, row_no in zip(matrix.rows, sheet_rows(ws, matrix), strict=True):
        assert ws.cell(row_no, 1).value == task_label(row)
        for j, agency in enumerate(columns):
            value = ws.cell(row_no, first_col + j).value
            if value is not None and (value in INHERITED) == inherited:
                marks[(row.key, agency.id)] = value
    return marks


def expected_inherited(matrix: Matrix) -> dict[tuple[tuple[str, str], str], str]:
    """Cells of sub-tasks whose agency is assigned above them and not at them: "(C)", "(P)", "(T)"."""
    found = {}
    for row in matrix.rows:
        for entry in matrix.context(row):
            if matrix.cell(row, entry.agency.id) is None:
                found[(row.key, entry.agency.id)] = f"({entry.role.mark})"
    return found


def evaluate(ws: Worksheet, value: object) -> object:
    """The value of a cell as a spreadsheet computes it: the few formulas the writer uses (COUNTIF, COUNTA, SUM)."""
    if not (isinstance(value, str) and value.startswith("=")):
        return value
    match = re.fullmatch(r'=(COUNTIF|COUNTA|SUM)\(([A-Z]+\d+:[A-Z]+\d+)(?:,"([^"]*)")?\)', value)
    assert match, value
    function, cells, wanted = match.groups()
    values = [evaluate(ws, c.value) for row in ws[cells] for c in row]
    if function == "COUNTIF":
        return sum(1 for v in values if isinstance(v, str) and v.lower() == wanted.lower())
    if function == "COUNTA":
        return sum(1 for v in values if v not in (None, ""))
    return sum(v for v in values if isinstance(v, int))


def task_records(ws: Worksheet) -> tuple[dict[str, int], list[list[tuple]]]:
    """Headers of "Nhiệm vụ" and its records: the rows of each task (a long text continues below)."""
    header_row = next(r for r in range(1, 6) if ws.cell(r, 1).value == "STT")
    headers = {ws.cell(header_row, c).value: c for c in range(1, ws.max_column + 1)}
    records: list[list[tuple]] = []
    for values in ws.iter_rows(min_row=header_row + 1, values_only=True):
        if values[0] is not None:
            records.append([values])
        else:
            records[-1].append(values)
    return headers, records


def check_task_sheet(ws: Worksheet, matrix: Matrix) -> None:
    """Every entry's agency name once in the right role column of its task's row; nothing else there."""
    headers, records = task_records(ws)
    assert list(headers)[: len(TASK_HEADERS)] == TASK_HEADERS
    assert len(records) == len(matrix.rows)
    for row, record in zip(matrix.rows, records, strict=True):
        first = record[0]
        assert first[headers["STT"] - 1] == task_label(row)
        for role, header in ROLE_HEADERS.items():
            cell = "\n".join(r[headers[header] - 1] for r in record if r[headers[header] - 1])  # a long list goes on
            names = cell.split("\n") if cell else []
            own = [e.agency.name for e in matrix.entries_in(row) if e.role is role]
            inherited = [
                f"{e.agency.name} (theo {location(e.row)})"
                for e in matrix.context(row)
                if e.role is role and e.row.key != row.key
            ]
            assert names == own + inherited  # a sub-item names the agencies it inherits, as the matrix marks them
        text = " ".join(r[headers["Nội dung nhiệm vụ"] - 1] or "" for r in record)
        if len(row.task.text) < MAX_CELL_CHARS - len(TRUNCATION_NOTE):
            assert squash(text) == squash(ILLEGAL.sub("", row.task.text))


ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def check_workbook(wb: openpyxl.Workbook, matrix: Matrix) -> None:
    assert wb.sheetnames == SHEETS
    assert read_marks(wb["Ma trận"], matrix) == expected_marks(matrix)
    assert read_marks(wb["Ma trận"], matrix, inherited=True) == expected_inherited(matrix)
    check_task_sheet(wb["Nhiệm vụ"], matrix)


# --------------------------------------------------------------------------- small corpus


@pytest.fixture(params=[False, True], ids=["grouped", "expanded"])
def small(request: pytest.FixtureRequest) -> Matrix:
    return build_matrix(small_corpus(), request.param)


def test_small_workbook_matches_model(small: Matrix, tmp_path: Path) -> None:
    check_workbook(write(small, tmp_path), small)


def test_each_directive_workbook_matches_model(small: Matrix, tmp_path: Path) -> None:
    for directive in small.directives:
        view = small.subset([directive.id])
        check_workbook(write(view, tmp_path, f"{directive.id}.xlsx"), view)


def test_nothing_else_is_marked(small: Matrix, tmp_path: Path) -> None:
    ws = write(small, tmp_path)["Ma trận"]
    found = [c for row in ws.iter_rows() for c in row if c.value in MARKS]
    assert len(found) == len(small.entries) + 3  # and the legend's three


def test_marks_have_one_fill_per_role(small: Matrix, tmp_path: Path) -> None:
    ws = write(small, tmp_path)["Ma trận"]
    _, first_col = grid_origin(ws)
    fills: dict[str, set[str]] = {mark: set() for mark in MARKS | INHERITED}
    for row_no in sheet_rows(ws, small):
        for cell in ws[row_no][first_col - 1 : first_col - 1 + len(small.columns)]:
            if cell.value in MARKS | INHERITED:
                fills[cell.value].add(cell.fill.fgColor.rgb)
                assert cell.font.italic == (cell.value in INHERITED)
            else:
                assert cell.fill.fill_type is None
    used = {mark: colours for mark, colours in fills.items() if colours}
    assert all(len(colours) == 1 for colours in used.values())
    assert len(set().union(*used.values())) == len(used) >= 4  # own marks and inherited ones told apart


def test_legend_explains_every_mark(tmp_path: Path) -> None:
    ws = write(build_matrix(small_corpus()), tmp_path)["Ma trận"]
    first_row, _ = grid_origin(ws)
    below = first_row + len(small_corpus().directives[0].tasks) + 20
    legend = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(first_row, below) if ws.cell(r, 1).value in MARKS}
    for role in ROLES:
        assert role.value in legend[role.mark].lower()
    assert "C: chủ trì" in ws.oddFooter.left.text  # and at the foot of every printed page


def test_totals_per_agency_and_per_task(small: Matrix, tmp_path: Path) -> None:
    """Totals are formulas (recomputed when a mark changes); computed, they count the model's entries."""
    ws = write(small, tmp_path)["Ma trận"]
    _, first_col = grid_origin(ws)
    total_col = first_col + len(small.columns)
    rows = sheet_rows(ws, small)
    for row, row_no in zip(small.rows, rows, strict=True):
        formula = ws.cell(row_no, total_col).value
        assert formula.startswith("=COUNTA(")
        assert evaluate(ws, formula) == len(small.context(row))  # its own agencies and the inherited ones
    totals = rows[-1] + 1
    for k, role in enumerate(ROLES):
        assert f"({role.mark})" in ws.cell(totals + k, 1).value
        for j, agency in enumerate(column_order(small)):
            formula = ws.cell(totals + k, first_col + j).value
            assert formula.startswith("=COUNTIF(") and formula.endswith(f',"{role.mark}")')
            assert evaluate(ws, formula) == small.counts(agency.id)[role]
        assert evaluate(ws, ws.cell(totals + k, total_col).value) == sum(1 for e in small.entries if e.role is role)
    assert evaluate(ws, ws.cell(totals + 3, total_col).value) == len(small.entries)


def test_a_changed_mark_changes_the_totals(tmp_path: Path) -> None:
    """What a meeting does: change a mark by hand; the totals follow (LibreOffice recomputes on loading)."""
    matrix = build_matrix(small_corpus()).subset(["ct-1"])
    path = tmp_path / "m.xlsx"
    write_workbook(matrix, path, title="x")
    wb = openpyxl.load_workbook(path)
    assert wb.calculation.fullCalcOnLoad  # Excel recomputes on opening
    ws = wb["Ma trận"]
    _, first_col = grid_origin(ws)
    row_no = sheet_rows(ws, matrix)[0]
    before = evaluate(ws, ws.cell(sheet_rows(ws, matrix)[-1] + 1, first_col).value)
    ws.cell(row_no, first_col).value = "C"
    assert evaluate(ws, ws.cell(sheet_rows(ws, matrix)[-1] + 1, first_col).value) == before + 1


def test_grouped_and_expanded_columns(tmp_path: Path) -> None:
    corpus = small_corpus()
    grouped = write(build_matrix(corpus), tmp_path, "a.xlsx")["Ma trận"]
    expanded = write(build_matrix(corpus, True), tmp_path, "b.xlsx")["Ma trận"]

    def headers(ws: Worksheet) -> list[str]:
        first_row, first_col = grid_origin(ws)
        return [c.value for c in ws[first_row - 1][first_col - 1 :] if c.value]

    assert "UBND cấp huyện" in headers(grouped)
    assert "UBND huyện A" not in headers(grouped)
    assert {"UBND huyện A", "UBND huyện B"} <= set(headers(expanded))
    assert "UBND cấp huyện" not in headers(expanded)


def test_layout_freeze_filter_and_task_columns(tmp_path: Path) -> None:
    matrix = build_matrix(small_corpus())
    ws = write(matrix, tmp_path)["Ma trận"]
    first_row, first_col = grid_origin(ws)
    assert ws.freeze_panes == f"D{first_row}"  # STT, Nhiệm vụ, Văn bản stay in view
    assert [ws.cell(first_row - 2, c).value for c in (1, 2, 3)] == ["STT", "Nhiệm vụ", "Văn bản"]
    assert ws.auto_filter.ref == f"A{first_row - 1}:I{first_row + len(matrix.rows) + len(matrix.directives) - 1}"
    assert ws.cell(first_row - 1, first_col).alignment.text_rotation == 90
    widths = [
        ws.column_dimensions[get_column_letter(c)].width for c in range(first_col, first_col + len(matrix.columns))
    ]
    assert max(widths) < 8  # narrow: a name turned in three lines at most (few agencies: a lower header row)
    sub = next(i for i, r in enumerate(matrix.rows) if r.depth == 1)
    assert ws.cell(sheet_rows(ws, matrix)[sub], 2).alignment.indent == 1
    assert ws.cell(first_row + 1, 3).value == "I"  # the section (row above: the directive in full)
    single = write(matrix.subset(["ct-1"]), tmp_path, "one.xlsx")["Ma trận"]
    assert single.freeze_panes == f"C{first_row}"  # no "Văn bản" column for one directive


@pytest.mark.parametrize("paper, size", [("A4", 9), ("A3", 8)])
def test_print_settings(paper: str, size: int, tmp_path: Path) -> None:
    wb = write(build_matrix(small_corpus()), tmp_path, paper=paper, title="Tổng hợp & thử nghiệm")
    for ws in wb:
        setup = ws.page_setup
        assert (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight) == ("landscape", size, 1, 0)
        assert ws.sheet_properties.pageSetUpPr.fitToPage is True
        assert ws.print_options.horizontalCentered is True
        assert ws.print_title_rows
        assert ws.oddHeader.center.text == "Tổng hợp && thử nghiệm"
        assert ws.oddFooter.center.text == "&A - trang &P"  # numbered per sheet
        assert setup.firstPageNumber == 1 and setup.useFirstPageNumber
        assert 0.3 <= ws.page_margins.left <= 1 and 0.3 <= ws.page_margins.top <= 1
    assert wb["Ma trận"].print_title_rows == "$2:$3"
    assert wb["Ma trận"].print_title_cols == "$A:$C"


def test_paper_must_be_known(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="A4"):
        write_workbook(build_matrix(small_corpus()), tmp_path / "x.xlsx", title="x", paper="Letter")
    assert not (tmp_path / "x.xlsx").exists()


@pytest.mark.parametrize("title", ["Về bảo đảm an ninh, trật tự " * 30, "An ninh & trật tự " * 30])
def test_long_header_title_is_cut(title: str, tmp_path: Path) -> None:
    header = write(build_matrix(small_corpus()), tmp_path, title=title)["Ma trận"].oddHeader.center
    assert len(str(header)) <= 255 and header.text.startswith(title[:20].replace("&", "&&"))


def test_times_new_roman_everywhere(tmp_path: Path) -> None:
    wb = write(build_matrix(small_corpus()), tmp_path)
    for ws in wb:
        fonts = {(c.font.name, c.font.sz) for row in ws.iter_rows() for c in row if c.value is not None}
        assert {name for name, _ in fonts} == {"Times New Roman"}
        assert all(size >= 11 for _, size in fonts)
    with zipfile.ZipFile(tmp_path / "ma-tran.xlsx") as archive:
        styles = archive.read("xl/styles.xml").decode()
    first_font = re.search(r"<font>.*?</font>", styles, re.S)
    assert first_font and 'val="Times New Roman"' in first_font.group()  # the default, for cells typed later


def test_text_stays_text(tmp_path: Path) -> None:
    """Directive text starting with "=", "-", "+", "@" is never a formula."""
    path = tmp_path / "x.xlsx"
    write_workbook(build_matrix(small_corpus()), path, title="=SUM(A1)")
    wb = openpyxl.load_workbook(path)
    expected = {
        "=SUM(A1) không phải công thức; + - @ cũng vậy.",
        '- Chủ trì, phối hợp với Sở Nội vụ & các đơn vị <liên quan> "rà soát".',
    }
    for name in ("Ma trận", "Nhiệm vụ"):
        cells = {c.value: c for row in wb[name].iter_rows() for c in row if c.value in expected}
        assert set(cells) == expected, name
        assert {c.data_type for c in cells.values()} == {"s"}
    with zipfile.ZipFile(path) as archive:
        sheets = [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
    formulas = [f for xml in sheets for f in re.findall(r"<f>(.*?)</f>", xml)]
    pattern = r'(COUNTIF|COUNTA|SUM)\([A-Z]+\d+:[A-Z]+\d+(,"[CPT]"|,&quot;[CPT]&quot;)?\)'
    assert formulas and all(re.fullmatch(pattern, f) for f in formulas)
    assert "<f " not in "".join(sheets)  # the writer's totals only


FORMULA_TEXTS = ("=1+2 không phải công thức", '=HYPERLINK("http://x","y")', "+1", "@SUM(A1)", "-2")


def formula_like_corpus() -> Corpus:
    """Text from the input that a spreadsheet would compute if written raw: task texts, a name, a deadline."""
    corpus = small_corpus()
    registry = corpus.registry
    odd = Agency("odd", "=Sở Lạ", "=Sở Lạ", "so-nganh")
    registry = replace(registry, agencies=(*registry.agencies, odd))
    tasks = tuple(
        Task(str(n), text, (Assignment("odd" if n == 1 else "so-noi-vu", Role.LEAD, "x"),), deadline="=NOW()")
        for n, text in enumerate(FORMULA_TEXTS, 1)
    )
    directive = replace(corpus.directives[0], tasks=tasks, title="=Về việc", number="=1")
    return Corpus(registry, (directive,))


def test_no_workbook_computes_input_text(tmp_path: Path) -> None:
    """Every sheet of the matrix and status workbooks holds input text as text; only the writer's totals compute."""
    from matrix.tracking.records import assess
    from matrix.writers.status_excel import write_status_workbook

    matrix = build_matrix(formula_like_corpus())
    paths = [tmp_path / "ma-tran.xlsx", tmp_path / "tinh-hinh.xlsx"]
    write_workbook(matrix, paths[0], title="=tiêu đề")
    day = dt.date(2026, 1, 1)
    write_status_workbook(matrix, assess(matrix, (), day), day, paths[1])
    pattern = r'(COUNTIF|COUNTA|SUM)\([A-Z]+\d+:[A-Z]+\d+(,"[CPT]"|,&quot;[CPT]&quot;)?\)'
    for path in paths:
        with zipfile.ZipFile(path) as archive:
            sheets = {n: archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/sheet")}
        for name, xml in sheets.items():
            formulas = re.findall(r"<f>(.*?)</f>", xml)
            assert all(re.fullmatch(pattern, f) for f in formulas), (path.name, name, formulas)
            assert "<f " not in xml, (path.name, name)
        wb = openpyxl.load_workbook(path)
        found = set()
        for ws in wb:
            for row in ws.iter_rows():
                for cell in row:
                    if (
                        isinstance(cell.value, str)
                        and cell.value[:1] in "=+@-"
                        and not re.fullmatch("=" + pattern, cell.value)
                    ):
                        assert cell.data_type == "s", (path.name, ws.title, cell.coordinate, cell.value)
                        found.add(ws.title)
        assert found, path.name
    sheets = openpyxl.load_workbook(paths[0]).sheetnames
    texts = {c.value for ws in openpyxl.load_workbook(paths[0]) for row in ws.iter_rows() for c in row}
    assert {"=1+2 không phải công thức", "=Sở Lạ"} <= texts and "Theo dõi" in sheets


def one_task_corpus(text: str, title: str | None = None) -> Corpus:
    corpus = small_corpus()
    task = Task("1", text, (Assignment("so-noi-vu", Role.LEAD, "Sở Nội vụ"),), title=title)
    directive = replace(corpus.directives[0], tasks=(task,))
    return Corpus(corpus.registry, (directive,))


def test_text_longer_than_a_cell_is_cut_with_a_note(tmp_path: Path) -> None:
    long = "Tăng cường công tác bảo đảm an ninh, trật tự. " * 1000  # 46,000 characters
    matrix = build_matrix(one_task_corpus(long, title=long))
    wb = write(matrix, tmp_path)
    for ws in wb:
        assert all(len(str(c.value)) <= MAX_CELL_CHARS for row in ws.iter_rows() for c in row if c.value)
    title = wb["Ma trận"].cell(grid_origin(wb["Ma trận"])[0], 2).value
    assert title.endswith(TRUNCATION_NOTE) and len(title) == MAX_CELL_CHARS
    headers, records = task_records(wb["Nhiệm vụ"])
    pieces = [r[headers["Nội dung nhiệm vụ"] - 1] for r in records[0]]
    assert len(records) == 1 and len(pieces) > 1  # one task, continued on the rows below
    assert pieces[-1].endswith(TRUNCATION_NOTE.strip())
    assert squash(" ".join(pieces)).startswith(squash(long[:30_000]))
    check_task_sheet(wb["Nhiệm vụ"], matrix)


def test_rows_are_tall_enough_and_within_limits(tmp_path: Path) -> None:
    text = "Chủ động nắm chắc tình hình, kịp thời phát hiện, ngăn chặn, vô hiệu hóa âm mưu. " * 60
    wb = write(build_matrix(one_task_corpus(text)), tmp_path)
    ws = wb["Nhiệm vụ"]
    heights = [ws.row_dimensions[r].height for r in range(3, ws.max_row + 1)]
    assert all(16 <= h <= 409 for h in heights)
    # LibreOffice fits about 70 characters a line in the text column, 12.5 pt a line
    assert sum(heights) > len(text) / 72 * 12.5
    short = write(build_matrix(one_task_corpus("Ngắn.")), tmp_path, "b.xlsx")["Nhiệm vụ"]
    assert short.row_dimensions[3].height < 40


def test_illegal_characters_are_dropped(tmp_path: Path) -> None:
    matrix = build_matrix(one_task_corpus("Trang 1\x0c tiếp\x00 theo\ufffe."))
    headers, records = task_records(write(matrix, tmp_path)["Nhiệm vụ"])
    assert records[0][0][headers["Nội dung nhiệm vụ"] - 1] == "Trang 1 tiếp theo."


def test_agency_sheet_has_one_block_per_agency(small: Matrix, tmp_path: Path) -> None:
    ws = write(small, tmp_path)["Theo cơ quan"]
    columns = column_order(small)
    bands = [
        (r, ws.cell(r, 1).value)
        for r in range(3, ws.max_row + 1)
        if ws.cell(r, 1).value and ". " in ws.cell(r, 1).value
    ]
    assert [text.split(". ", 1)[1].split(" (")[0] for _, text in bands] == [a.name for a in columns]
    assert sorted(b.id for b in ws.row_breaks.brk) == [r - 1 for r, _ in bands[1:]]
    for (start, _), (end, _), agency in zip(bands, [*bands[1:], (ws.max_row + 1, "")], columns, strict=True):
        ids = [ws.cell(r, 1).value for r in range(start + 1, end) if ws.cell(r, 1).value]
        roles = [ws.cell(r, 3).value for r in range(start + 1, end) if ws.cell(r, 1).value]
        applying = [(row, e) for row in small.rows for e in small.context(row) if e.agency.id == agency.id]
        assert ids == [task_label(row) for row, _ in applying]
        assert [r.split("\n")[0].lower() for r in roles] == [e.role.value for _, e in applying]
        for (row, entry), role in zip(applying, roles, strict=True):
            assert (f"(theo {location(entry.row)})" in role) == (entry.row.key != row.key)


def test_directive_sheet(tmp_path: Path) -> None:
    wb = write(build_matrix(small_corpus()), tmp_path)
    rows = list(wb["Văn bản"].iter_rows(min_row=3, values_only=True))
    issuer = "Chủ tịch Ủy ban nhân dân tỉnh P"
    assert rows[0][:6] == (1, "I. 05/CT-UBND", "Chỉ thị", "05/CT-UBND", "06/01/2025", issuer)
    assert rows[0][6] == "Về bảo đảm an ninh, trật tự năm 2025"
    assert rows[0][7].split("\n") == ["Nguyễn Văn A", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    assert rows[0][8] == 6
    assert rows[1][:5] == (2, "II. Công văn Ban Thường vụ Tỉnh ủy", "Công văn", None, None)


def test_duplicate_short_names_are_told_apart(tmp_path: Path) -> None:
    corpus = small_corpus()
    renamed = {"h-a": "UBND huyện", "h-b": "UBND huyện", "so-noi-vu": "VKSND tỉnh"}
    agencies = tuple(replace(a, short=renamed.get(a.id, a.short)) for a in corpus.registry.agencies)
    matrix = build_matrix(
        Corpus(Registry(corpus.registry.blocks, agencies, corpus.registry.provinces), corpus.directives), True
    )
    ws = write(matrix, tmp_path)["Ma trận"]
    first_row, first_col = grid_origin(ws)
    labels = [c.value for c in ws[first_row - 1][first_col - 1 : first_col - 1 + len(matrix.columns)]]
    assert len(set(labels)) == len(labels)
    full_names = {"Ủy ban nhân dân huyện A", "Ủy ban nhân dân huyện B", "Sở Nội vụ", "Viện kiểm sát nhân dân tỉnh"}
    assert full_names <= set(labels)


# --------------------------------------------------------------------------- seed corpus


@pytest.fixture(scope="module")
def seeds(seed_corpus: Corpus) -> Corpus:
    return seed_corpus


def test_columns_follow_the_registry_blocks(seeds: Corpus) -> None:
    """District committees (block "Cấp huyện") before commune committees (block "Cấp xã"), as the registry lists them."""
    matrix = build_matrix(seeds).subset(["ubnd-ct-cao-diem-tet-giap-thin-2024"])
    shorts = [a.short for a in column_order(matrix)]
    assert shorts.index("UBND cấp huyện") < shorts.index("UBND cấp xã")
    order = [block.id for block, _ in matrix.column_blocks()]
    registry = [b.id for b in seeds.registry.blocks]
    assert order == sorted(order, key=registry.index)


def test_tet_header_row_is_low_and_titles_take_one_line(seeds: Corpus, tmp_path: Path) -> None:
    """The turned names take the height of the longest one in up to three lines, not a third of the page."""
    matrix = build_matrix(seeds).subset(["ubnd-ct-cao-diem-tet-giap-thin-2024"])
    ws = write(matrix, tmp_path)["Ma trận"]
    first_row, _ = grid_origin(ws)
    header = ws.row_dimensions[first_row - 1].height + ws.row_dimensions[first_row - 2].height
    assert header < 140  # it was 184 pt of the 494 pt an A4 page holds
    rows = [ws.row_dimensions[r].height for r in sheet_rows(ws, matrix)]
    assert max(rows) < 20  # one line a task (the full text is on "Nhiệm vụ")


def _wide(tasks: int = 0) -> Matrix:
    """The 2026 Đồng Tháp directive for its communes, groups expanded (over 200 agencies); with ``tasks``, its items
    without sub-items repeated up to that many tasks (too many to print turned, agencies as rows)."""
    from matrix.input.load import load_corpus

    from .helpers import WIDE

    corpus = load_corpus([WIDE]).require()
    if tasks:
        (directive,) = corpus.directives
        plain = [t for t in directive.tasks if not t.tasks and t.id.isdigit()]
        more = tuple(replace(plain[n % len(plain)], id=str(100 + n)) for n in range(tasks - len(directive.tasks)))
        corpus = replace(corpus, directives=(replace(directive, tasks=(*directive.tasks, *more)),))
    return build_matrix(corpus, True)


def test_a_matrix_too_wide_for_a3_is_split_with_its_task_columns(tmp_path: Path) -> None:
    from matrix.writers.excel import MIN_SCALE, print_layout

    matrix = _wide(tasks=60)
    paper, scale = print_layout(matrix, "A4")
    assert (paper, len(matrix.columns) > 200) == ("A3", True) and MIN_SCALE <= scale <= 1
    ws = write(matrix, tmp_path)["Ma trận"]
    setup = ws.page_setup
    assert (setup.paperSize, int(setup.scale)) == (8, math.floor(scale * 100))
    assert not ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_cols == "$A:$B" and ws.print_title_rows == "$2:$3"
    breaks = sorted(b.id for b in ws.col_breaks.brk)
    _, first_col = grid_origin(ws)
    assert breaks and all(first_col <= b < first_col + len(matrix.columns) for b in breaks)
    printable = (1191 - 72) / 0.75 / (setup.scale / 100)  # A3 landscape, pixels of the sheet at its scale
    left = sum(ws.column_dimensions[get_column_letter(c)].width * 7 + 5 for c in range(1, first_col))
    for start, end in zip([first_col - 1, *breaks], [*breaks, first_col + len(matrix.columns)], strict=True):
        part = sum(ws.column_dimensions[get_column_letter(c)].width * 7 + 5 for c in range(start + 1, end + 1))
        assert left + part <= printable, (start, end)  # each page's columns fit beside the repeated task columns


def test_a_wide_matrix_of_few_tasks_prints_agencies_as_rows(tmp_path: Path) -> None:
    """13 tasks for 221 agencies: split across pages, a task row is read over 3 pages at 56 % (20 whole rows a page);
    turned, each agency is a row with every task beside it, about 28 rows a page at 100 %."""
    from matrix.writers.excel import MIN_SCALE, print_layout

    matrix = _wide()
    paper, scale = print_layout(matrix, "A4")
    assert len(matrix.columns) > 200 and len(matrix.rows) < 20 and scale >= MIN_SCALE
    ws = write(matrix, tmp_path)["Ma trận"]
    assert ws.print_title_cols == "$A:$B" and ws.print_title_rows == "$2:$3"
    assert ws.page_setup.paperSize == {"A4": 9, "A3": 8}[paper] and not ws.col_breaks.brk
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    first_row, first_col = grid_origin(ws)
    assert (ws.cell(2, 1).value, ws.cell(2, 2).value, ws.cell(2, first_col).value) == ("STT", "Cơ quan", "Nhiệm vụ")
    headers = [ws.cell(3, first_col + n).value for n in range(len(matrix.rows))]
    assert headers[0].startswith("1. ") and headers[1].startswith("2. Công an tỉnh:")
    # block by block in the registry's order, each under a band row with its name, every agency a row
    blocks = [block.name for block, _ in matrix.column_blocks()]
    bands, agency_rows = [], {}
    names = {a.name: a for a in matrix.columns}
    for row in range(first_row, ws.max_row + 1):
        value = ws.cell(row, 1).value
        if isinstance(value, str) and value in blocks:
            bands.append(value)
        elif isinstance(value, int):
            agency_rows[row] = names[ws.cell(row, 2).value]
    assert bands == blocks and sorted(a.id for a in agency_rows.values()) == sorted(a.id for a in matrix.columns)
    # the marks are the model's: own marks where stated, "(T)" where inherited
    column_of = {row.key: first_col + n for n, row in enumerate(matrix.rows)}
    for row, agency in agency_rows.items():
        for entry in matrix.entries_for(agency.id):
            assert ws.cell(row, column_of[entry.row.key]).value == entry.role.mark
    own = sum(1 for row in agency_rows for c in ws[row] if c.value in MARKS)
    assert own == len(matrix.entries)
    inherited = sum(1 for row in agency_rows for c in ws[row] if isinstance(c.value, str) and c.value.startswith("("))
    assert inherited > 0


def test_seed_workbooks_match_model(seeds: Corpus, tmp_path: Path) -> None:
    for name, matrix in views(seeds):
        wb = write(matrix, tmp_path, f"{name}.xlsx")
        check_workbook(wb, matrix)
        found = sum(1 for row in wb["Ma trận"].iter_rows() for c in row if c.value in MARKS)
        assert found == len(matrix.entries) + 3, name


# --------------------------------------------------------------------------- properties

NAMES = st.text(st.sampled_from("aăâbcdđeêghiklmnoôơpqrstuưvxyĐÊỨỔ àáạảãếộữ&<>\"'"), min_size=2, max_size=25).filter(
    lambda s: s.strip() and s not in MARKS
)
SHORTS = st.builds(str.__add__, st.sampled_from(["CQ", "Sở", "UBND huyện"]), st.sampled_from(["", " A", " B"]))
TEXTS = st.builds(
    lambda prefix, body: prefix + body,
    st.sampled_from(["", "=", "- ", "+", "@", "#N/A ", "\x0c"]),
    st.text(st.sampled_from("aăâbcđeêhiklmnoôơtuư ÁẾỘ,.;:\n=-+@0123456789"), min_size=2, max_size=120),
)


@st.composite
def awkward_corpora(draw: st.DrawFn) -> Corpus:
    """Random registries (duplicate short names, groups) and task trees with formula-like text."""
    blocks = tuple(Block(f"b{i}", draw(NAMES)) for i in range(draw(st.integers(1, 3))))
    bodies = [
        Agency(
            f"a{i}",
            draw(NAMES),
            draw(SHORTS),
            draw(st.sampled_from(blocks)).id,
            province=draw(st.sampled_from([None, "p"])),
        )
        for i in range(draw(st.integers(1, 9)))
    ]
    body_ids = [a.id for a in bodies]
    groups = [
        Agency(
            f"g{g}",
            draw(NAMES),
            f"Nhóm {g}",
            draw(st.sampled_from(blocks)).id,
            is_group=True,
            members=MappingProxyType({"p": tuple(draw(st.lists(st.sampled_from(body_ids), unique=True, max_size=4)))}),
        )
        for g in range(draw(st.integers(0, 2)))
    ]
    registry = Registry(blocks, tuple(bodies + groups), MappingProxyType({"p": "Tỉnh P"}))
    ids = [a.id for a in registry.agencies]

    def task(task_id: str, depth: int) -> Task:
        chosen = draw(st.lists(st.sampled_from(ids), unique=True, max_size=5))
        subs = draw(st.integers(0, 2)) if depth < 2 else 0
        return Task(
            task_id,
            draw(TEXTS),
            tuple(Assignment(a, draw(st.sampled_from(ROLES)), a) for a in chosen),
            tuple(task(f"{task_id}.{k}", depth + 1) for k in range(1, subs + 1)),
            title=draw(st.none() | TEXTS),
            deadline=draw(st.none() | TEXTS),
        )

    directives = tuple(
        Directive(
            f"d{n}",
            draw(st.sampled_from(["chỉ thị", "công văn"])),
            draw(TEXTS),
            Issuer("UBND tỉnh", IssuerKind.STATE),
            tuple(task(str(k), 0) for k in range(1, draw(st.integers(1, 4)) + 1)),
            number=draw(st.none() | st.just("05")),
            symbol="CT-UBND",
            province=draw(st.sampled_from([None, "p"])),
        )
        for n in range(draw(st.integers(1, 3)))
    )
    return Corpus(registry, directives)


def round_trip(corpus: Corpus, expand: bool) -> None:
    matrix = build_matrix(corpus, expand)
    with tempfile.TemporaryDirectory() as folder:
        wb = write(matrix, Path(folder))
    check_workbook(wb, matrix)


@given(awkward_corpora(), st.booleans())
@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_marks_read_back_equal_entries(corpus: Corpus, expand: bool) -> None:
    round_trip(corpus, expand)


@given(corpora(), st.booleans())
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_unicode_text_round_trips(corpus: Corpus, expand: bool) -> None:
    round_trip(corpus, expand)


# --------------------------------------------------------------------------- streamed rows (issue 23)


def _sample_sheet(ws: Worksheet, ctx: excel.WorkbookContext) -> None:
    """A sheet of every kind of value a sheet writer gives the painter."""
    row, columns = excel.start_table(
        ws, ctx, "Mẫu", "MẪU", [excel.Column("Nội dung", 40, grows=True), excel.Column("Giá trị", 14)]
    )
    for values in (["ngày", dt.date(2025, 3, 4)], ["số", 2.5], ["=SUM(A1)", 7], ["dài " * 3000, None], ["", "  lề  "]):
        row = excel.put_records(ws, ctx, row, columns, values, text_col=0, indent=1)
    ctx.painter.put(ws, row, 2, "=SUM(B3:B5)", "total", formula=True)


@pytest.mark.parametrize(("agencies", "tasks", "directives"), [(40, 300, 3), (150, 450, 1)])
def test_the_streamed_workbook_holds_what_openpyxl_cells_give(agencies, tasks, directives, tmp_path, monkeypatch):
    """write_workbook serialises its cells as it writes them and writes final rows out; the workbook is the one an
    openpyxl cell per cell and openpyxl's save give (a consolidated dense matrix; a sparse one, rows written out)."""
    matrix = build_matrix(make_corpus(agencies, tasks, directives, 1))
    write_workbook(matrix, tmp_path / "streamed.xlsx", title="Thử & <so sánh>", extra_sheets=[_sample_sheet])
    painter = excel.Painter
    monkeypatch.setattr(excel, "Painter", lambda streamed=False: painter())
    monkeypatch.setattr(excel, "save_workbook", lambda wb, path, sheets: wb.save(path))
    write_workbook(matrix, tmp_path / "openpyxl.xlsx", title="Thử & <so sánh>", extra_sheets=[_sample_sheet])
    # a cell's style is numbered when it is written here, when it is saved there: the numbers may differ
    streamed = xml_parts(tmp_path / "streamed.xlsx", style_order=False)
    cells = xml_parts(tmp_path / "openpyxl.xlsx", style_order=False)
    assert streamed.keys() == cells.keys() and len([n for n in streamed if "worksheets/sheet" in n]) == 6
    for name in cells:
        assert streamed[name] == cells[name], name
    back = openpyxl.load_workbook(tmp_path / "streamed.xlsx")["Mẫu"]
    assert (
        back["B3"].value == dt.datetime(2025, 3, 4) and back["A5"].value == "=SUM(A1)" and back["A5"].data_type == "s"
    )


def test_a_streamed_painter_writes_final_rows_out_and_keeps_the_rest(tmp_path):
    matrix = build_matrix(make_corpus(40, 900, 1, 1))
    painter = excel.Painter(streamed=True)
    wb = openpyxl.Workbook()
    ctx = excel.WorkbookContext(matrix, "T", "A4", painter, excel.directive_labels(matrix))
    ws = wb.active
    excel._write_tasks(ws, ctx)
    assert painter.sheets is not None
    cells = painter.sheets[ws]
    assert cells.done > SPILL_ROWS and cells.spill is not None
    assert len(cells.rows) < SPILL_ROWS and min(cells.rows) >= cells.done  # only rows not yet final stay in memory
    with pytest.raises(ValueError, match="already written out"):
        painter.put(ws, 3, 1, "muộn", "text")


@pytest.mark.parametrize("streamed", [True, False])
def test_a_row_put_in_one_go_is_the_row_put_cell_by_cell(streamed: bool, tmp_path: Path) -> None:
    """``Painter.put_row`` writes each cell as ``put`` does (text, empty, numbers, a date, looks indented), the
    looks added to the style tables in the same order; a row already written out is refused all the same."""
    row = [
        (1, "=không phải công thức", "text", 2),
        (2, None, "cell", 0),
        (3, "", "C", 0),
        (4, 7, "id", 0),
        (5, 2.5, "total", 0),
        (6, dt.date(2025, 3, 4), "text", 0),
        (7, "- gạch đầu dòng & <thẻ>", "text", 0),
    ]
    books = []
    for one_go in (False, True):
        painter = excel.Painter(streamed=streamed)
        wb = openpyxl.Workbook()
        excel.use_default_font(wb)
        ws = wb.active
        painter.put(ws, 1, 1, "tiêu đề", "heading")
        if one_go:
            painter.put_row(ws, 2, row)
        else:
            for col, value, look, indent in row:
                painter.put(ws, 2, col, value, look, indent)
        path = tmp_path / f"{one_go}.xlsx"
        excel.save_workbook(wb, path, painter.sheets)
        books.append(xml_parts(path))
        if streamed:
            painter.done(ws, 3, 0)
            with pytest.raises(ValueError, match="already written out"):
                painter.put_row(ws, 2, row[:1])
    assert books[0] == books[1] and b"inlineStr" in books[1]["xl/worksheets/sheet1.xml"]


# --------------------------------------------------------------------------- the cost of a cell (issue 23)

WRAPPED = st.text(st.sampled_from("aàbếỗ ĐƯABC\t\n-.") | st.characters(), max_size=80)


@given(WRAPPED, st.integers(1, 60))
@settings(max_examples=examples(400), deadline=None)
def test_a_line_count_is_the_number_of_wrapped_lines(text: str, capacity: int) -> None:
    """Row heights count lines without making them: the count is that of the greedy wrap, and a long text's
    pieces are the ones its wrapped lines give, each measured as it is written."""
    for paragraph in text.split("\n"):  # the wrap of a regular expression is the greedy wrap, word by word
        room = excel._room(paragraph, capacity)
        if room is not None:
            assert excel._wrap(paragraph, capacity) == excel._wrap_words(paragraph.split(), room)
    assert excel._line_count(text, capacity) == len(excel._layout(text, capacity))
    measured = excel._measured(text, capacity)
    assert [piece for piece, _ in measured] == excel._chunks(text, capacity)
    assert [lines for _, lines in measured] == [len(excel._layout(piece, capacity)) for piece, _ in measured]


@given(WRAPPED, st.sampled_from([7.0, 18.0, 58.5, 110.0]), st.integers(0, 3))
@settings(max_examples=examples(300), deadline=None)
def test_a_records_cell_is_measured_by_all_the_measure_reads(text: str, width: float, indent: int) -> None:
    """The memo of a record's cell (one look-up a cell) gives what the three measures give, for each text, width
    and indent: never another's."""
    excel._cell_pieces.cache_clear()
    for value, at, depth in ((text, width, indent), (text + " x", width, indent), (text, width + 1, indent)):
        for level in (depth, depth + 1):
            expected = excel._measured(excel.cell_text(value), excel._capacity(at, indent=level))
            assert excel._cell_pieces(value, at, level) == expected
    assert excel._width(text) == len(text) + (excel.UPPER_WEIGHT - 1) * sum(map(str.isupper, text))


@given(st.text(max_size=40))
@settings(max_examples=examples(300), deadline=None)
def test_capitals_are_counted_as_str_isupper_counts_them(text: str) -> None:
    assert excel._capitals(text) == sum(map(str.isupper, text))


def test_the_theo_doi_sheet_of_a_streamed_workbook_makes_no_openpyxl_cell(tmp_path: Path) -> None:
    """The "Theo dõi" form is serialised as it is written, like the other sheets: no openpyxl cell, no row
    dimension kept until the workbook is saved (each cost a descriptor per attribute and a style lookup when saved)."""
    matrix = build_matrix(small_corpus())
    painter = excel.Painter(streamed=True)
    wb = openpyxl.Workbook()
    ctx = excel.WorkbookContext(matrix, "T", "A4", painter, excel.directive_labels(matrix))
    ws = wb.active
    assert isinstance(ws, Worksheet)
    excel._write_tracking(ws, ctx)
    assert painter.sheets is not None and painter.sheets[ws].rows
    assert not ws._cells and not ws.row_dimensions


def test_text_cells_are_escaped_once_per_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """A text written in many cells (a task, an agency, a role) is escaped once: the rest is a lookup."""
    from matrix.writers import xlsx_seam

    calls: list[str] = []
    escaped = xlsx_seam._escaped
    monkeypatch.setattr(xlsx_seam, "_escaped", lambda text: calls.append(text) or escaped(text))
    xlsx_seam._inline.cache_clear()
    cells = [xlsx_seam.cell_xml(row, 2, 3, "Sở Y tế & <UBND>") for row in range(1, 6)]
    assert cells[1] == '<c r="B2" s="3" t="inlineStr"><is><t>Sở Y tế &amp; &lt;UBND&gt;</t></is></c>'
    assert calls == ["Sở Y tế & <UBND>"]

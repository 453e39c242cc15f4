"""Workbooks as LibreOffice prints them: one page wide, landscape, nothing lost.

Every workbook is converted to PDF once per session (two soffice runs at once, each with a
private profile so parallel runs do not clash) and read with pdftotext (pypdf without poppler). Without
soffice these tests are skipped, except under CI, where they fail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from pypdf import PdfReader

from matrix.core.pivot import Matrix, build_matrix
from matrix.input.load import load_corpus
from matrix.writers.excel import column_labels, write_workbook

from .helpers import WIDE
from .helpers.corpus import seed_corpus, small_corpus
from .helpers.render import convert_all, page_texts, soffice

pytestmark = pytest.mark.render

PAGE_SIZES = {"A4": (842, 595), "A3": (1191, 842)}  # landscape, points
MATRIX_FOOTER = "C: chủ trì; P: phối hợp; T: thực hiện"  # printed under every "Ma trận" page only
TOTAL_HEADER = "Tổng số cơ quan"  # the right-most column of "Ma trận"
TITLE = "Tổng hợp phân công nhiệm vụ"


@dataclass
class Rendered:
    matrix: Matrix
    paper: str
    pages: list[str]  # the text of each page, whitespace squashed
    sizes: list[tuple[float, float]]
    matrix_paper: str = ""  # the paper of the "Ma trận" sheet: A3 when the matrix is too wide for A4
    matrix_scale: int | None = None  # its fixed print scale, when it is split across pages (else fit to width)
    workbook: Path | None = None


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def workbooks() -> dict[str, tuple[Matrix, str]]:
    """name -> (matrix, paper): small and seed corpus, each directive and consolidated."""
    found: dict[str, tuple[Matrix, str]] = {}
    for prefix, corpus in (("small", small_corpus()), ("seed", seed_corpus())):
        matrix = build_matrix(corpus)
        found[f"{prefix}-tong-hop"] = (matrix, "A4")
        found[f"{prefix}-tong-hop-mo-rong"] = (build_matrix(corpus, True), "A4")
        found[f"{prefix}-tong-hop-a3"] = (matrix, "A3")
        for directive in corpus.directives:
            found[f"{prefix}-{directive.id}"] = (matrix.subset([directive.id]), "A4")
    found["wide-mo-rong"] = (build_matrix(load_corpus([WIDE]).require(), True), "A4")
    return found


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Rendered]:
    soffice()
    folder = tmp_path_factory.mktemp("render")
    books = workbooks()
    paths = []
    for name, (matrix, paper) in books.items():
        path = folder / f"{name}.xlsx"
        write_workbook(matrix, path, title=f"{TITLE} & kiểm tra in", paper=paper)
        paths.append(path)
    convert_all(paths, folder)  # two LibreOffice processes at once, each with its own profile
    out = {}
    for name, (matrix, paper) in books.items():
        pdf = folder / f"{name}.pdf"
        reader = PdfReader(pdf)
        pages = [squash(text) for text in page_texts(pdf)]
        sizes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]
        setup = load_workbook(folder / f"{name}.xlsx")["Ma trận"].page_setup
        scale = int(setup.scale) if setup.scale and not setup.fitToWidth else None
        paper_size = {9: "A4", 8: "A3"}[int(setup.paperSize)]
        out[name] = Rendered(matrix, paper, pages, sizes, paper_size, scale, folder / f"{name}.xlsx")
    return out


def names(rendered: dict[str, Rendered], prefix: str) -> list[str]:
    found = [name for name in rendered if name.startswith(prefix)]
    assert found, f"no {prefix} workbooks"
    return found


def matrix_pages(book: Rendered) -> list[str]:
    return [page for page in book.pages if MATRIX_FOOTER in page]


@pytest.mark.parametrize("prefix", ["small", "seed"])
def test_matrix_is_one_page_wide(rendered: dict[str, Rendered], prefix: str) -> None:
    """The right-most column (per-task totals) and the last agency are on every page of "Ma trận".

    Were the matrix wider than the paper, LibreOffice would print its right part
    on pages of their own, and the pages of the left part would lack them.
    """
    for name in names(rendered, prefix):
        book = rendered[name]
        pages = matrix_pages(book)
        assert pages, name
        if book.matrix_scale is not None:  # split across pages by design (a wide matrix at a fixed scale)
            assert all("STT" in page and "Nhiệm vụ" in page for page in pages), name
            continue
        columns = [a for _, group in book.matrix.column_blocks() for a in group]
        last = squash(column_labels(book.matrix, columns)[-1]) if columns else TOTAL_HEADER
        for number, page in enumerate(pages, 1):
            assert TOTAL_HEADER in page, f"{name}: page {number} of Ma trận lacks the total column"
            assert last in page, f"{name}: page {number} of Ma trận lacks the last agency, {last}"
            assert "STT" in page and "Nhiệm vụ" in page, f"{name}: page {number}"


def test_small_matrix_fits_one_page(rendered: dict[str, Rendered]) -> None:
    for name in names(rendered, "small"):
        assert len(matrix_pages(rendered[name])) == 1, name


def test_seed_matrix_pages_are_few(rendered: dict[str, Rendered]) -> None:
    """Ten tasks a page or more: rows are not needlessly tall, headings not needlessly high."""
    for name in names(rendered, "seed"):
        book = rendered[name]
        assert len(matrix_pages(book)) <= len(book.matrix.rows) // 10 + 1, name


@pytest.mark.parametrize("prefix", ["small", "seed"])
def test_pages_are_landscape_paper_with_header_and_numbers(rendered: dict[str, Rendered], prefix: str) -> None:
    """Pages are numbered per sheet ("Ma trận - trang 2"), each sheet from 1."""
    for name in names(rendered, prefix):
        book = rendered[name]
        numbers: dict[str, int] = {}
        for number, ((w, h), page) in enumerate(zip(book.sizes, book.pages, strict=True), 1):
            width, height = PAGE_SIZES[book.matrix_paper if MATRIX_FOOTER in page else book.paper]
            assert abs(w - width) < 2 and abs(h - height) < 2, f"{name}: page {number} is {w}x{h}"
            assert f"{TITLE} & kiểm tra in" in page, f"{name}: page {number} lacks the title"
            sheet = next(
                s for s in ("Ma trận", "Nhiệm vụ", "Theo cơ quan", "Văn bản", "Theo dõi") if f"{s} - trang " in page
            )
            numbers[sheet] = numbers.get(sheet, 0) + 1
            assert f"{sheet} - trang {numbers[sheet]}" in page, f"{name}: page {number}"
            assert "###" not in page, f"{name}: page {number} has a cell too narrow for its number"
        assert numbers["Văn bản"] == 1 and numbers["Ma trận"] == len(matrix_pages(book))


def test_a_wide_a4_matrix_goes_to_a3(rendered: dict[str, Rendered]) -> None:
    """The expanded consolidated seed matrix would print at about 40 % on A4: it is printed on A3."""
    book = rendered["seed-tong-hop-mo-rong"]
    assert book.paper == "A4" and book.matrix_paper == "A3"
    assert "Bảng rộng: in khổ A3" in matrix_pages(book)[0]


def test_tet_matrix_prints_one_page_wide_with_inherited_marks(rendered: dict[str, Rendered]) -> None:
    """Its 28 tasks on two A4 pages: a low header row and one-line titles (it took 3, the header half a page)."""
    book = rendered["seed-ubnd-ct-cao-diem-tet-giap-thin-2024"]
    pages = matrix_pages(book)
    assert book.matrix_paper == "A4" and len(pages) == 2
    text = " ".join(pages)
    assert text.count("(T)") >= 10 and "(C)" in text  # sub-items show the assignments they inherit
    assert "cuối-" not in text and " 1-1 " not in text  # the document's labels, not the encoding's ids
    assert "(đoạn cuối)" in text


@pytest.mark.parametrize("prefix", ["small", "seed"])
def test_legend_and_sheets_are_printed(rendered: dict[str, Rendered], prefix: str) -> None:
    for name in names(rendered, prefix):
        pages = rendered[name].pages
        first, last = matrix_pages(rendered[name])[0], matrix_pages(rendered[name])[-1]
        assert "MA TRẬN PHÂN CÔNG THỰC HIỆN NHIỆM VỤ" in first
        for legend in ("C Chủ trì", "P Phối hợp", "T Thực hiện"):
            assert legend in last, f"{name}: legend {legend!r} is not under the matrix"
        for heading in ("DANH SÁCH NHIỆM VỤ", "NHIỆM VỤ THEO CƠ QUAN", "DANH SÁCH VĂN BẢN"):
            assert sum(heading in page for page in pages) == 1, f"{name}: {heading}"


@pytest.mark.parametrize("prefix", ["small", "seed"])
def test_each_agency_starts_on_its_own_page(rendered: dict[str, Rendered], prefix: str) -> None:
    for name in names(rendered, prefix):
        book = rendered[name]
        columns = [a for _, group in book.matrix.column_blocks() for a in group]
        bands = [f"{n}. {squash(a.name)} (" for n, a in enumerate(columns, 1)]
        start = next(i for i, page in enumerate(book.pages) if "NHIỆM VỤ THEO CƠ QUAN" in page)
        pages = book.pages[start:]
        where = [[i for i, page in enumerate(pages) if band in page] for band in bands]
        assert all(len(found) == 1 for found in where), f"{name}: {list(zip(bands, where, strict=True))}"
        assert [found[0] for found in where] == sorted({found[0] for found in where}), (
            f"{name}: two agencies share a page"
        )


def test_a_wide_expanded_matrix_prints_its_agencies_as_rows_at_a_readable_scale(rendered: dict[str, Rendered]) -> None:
    """A 2026 Đồng Tháp directive for its communes, groups expanded (over 200 agencies, 13 tasks): one page wide it
    would print at about 20 % on A3, split across pages a task row would be read over 3 pages at 56 %; turned, every
    agency is a row beside every task, one page wide at 55 % or more, the task headings and the agency column on
    every page."""
    book = rendered["wide-mo-rong"]
    assert len(book.matrix.columns) > 200
    pages = matrix_pages(book)
    assert book.matrix_paper in ("A4", "A3") and book.matrix_scale is None  # fit to the width, not split
    assert book.workbook is not None
    ws = load_workbook(book.workbook)["Ma trận"]
    widths = [ws.column_dimensions[get_column_letter(c)].width or 8.43 for c in range(1, ws.max_column + 1)]
    printable = ({"A4": 842, "A3": 1191}[book.matrix_paper] - 72) / 0.75
    assert printable / sum(w * 7 + 5 for w in widths) >= 0.55  # the scale one page wide
    assert len(pages) >= 2
    for number, page in enumerate(pages, 1):
        assert "STT" in page and "Cơ quan" in page and "Nhiệm vụ" in page, f"page {number} lacks the headings"
        assert "2. Công an tỉnh:" in page, f"page {number} of Ma trận lacks the task headings"
        assert "cơ quan theo hàng" in page, f"page {number}: the footer says how it prints"
    assert TOTAL_HEADER in pages[-1] and all(TOTAL_HEADER not in page for page in pages[:-1])
    text = " ".join(pages)
    assert all(squash(agency.name) in text for agency in book.matrix.columns)  # every agency printed


def test_task_list_rows_leave_room_on_a_page(rendered: dict[str, Rendered]) -> None:
    """A long task continues on the rows below rather than filling a page: page 1 of "Nhiệm vụ" prints 3 rows or more
    (the Tết list printed 2: a row of 28 lines took the page)."""
    for name in names(rendered, "seed"):
        book = rendered[name]
        first = next(page for page in book.pages if "DANH SÁCH NHIỆM VỤ" in page)
        assert book.workbook is not None
        ws = load_workbook(book.workbook)["Nhiệm vụ"]
        texts = [squash(ws.cell(row, 2).value or "")[:25] for row in range(3, 6)]
        assert all(text in first for text in texts), (name, [text in first for text in texts])


def test_sub_items_name_their_inherited_agencies_in_the_task_list(rendered: dict[str, Rendered]) -> None:
    book = rendered["seed-ubnd-ct-cao-diem-tet-giap-thin-2024"]
    task_pages = [page for page in book.pages if "Nhiệm vụ - trang" in page]
    assert "Công an tỉnh (theo mục 2)" in " ".join(task_pages)

"""Every Word output converts to PDF with LibreOffice, and the PDF says what the letter says.

Marked ``render``: skipped when ``soffice`` is missing, except under CI
(the environment variable CI set), where a missing LibreOffice is a failure.
"""
from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

import pytest

from matrix.pivot import Matrix, build_matrix
from matrix.word import EXTRACTS_FOLDER, convert_to_pdf, find_soffice, write_assignment_table, write_consolidated, write_letters

from conftest import small_corpus
from test_word import awkward_corpus, seed_matrix

pytestmark = pytest.mark.render


@pytest.fixture(scope="module", autouse=True)
def soffice() -> str:
    found = find_soffice()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is required under CI")
        pytest.skip("LibreOffice (soffice) is not installed")
    return found


def pdf_text(path: Path) -> tuple[int, str]:
    """Page count and text (NFC, spaces folded) of a PDF."""
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    return len(reader.pages), re.sub(r"\s+", " ", unicodedata.normalize("NFC", text))


def folded(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text))


def write_views(matrix: Matrix, out: Path, views: dict[str, Matrix]) -> dict[Path, str | None]:
    """Letters and tables of each view; maps each .docx to the addressee its PDF must name."""
    expected: dict[Path, str | None] = {}
    for name, view in views.items():
        if len(view.directives) > 1:
            names = {a.id: a.name for a in view.columns}
            for path in write_consolidated(view, out / name):
                expected[path] = names[path.stem]
            continue
        for agency, path in zip(view.columns, write_letters(view, out / name)):
            expected[path] = agency.name
        table = out / name / "bang-phan-cong.docx"
        write_assignment_table(view, table)
        expected[table] = None
    return expected


def assert_pdfs(expected: dict[Path, str | None]) -> None:
    pdfs = convert_to_pdf(list(expected))  # one soffice call per folder
    for (docx, addressee), pdf in zip(expected.items(), pdfs):
        pages, text = pdf_text(pdf)
        assert pages >= 1, pdf
        if addressee is None:
            assert "BẢNG PHÂN CÔNG NHIỆM VỤ" in text, pdf
        elif docx.parent.name == EXTRACTS_FOLDER:
            assert "TỔNG HỢP NHIỆM VỤ" in text and "Kính gửi" not in text, pdf
        else:
            assert "Kính gửi" in text, pdf
            words = folded(addressee).split(" ")
            assert all(w in text for w in words), (pdf, addressee)


def test_small_corpus_documents_convert(tmp_path):
    matrix = build_matrix(small_corpus())
    views = {d.id: matrix.subset([d.id]) for d in matrix.directives} | {"all": matrix}
    assert_pdfs(write_views(matrix, tmp_path, views))


def test_awkward_text_converts(tmp_path):
    matrix = build_matrix(awkward_corpus())
    assert_pdfs(write_views(matrix, tmp_path, {"all": matrix}))


def test_seed_sample_converts(tmp_path):
    """All letters of one directive, and the consolidated table."""
    matrix = seed_matrix()
    directive = max(matrix.directives, key=lambda d: len(matrix.subset([d.id]).columns))
    expected = write_views(matrix, tmp_path, {directive.id: matrix.subset([directive.id])})
    table = tmp_path / "all" / "bang-phan-cong.docx"
    write_assignment_table(matrix, table)
    expected[table] = None
    assert_pdfs(expected)

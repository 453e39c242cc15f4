"""Every Word output converts to PDF with LibreOffice, and the PDF says what the letter says.

Marked ``render``: skipped when ``soffice`` is missing, except under CI
(the environment variable CI set), where a missing LibreOffice is a failure.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from matrix.core.pivot import Matrix, build_matrix
from matrix.writers.office import convert_to_pdf
from matrix.writers.word import (
    EXTRACTS_FOLDER,
    write_assignment_table,
    write_consolidated,
    write_letters,
)

from .helpers.corpus import awkward_corpus, seed_matrix, small_corpus
from .helpers.render import soffice

pytestmark = pytest.mark.render


@pytest.fixture(scope="module", autouse=True)
def office() -> str:
    """LibreOffice for every test here: a skip without it, a failure under CI."""
    return soffice()


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
        for agency, path in zip(view.columns, write_letters(view, out / name), strict=True):
            expected[path] = agency.name
        table = out / name / "bang-phan-cong.docx"
        write_assignment_table(view, table)
        expected[table] = None
    return expected


def assert_pdfs(expected: dict[Path, str | None]) -> None:
    pdfs = convert_to_pdf(list(expected))  # one soffice call per folder
    for (docx, addressee), pdf in zip(expected.items(), pdfs, strict=True):
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


def test_seed_documents_a_clerk_would_print(tmp_path):
    """Rendered as LibreOffice prints them: letters to Công an tỉnh and Viện kiểm sát, a Party letter,
    a consolidated extract and an assignment table."""
    from matrix.writers.word import write_consolidated

    matrix = seed_matrix()
    tet = matrix.subset(["ubnd-ct-cao-diem-tet-giap-thin-2024"])
    kl13 = matrix.subset(["tinhuy-cv-kl13-phong-chong-toi-pham"])
    letters = {p.stem: p for p in write_letters(tet, tmp_path / "tet")}
    party = {p.stem: p for p in write_letters(kl13, tmp_path / "kl13")}
    extracts = {
        p.stem: p for p in write_consolidated(matrix, tmp_path / "tong-hop") if p.parent.name == EXTRACTS_FOLDER
    }
    table = tmp_path / "tet" / "bang-phan-cong.docx"
    write_assignment_table(tet, table)
    chosen = [letters["cong-an-tinh"], letters["vksnd-tinh"], party["bdbp-tinh"], extracts["cong-an-tinh"], table]
    pdfs = dict(zip(("ca", "vks", "party", "extract", "table"), convert_to_pdf(chosen), strict=True))
    texts = {name: pdf_text(pdf) for name, pdf in pdfs.items()}

    pages, text = texts["ca"]
    assert pages <= 2 and "Kính gửi: Công an tỉnh." in text
    # the issuer fixes the authority lines (issue 21): no "(Chức vụ)" to retype
    assert "TỈNH ……………" in text and "TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH PHÓ CHỦ TỊCH" in text and "(Họ và tên)" in text
    assert "(Chức vụ)" not in text
    assert text.index("Nơi nhận: - Như trên; - Lưu: VT, NC.") > text.index("b) Đoạn thứ hai phần cuối của Chỉ thị:")
    assert text.count("./.") == 1 and text.rstrip().endswith("(Họ và tên)")

    pages, text = texts["vks"]
    assert pages == 1 and "UBND tỉnh đề nghị Viện kiểm sát nhân dân tỉnh" in text
    closing = text[text.index("Đề nghị Viện kiểm sát nhân dân tỉnh quan tâm") :]
    assert "yêu cầu" not in closing.lower() and "định kỳ báo cáo" not in closing

    pages, text = texts["party"]
    assert pages == 1 and "ĐẢNG CỘNG SẢN VIỆT NAM" in text and "Kính gửi: Đảng ủy Bộ đội Biên phòng tỉnh." in text
    assert "T/M BAN THƯỜNG VỤ" in text and "CỘNG HÒA" not in text and "Bộ Chỉ huy Bộ đội Biên phòng" not in text

    pages, text = texts["extract"]
    assert text.startswith("TỔNG HỢP NHIỆM VỤ của Công an tỉnh")
    for issuer_only in ("CỘNG HÒA", "ĐẢNG CỘNG SẢN", "Kính gửi", "Nơi nhận", "T/M", "KT. CHỦ TỊCH"):
        assert issuer_only not in text
    # the police of the texts that name no province: theirs only, not Đồng Tháp's or Hưng Yên's (issue 21)
    assert all(f"{numeral}. " in text for numeral in ("I", "II")) and "III. " not in text

    from pypdf import PdfReader

    reader = PdfReader(str(pdfs["table"]))
    assert all(float(p.mediabox.width) > float(p.mediabox.height) for p in reader.pages)  # landscape
    for page in reader.pages:  # the heading row repeats on every page
        assert "Cơ quan thực hiện" in folded(page.extract_text())
    assert len(reader.pages) <= 8

"""`matrix draft` on each input kind: .txt (BOM, CRLF, UTF-16, PDF extraction), .docx and .pdf.

The .docx and .pdf fixtures are made here from the seed texts: python-docx
writes the .docx, LibreOffice converts it to PDF (skipped when soffice is
missing, except on CI where it must be there).
"""

from __future__ import annotations

import codecs
import shutil
from pathlib import Path

import docx
import pytest
import yaml

from matrix.draft import DraftError, draft_file, evaluate, load_draft
from matrix.draft.reader import join_pages, layout_tables, read_source, with_gaps
from matrix.input.load import load_corpus

from .helpers import INPUT, REGISTRY, SEEDS
from .helpers.forms import write_docx
from .helpers.render import convert_all, soffice

TIEN_GIANG = "tiengiang-ubnd-ct-antt-2025"
TET = "ubnd-ct-cao-diem-tet-giap-thin-2024"
DONG_THAP = "dongthap-ubnd-cv-antt-2025"


@pytest.fixture(scope="module")
def corpus():
    return load_corpus([INPUT], REGISTRY).require()


def score(path: Path, corpus, reference: str):
    draft = draft_file(path, corpus.registry)
    return evaluate(load_draft(draft, REGISTRY), corpus.directive(reference))


def body(draft) -> str:
    """The YAML without its first comment line (which names the source file)."""
    return draft.yaml.split("\n", 1)[1]


# --------------------------------------------------------------------------- plain text


def test_bom_and_crlf_give_the_same_draft(tmp_path, corpus):
    text = (SEEDS / f"{TIEN_GIANG}.txt").read_text(encoding="utf-8")
    plain = tmp_path / "lf" / f"{TIEN_GIANG}.txt"
    windows = tmp_path / "crlf" / f"{TIEN_GIANG}.txt"
    for path in (plain, windows):
        path.parent.mkdir()
    plain.write_bytes(text.replace("\r\n", "\n").encode("utf-8"))
    windows.write_bytes(codecs.BOM_UTF8 + text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8"))
    assert body(draft_file(windows, corpus.registry)) == body(draft_file(plain, corpus.registry))
    assert "\ufeff" not in draft_file(windows, corpus.registry).yaml


def test_utf16_with_bom_is_read(tmp_path, corpus):
    path = tmp_path / f"{TET}.txt"
    path.write_bytes((SEEDS / f"{TET}.txt").read_text(encoding="utf-8").encode("utf-16"))
    assert score(path, corpus, TET).f1 == 1.0


def test_legacy_encodings_are_refused_with_a_vietnamese_message(tmp_path):
    broken = tmp_path / "cp1258.txt"
    broken.write_bytes(b"C\xf4ng an ti\xd2nh")  # "Công an tỉnh" in Windows-1258
    with pytest.raises(DraftError, match="không phải văn bản UTF-8"):
        read_source(broken)
    tcvn3 = tmp_path / "tcvn3.txt"  # TCVN3 bytes shown as Latin-1: "Uû ban nh©n d©n tØnh" and the like
    tcvn3.write_text("Uû ban nh©n d©n tØnh yªu cÇu c¸c së, ban, ngµnh thùc hiÖn nghiªm tóc. " * 5, encoding="utf-8")
    with pytest.raises(DraftError, match="TCVN3/VNI"):
        read_source(tcvn3)


@pytest.mark.parametrize(
    "name, message",
    [("a.doc", "Word cũ"), ("a.odt", "OpenDocument"), ("a.xyz", "loại tệp"), ("missing.txt", "Không tìm thấy")],
)
def test_unreadable_inputs(tmp_path, name, message, monkeypatch):
    # .doc and .odt go through LibreOffice (issue 10): without it, a clear message
    monkeypatch.setattr("shutil.which", lambda program: None)
    path = tmp_path / name
    if name != "missing.txt":
        path.write_bytes(b"x")
    with pytest.raises(DraftError, match=message):
        read_source(path)


def test_an_empty_text_is_refused(tmp_path):
    path = tmp_path / "rong.txt"
    path.write_text("\n \n", encoding="utf-8")
    with pytest.raises(DraftError, match="không có chữ"):
        read_source(path)


def test_the_id_is_the_file_name_slug(tmp_path, corpus):
    path = tmp_path / "Chỉ thị 12 CT-UBND.txt"
    shutil.copy(SEEDS / f"{TET}.txt", path)
    draft = draft_file(path, corpus.registry)
    assert draft.id == "chi-thi-12-ct-ubnd" and yaml.safe_load(draft.yaml)["id"] == "chi-thi-12-ct-ubnd"


# --------------------------------------------------------------------------- Word


@pytest.mark.parametrize("seed", [DONG_THAP, TIEN_GIANG, TET])
def test_docx_made_from_a_seed_drafts_like_the_text(tmp_path, corpus, seed):
    path = write_docx((SEEDS / f"{seed}.txt").read_text(encoding="utf-8"), tmp_path / f"{seed}.docx")
    scores = score(path, corpus, seed)
    assert scores.f1 == 1.0 and scores.structure_recall == 1.0


def test_docx_header_table_and_signature_table(tmp_path, corpus):
    document = docx.Document()
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "ỦY BAN NHÂN DÂN\nTỈNH TIỀN GIANG\nSố: 12/CT-UBND"
    table.cell(
        0, 1
    ).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nTiền Giang, ngày 27 tháng 12 năm 2024"
    for line in (
        "CHỈ THỊ",
        "Về bảo đảm an ninh, trật tự năm 2025",
        "Chủ tịch UBND tỉnh yêu cầu:",
        "1. Công an tỉnh: tăng cường tuần tra, kiểm soát.",
    ):
        document.add_paragraph(line)
    signature = document.add_table(rows=1, cols=2)
    signature.cell(0, 0).text = "Nơi nhận:\n- Như trên;\n- Lưu: VT, NC."
    signature.cell(0, 1).text = "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nNguyễn Văn A"
    path = tmp_path / "ct.docx"
    document.save(str(path))
    data = yaml.safe_load(draft_file(path, corpus.registry).yaml)
    assert (data["number"], data["symbol"], str(data["date"]), data["province"]) == (
        "12",
        "CT-UBND",
        "2024-12-27",
        "tien-giang",
    )
    assert data["issuer"]["header"] == ["ỦY BAN NHÂN DÂN", "TỈNH TIỀN GIANG"]
    assert data["signer"] == {"authority": ["KT. CHỦ TỊCH"], "title": "PHÓ CHỦ TỊCH", "name": "Nguyễn Văn A"}
    assert data["distribution"] == ["Như trên", "Lưu: VT, NC"]
    assert data["tasks"][0]["assign"] == {"chủ trì": "Công an tỉnh"}


# --------------------------------------------------------------------------- PDF


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory):
    """PDFs made by LibreOffice from .docx versions of two seeds (one pasted, one PDF-extracted)."""
    soffice()
    folder = tmp_path_factory.mktemp("pdf")
    sources = [
        write_docx((SEEDS / f"{seed}.txt").read_text(encoding="utf-8"), folder / f"{seed}.docx")
        for seed in (TET, DONG_THAP)
    ]
    # one LibreOffice run for both, with a private profile (safe beside other LibreOffice runs)
    return dict(zip((TET, DONG_THAP), convert_all(sources, folder, jobs=1), strict=True))


@pytest.mark.parametrize("seed", [TET, DONG_THAP])
def test_pdf_with_a_text_layer(pdfs, corpus, seed):
    scores = score(pdfs[seed], corpus, seed)
    assert scores.f1 >= 0.95 and scores.structure_recall == 1.0


def test_pdf_footnote_becomes_a_note(pdfs, corpus):
    data = yaml.safe_load(draft_file(pdfs[DONG_THAP], corpus.registry).yaml)
    first = data["tasks"][0]
    assert first["notes"][0].startswith("1. Nghị quyết số 13-NQ/TW") and "trật tự1" not in first["text"]


def test_a_pdf_without_text_is_refused(tmp_path):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    path = tmp_path / "scan.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    with pytest.raises(DraftError, match="không có lớp chữ"):
        read_source(path)


def test_layout_gaps_mark_paragraphs_only_when_the_lines_agree():
    plain = ["Dòng một của đoạn", "dòng hai.", "Đoạn mới."]
    layout = ["  Dòng một của đoạn", "dòng hai.", "", "Đoạn mới."]
    assert with_gaps(plain, layout) == ["Dòng một của đoạn", "dòng hai.", "", "Đoạn mới."]
    assert with_gaps(plain, ["Dòng khác", "", "Đoạn mới."]) == plain


# --------------------------------------------------------------------------- PDF tables

LAYOUT_TABLE = [
    "(Kèm theo Kế hoạch số 12/KH-UBND)",
    "",
    "STT   Nội dung          Cơ quan chủ trì   Cơ quan phối hợp   Thời gian",
    "1     Đào tạo kỹ năng   Sở Khoa học và    Sở Tài chính;      Thường",
    "      số cho doanh      Công nghệ         Sở Nội vụ          xuyên",
    "      nghiệp",
    "I. NHIỆM VỤ VỀ HẠ TẦNG SỐ CHO CÁC KHU CÔNG NGHIỆP VÀ CỤM CÔNG NGHIỆP",
    "2     Phủ sóng 5G tại   Sở Công Thương    Công an tỉnh       Quý IV/2026",
    "      khu công",
]


def test_a_pdf_layout_table_is_read_row_by_row():
    lines, open_columns = layout_tables(LAYOUT_TABLE)
    assert lines == [
        "(Kèm theo Kế hoạch số 12/KH-UBND)",
        "",
        "STT\tNội dung\tCơ quan chủ trì\tCơ quan phối hợp\tThời gian",
        "1\tĐào tạo kỹ năng số cho doanh nghiệp\tSở Khoa học và Công nghệ\tSở Tài chính; Sở Nội vụ\tThường xuyên",
        "I. NHIỆM VỤ VỀ HẠ TẦNG SỐ CHO CÁC KHU CÔNG NGHIỆP VÀ CỤM CÔNG NGHIỆP\t\t\t\t",
        "2\tPhủ sóng 5G tại khu công\tSở Công Thương\tCông an tỉnh\tQuý IV/2026",
    ]
    assert open_columns == [0, 6, 24, 42, 61]  # the table runs to the foot of the page
    # The next page goes on with row 2 (its first column empty); the pages are joined into one row.
    top, _ = layout_tables(
        ["      nghiệp", "3     Khảo sát nhu      Sở Tài chính      Sở Nội vụ          Quý I/2027"], open_columns
    )
    assert top == ["\tnghiệp\t\t\t", "3\tKhảo sát nhu\tSở Tài chính\tSở Nội vụ\tQuý I/2027"]
    joined = join_pages([lines, top])
    assert "2\tPhủ sóng 5G tại khu công nghiệp\tSở Công Thương\tCông an tỉnh\tQuý IV/2026" in joined
    assert joined[-1].startswith("3\tKhảo sát nhu")


def test_text_in_two_columns_or_justified_is_not_a_table():
    header = ["ỦY BAN NHÂN DÂN          CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "TỈNH ĐỒNG THÁP           Độc lập - Tự do"]
    justified = ["Các sở,  ban, ngành tỉnh  chủ động  triển khai", "nhiệm vụ  được giao, báo cáo  kết quả  về Sở."]
    for lines in (header, justified):
        assert layout_tables(lines) == (lines, None)


def test_a_draft_names_the_file_it_was_drafted_from_as_the_web_page_reads_it_back(tmp_path, corpus):
    """The header line `matrix draft` writes is the one :func:`matrix.draft.drafted_from` (the page of a broken
    file, to draft it again) reads: a name with spaces and brackets comes back whole."""
    from matrix.draft import drafted_from

    source = tmp_path / "Chỉ thị 07 (bản gửi).txt"
    shutil.copy(SEEDS / f"{TIEN_GIANG}.txt", source)
    assert drafted_from(draft_file(source, corpus.registry).yaml) == source.name
    assert drafted_from("id: x\ntitle: y\n") is None

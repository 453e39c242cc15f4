"""Letters a văn thư signs as they are (issue 21): authority lines, addressees as letters write them, sections."""

from __future__ import annotations

import shutil

import docx
import pytest

from matrix.core.model import Issuer, IssuerKind, Signer
from matrix.core.pivot import build_matrix
from matrix.input.load import load_corpus
from matrix.writers.templates import balanced
from matrix.writers.word import letter_context, letter_signer, table_context

from .helpers import FIXTURES, INPUT, run_cli

TET = "ubnd-ct-cao-diem-tet-giap-thin-2024"
AUTHORITY = ("TM.", "T/M", "KT.", "TL.", "T/L")


def _texts(path):
    document = docx.Document(str(path))
    out = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                out += [p.text for p in cell.paragraphs]
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The seeds built once (into a folder of this module)."""
    out = tmp_path_factory.mktemp("signing") / "out"
    code, text = run_cli("build", str(INPUT), "-o", str(out), "-j", "1", "--as-of", "2026-12-06")
    assert code == 0, text
    return out


def _issuer(seed_corpus, directive_id, **changes):
    import dataclasses

    return dataclasses.replace(seed_corpus.directive(directive_id), **changes)


# --------------------------------------------------------------------------- authority lines


def test_the_issuer_fixes_the_authority_lines(seed_corpus):
    tet = seed_corpus.directive(TET)  # no signer in the text: a UBND letter
    assert letter_signer(tet) == Signer(("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"), "PHÓ CHỦ TỊCH")
    chair = _issuer(seed_corpus, TET, signer=Signer((), "Chủ tịch", "Nguyễn Văn A"))
    assert letter_signer(chair) == Signer(("TM. ỦY BAN NHÂN DÂN",), "CHỦ TỊCH", "Nguyễn Văn A")
    party = _issuer(seed_corpus, TET, issuer=Issuer("Ban Thường vụ Tỉnh ủy", IssuerKind.PARTY), signer=Signer())
    assert letter_signer(party) == Signer(("T/M BAN THƯỜNG VỤ",), "PHÓ BÍ THƯ")
    written = seed_corpus.directive("dongthap-ubnd-cv-antt-2025")
    assert letter_signer(written) == written.signer  # the text's own lines are kept


def test_every_official_letter_of_the_seeds_has_an_authority_line(built):
    letters = [*built.glob("*/thu-giao-nhiem-vu/*.docx"), *built.glob("tong-hop/don-doc/*.docx")]
    assert len(letters) > 40
    for path in letters:
        texts = [t.strip() for t in _texts(path)]
        assert any(t.startswith(AUTHORITY) for t in texts), path.name
        assert "(Chức vụ)" not in texts and "(CHỨC VỤ NGƯỜI KÝ)" not in texts, path.name


def test_W04_validate_warns_when_the_authority_repeats_the_title(tmp_path):
    shutil.copytree(INPUT, tmp_path / "in")
    path = tmp_path / "in" / "dongthap-ubnd-cv-antt-2025.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("    - KT. CHỦ TỊCH\n  title: PHÓ CHỦ TỊCH", "    - PHÓ CHỦ TỊCH\n  title: PHÓ CHỦ TỊCH")
    )
    warnings = [str(p) for p in load_corpus([tmp_path / "in"]).warnings]
    assert any("thẩm quyền ký lặp lại chức vụ 'PHÓ CHỦ TỊCH'" in w for w in warnings), warnings
    assert not [str(p) for p in load_corpus([INPUT]).warnings]


# --------------------------------------------------------------------------- the body of a letter


def test_no_heading_repeats_the_addressee_and_requests_have_their_own_section(built):
    police = _texts(built / TET / "thu-giao-nhiem-vu" / "cong-an-tinh.docx")
    assert "Công an tỉnh:" not in police and "Kính gửi: Công an tỉnh." in police
    assert "b) Đoạn thứ hai phần cuối của Chỉ thị:" in police  # not "Đoạn cuối": the text has two
    court = _texts(built / TET / "thu-giao-nhiem-vu" / "vksnd-tinh.docx")
    assert "1. Nội dung đề nghị chủ trì" in court and "1. Nhiệm vụ chủ trì" not in court
    assert not any(t.startswith("Đề nghị Viện Kiểm sát nhân dân tỉnh, Tòa án nhân dân tỉnh:") for t in court)


def test_groups_are_addressed_as_a_letter_writes_them(built):
    communes = _texts(built / TET / "thu-giao-nhiem-vu" / "ubnd-cap-xa.docx")
    assert "Kính gửi: Ủy ban nhân dân các xã, phường." in communes


def test_a_regional_number_survives_into_kinh_gui_and_show(tmp_path):
    folder = tmp_path / "in"
    shutil.copytree(INPUT, folder)
    source = (FIXTURES / "registry" / "dongthap-ubnd-kh-antt-2026.yaml").read_text(encoding="utf-8")
    written = source.replace("thực hiện: [Chi cục Hải quan khu vực,", "thực hiện: [Chi cục Hải quan khu vực XVI,")
    assert written != source
    (folder / "dongthap-ubnd-kh-antt-2026.yaml").write_text(written, encoding="utf-8")
    corpus = load_corpus([folder]).require()
    matrix = build_matrix(corpus).subset(["dongthap-ubnd-kh-antt-2026"])
    customs = next(a for a in matrix.columns if a.name == "Chi cục Hải quan khu vực")
    assert letter_context(matrix, customs)["agency"]["name"] == "Chi cục Hải quan khu vực XVI"
    code, out = run_cli("show", "Chi cục Hải quan khu vực XVI", str(folder))
    assert code == 0 and "(dong-thap-chi-cuc-hai-quan-khu-vuc): 1 nhiệm vụ" in out, out


def test_the_assignment_table_keeps_the_directive_numbering(seed_corpus):
    matrix = build_matrix(seed_corpus).subset([TET])
    rows = [r for s in table_context(matrix)["sections"] for r in s["rows"]]
    assert [r["stt"] for r in rows[:3]] == ["1", "-", "-"]
    assert rows[-1]["stt"] == "Đoạn cuối" and "1.1" not in {r["stt"] for r in rows}
    assert {r["stt"] for r in rows} <= {"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "-", "Đoạn cuối"}


# --------------------------------------------------------------------------- trích yếu


@pytest.mark.parametrize(
    "text, lines",
    [
        ("V/v đôn đốc thực hiện nhiệm vụ quá hạn", ["V/v đôn đốc thực hiện", "nhiệm vụ quá hạn"]),
        ("V/v triển khai nhiệm vụ", ["V/v triển khai nhiệm vụ"]),
    ],
)
def test_trich_yeu_is_balanced_over_its_lines(text, lines):
    assert balanced(text, 32).split("\n") == lines


def test_trich_yeu_of_a_letter_has_no_orphan_word(built):
    for path in [*built.glob("*/thu-giao-nhiem-vu/*.docx"), *built.glob("tong-hop/don-doc/*.docx")]:
        subject = next(t for t in _texts(path) if t.startswith("V/v "))
        rows = subject.split("\n")
        assert all(len(r) <= 32 or " " not in r for r in rows), (path.name, rows)
        assert len(rows) == 1 or len(rows[-1].split()) > 1, (path.name, rows)

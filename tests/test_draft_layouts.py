"""`matrix draft` on the layouts of real directives (issue 10), each on a minimal text written for the test.

Expectations are read from the composed draft (``Draft.directive``): for each task,
{role: [names as written]}. Names are those of the project registry
(input/co-quan.yaml) or, when it does not know them, as the text writes them
with abbreviations expanded.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from matrix.cli import main
from matrix.draft import draft_file, draft_text, summary
from matrix.draft.names import expand_abbreviations
from matrix.draft.reader import DraftError, read_source
from matrix.input.load import is_unresolved, load_registry
from matrix.input.yamlio import Report

from .helpers import REGISTRY, examples
from .helpers.forms import web_text, write_pdf
from .helpers.render import convert_all

C, P, T = "chủ trì", "phối hợp", "thực hiện"

HEADER = "ỦY BAN NHÂN DÂN\nTỈNH ĐỒNG THÁP\nSố: 12/KH-UBND\nĐồng Tháp, ngày 02 tháng 12 năm 2025\n"
SIGNATURE = "Nơi nhận:\n- Như trên;\n- Lưu: VT.\nTM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nNguyễn Văn An\n"


@pytest.fixture(scope="module")
def registry():
    return load_registry(REGISTRY, Report())


def by_role(task) -> dict[str, list[str]]:
    """{role: [written names]} of one task of the draft, roles in the order they first appear."""
    out: dict[str, list[str]] = {}
    for assignment in task.assignments:
        out.setdefault(assignment.role.value, []).append(assignment.written)
    return out


def tasks(draft) -> dict[str, dict[str, list[str]]]:
    """{task id: {role: [written names]}} for every task of the draft."""
    return {t.id: by_role(t) for t, _ in draft.directive.walk()}


def task_starting(draft, words: str):
    return next(t for t, _ in draft.directive.walk() if t.text.startswith(words))


# --------------------------------------------------------------------------- 1. label layouts


def test_label_lines_under_a_task_become_its_addressees_and_deadline(registry):
    text = HEADER + textwrap.dedent("""\
        KẾ HOẠCH
        Triển khai dữ liệu số năm 2026
        II. NHIỆM VỤ
        1. Về dữ liệu
        1.1. Xây dựng cơ sở dữ liệu hộ tịch:
        a) Nhiệm vụ: Rà soát, số hóa sổ hộ tịch.
        b) Cơ quan thực hiện:
        - Đơn vị chủ trì: Sở Tư pháp.
        - Đơn vị phối hợp: Sở Nội vụ, Công an tỉnh.
        c) Thời gian thực hiện: Quý I năm 2026.
        """)
    draft = draft_text(text, registry, "thu")
    task = task_starting(draft, "Xây dựng cơ sở dữ liệu hộ tịch")
    assert by_role(task) == {
        C: ["Sở Tư pháp"],
        P: ["Sở Nội vụ", "Công an tỉnh"],
    }
    assert task.deadline == "Quý I năm 2026."
    assert "Rà soát, số hóa sổ hộ tịch." in task.text and task.tasks == ()  # the labels are fields, not sub-tasks


def test_an_agency_label_written_as_a_sentence(registry):
    text = HEADER + textwrap.dedent("""\
        KẾ HOẠCH
        Phổ biến pháp luật năm 2026
        II. NỘI DUNG
        1. Phổ biến Luật Việc làm
        - Nội dung thực hiện: Tổ chức hội nghị phổ biến Luật.
        - Cơ quan thực hiện: Sở Y tế chủ trì, phối hợp với Sở Tài chính và các sở, ban, ngành tỉnh.
        - Thời gian thực hiện: Năm 2026.
        """)
    task = task_starting(draft_text(text, registry, "thu"), "Phổ biến Luật Việc làm")
    assert by_role(task) == {
        C: ["Sở Y tế"],
        P: ["Sở Tài chính", "các sở, ban, ngành tỉnh"],
    }
    assert task.deadline == "Năm 2026." and "Tổ chức hội nghị phổ biến Luật." in task.text


# --------------------------------------------------------------------------- 8. plan structure


def test_objectives_and_requirements_are_not_tasks(registry):
    text = HEADER + textwrap.dedent("""\
        KẾ HOẠCH
        Chuyển đổi số năm 2026
        I. MỤC ĐÍCH, YÊU CẦU
        1. Mục đích
        Nâng cao hiệu quả quản lý.
        2. Yêu cầu
        a) Bảo đảm đúng tiến độ.
        II. NHIỆM VỤ
        1. Sở Tư pháp: Rà soát thủ tục hành chính.
        """)
    draft = draft_text(text, registry, "thu")
    assert list(tasks(draft)) == ["II", "1"]
    assert (
        "Nâng cao hiệu quả quản lý." in draft.directive.preamble and "Bảo đảm đúng tiến độ." in draft.directive.preamble
    )
    assert draft.unused == []


# --------------------------------------------------------------------------- 2, 4, 6. subjects and enumerations


def test_an_enumeration_after_a_kind_of_body(registry):
    text = (
        HEADER + "CÔNG VĂN\nVề cải cách thủ tục\nỦy ban nhân dân tỉnh yêu cầu:\n"
        "1. Các sở: Tư pháp, Nội vụ và Y tế rà soát thủ tục.\n"
    )
    assert tasks(draft_text(text, registry, "thu"))["1"] == {C: ["Sở Tư pháp", "Sở Nội vụ", "Sở Y tế"]}


def test_a_group_listed_across_commas_is_one_group_doing_the_work(registry):
    text = (
        HEADER + "CÔNG VĂN\nVề phòng, chống bão\nỦy ban nhân dân tỉnh yêu cầu:\n"
        "1. Ủy ban nhân dân các xã, phường, đặc khu Cồn Cỏ: Sơ tán dân khỏi vùng nguy hiểm.\n"
    )
    # The registry now knows the commune group (standard catalogue, issue 9): the draft names the group it resolves to.
    assert tasks(draft_text(text, registry, "thu"))["1"] == {T: ["Ủy ban nhân dân các xã, phường, đặc khu"]}


def test_bodies_named_in_brackets_after_a_description(registry):
    text = (
        HEADER + "CÔNG VĂN\nVề đầu tư\nỦy ban nhân dân tỉnh yêu cầu:\n"
        "1. Các cơ quan đăng ký đầu tư (Sở Tài chính, Sở Xây dựng) rà soát hồ sơ dự án.\n"
    )
    assert tasks(draft_text(text, registry, "thu"))["1"] == {C: ["Sở Tài chính", "Sở Xây dựng"]}


def test_abbreviated_names_are_expanded(registry):
    assert expand_abbreviations("Sở KH&CN") == "Sở Khoa học và Công nghệ"
    assert expand_abbreviations("Sở VHTTDL, UBND các xã") == "Sở Văn hóa, Thể thao và Du lịch, Ủy ban nhân dân các xã"
    text = (
        HEADER + "CÔNG VĂN\nVề chuyển đổi số\nỦy ban nhân dân tỉnh yêu cầu:\n"
        "1. Sở LĐTB&XH chủ trì, phối hợp với UBND các xã, phường triển khai nền tảng số.\n"
    )
    got = tasks(draft_text(text, registry, "thu"))["1"]
    # A short name the registry knows stays as written (the commune group's "UBND các xã, phường", issue 9).
    assert got == {C: ["Sở Lao động - Thương binh và Xã hội"], P: ["UBND các xã, phường"]}


def test_a_lead_in_gives_the_items_under_it_to_its_subject(registry):
    text = HEADER + textwrap.dedent("""\
        KẾT LUẬN
        Về công tác văn phòng
        1. Về nhiệm vụ thời gian tới
        Căn cứ tình hình, các văn phòng huyện ủy, đảng ủy cần tập trung một số nhiệm vụ sau:
        (1) Nâng cao chất lượng tham mưu.
        (2) Đẩy mạnh chuyển đổi số.
        """)
    got = tasks(draft_text(text, registry, "thu"))
    assert got["(1)"] == got["(2)"] == {T: ["các văn phòng huyện ủy, đảng ủy"]}


def test_the_issuer_is_never_its_own_addressee(registry):
    text = (
        "ỦY BAN NHÂN DÂN\nTHÀNH PHỐ HỒ CHÍ MINH\nSố: 40/UBND-ĐT\nCÔNG VĂN\nVề số nhà\nKính gửi: Sở Xây dựng\n"
        "1. Sở Xây dựng theo dõi, tổng hợp.\n"
        "Chủ tịch Ủy ban nhân dân Thành phố đề nghị Sở Xây dựng khẩn trương thực hiện./.\n"
    )
    names = [n for roles in tasks(draft_text(text, registry, "thu")).values() for ns in roles.values() for n in ns]
    assert names and all("Ủy ban nhân dân Thành phố" not in n for n in names)


def test_those_who_carry_out_a_decision_do_the_work(registry):
    text = HEADER + textwrap.dedent("""\
        QUYẾT ĐỊNH
        Ban hành Quy chế phối hợp
        Điều 1. Ban hành kèm theo Quyết định này Quy chế phối hợp.
        Điều 2. Chánh Văn phòng Ủy ban nhân dân tỉnh; Giám đốc Sở Tư pháp; Chủ tịch Ủy ban nhân dân các xã, phường chịu trách nhiệm thi hành Quyết định này./.
        """)
    assert tasks(draft_text(text, registry, "thu"))["Điều 2"] == {
        # the registry knows "Chủ tịch Ủy ban nhân dân các xã, phường" as a name of the commune group: kept as written
        T: ["Văn phòng Ủy ban nhân dân tỉnh", "Sở Tư pháp", "Chủ tịch Ủy ban nhân dân các xã, phường"]
    }


# --------------------------------------------------------------------------- 7. wrong level


def test_a_higher_level_is_not_the_provincial_body(registry):
    text = (
        HEADER + "CÔNG VĂN\nVề xét xử\nỦy ban nhân dân tỉnh đề nghị:\n"
        "1. Tòa án nhân dân tối cao hướng dẫn áp dụng pháp luật.\n2. Các đoàn thể Trung ương phối hợp tuyên truyền.\n"
    )
    draft = draft_text(text, registry, "thu")
    got = tasks(draft)
    assert got["1"] == {C: ["Tòa án nhân dân tối cao"]} and got["2"] == {T: ["Các đoàn thể Trung ương"]}
    # the central body of the catalogue, not silently the provincial court
    assert {a.agency for a in draft.directive.tasks[0].assignments} == {"tand-toi-cao"}


# --------------------------------------------------------------------------- 5. numbering


def test_chapters_articles_and_bracketed_numbers(registry):
    text = HEADER + textwrap.dedent("""\
        QUY CHẾ
        Phối hợp quản lý đất đai
        Chương I
        QUY ĐỊNH CHUNG
        Điều 1. Phạm vi điều chỉnh
        Quy chế này quy định việc phối hợp.
        Chương II
        QUY ĐỊNH CỤ THỂ
        Điều 2. Trách nhiệm của Sở Tư pháp
        (1) Chủ trì, phối hợp với Công an tỉnh thẩm định hồ sơ.
        (2) Hướng dẫn nghiệp vụ.
        Điều 3. Trách nhiệm của Ủy ban nhân dân cấp xã
        1. Tiếp nhận hồ sơ.
        """)
    got = tasks(draft_text(text, registry, "thu"))
    assert "Điều 1" not in got  # Phạm vi điều chỉnh: not a task
    assert got["Điều 2"] == {C: ["Sở Tư pháp"]} and got["(1)"] == {P: ["Công an tỉnh"]}
    assert T in got["Điều 3"] and "1" in got and "Chương II" in got


def test_a_section_number_printed_twice_makes_two_sections(registry):
    text = HEADER + textwrap.dedent("""\
        KẾ HOẠCH
        Ứng phó mưa lũ
        I. NHIỆM VỤ
        1. Sở Công Thương: Bảo đảm hàng hóa.
        IV. TỔ CHỨC THỰC HIỆN
        1. Sở Tài chính: Bố trí kinh phí.
        IV. CHẾ ĐỘ BÁO CÁO
        1. Sở Nội vụ: Tổng hợp báo cáo.
        """)
    got = tasks(draft_text(text, registry, "thu"))
    assert {"IV", "IV-2"} <= set(got) and got["IV-2.1"] == {C: ["Sở Nội vụ"]}


# --------------------------------------------------------------------------- 3. after the signature, tables

ANNEX = (
    textwrap.dedent("""\
    KẾ HOẠCH
    Chuyển đổi số doanh nghiệp
    I. NHIỆM VỤ
    1. Các sở, ban, ngành tỉnh: Triển khai các nhiệm vụ tại Phụ lục kèm theo.
    """)
    + SIGNATURE
    + textwrap.dedent("""\
    PHỤ LỤC
    DANH MỤC NHIỆM VỤ
    (Kèm theo Kế hoạch số 12/KH-UBND ngày 02/12/2025 của Ủy ban nhân dân tỉnh)
    STT\tTên nhiệm vụ\tCơ quan chủ trì\tCơ quan phối hợp\tThời gian hoàn thành
    I. NÂNG CAO NHẬN THỨC
    1\tĐào tạo kỹ năng số cho doanh nghiệp\tSở KH&CN\tSở Tài chính; UBND các xã, phường\tThường xuyên
    2\tĐánh giá mức độ chuyển đổi số\tSở Công Thương\tCác sở, ban, ngành tỉnh\tQuý IV/2026
    """)
)


def test_an_annex_table_is_drafted_row_by_row(registry):
    draft = draft_text(HEADER + ANNEX, registry, "thu")
    row = task_starting(draft, "Đào tạo kỹ năng số")
    assert by_role(row) == {
        C: ["Sở KH&CN"],
        P: ["Sở Tài chính", "UBND các xã, phường"],
    }  # short names the registry knows stay as written
    assert not is_unresolved(draft.registry.get(row.assignments[0].agency))
    assert row.deadline == "Thường xuyên"
    assert task_starting(draft, "Đánh giá mức độ").deadline == "Quý IV/2026"
    assert draft.directive.signer.name == "Nguyễn Văn An"  # the annex heading is not read as the signature
    assert draft.unused == []


def test_a_row_whose_merged_number_cell_was_dropped_keeps_its_columns(registry):
    """A second row of item 1 copied without its (merged) number cell: its first cell is the task, the next the
    chủ trì, not the task."""
    text = ANNEX + "Khảo sát nhu cầu chuyển đổi số của hợp tác xã\tSở Nông nghiệp và Môi trường\tSở Tài chính\n"
    draft = draft_text(HEADER + text, registry, "thu")
    row = task_starting(draft, "Khảo sát nhu cầu")
    assert by_role(row) == {C: ["Sở Nông nghiệp và Môi trường"], P: ["Sở Tài chính"]}
    assert not any(t.text.startswith("Sở Nông nghiệp") for t, _ in draft.directive.walk())


def test_a_word_table_is_drafted_row_by_row(registry, tmp_path):
    import docx

    document = docx.Document()
    for line in ("KẾ HOẠCH", "Chuyển đổi số năm 2026", "I. NHIỆM VỤ", "1. Sở Tư pháp: Rà soát thủ tục."):
        document.add_paragraph(line)
    rows = [
        ["STT", "Nội dung", "Cơ quan chủ trì", "Cơ quan phối hợp"],
        ["1", "Xây dựng cơ sở dữ liệu đất đai", "Sở Nông nghiệp và Môi trường", "Công an tỉnh"],
    ]
    table = document.add_table(rows=2, cols=4)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.rows[r].cells[c].text = value
    path = tmp_path / "kh.docx"
    document.save(str(path))
    row = task_starting(draft_file(path, registry), "Xây dựng cơ sở dữ liệu đất đai")
    assert by_role(row) == {
        C: ["Sở Nông nghiệp và Môi trường"],
        P: ["Công an tỉnh"],
    }


def test_an_attached_rule_is_drafted_after_the_decision(registry):
    text = (
        HEADER
        + textwrap.dedent("""\
        QUYẾT ĐỊNH
        Ban hành Quy chế phối hợp
        Điều 1. Ban hành kèm theo Quyết định này Quy chế phối hợp.
        Điều 2. Quyết định này có hiệu lực từ ngày ký./.
        """)
        + SIGNATURE
        + textwrap.dedent("""\
        QUY CHẾ
        Phối hợp quản lý đất đai
        (Ban hành kèm theo Quyết định số 12/2025/QĐ-UBND của Ủy ban nhân dân tỉnh)
        Điều 1. Trách nhiệm của Sở Tư pháp
        Thẩm định hồ sơ đăng ký.
        """)
    )
    draft = draft_text(text, registry, "thu")
    assert task_starting(draft, "Trách nhiệm của Sở Tư pháp").assignments
    assert draft.directive.signer.name == "Nguyễn Văn An" and draft.unused == []


# --------------------------------------------------------------------------- nothing dropped silently


def test_a_text_whose_paragraphs_are_all_used_reports_full_coverage(registry):
    draft = draft_text(
        HEADER + "CHỈ THỊ\nVề an ninh\nChủ tịch UBND tỉnh yêu cầu:\n1. Công an tỉnh tuần tra.\n"
        "2. Sở Tư pháp phổ biến pháp luật./.\n",
        registry,
        "thu",
    )
    assert draft.unused == [] and draft.coverage == 1.0
    assert "Mọi đoạn của văn bản đều có trong bản nháp" in summary(draft)


def test_rows_of_a_table_without_roles_are_reported_unused(registry):
    text = (
        HEADER
        + ANNEX
        + textwrap.dedent("""\
        PHỤ LỤC II
        SỐ LIỆU
        (Kèm theo Kế hoạch số 12/KH-UBND)
        STT\tĐơn vị\tSố doanh nghiệp
        1\tXã A\t120
        """)
    )
    draft = draft_text(text, registry, "thu")
    assert "1 | Xã A | 120" in draft.unused and 0 < draft.coverage < 1
    assert "đoạn không dùng: «STT | Đơn vị | Số doanh nghiệp»" in summary(draft)


# --------------------------------------------------------------------------- 9. metadata


def test_a_cong_dien_and_a_party_document(registry):
    cong_dien = draft_text(
        "THỦ TƯỚNG CHÍNH PHỦ\nSố: 220/CĐ-TTg\nCÔNG ĐIỆN\nVề cải cách thủ tục hành chính\n"
        "1. Các Bộ: Tài chính, Tư pháp khẩn trương hoàn thành.\n",
        registry,
        "thu",
    )
    assert cong_dien.directive.kind == "công điện"
    assert tasks(cong_dien)["1"] == {C: ["Bộ Tài chính", "Bộ Tư pháp"]}  # ministries: addressees of a central issuer
    party = draft_text(
        "BAN CHẤP HÀNH TRUNG ƯƠNG\nĐẢNG CỘNG SẢN VIỆT NAM\nSố 221-KL/TW\nKẾT LUẬN\nVề bộ máy\n"
        "1. Giao Ban Tổ chức Trung ương theo dõi.\n",
        registry,
        "thu",
    )
    assert party.directive.issuer.kind == "đảng"


def test_the_output_file_names_the_draft_and_is_never_overwritten(tmp_path):
    source = tmp_path / "nguon.txt"
    source.write_text(HEADER + "CÔNG VĂN\nVề thử\nYêu cầu:\n1. Sở Tư pháp kiểm tra.\n", encoding="utf-8")
    out = tmp_path / "ke-hoach-thu.yaml"
    runner = CliRunner()
    first = runner.invoke(main, ["draft", str(source), "-o", str(out), "--registry", str(REGISTRY)])
    assert first.exit_code == 0 and 'id: "ke-hoach-thu"' in out.read_text(encoding="utf-8")
    out.write_text("đã sửa tay", encoding="utf-8")
    second = runner.invoke(main, ["draft", str(source), "-o", str(out), "--registry", str(REGISTRY)])
    assert second.exit_code == 2 and "không ghi đè" in second.output and out.read_text(encoding="utf-8") == "đã sửa tay"
    third = runner.invoke(main, ["draft", str(source), "-o", str(out), "--force", "--registry", str(REGISTRY)])
    assert third.exit_code == 0 and out.read_text(encoding="utf-8").startswith("#")


# --------------------------------------------------------------------------- 4. inputs

CLEAN = (
    HEADER
    + textwrap.dedent("""\
    CHỈ THỊ
    Về tăng cường bảo đảm an ninh, trật tự trên địa bàn tỉnh trong dịp cuối năm 2025
    Chủ tịch Ủy ban nhân dân tỉnh yêu cầu Thủ trưởng các sở, ban, ngành tỉnh thực hiện tốt các nhiệm vụ sau:
    1. Công an tỉnh chủ trì, phối hợp với Bộ Chỉ huy Quân sự tỉnh tăng cường tuần tra, kiểm soát, bảo đảm an ninh, trật tự tại các địa bàn trọng điểm, nhất là khu vực biên giới và các khu công nghiệp.
    2. Sở Tư pháp đẩy mạnh công tác phổ biến, giáo dục pháp luật cho người dân; phối hợp với Sở Văn hóa, Thể thao và Du lịch tổ chức các hoạt động tuyên truyền phù hợp.
    3. Tăng cường kiểm tra, giám sát việc thực hiện các quy định về phòng cháy, chữa cháy tại các cơ sở kinh doanh, dịch vụ có nguy cơ cháy nổ cao.
    """)
    + SIGNATURE
)


def _shape(draft) -> list[tuple[str, str, dict[str, list[str]]]]:
    return [(t.id, " ".join(t.text.split()), by_role(t)) for t, _ in draft.directive.walk()]


_CLEAN_SHAPES: dict[str, tuple[object, object]] = {}


def _clean_shape(text: str, registry) -> object:
    """The shape of the clean text's draft, drafted once (a property compares every wrapped form with it)."""
    if text not in _CLEAN_SHAPES or _CLEAN_SHAPES[text][0] is not registry:
        _CLEAN_SHAPES[text] = (registry, _shape(draft_text(text, registry, "thu")))
    return _CLEAN_SHAPES[text][1]


@settings(max_examples=15, deadline=None)
@given(width=st.integers(min_value=60, max_value=100), alone=st.booleans())
def test_text_copied_from_a_web_page_drafts_like_the_clean_text(registry, width, alone):
    """Hard line breaks every ~80 characters (and an item number alone on its line) change nothing."""
    lines = []
    for line in CLEAN.splitlines():
        if alone and line[:2] in ("1.", "2.", "3."):
            lines.append(line[:2])
            line = line[3:]
        lines.extend(textwrap.wrap(line, width) or [""])
    wrapped = draft_text("\n".join(lines) + "\n", registry, "thu")
    assert _shape(wrapped) == _clean_shape(CLEAN, registry)


@pytest.mark.skipif(
    shutil.which("tesseract") is None or shutil.which("soffice") is None or shutil.which("pdftoppm") is None,
    reason="needs tesseract, LibreOffice and pdftoppm",
)
def test_a_scanned_page_is_read_by_ocr(registry, tmp_path):
    source = tmp_path / "ban-goc.txt"
    source.write_text("CÔNG VĂN\nVề phòng cháy\n1. Công an tỉnh kiểm tra phòng cháy.\n", encoding="utf-8")
    convert_all([source], tmp_path, jobs=1)
    subprocess.run(
        ["pdftoppm", "-r", "200", "-png", "-singlefile", str(tmp_path / "ban-goc.pdf"), str(tmp_path / "trang")],
        check=True,
        timeout=120,
    )
    draft = draft_file(tmp_path / "trang.png", registry)
    assert tasks(draft)["1"] == {C: ["Công an tỉnh"]}


def test_without_tesseract_a_scan_gets_a_clear_message(tmp_path, monkeypatch):
    monkeypatch.setattr("shutil.which", lambda program: None)
    image = tmp_path / "trang.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n")
    with pytest.raises(DraftError, match="chưa cài Tesseract"):
        read_source(image)


def test_a_closing_request_to_everyone_goes_to_the_addressees_of_the_letter(registry):
    text = (
        "ỦY BAN NHÂN DÂN\nTỈNH ĐỒNG THÁP\nSố: 40/UBND-KT\nCÔNG VĂN\nVề số nhà\n"
        "Kính gửi:\n- Sở Xây dựng;\n- Công an tỉnh.\n"
        "1. Sở Xây dựng theo dõi, tổng hợp.\n2. Công an tỉnh cập nhật dữ liệu.\n"
        "Ủy ban nhân dân tỉnh đề nghị các cơ quan, đơn vị khẩn trương thực hiện./.\n"
    )
    assert tasks(draft_text(text, registry, "thu"))["cuối-1"] == {T: ["Sở Xây dựng", "Công an tỉnh"]}


def test_a_lead_in_that_announces_results_gives_no_work(registry):
    text = HEADER + textwrap.dedent("""\
        KẾT LUẬN
        Về công tác văn phòng
        1. Về kết quả
        Năm qua, các văn phòng huyện ủy, đảng ủy đạt được một số kết quả nổi bật như sau:
        (1) Công tác tham mưu được nâng lên.
        """)
    assert tasks(draft_text(text, registry, "thu"))["(1)"] == {}


def test_a_common_word_spelled_like_a_province_without_tones_names_no_province(registry):
    # "diễn biến" is "Điện Biên" without its tone marks: the text names no province, so the project's registry
    # (which knows the groups) reads it, not Điện Biên's catalogue.
    text = textwrap.dedent("""\
        CÔNG VĂN
        Về phòng, chống tội phạm
        Tình hình tội phạm còn diễn biến phức tạp. Ban Thường vụ Tỉnh ủy yêu cầu:
        1. Các cấp ủy, tổ chức đảng, chính quyền, Mặt trận Tổ quốc và các tổ chức chính trị - xã hội, người đứng đầu các cấp tập trung lãnh đạo, chỉ đạo.
        """)
    draft = draft_text(text, registry, "thu")
    assert draft.directive.province is None
    assert tasks(draft)["1"] == {
        T: [
            "Các cấp ủy, tổ chức đảng",
            "chính quyền",
            "Mặt trận Tổ quốc và các tổ chức chính trị - xã hội",
            "người đứng đầu các cấp",
        ]
    }


def test_a_list_of_levels_keeps_its_place_trực_thuộc_trung_ương(registry):
    # "các tỉnh, thành phố trực thuộc Trung ương": the whole place is part of the group's name (all four words),
    # and "trực thuộc" there is no vague "subordinate units".
    text = (
        "THỦ TƯỚNG CHÍNH PHỦ\nSố: 220/CĐ-TTg\nCÔNG ĐIỆN\nVề cải cách thủ tục hành chính\n"
        "1. Chủ tịch Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương tập trung chỉ đạo rà soát.\n"
        "2. Giao Thủ trưởng cơ quan ngang bộ, Chủ tịch Ủy ban nhân dân các tỉnh, thành phố trực thuộc "
        "Trung ương chịu trách nhiệm.\n"
    )
    found = tasks(draft_text(text, registry, "thu"))
    group = "Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương"
    assert found["1"] == {T: [group]}
    assert found["2"] == {T: ["cơ quan ngang bộ", group]}


def test_a_central_issuer_in_hanoi_is_not_a_hanoi_document(registry):
    # "Hà Nội, ngày ..." is the seat of the Party Central Committee, not the province of the text: the project's
    # registry reads it, and a ministry named after "phối hợp" is a partner.
    text = (
        "BAN CHẤP HÀNH TRUNG ƯƠNG\nĐẢNG CỘNG SẢN VIỆT NAM\nSố 221-KL/TW\nHà Nội, ngày 28 tháng 11 năm 2025\n"
        "KẾT LUẬN\nVề bộ máy\n"
        "1. Yêu cầu Ban Tổ chức Trung ương chủ trì, phối hợp với Bộ Y tế, Bộ Nội vụ rà soát.\n"
    )
    draft = draft_text(text, registry, "thu")
    assert draft.directive.province is None
    assert tasks(draft)["1"] == {C: ["Ban Tổ chức Trung ương"], P: ["Bộ Y tế", "Bộ Nội vụ"]}


def test_a_party_committee_listed_at_other_levels_is_one_group(registry):
    # "tỉnh ủy" alone is the province's Tỉnh ủy; "tỉnh ủy, thành ủy" (and "các tỉnh ủy, thành ủy") is every
    # provincial party committee: one group doing the work, not the Tỉnh ủy leading.
    text = (
        "BAN CHẤP HÀNH TRUNG ƯƠNG\nĐẢNG CỘNG SẢN VIỆT NAM\nSố 221-KL/TW\nKẾT LUẬN\nVề bộ máy\n"
        "1. Yêu cầu các đồng chí bí thư tỉnh uỷ, thành uỷ phải quán xuyến và trực tiếp chỉ đạo.\n"
    )
    assert tasks(draft_text(text, registry, "thu"))["1"] == {T: ["tỉnh uỷ, thành uỷ"]}


def test_the_title_bộ_trưởng_alone_stands_for_the_ministries(registry):
    # "Bộ trưởng, Thủ trưởng cơ quan ngang bộ": no ministry is named after the title, so every ministry is meant.
    text = (
        "THỦ TƯỚNG CHÍNH PHỦ\nSố: 220/CĐ-TTg\nCÔNG ĐIỆN\nVề cải cách thủ tục hành chính\n"
        "1. Đề nghị các đồng chí Bộ trưởng, Thủ trưởng cơ quan ngang bộ phải trực tiếp chỉ đạo.\n"
        "2. Bộ trưởng Bộ Công Thương hoàn thành việc rà soát.\n"
    )
    found = tasks(draft_text(text, registry, "thu"))
    assert found["1"] == {T: ["các bộ", "cơ quan ngang bộ"]}
    assert found["2"] == {C: ["Bộ Công Thương"]}


def test_a_sub_item_letter_run_into_the_line_ends_the_name_before_it(registry):
    # A web copy may join "2. Thủ trưởng cơ quan ngang bộ" and "a) Khẩn trương ..." on one line.
    text = (
        "THỦ TƯỚNG CHÍNH PHỦ\nSố: 220/CĐ-TTg\nCÔNG ĐIỆN\nVề cải cách thủ tục hành chính\n"
        "1. Thủ trưởng cơ quan ngang bộ a) Khẩn trương rà soát.\n"
    )
    assert tasks(draft_text(text, registry, "thu"))["1"] == {T: ["cơ quan ngang bộ"]}


ENUMERATION = (
    HEADER
    + textwrap.dedent("""\
    KẾ HOẠCH
    Triển khai công tác cải cách thủ tục hành chính năm 2025
    1. Sở Tư pháp chủ trì rà soát các thủ tục đã đơn giản hóa tại các sở: (i) Sở Công Thương - 01 thủ tục; (ii) Sở Xây dựng - 02 thủ tục; (iii) Sở Nội vụ - 03 thủ tục; (iv) Sở Y tế - 01 thủ tục; (v) Sở Tài chính - 04 thủ tục; (vi) Sở Giáo dục và Đào tạo - 02 thủ tục; (vii) Sở Dân tộc và Tôn giáo - 01 thủ tục.
    2. Sở Nội vụ phối hợp với Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh và các tổ chức chính trị - xã hội tỉnh, các hội quần chúng - nghề nghiệp, các đoàn thể chính trị - xã hội ở cơ sở tuyên truyền kết quả cải cách thủ tục hành chính đến người dân và doanh nghiệp.
    3. Sở Khoa học và Công nghệ chủ trì nâng cấp cổng dịch vụ công của tỉnh, bảo đảm người dân và doanh nghiệp nộp hồ sơ, theo dõi tiến độ giải quyết và nhận kết quả trực tuyến toàn trình đối với các thủ tục đủ điều kiện, kết nối với cơ sở dữ liệu quốc gia về dân cư.
    4. Các sở, ban, ngành tỉnh thường xuyên rà soát, cập nhật, công khai đầy đủ, chính xác thủ tục hành chính thuộc phạm vi quản lý; kịp thời báo cáo những khó khăn, vướng mắc phát sinh trong quá trình thực hiện để tổng hợp, đề xuất hướng xử lý theo quy định.
    """)
    + SIGNATURE
)


@settings(max_examples=examples(16), deadline=None)
@given(width=st.integers(min_value=60, max_value=100))
def test_an_enumeration_wrapped_onto_a_new_line_is_not_a_new_item(registry, width):
    """Web copy (blank lines between paragraphs): "(v) Sở ..." or "- xã hội" at the start of a wrapped line
    under a full line goes on with the paragraph."""
    web = web_text(ENUMERATION, width)
    assert _shape(draft_text(web, registry, "thu")) == _clean_shape(ENUMERATION, registry)


def test_the_web_copy_of_the_enumeration_puts_markers_at_line_starts():
    # The test above only means something if wrapping puts inline markers at the start of a line.
    starts = {line.split(" ", 1)[0] for width in range(60, 101) for line in web_text(ENUMERATION, width).splitlines()}
    assert starts & {"(ii)", "(iii)", "(iv)", "(v)", "(vi)", "(vii)", "-"}


@pytest.mark.skipif(shutil.which("soffice") is None and not os.environ.get("CI"), reason="needs LibreOffice")
def test_an_annex_table_printed_to_pdf_drafts_like_the_text(registry, tmp_path):
    """A PDF's plain text reads a table column by column; its layout keeps the rows (cells wrapped in columns)."""
    text = (
        HEADER
        + ANNEX
        + (
            "3\tXây dựng cơ sở dữ liệu doanh nghiệp chuyển đổi số, cập nhật thường xuyên kết quả hỗ trợ doanh "
            "nghiệp nhỏ và vừa trên địa bàn tỉnh\tSở Tài chính\tSở KH&CN; Sở Công Thương; các cơ quan, đơn vị liên "
            "quan\tQuý I/2026\n"
        )
    )
    pdf = write_pdf(text, tmp_path / "kh.pdf")
    assert pdf is not None
    clean, printed = draft_text(text, registry, "thu"), draft_file(pdf, registry)
    for words in ("Đào tạo kỹ năng số", "Đánh giá mức độ", "Xây dựng cơ sở dữ liệu doanh nghiệp"):
        assert by_role(task_starting(printed, words)) == by_role(task_starting(clean, words))
        assert task_starting(printed, words).deadline == task_starting(clean, words).deadline
    assert " ".join(task_starting(printed, "Xây dựng cơ sở").text.split()) == " ".join(
        task_starting(clean, "Xây dựng cơ sở").text.split()
    )

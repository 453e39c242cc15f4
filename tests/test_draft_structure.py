"""`matrix draft`: text clean-up, paragraphs, numbering, footnotes, header and details."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from matrix.draft import draft_text
from matrix.draft.details import read_details
from matrix.draft.footnotes import extract_footnotes
from matrix.draft.header import split_document
from matrix.draft.reader import clean_lines, split_lines
from matrix.draft.structure import build_body, join_paragraphs
from matrix.input.load import load_registry
from matrix.input.yamlio import Report

from .helpers import REGISTRY, SEEDS


@pytest.fixture(scope="module")
def registry():
    return load_registry(REGISTRY, Report())


def tasks_of(draft) -> dict[str, dict]:
    out: dict[str, dict] = {}

    def visit(tasks):
        for task in tasks:
            out[str(task["id"])] = task
            visit(task.get("tasks") or [])

    visit(yaml.safe_load(draft.yaml)["tasks"])
    return out


# --------------------------------------------------------------------------- paragraphs

WRAPPED = """Năm 2024, tình hình an ninh, trật tự trên địa bàn được giữ vững ổn

định, không để bị động, bất ngờ; tuy nhiên còn xảy ra một số vấn đề đáng

chú ý như tai nạn giao thông.

1. Tiếp tục tham mưu, triển khai thực hiện nghiêm các chỉ thị, nghị quyết,

kế hoạch về công tác bảo đảm an ninh, trật tự. Căn cứ tình hình thực tế địa bàn,

lĩnh vực phụ trách để cụ thể hóa và tổ chức thực hiện hiệu quả các nhiệm vụ.

2. Triển khai phương án bảo vệ tuyệt đối an toàn các sự kiện lớn, quan trọng

của địa phương trong năm 2025 và những năm tiếp theo.
"""


def test_pdf_lines_are_joined_and_the_blank_line_after_every_line_is_ignored():
    paragraphs = join_paragraphs(clean_lines(split_lines(WRAPPED)))
    assert paragraphs == [
        "Năm 2024, tình hình an ninh, trật tự trên địa bàn được giữ vững ổn định, không để bị động, bất ngờ; tuy "
        "nhiên còn xảy ra một số vấn đề đáng chú ý như tai nạn giao thông.",
        "1. Tiếp tục tham mưu, triển khai thực hiện nghiêm các chỉ thị, nghị quyết, kế hoạch về công tác bảo đảm an "
        "ninh, trật tự. Căn cứ tình hình thực tế địa bàn, lĩnh vực phụ trách để cụ thể hóa và tổ chức thực hiện hiệu "
        "quả các nhiệm vụ.",
        "2. Triển khai phương án bảo vệ tuyệt đối an toàn các sự kiện lớn, quan trọng của địa phương trong năm 2025 "
        "và những năm tiếp theo.",
    ]


def test_pasted_text_keeps_one_paragraph_per_line_and_joins_a_broken_sentence():
    lines = [
        "Phát triển kinh tế",
        "",
        "- xã hội bền vững.",
        "Thực hiện nghiêm túc Chỉ thị số 12.",
        "1. Tăng cường tuần tra.",
    ]
    assert join_paragraphs(lines) == [
        "Phát triển kinh tế - xã hội bền vững.",
        "Thực hiện nghiêm túc Chỉ thị số 12.",
        "1. Tăng cường tuần tra.",
    ]


def test_markdown_markup_rules_and_page_numbers_are_not_text():
    lines = clean_lines(["**CHỈ THỊ**  ", "-----", "### 3. Đảng ủy Công an tỉnh:", "- 2 -", "12", "Trang 3/5"])
    assert lines == ["CHỈ THỊ", "---", "3. Đảng ủy Công an tỉnh:", "\f", "\f", "\f"]


# --------------------------------------------------------------------------- numbering


def test_numbering_levels_ids_and_closing(registry):
    text = (
        "CHỈ THỊ\nVề thử\nỦy ban nhân dân tỉnh yêu cầu:\n"
        "1. Công an tỉnh:\n- Tuần tra.\n- Kiểm soát.\n"
        "2. Sở Tư pháp:\n2.1. Rà soát văn bản.\nĐoạn tiếp theo của mục 2.1.\n2.2. Phổ biến pháp luật.\n"
        "a) Tại cơ sở.\nb) Trên mạng.\n"
        "Giao Công an tỉnh theo dõi, đôn đốc thực hiện.\nChỉ thị này có hiệu lực từ ngày ký./.\n"
    )
    got = tasks_of(draft_text(text, registry))
    assert list(got) == ["1", "1-1", "1-2", "2", "2.1", "2.2", "a", "b", "cuối-1"]
    assert got["2.1"]["text"] == "Rà soát văn bản.\nĐoạn tiếp theo của mục 2.1."
    assert yaml.safe_load(draft_text(text, registry).yaml)["closing"] == ["Chỉ thị này có hiệu lực từ ngày ký./."]


def test_repeated_labels_are_qualified_by_their_parent(registry):
    text = (
        "KẾ HOẠCH\nPhòng, chống tội phạm năm 2025\nCăn cứ tình hình, Ban Chỉ đạo ban hành kế hoạch:\n"
        "I. NHIỆM VỤ CHUNG\n1. Nâng cao hiệu quả.\n2. Phát huy vai trò.\nII. TỔ CHỨC THỰC HIỆN\n1. Công an tỉnh:\n"
        "a) Chủ trì sơ kết.\n2. Sở Tư pháp:\na) Phổ biến pháp luật.\n"
    )
    assert list(tasks_of(draft_text(text, registry))) == ["I", "I.1", "I.2", "II", "II.1", "II.1.a", "II.2", "II.2.a"]


def test_a_number_inside_a_sentence_is_not_an_item(registry):
    text = "CHỈ THỊ\nVề thử\nYêu cầu:\n1. Thực hiện theo Điều\n3. Luật Công an nhân dân.\n2. Tuần tra.\n"
    assert list(tasks_of(draft_text(text, registry))) == ["1", "2"]


# --------------------------------------------------------------------------- footnotes


def test_a_footnote_in_the_body_becomes_a_note_of_its_task():
    lines = [
        "1. Thực hiện nghiêm các chỉ thị về công tác bảo đảm an ninh, trật tự1. Căn cứ tình hình",
        "",
        "thực tế địa bàn để tổ chức thực hiện. Chủ động đấu tranh làm thất bại",
        "",
        "                         ",
        "1 Nghị quyết số 13-NQ/TW ngày 02/4/2022 của Bộ Chính trị về phương hướng",
        "",
        "phát triển kinh tế - xã hội đến năm 2030...",
        "",
        " mọi âm mưu chống phá.",
        "",
        "2. Tăng cường tuần tra.",
    ]
    found = extract_footnotes(lines)
    assert found.notes == {
        1: "Nghị quyết số 13-NQ/TW ngày 02/4/2022 của Bộ Chính trị về phương hướng phát triển "
        "kinh tế - xã hội đến năm 2030..."
    }
    body = build_body(join_paragraphs(found.lines), found.notes)
    first = body.items[0]
    assert first.notes == ["1. " + found.notes[1]]
    assert first.paragraphs == [
        "Thực hiện nghiêm các chỉ thị về công tác bảo đảm an ninh, trật tự. Căn cứ tình hình "
        "thực tế địa bàn để tổ chức thực hiện. Chủ động đấu tranh làm thất bại mọi âm mưu "
        "chống phá."
    ]


def test_a_number_glued_to_a_word_without_a_footnote_text_stays():
    lines = ["1. Diện tích 500 m2 và khu vực H5N1 cần kiểm tra kỹ2.", "2. Tuần tra."]
    assert extract_footnotes(lines).lines == lines


def test_footnotes_kept_apart_by_the_format_mark_their_markers():
    found = extract_footnotes(["Thực hiện nghiêm trật tự1. Tiếp tục."], {1: "Nghị quyết số 51."})
    body = build_body(join_paragraphs(found.lines), found.notes)
    assert body.preamble == ["Thực hiện nghiêm trật tự. Tiếp tục."] and body.notes == ["1. Nghị quyết số 51."]


def test_the_seed_footnote_is_a_note_and_not_text(registry):
    from matrix.draft import draft_file

    draft = draft_file(SEEDS / "dongthap-ubnd-cv-antt-2025.txt", registry)
    got = tasks_of(draft)
    assert got["1"]["notes"][0].startswith("1. Nghị quyết số 13-NQ/TW ngày 02/4/2022")
    assert "trật tự." in got["1"]["text"] and "trật tự1" not in got["1"]["text"]
    assert all("Nghị quyết số 13-NQ/TW" not in task["text"] for task in got.values())
    assert "thất bại mọi âm mưu" in got["2"]["text"]


# --------------------------------------------------------------------------- header and tail

HEADER = """ỦY BAN NHÂN DÂN                    CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
TỈNH ĐỒNG THÁP                           Độc lập - Tự do - Hạnh phúc
Số: 1234/UBND-NC                        Đồng Tháp, ngày 05 tháng 02 năm 2025
V/v tăng cường bảo đảm an ninh, trật tự
dịp Tết Nguyên đán Ất Tỵ 2025
Kính gửi: Sở Tư pháp; Công an tỉnh.
Ủy ban nhân dân tỉnh có ý kiến như sau:
1. Giao Công an tỉnh chủ trì.
Nơi nhận:                                                KT. CHỦ TỊCH
- Như trên;                                               PHÓ CHỦ TỊCH
- Lưu: VT, NC.
                                                          Nguyễn Văn An
"""


def test_two_column_header_and_signature():
    document = split_document(clean_lines(split_lines(HEADER)))
    header = document.header
    assert (header.number, header.symbol, header.place, header.date) == (
        "1234",
        "UBND-NC",
        "Đồng Tháp",
        dt.date(2025, 2, 5),
    )
    assert header.header_lines == ["ỦY BAN NHÂN DÂN", "TỈNH ĐỒNG THÁP"] and not header.party
    assert header.title == "Về việc tăng cường bảo đảm an ninh, trật tự dịp Tết Nguyên đán Ất Tỵ 2025"
    assert header.recipients == ["Sở Tư pháp", "Công an tỉnh"]
    assert header.distribution == ["Như trên", "Lưu: VT, NC"]
    assert (header.signer.authority, header.signer.title, header.signer.name) == (
        ("KT. CHỦ TỊCH",),
        "PHÓ CHỦ TỊCH",
        "Nguyễn Văn An",
    )
    assert document.body[0].startswith("Ủy ban nhân dân tỉnh có ý kiến")


def test_metadata_of_a_drafted_letter(registry):
    data = yaml.safe_load(draft_text(HEADER, registry).yaml)
    assert data["kind"] == "công văn" and data["province"] == "dong-thap" and data["date"] == dt.date(2025, 2, 5)
    assert data["issuer"] == {
        "name": "Ủy ban nhân dân tỉnh Đồng Tháp",
        "kind": "nhà nước",
        "header": ["ỦY BAN NHÂN DÂN", "TỈNH ĐỒNG THÁP"],
        "short": "UBND tỉnh",
    }


def test_party_header_kind_heading_and_issuer(registry):
    text = (
        "TỈNH ỦY HƯNG YÊN                  ĐẢNG CỘNG SẢN VIỆT NAM\n*\nSố 25-CT/TU        Hưng Yên, ngày 10 tháng 01 "
        "năm 2025\nCHỈ THỊ\nCỦA BAN THƯỜNG VỤ TỈNH ỦY\nvề tăng cường bảo đảm trật tự,\nan toàn giao thông\n"
        "Ban Thường vụ Tỉnh ủy yêu cầu:\n1. Đảng ủy Công an tỉnh chỉ đạo tuần tra.\nT/M BAN THƯỜNG VỤ\nBÍ THƯ\n"
        "Nguyễn Hữu Nghĩa\n"
    )
    data = yaml.safe_load(draft_text(text, registry).yaml)
    assert (data["kind"], data["number"], data["symbol"]) == ("chỉ thị", "25", "CT/TU")
    assert data["issuer"]["kind"] == "đảng" and data["issuer"]["name"] == "Ban Thường vụ Tỉnh ủy"
    assert data["title"] == "Về tăng cường bảo đảm trật tự, an toàn giao thông"
    assert data["signer"] == {"authority": ["T/M BAN THƯỜNG VỤ"], "title": "BÍ THƯ", "name": "Nguyễn Hữu Nghĩa"}


def test_a_title_in_capitals_gets_the_body_s_proper_names(registry):
    draft = draft_file_text = draft_text(
        "CHỈ THỊ\nVỀ BẢO ĐẢM AN NINH TRÊN ĐỊA BÀN TỈNH TIỀN GIANG\nChủ tịch UBND tỉnh Tiền Giang yêu cầu:\n"
        "1. Công an tỉnh Tiền Giang tuần tra.\n",
        registry,
    )
    assert yaml.safe_load(draft_file_text.yaml)["title"] == "Về bảo đảm an ninh trên địa bàn tỉnh Tiền Giang"
    assert "# kiểm tra: trích yếu in hoa" in draft.yaml


# --------------------------------------------------------------------------- details


def test_deadlines_reports_and_targets():
    details = read_details(
        [
            "Giao Công an tỉnh chủ trì theo dõi; định kỳ 6 tháng, năm báo cáo kết quả về UBND tỉnh.",
            "Phấn đấu kéo giảm ít nhất 05% số vụ phạm tội so với năm 2024; tỷ lệ khám phá đạt trên 75% (trong đó, án "
            "nghiêm trọng đạt trên 90%).",
            "Tăng cường kiểm tra, phấn đấu giảm 10% các vụ cháy lớn, không để xảy ra cháy; hoàn thành trước ngày 15/12.",
        ]
    )
    assert details.report == "định kỳ 6 tháng, năm báo cáo kết quả về UBND tỉnh"
    assert details.deadline == "hoàn thành trước ngày 15/12"
    assert details.targets == [
        "kéo giảm ít nhất 05% số vụ phạm tội so với năm 2024",
        "tỷ lệ khám phá đạt trên 75% (trong đó, án nghiêm trọng đạt trên 90%)",
        "giảm 10% các vụ cháy lớn",
    ]


def test_hang_quy_and_a_report_deadline():
    details = read_details(["Sở Tư pháp hằng quý báo cáo UBND tỉnh trước ngày 20 tháng 3 năm 2025."])
    assert details.report == "hằng quý báo cáo UBND tỉnh trước ngày 20 tháng 3 năm 2025"
    assert details.deadline == "trước ngày 20 tháng 3 năm 2025"


def test_plus_bullets_nest_under_dash_bullets(registry):
    text = (
        "CHỈ THỊ\nVề thử\nYêu cầu:\n1. Công an tỉnh:\n- Tuần tra:\n+ Ban ngày.\n+ Ban đêm.\n- Kiểm soát.\n"
        "2. Sở Tư pháp: phổ biến pháp luật.\n"
    )
    assert list(tasks_of(draft_text(text, registry))) == ["1", "1-1", "1-1-1", "1-1-2", "1-2", "2"]


def test_kind_and_title_on_one_line(registry):
    data = yaml.safe_load(
        draft_text("KẾ HOẠCH VỀ PHÒNG, CHỐNG TỘI PHẠM NĂM 2025\nYêu cầu:\n1. Công an tỉnh: tuần tra.\n", registry).yaml
    )
    assert (data["kind"], data["title"]) == ("kế hoạch", "Về phòng, chống tội phạm năm 2025")

"""Drafter rules of issue 19 (drafter-d): parts that assess or frame, central issuers of news copies."""

from __future__ import annotations

from matrix.draft import draft_text
from matrix.input.catalogue import standard_registry

HEAD = "ỦY BAN NHÂN DÂN\nTỈNH ĐỒNG THÁP\nSố: 21/KH-UBND\nKẾ HOẠCH\nVề việc phòng, chống thiên tai\n"


def assigned(draft) -> dict[str, set[tuple[str, str]]]:
    return {node.id: {(a.written, a.role.value) for a in node.task.assignments} for node in draft.directive.tree}


def test_a_part_in_capitals_that_assesses_the_past_is_not_tasks():
    draft = draft_text(
        HEAD
        + "I. ĐÁNH GIÁ KẾT QUẢ NĂM 2024\n1. Sở Y tế đã kiểm tra 120 cơ sở.\n2. Công an tỉnh đã xử lý 30 vụ.\n"
        + "II. NHIỆM VỤ NĂM 2025\n1. Sở Y tế tiếp tục kiểm tra an toàn thực phẩm.\n"
        + "2. Đánh giá kết quả năm 2025: Sở Tư pháp tổng hợp.\n",  # in sentence case: a demand
        standard_registry(),
        "kh",
    )
    assert list(assigned(draft)) == ["II", "1", "2"]
    assert "đã kiểm tra 120 cơ sở" in (draft.directive.preamble or "")


def test_a_part_on_principles_scope_and_who_is_supported_is_not_tasks():
    draft = draft_text(
        HEAD
        + "I. QUAN ĐIỂM, PHẠM VI VÀ ĐỐI TƯỢNG HỖ TRỢ\n1. Quan điểm\na) Hỗ trợ kịp thời, đúng đối tượng.\n"
        + "2. Phạm vi hỗ trợ: các xã bị ảnh hưởng.\nII. NHIỆM VỤ\n1. Sở Tài chính bố trí kinh phí.\n",
        standard_registry(),
        "kh",
    )
    assert list(assigned(draft)) == ["II", "1"]


def test_a_news_copy_led_in_by_a_minister_is_a_central_text():
    draft = draft_text(
        "Theo Công điện số 5/CĐ-BXD, để khẩn trương tìm kiếm người mất tích, Bộ trưởng Bộ Xây dựng đề nghị:\n"
        + "(1) Ủy ban nhân dân tỉnh Quảng Ninh chủ trì tổ chức tìm kiếm, cứu nạn.\n"
        + "(2) Cục Hàng hải và Đường thủy Việt Nam huy động phương tiện tham gia.\n",
        standard_registry(),
        "cd",
    )
    assert draft.directive.issuer.name == "Bộ trưởng Bộ Xây dựng"
    assert assigned(draft)["(1)"] == {("Ủy ban nhân dân tỉnh Quảng Ninh", "chủ trì")}


def test_a_news_copy_led_in_by_the_prime_minister_names_him_as_issuer():
    draft = draft_text(
        "Tại Mục 2 Công điện số 7/CĐ-TTg, Thủ tướng Chính phủ yêu cầu Chủ tịch Ủy ban nhân dân tỉnh Gia Lai "
        + "thực hiện các nội dung sau:\n- Tổ chức sơ tán dân cư khỏi vùng nguy hiểm.\n",
        standard_registry(),
        "cd",
    )
    assert draft.directive.issuer.name == "Thủ tướng Chính phủ"
    # the province it names is an addressee, not the issuer's own (never dropped as the issuer's superior)
    assert assigned(draft)["1"] == {("Ủy ban nhân dân tỉnh Gia Lai", "chủ trì")}


def test_a_standing_committee_is_named_as_written_with_the_place_the_text_gives_it():
    draft = draft_text(
        "VĂN PHÒNG CHÍNH PHỦ\nSố: 9/TB-VPCP\nTHÔNG BÁO\nKết luận của Thủ tướng Chính phủ\n"
        + "Thủ tướng Chính phủ đã làm việc với Thường trực Tỉnh ủy Gia Lai và kết luận như sau:\n"
        + "1. Đề nghị Thường trực Tỉnh ủy chỉ đạo rà soát quy hoạch.\n",
        standard_registry(),
        "tb",
    )
    assert assigned(draft)["1"] == {("Thường trực Tỉnh ủy Gia Lai", "chủ trì")}


def test_a_news_copy_quoting_parts_of_a_text_has_one_task_per_part():
    draft = draft_text(
        "Tại Mục 1 Công văn 5-CV/VPTU năm 2025 hướng dẫn về kinh phí như sau:\n\n"
        + "Văn phòng cấp xã là đơn vị dự toán; đề nghị Sở Tài chính hướng dẫn lập dự toán:\n\n"
        + "- Lập dự toán năm 2026.\n\n- Gửi dự toán trước ngày 15/12.\n\n"
        + "Hướng dẫn về quy chế chi tiêu tại Công văn 5?\n\n"
        + "Tại Mục 2 Công văn 5-CV/VPTU năm 2025 hướng dẫn về quy chế như sau:\n\n"
        + "Sở Nội vụ hướng dẫn xây dựng quy chế chi tiêu nội bộ.\n",
        standard_registry(),
        "cv",
    )
    tops = [node.task for node in draft.directive.tree if node.parent is None]
    assert [t.text[:20] for t in tops] == ["Văn phòng cấp xã là ", "Sở Nội vụ hướng dẫn "]
    assert len(tops[0].tasks) == 2 and "Hướng dẫn về quy chế" not in tops[0].tasks[-1].text

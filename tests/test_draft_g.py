"""Layouts of unseen directives the drafter must read (issue 19, drafter-g): short names of a province's bodies,
"(có) liên quan" partners in prose and in tables, actions that make a role noun the subject of a clause."""

from __future__ import annotations

from matrix.draft import draft_text
from matrix.input.catalogue import standard_registry

HEAD = "ỦY BAN NHÂN DÂN\nTỈNH ĐẮK LẮK\nSố: 15/KH-UBND\nKẾ HOẠCH\nVề việc khắc phục hậu quả mưa lũ\n"
CABLE = "THỦ TƯỚNG CHÍNH PHỦ\nSố: 99/CĐ-TTg\nCÔNG ĐIỆN\nVề việc phòng chống thiên tai\n"


def assigned(draft) -> dict[str, set[tuple[str, str]]]:
    return {node.id: {(a.agency, a.role.value) for a in node.task.assignments} for node in draft.directive.tree}


def test_a_provinces_youth_union_and_womens_union_answer_to_their_short_names():
    draft = draft_text(
        HEAD + "1. Đoàn Thanh niên, Hội Phụ nữ vận động đoàn viên, hội viên dọn vệ sinh môi trường.\n",
        standard_registry(),
        "kh",
    )
    assert draft.unresolved == []
    assert assigned(draft)["1"] == {("tinh-doan", "chủ trì"), ("hoi-lhpn-tinh", "chủ trì")}


def test_related_ministries_are_no_partner_of_a_central_text():
    draft = draft_text(
        CABLE + "1. Bộ Xây dựng chủ trì, phối hợp với các bộ, ngành liên quan rà soát các công trình.\n",
        standard_registry(),
        "cd",
    )
    assert assigned(draft)["1"] == {("bo-xay-dung", "chủ trì")}


def test_related_departments_in_a_table_cell_are_no_partner():
    draft = draft_text(
        HEAD
        + "II. NHIỆM VỤ\n1. Sở Y tế kiểm tra an toàn thực phẩm.\n"
        + "STT\tNhiệm vụ\tCơ quan chủ trì\tCơ quan phối hợp\tThời gian\n"
        + "1\tRà soát các cơ chế hỗ trợ doanh nghiệp.\tSở Tài chính\tSở, ban, ngành có liên quan\t2026\n"
        + "2\tXây dựng chương trình đào tạo.\tSở Nội vụ\tSở Tài chính, sở, ngành liên quan\t2026\n",
        standard_registry(),
        "kh",
    )
    rows = {k: v for k, v in assigned(draft).items() if k.startswith("bảng")}
    assert sorted(rows.values(), key=len) == [
        {("so-tai-chinh", "chủ trì")},
        {("so-noi-vu", "chủ trì"), ("so-tai-chinh", "phối hợp")},
    ]


def test_a_body_that_proposes_or_assesses_after_a_condition_is_the_subject():
    draft = draft_text(
        HEAD
        + "1. Điều chỉnh danh mục hàng hóa:\n"
        + "Trường hợp cần điều chỉnh danh mục, Sở Công Thương đề xuất điều chỉnh và báo cáo Ủy ban nhân dân tỉnh.\n"
        + "2. Rà soát định kỳ:\n"
        + "Trường hợp cần thiết, Sở Tài chính đánh giá sự cần thiết của việc điều chỉnh.\n",
        standard_registry(),
        "kh",
    )
    result = assigned(draft)
    assert result["1"] == {("so-cong-thuong", "chủ trì")}
    assert result["2"] == {("so-tai-chinh", "chủ trì")}


DECISION = (
    "ỦY BAN NHÂN DÂN\nTỈNH ĐẮK LẮK\nSố: 12/2025/QĐ-UBND\nQUYẾT ĐỊNH\nQuy định phân công báo cáo giá\n"
    "ỦY BAN NHÂN DÂN TỈNH\nCăn cứ Luật Giá số 16/2023/QH15;\nQUYẾT ĐỊNH:\n"
    "Điều 1. Phạm vi điều chỉnh\nQuyết định này quy định việc báo cáo giá thị trường.\n"
)


def test_the_bodies_given_work_by_another_clause_of_the_article_are_read_where_it_is_cited():
    draft = draft_text(
        DECISION
        + "Điều 2. Báo cáo giá thị trường\n"
        + "1. Phân công nhiệm vụ báo cáo giá thị trường:\n"
        + "a) Sở Tài chính: Tổng hợp báo cáo giá thị trường của tỉnh.\n"
        + "b) Sở Y tế: Báo cáo giá dịch vụ y tế.\n"
        + "c) Sở Xây dựng: Báo cáo giá vật liệu xây dựng.\n"
        + "2. Các cơ quan được giao nhiệm vụ báo cáo tại khoản 1 Điều này gửi báo cáo về Sở Tài chính "
        + "trước ngày 05 hằng tháng.\n",
        standard_registry(),
        "qd",
    )
    assert assigned(draft)["2"] == {("so-y-te", "thực hiện"), ("so-xay-dung", "thực hiện")}


def test_a_last_paragraph_that_closes_the_plan_is_not_the_last_bullets_text():
    draft = draft_text(
        HEAD
        + "I. NHIỆM VỤ\n1. Sở Y tế phun hóa chất khử khuẩn.\n2. Sở Tài chính bố trí kinh phí.\n"
        + "II. KINH PHÍ\n- Từ ngân sách tỉnh.\n- Nguồn hợp pháp khác.\n"
        + "Khắc phục môi trường là nhiệm vụ cấp bách. Đề nghị các sở, ban, ngành khẩn trương thực hiện./.\n",
        standard_registry(),
        "kh",
    )
    result = assigned(draft)
    assert all(not result[node] for node in result if node.startswith("II"))
    assert result["cuối-1"] == {("so-ban-nganh", "thực hiện")}
    texts = {node.id: node.task.text for node in draft.directive.tree}
    assert texts["II-2"] == "Nguồn hợp pháp khác."


def test_ministries_ministry_level_bodies_and_government_agencies_are_three_groups():
    draft = draft_text(
        CABLE + "1. Các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ rà soát các công trình đang thi công.\n",
        standard_registry(),
        "cd",
    )
    assert assigned(draft)["1"] == {
        ("cac-bo", "thực hiện"),
        ("co-quan-ngang-bo", "thực hiện"),
        ("co-quan-thuoc-cp", "thực hiện"),
    }


def test_a_provinces_business_association_and_science_union_answer_to_their_short_names():
    draft = draft_text(
        HEAD
        + "I. NHIỆM VỤ\n1. Hiệp hội Doanh nghiệp\nVận động hội viên đổi mới công nghệ.\n"
        + "2. Liên hiệp các Hội Khoa học và Kỹ thuật\nTư vấn, phản biện chính sách công nghệ.\n",
        standard_registry(),
        "kh",
    )
    assert draft.unresolved == []
    result = assigned(draft)
    assert result["1"] == {("hiep-hoi-doanh-nghiep-tinh", "chủ trì")}
    assert result["2"] == {("lien-hiep-hoi-khkt-tinh", "chủ trì")}


def test_bodies_named_after_vague_words_or_the_issuer_right_after_phoi_hop_are_partners():
    draft = draft_text(
        HEAD
        + "1. Công an tỉnh:\n- Phối hợp các lực lượng và UBND các xã, phường huy động ca nô.\n"
        + "2. Đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh:\n"
        + "- Chủ trì phối hợp UBND tỉnh, Sở Công Thương tổ chức tiếp nhận hàng cứu trợ.\n",
        standard_registry(),
        "kh",
    )
    result = assigned(draft)
    assert result["1-1"] == {("ubnd-cap-xa", "phối hợp")}
    assert result["2-1"] == {("so-cong-thuong", "phối hợp")}


def test_a_bracket_in_the_scope_of_a_subject_does_not_hide_its_duty():
    draft = draft_text(
        HEAD
        + "1. Trình phương án giá:\n"
        + "Trường hợp cần thiết, Sở Y tế đối với dịch vụ y tế (quy định tại Phụ lục I) có trách nhiệm trình "
        + "Ủy ban nhân dân tỉnh ban hành văn bản định giá.\n",
        standard_registry(),
        "kh",
    )
    assert assigned(draft)["1"] == {("so-y-te", "chủ trì")}


def test_centres_and_hospitals_named_by_their_field_are_a_group_that_acts():
    draft = draft_text(
        HEAD
        + "1. Sở Y tế:\n- Chỉ đạo phun hóa chất khử khuẩn.\n- Các Trung tâm y tế giám sát tuyến xã và báo cáo hằng ngày.\n",
        standard_registry(),
        "kh",
    )
    found = {
        (a.written, a.role.value) for node in draft.directive.tree if node.id == "1-2" for a in node.task.assignments
    }
    assert found == {("Các Trung tâm y tế", "thực hiện")}

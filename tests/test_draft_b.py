"""Issue 19, failure classes 2, 3, 4 and 7: blocks split into their actors, numberings that start again, whole
lists of addressees, no names from citations, forms or tables. Every text here is made up and minimal."""

from __future__ import annotations

from matrix.draft import draft_text
from matrix.input.catalogue import standard_registry

HEAD = "ỦY BAN NHÂN DÂN\nTỈNH ĐỒNG THÁP\nSố: 15/UBND-NC\nV/v bảo đảm an ninh, trật tự\nỦy ban nhân dân tỉnh yêu cầu:\n"
DECISION = (
    "ỦY BAN NHÂN DÂN\nTỈNH ĐỒNG THÁP\nSố: 12/QĐ-UBND\nQUYẾT ĐỊNH\nVề việc ban hành quy chế\n"
    "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH\nQUYẾT ĐỊNH:\n"
)
CABLE = "THỦ TƯỚNG CHÍNH PHỦ\nSố: 12/CĐ-TTg\nCÔNG ĐIỆN\nVề việc ứng phó với bão\nThủ tướng Chính phủ yêu cầu:\n"


def assigned(text: str, directive_id: str = "vb") -> dict[str, set[tuple[str, str]]]:
    """Task id -> {(name as written, role)} of the draft of ``text``."""
    draft = draft_text(text, standard_registry(), directive_id)
    return {
        node.id: {(a.written or a.agency, a.role.value) for a in node.task.assignments} for node in draft.directive.tree
    }


def texts(text: str) -> dict[str, str]:
    draft = draft_text(text, standard_registry(), "vb")
    return {node.id: node.task.text for node in draft.directive.tree}


# ------------------------------------------------------------------ class 2: blocks not split


def test_each_actor_paragraph_under_a_sub_item_is_a_task_of_its_own():
    found = assigned(
        HEAD + "1. Về an ninh biên giới\na) Bảo đảm an toàn khu vực cửa khẩu.\n"
        "Sở Công Thương chủ trì rà soát các dự án.\nCông an tỉnh tăng cường tuần tra.\n"
        "Ủy ban nhân dân cấp xã phối hợp quản lý cư trú.\nb) Sở Y tế chuẩn bị thuốc.\n"
        "2. Về công tác phòng cháy\nCông an tỉnh tăng cường kiểm tra.\n"
    )
    assert found["a"] == set()
    assert found["a (đoạn 2)"] == {("Sở Công Thương", "chủ trì")}
    assert found["a (đoạn 3)"] == {("Công an tỉnh", "chủ trì")}
    assert found["a (đoạn 4)"] == {("Ủy ban nhân dân cấp xã", "thực hiện")}
    assert found["b"] == {("Sở Y tế", "chủ trì")}
    # a heading followed by one actor paragraph keeps it: that paragraph is the heading's text
    assert found["2"] == {("Công an tỉnh", "chủ trì")} and "2 (đoạn 2)" not in found


def test_the_paragraphs_after_an_actor_paragraph_stay_with_it():
    found = texts(
        HEAD + "1. Bảo đảm an toàn khu vực cửa khẩu.\nCông an tỉnh tăng cường tuần tra.\n"
        "Tập trung vào các tuyến đường mòn.\nSở Y tế bảo đảm thuốc men.\n"
    )
    assert found["1 (đoạn 2)"] == "Công an tỉnh tăng cường tuần tra.\nTập trung vào các tuyến đường mòn."
    assert found["1 (đoạn 4)"] == "Sở Y tế bảo đảm thuốc men."


def test_a_paragraph_that_opens_a_new_assignment_is_a_task_of_its_own():
    found = assigned(
        HEAD + "1. Sở Y tế kiểm tra an toàn thực phẩm.\nYêu cầu các cơ quan, đơn vị đẩy mạnh tuyên truyền; "
        "Công an tỉnh chủ trì, phối hợp với Sở Tư pháp xử lý vi phạm.\n2. Sở Nội vụ rà soát biên chế.\n"
    )
    assert found["1"] == {("Sở Y tế", "chủ trì")}
    assert found["1 (đoạn 2)"] == {("Công an tỉnh", "chủ trì"), ("Sở Tư pháp", "phối hợp")}


def test_numbered_clauses_with_a_footnote_marker_are_not_merged():
    found = texts(
        DECISION + "Điều 1. Trách nhiệm thi hành\n1. Công an tỉnh tuần tra.\n2.[5] Sở Y tế chuẩn bị thuốc.\n"
        "3. Sở Tài chính bố trí kinh phí.\n"
    )
    assert found["1"] == "Công an tỉnh tuần tra."
    assert found["2"].startswith("Sở Y tế chuẩn bị thuốc.")


# ------------------------------------------------------------------ class 3: numbering restarts


def test_a_numbering_that_restarts_after_an_unnumbered_heading_opens_a_new_section():
    found = assigned(
        HEAD + "(1) Công an tỉnh tuần tra các khu dân cư.\n(2) Sở Y tế chuẩn bị thuốc men.\n"
        "ĐỐI VỚI CẤP XÃ\n(1) Ủy ban nhân dân cấp xã rà soát nhà ở.\n(2) Tăng cường kiểm tra.\n"
    )
    section = next(key for key in found if key.startswith("Phần"))
    assert found[f"{section}.(1)"] == {("Ủy ban nhân dân cấp xã", "thực hiện")}
    assert ("Sở Y tế", "chủ trì") in found["(2)"] and f"{section}.(2)" in found


def test_a_lettered_heading_before_a_restart_keeps_its_letter():
    found = texts(
        HEAD + "(1) Công an tỉnh tuần tra.\n(2) Sở Y tế chuẩn bị thuốc.\nB. VỀ GIAO THÔNG\n"
        "(1) Sở Xây dựng sửa chữa cầu.\n(2) Sở Tài chính bố trí kinh phí.\n"
    )
    assert found["B"] == "VỀ GIAO THÔNG" and found["B.(1)"] == "Sở Xây dựng sửa chữa cầu."
    assert "B. VỀ GIAO THÔNG" not in found["(2)"]


def test_a_copy_that_starts_at_part_ii_keeps_its_parts_apart():
    found = texts(
        HEAD + "II. NHIỆM VỤ\n1. Công an tỉnh tuần tra.\n2. Sở Y tế chuẩn bị thuốc.\nIII. TỔ CHỨC THỰC HIỆN\n"
        "1. Sở Tài chính bố trí kinh phí.\n"
    )
    assert found["II.2"] == "Sở Y tế chuẩn bị thuốc."
    assert found["III.1"] == "Sở Tài chính bố trí kinh phí."


def test_a_part_number_printed_twice_is_two_parts_not_a_sub_item():
    found = texts(
        HEAD + "IV. NHIỆM VỤ\n1. Công an tỉnh tuần tra.\nV. GIẢI PHÁP\n1. Sở Y tế chuẩn bị thuốc.\n"
        "V. KINH PHÍ\n1. Sở Tài chính bố trí kinh phí.\n"
    )
    assert found["IV.1"] == "Công an tỉnh tuần tra."
    assert found["V.1"] == "Sở Y tế chuẩn bị thuốc."
    assert found["V-2.1"] == "Sở Tài chính bố trí kinh phí."


# ------------------------------------------------------------------ class 4: lists cut short


def test_ministers_heads_of_bodies_and_chairmen_are_all_read():
    found = assigned(
        CABLE + "1. Các Bộ trưởng, Thủ trưởng cơ quan ngang bộ, cơ quan thuộc Chính phủ, Chủ tịch Ủy ban nhân dân "
        "các tỉnh, thành phố trực thuộc Trung ương rà soát các công trình.\n"
    )
    names = {name for name, _ in found["1"]}
    assert {"cơ quan ngang bộ", "cơ quan thuộc Chính phủ"} <= names
    assert "Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương" in names
    assert "Các Bộ" not in names


def test_names_that_share_the_head_of_the_one_before_are_each_read():
    found = assigned(CABLE + "1. Bộ Công an, Quốc phòng, Y tế theo dõi tình hình.\n")
    assert found["1"] == {("Bộ Công an", "chủ trì"), ("Bộ Quốc phòng", "chủ trì"), ("Bộ Y tế", "chủ trì")}


def test_a_group_of_ministries_followed_by_their_names_without_a_colon():
    found = assigned(CABLE + "1. Các bộ Công an, Quốc phòng theo dõi tình hình.\n")
    assert found["1"] == {("Bộ Công an", "chủ trì"), ("Bộ Quốc phòng", "chủ trì")}


def test_a_list_of_ministries_whose_field_starts_like_a_verb():
    found = assigned(CABLE + "1. Các Bộ Xây dựng và Công an: Phối hợp rà soát các tuyến đường.\n")
    assert found["1"] == {("Bộ Xây dựng", "chủ trì"), ("Bộ Công an", "chủ trì")}


def test_a_counted_list_of_ministries():
    found = assigned(CABLE + "1. Giao 03 bộ: Công an, Quốc phòng, Y tế theo dõi tình hình.\n")
    assert found["1"] == {("Bộ Công an", "chủ trì"), ("Bộ Quốc phòng", "chủ trì"), ("Bộ Y tế", "chủ trì")}


def test_a_list_of_kinds_before_a_colon_reads_each_name_with_its_kind():
    found = assigned(CABLE + "1. Các bộ, ngành: Công an, Quốc phòng, Ngân hàng Nhà nước Việt Nam theo dõi tình hình.\n")
    assert {name for name, _ in found["1"]} == {"Bộ Công an", "Bộ Quốc phòng", "Ngân hàng Nhà nước Việt Nam"}


def test_a_list_of_groups_named_after_a_colon():
    found = assigned(
        CABLE + "1. Đề nghị các Tập đoàn: Bưu chính Viễn thông Việt Nam, Công nghiệp - Viễn thông Quân đội "
        "khẩn trương khắc phục sự cố.\n"
    )
    assert {name for name, _ in found["1"]} == {
        "Tập đoàn Bưu chính Viễn thông Việt Nam",
        "Tập đoàn Công nghiệp - Viễn thông Quân đội",
    }


def test_a_list_of_enterprises_that_share_their_kind_without_a_colon():
    found = assigned(CABLE + "1. Bộ Khoa học và Công nghệ, các Tập đoàn VNPT, Viettel khẩn trương khắc phục sự cố.\n")
    assert {name for name, _ in found["1"]} == {"Bộ Khoa học và Công nghệ", "Tập đoàn VNPT", "Tập đoàn Viettel"}


# ------------------------------------------------------------------ class 7: citations, forms, tables


def test_bodies_named_in_the_title_of_a_cited_document_are_not_partners():
    found = assigned(
        HEAD + "1. Thực hiện Quy chế phối hợp giữa Công an tỉnh với Bộ Chỉ huy Quân sự tỉnh, các lực lượng tăng "
        "cường tuần tra.\n2. Theo Thông tư số 12/2020/TT-BCA về phối hợp với Bộ Y tế, Sở Nội vụ rà soát biên chế.\n"
    )
    assert found["1"] == set()
    assert ("Bộ Y tế", "phối hợp") not in found["2"]


def test_an_annex_of_blank_forms_gives_no_task():
    draft = draft_text(
        DECISION + "Điều 1. Ban hành kèm theo Quyết định này mẫu báo cáo.\n"
        "Điều 2. Giám đốc Sở Tư pháp chịu trách nhiệm thi hành Quyết định này./.\n"
        "Nơi nhận:\n- Như Điều 2;\n- Lưu: VT.\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nNguyễn Văn A\n"
        "PHỤ LỤC\nMẫu số 01\n(Kèm theo Quyết định số 12/QĐ-UBND)\nTÊN CƠ QUAN: ..................\n"
        "1. Tên đơn vị báo cáo: ....................\n2. Số vụ việc tiếp nhận: ..........\n"
        "3. Sở Y tế đã phối hợp: ..........\nNgày ..... tháng ..... năm .....\nGIÁM ĐỐC SỞ Y TẾ\n(Ký, ghi rõ họ tên)\n",
        standard_registry(),
        "qd",
    )
    assert not [node.id for node in draft.directive.tree if node.id.startswith("PL")]
    assert "Tên đơn vị báo cáo" in (draft.directive.preamble or "")


def test_a_table_of_figures_by_body_gives_no_task():
    draft = draft_text(
        HEAD + "1. Công an tỉnh tuần tra.\n"
        "STT\tĐơn vị thực hiện\tSố vụ năm 2024\tSố vụ năm 2025\tTỷ lệ giảm\n"
        "1\tCông an tỉnh\t12\t10\t16,7%\n2\tSở Y tế\t5\t4\t20%\n",
        standard_registry(),
        "cv",
    )
    assert [node.id for node in draft.directive.tree] == ["1"]


def test_rows_numbered_again_under_an_unnumbered_group_row_belong_to_that_group():
    found = texts(
        HEAD + "1. Công an tỉnh tuần tra.\nSTT\tNội dung\tCơ quan chủ trì\tThời gian\n"
        "I\tVỀ TUYÊN TRUYỀN\t\t\n1\tTuyên truyền pháp luật\tSở Tư pháp\tNăm 2025\n"
        "Nhóm giải pháp về tài chính\t\t\t\n1\tBố trí kinh phí\tSở Tài chính\tNăm 2025\n"
        "2\tKiểm tra quyết toán\tThanh tra tỉnh\tNăm 2025\n"
    )
    assert found["bảng.Phần 1"] == "Nhóm giải pháp về tài chính"
    assert found["bảng.Phần 1.1"] == "Bố trí kinh phí" and found["bảng.Phần 1.2"] == "Kiểm tra quyết toán"


def test_an_annex_that_lists_bodies_gives_no_task():
    draft = draft_text(
        HEAD + "1. Các đơn vị thu gom rác (danh sách kèm theo) tăng cường vệ sinh môi trường.\n"
        "2. Sở Y tế kiểm tra.\nNơi nhận:\n- Như trên;\n- Lưu: VT.\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nNguyễn Văn A\n"
        "PHỤ LỤC\nDANH SÁCH CÁC ĐƠN VỊ THU GOM RÁC\n(Kèm theo Công văn số 15/UBND-NC)\n"
        "1. Công ty Cổ phần Môi trường Đô thị Cao Lãnh\n2. Công ty TNHH Công trình Đô thị Sa Đéc\n",
        standard_registry(),
        "cv",
    )
    assert [node.id for node in draft.directive.tree] == ["1", "2"]

"""Layouts of provincial plans and decisions the drafter reads (issue 19): each rule on a minimal made-up text."""

from __future__ import annotations

from matrix.draft import Draft, draft_text
from matrix.input.catalogue import standard_registry

LETTER = "ỦY BAN NHÂN DÂN\nTỈNH ĐỒNG THÁP\nSố: 15/UBND-NC\nV/v bảo đảm an toàn điện\n"
DECISION = (
    "ỦY BAN NHÂN DÂN\nTỈNH ĐỒNG THÁP\nSố: 12/QĐ-UBND\nQUYẾT ĐỊNH\nVề việc ban hành quy định\n"
    "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH\nCăn cứ Luật Tổ chức chính quyền địa phương;\nQUYẾT ĐỊNH:\n"
)


def roles(draft: Draft) -> dict[str, list[tuple[str, str]]]:
    """Task id -> (name as written, role) of each assignment stated there."""
    assert draft.directive is not None
    return {task.id: [(a.written, a.role.value) for a in task.assignments] for task, _ in draft.directive.walk()}


def letter(body: str) -> dict[str, list[tuple[str, str]]]:
    return roles(draft_text(LETTER + body, standard_registry(), "cv"))


def decision(body: str) -> dict[str, list[tuple[str, str]]]:
    return roles(draft_text(DECISION + body, standard_registry(), "qd"))


def test_bodies_named_by_their_field_are_a_group():
    found = letter(
        "1. Sở Công Thương phối hợp với các đơn vị điện lực, các cơ quan y tế kiểm tra lưới điện.\n"
        "2. Các đơn vị điện lực có trách nhiệm kiểm tra hành lang an toàn.\n"
        "3. Sở Y tế phối hợp với các sở, ngành và các đơn vị truyền thông tuyên truyền.\n"
        "4. Các cơ quan báo chí, truyền thông tiếp tục đưa tin kịp thời.\n"
        "5. Sở Công Thương phối hợp với các doanh nghiệp viễn thông bảo đảm thông tin liên lạc.\n"
    )
    assert found["1"] == [
        ("Sở Công Thương", "chủ trì"),
        ("Các đơn vị điện lực", "phối hợp"),
        ("Các cơ quan y tế", "phối hợp"),
    ]
    assert found["2"] == [("Các đơn vị điện lực", "thực hiện")]
    assert ("Các đơn vị truyền thông", "phối hợp") in found["3"]
    assert found["4"] == [("Các cơ quan báo chí", "thực hiện"), ("Các cơ quan truyền thông", "thực hiện")]
    assert ("Các doanh nghiệp viễn thông", "phối hợp") in found["5"]
    # a common noun with no field after it stays vague
    vague = letter(
        "1. Sở Y tế phối hợp với các cơ quan, đơn vị kiểm tra.\n"
        "2. Sở Y tế phối hợp với các đơn vị khác kiểm tra.\n"
        "3. Sở Y tế phối hợp với các cơ quan chức năng kiểm tra.\n"
        "4. Sở Y tế phối hợp với các cơ quan có thẩm quyền kiểm tra.\n"
        "5. Sở Y tế phối hợp với các cơ quan, tổ chức, đơn vị phản hồi kịp thời.\n"
        "6. Sở Y tế phối hợp với các cơ quan cấp tỉnh kiểm tra.\n"
    )
    assert [vague[k] for k in "123456"] == [[("Sở Y tế", "chủ trì")]] * 6


def test_a_closing_lien_quan_qualifies_the_kinds_listed_before_it():
    found = letter(
        "1. Sở Y tế chủ trì, phối hợp với các sở, ngành, địa phương có liên quan xây dựng kế hoạch.\n"
        "2. Sở Y tế phối hợp với Công an tỉnh, các sở, ngành, đơn vị liên quan kiểm tra.\n"
        "3. Sở Y tế phối hợp với các sở, ban, ngành và địa phương có liên quan kiểm tra.\n"
        "4. Sở Y tế phối hợp với các sở, ban, ngành, Ủy ban nhân dân cấp xã kiểm tra.\n"
        "5. Sở Y tế phối hợp với các sở, ban, ngành và cơ quan, đơn vị có liên quan kiểm tra.\n"
    )
    assert found["1"] == [("Sở Y tế", "chủ trì")]
    assert found["2"] == [("Sở Y tế", "chủ trì"), ("Công an tỉnh", "phối hợp")]
    assert found["3"] == [("Sở Y tế", "chủ trì")]
    assert ("các sở, ban, ngành", "phối hợp") in found["4"]  # no "liên quan": the group is a partner
    assert ("các sở, ban, ngành", "phối hợp") in found["5"]  # after "và", "cơ quan, đơn vị" is a list of its own


def test_related_kinds_that_open_an_item_do_the_work():
    found = letter(
        "1. Các sở, ngành, địa phương có liên quan có trách nhiệm cân đối ngân sách.\n"
        "2. Các cơ quan, đơn vị liên quan thu thập thông tin theo mẫu biểu.\n"
        "3. Sở Y tế phối hợp với các sở, ngành và các cơ quan, đơn vị có liên quan kiểm tra.\n"
        "4. Các sở, ban, ngành, Ủy ban nhân dân xã, phường và các đơn vị liên quan có trách nhiệm báo cáo.\n"
    )
    assert found["1"] == [("Các sở, ngành có liên quan", "thực hiện")]
    assert found["2"] == [("Các cơ quan, đơn vị liên quan", "thực hiện")]
    # "và các ..." opens another list: the qualifier closes that one only
    assert found["3"] == [("Sở Y tế", "chủ trì"), ("các sở, ngành", "phối hợp")]
    # after named bodies, the related ones are the vague rest
    assert ("các đơn vị liên quan", "thực hiện") not in found["4"] and len(found["4"]) == 2


def test_an_article_on_a_group_over_one_clause_per_body_gives_the_group_nothing():
    found = decision(
        "Điều 1. Trách nhiệm của các sở, ban, ngành thuộc tỉnh\n"
        "1. Sở Công Thương\n"
        "a) Phối hợp với các sở, ban, ngành, Ủy ban nhân dân cấp xã kiểm tra.\n"
        "2. Sở Xây dựng\n"
        "a) Thẩm định thiết kế.\n"
        "Điều 2. Trách nhiệm của Ủy ban nhân dân cấp xã\n"
        "1. Tuyên truyền.\n"
        "2. Kiểm tra.\n"
    )
    assert found["Điều 1"] == []
    assert found["Điều 1.1"] == [("Sở Công Thương", "chủ trì")]
    # the group is not the umbrella's here, so the clause names it as a partner
    assert found["Điều 1.1.a"] == [("các sở, ban, ngành", "phối hợp"), ("Ủy ban nhân dân cấp xã", "phối hợp")]
    assert found["Điều 2"] == [("Ủy ban nhân dân cấp xã", "thực hiện")]  # clauses without a body of their own


def test_kinds_listed_before_their_owner_are_the_owner_s():
    found = letter(
        "1. Đề nghị các cơ quan chuyên môn, cơ quan hành chính khác thuộc Ủy ban nhân dân tỉnh tổ chức đánh giá.\n"
        "2. Đề nghị các đơn vị sự nghiệp công lập, các doanh nghiệp nhà nước trực thuộc Ủy ban nhân dân tỉnh "
        "tổ chức đánh giá.\n"
        "3. Sở Y tế phối hợp với các cơ quan, đơn vị thuộc Sở Tư pháp kiểm tra.\n"
    )
    assert found["1"] == [
        ("Các cơ quan chuyên môn thuộc Ủy ban nhân dân tỉnh", "thực hiện"),
        ("Các cơ quan hành chính khác thuộc Ủy ban nhân dân tỉnh", "thực hiện"),
    ]
    assert found["2"] == [
        ("Các đơn vị sự nghiệp công lập trực thuộc Ủy ban nhân dân tỉnh", "thực hiện"),
        ("Các doanh nghiệp nhà nước trực thuộc Ủy ban nhân dân tỉnh", "thực hiện"),
    ]
    assert found["3"] == [("Sở Y tế", "chủ trì")]  # kinds with no field of their own stay vague


def test_a_head_listed_before_a_name_with_levels_takes_the_levels():
    found = letter(
        "1. Hội đồng nhân dân, Ủy ban nhân dân các xã, phường tổ chức kiểm điểm, đánh giá.\n"
        "2. Sở Y tế phối hợp với Chi nhánh Văn phòng đăng ký đất đai, Cơ quan có chức năng quản lý đất đai cấp xã "
        "kiểm tra.\n"
        "3. Sở Y tế phối hợp với các cơ quan truyền thông, báo chí, Ủy ban nhân dân các xã tuyên truyền.\n"
    )
    assert found["1"] == [
        ("Hội đồng nhân dân các xã, phường", "thực hiện"),
        ("Ủy ban nhân dân các xã, phường", "thực hiện"),
    ]
    # the level of a body described by its function is not the level of the body before it
    assert ("Chi nhánh Văn phòng đăng ký đất đai", "phối hợp") in found["2"]
    assert ("Các cơ quan báo chí", "phối hợp") in found["3"]  # groups of their own, not a head


def test_the_department_managing_each_sector_is_a_role_read_as_a_group():
    found = letter(
        "1. Sở quản lý ngành, lĩnh vực có trách nhiệm đề xuất danh mục hàng hóa.\n"
        "2. Sở Tài chính chủ trì, phối hợp với các Sở quản lý ngành, lĩnh vực cấp tỉnh kiểm tra giá.\n"
        "3. Cơ quan chuyên môn quản lý ngành, lĩnh vực cấp tỉnh tham mưu ban hành đặc điểm kinh tế - kỹ thuật.\n"
    )
    assert found["1"] == [("Các Sở quản lý ngành, lĩnh vực", "thực hiện")]
    assert found["2"] == [
        ("Sở Tài chính", "chủ trì"),
        ("Các Sở quản lý ngành, lĩnh vực cấp tỉnh", "phối hợp"),
    ]
    assert found["3"] == [("Các cơ quan chuyên môn quản lý ngành, lĩnh vực cấp tỉnh", "thực hiện")]


def test_bodies_before_a_phoi_hop_with_no_partner_after_it_coordinate_with_the_lead():
    found = letter(
        "1. Giao Sở Y tế chủ trì, Sở Tài chính, Sở Nội vụ phối hợp thực hiện kiểm tra.\n"
        "2. Sở Y tế chủ trì; Sở Tài chính, Công an tỉnh phối hợp tổ chức tuyên truyền.\n"
        "3. Sở Y tế phối hợp tổ chức tuyên truyền.\n"
    )
    assert found["1"] == [("Sở Y tế", "chủ trì"), ("Sở Tài chính", "phối hợp"), ("Sở Nội vụ", "phối hợp")]
    assert found["2"] == [("Sở Y tế", "chủ trì"), ("Sở Tài chính", "phối hợp"), ("Công an tỉnh", "phối hợp")]
    assert found["3"] == [("Sở Y tế", "chủ trì")]  # no lead named: the subject is the item's own


def test_fields_listed_after_a_noun_of_bodies_are_one_group_each():
    found = letter(
        "1. Các cơ quan Thanh tra, Điều tra, Thi hành án và các cơ quan có thẩm quyền khác phối hợp xử lý.\n"
        "2. Sở Y tế phối hợp với các cơ quan y tế, điện lực, cấp nước bảo đảm cấp điện.\n"
    )
    assert found["1"] == [
        ("Các cơ quan Thanh tra", "thực hiện"),
        ("Các cơ quan Điều tra", "thực hiện"),
        ("Các cơ quan Thi hành án", "thực hiện"),
    ]
    assert found["2"] == [
        ("Sở Y tế", "chủ trì"),
        ("Các cơ quan y tế", "phối hợp"),
        ("Các cơ quan điện lực", "phối hợp"),
        ("Các cơ quan cấp nước", "phối hợp"),
    ]


def test_a_heading_that_states_a_group_s_duty_over_clauses_per_body_keeps_the_group():
    found = letter(
        "1. Sở quản lý ngành, lĩnh vực có trách nhiệm chủ trì đề xuất bình ổn giá, cụ thể như sau:\n"
        "a) Sở Y tế chủ trì đối với thuốc chữa bệnh;\n"
        "b) Sở Công Thương chủ trì đối với xăng, dầu.\n"
    )
    assert found["1"] == [("Các Sở quản lý ngành, lĩnh vực", "thực hiện")]
    assert found["a"] == [("Sở Y tế", "chủ trì")]


def test_a_scope_between_a_subject_and_its_duty_is_passed_over():
    found = letter(
        "1. Điều chỉnh danh mục hàng hóa:\n"
        "Trường hợp cần thiết điều chỉnh danh mục, Sở Y tế đối với thuốc, vật tư y tế có trách nhiệm tham mưu.\n"
    )
    assert found["1"] == [("Sở Y tế", "chủ trì")]


def test_bodies_a_report_goes_to_do_not_lead_the_work_they_are_said_to_lead():
    found = letter(
        "1. Sở Y tế tổng hợp báo cáo Sở Tài chính và các sở, ngành chủ trì dự án thành phần.\n"
        "2. Tổng hợp, báo cáo cấp thẩm quyền (Bộ Y tế và các sở, ngành chủ trì dự án) kết quả thực hiện.\n"
        "3. Giao Sở Tư pháp chủ trì thẩm định hồ sơ.\n"
    )
    assert found["1"] == [("Sở Y tế", "chủ trì")]
    assert found["2"] == []
    assert found["3"] == [("Sở Tư pháp", "chủ trì")]


def test_a_list_split_by_semicolons_goes_on_after_a_group_s_qualifier():
    found = letter(
        "1. Đề nghị các Hội được Đảng, Nhà nước giao nhiệm vụ trên địa bàn tỉnh; Ủy ban nhân dân các xã, phường: "
        "tổ chức đánh giá.\n"
    )
    assert found["1"] == [("các Hội", "thực hiện"), ("Ủy ban nhân dân các xã, phường", "thực hiện")]


def test_an_item_whose_subject_is_the_addressees_at_large_goes_to_the_addressees():
    found = letter(
        "Kính gửi:\n- Sở Y tế;\n- Ủy ban nhân dân các xã, phường.\n"
        "1. Sở Tư pháp hướng dẫn việc đánh giá. Một số vấn đề lưu ý:\n"
        "(1) Các cơ quan, tổ chức, đơn vị gửi hồ sơ đánh giá về Sở Nội vụ trước ngày 05 tháng 12.\n"
        "(2) Các cơ quan phối hợp chặt chẽ.\n"
    )
    assert found["(1)"] == [("Sở Y tế", "thực hiện"), ("Ủy ban nhân dân các xã, phường", "thực hiện")]
    assert found["(2)"] == []  # one vague noun: not the addressees at large


def test_groups_by_field_after_a_title_and_in_a_list_split_by_semicolons():
    found = letter(
        "1. Giám đốc các đơn vị điện lực chỉ đạo kiểm tra lưới điện.\n"
        "2. Đề nghị Thủ trưởng các sở, ban, ngành thuộc tỉnh; Giám đốc các đơn vị điện lực: tổ chức kiểm tra.\n"
    )
    assert found["1"] == [("Các đơn vị điện lực", "thực hiện")]
    assert found["2"] == [("các sở, ban, ngành", "thực hiện"), ("Các đơn vị điện lực", "thực hiện")]


def test_the_province_s_own_groups_go_on_after_thuoc_tinh():
    found = letter(
        "1. Tăng cường kiểm tra an toàn điện.\n"
        "Các sở, ban, ngành thuộc tỉnh, Ủy ban nhân dân cấp xã có trách nhiệm kiểm tra.\n"
    )
    assert found["1 (đoạn 2)"] == [("Các sở, ban, ngành", "thực hiện"), ("Ủy ban nhân dân cấp xã", "thực hiện")]


def test_a_recipient_line_named_by_a_common_noun_addresses_every_such_body():
    found = letter(
        "Kính gửi:\n- Doanh nghiệp nhà nước trực thuộc Ủy ban nhân dân tỉnh;\n- Sở Y tế.\n"
        "1. Tổ chức đánh giá, xếp loại chất lượng năm 2025.\n"
    )
    assert found["1"] == [
        ("Các doanh nghiệp nhà nước trực thuộc Ủy ban nhân dân tỉnh", "thực hiện"),
        ("Sở Y tế", "thực hiện"),
    ]


def test_a_recipient_line_the_registry_knows_as_written_is_that_body_not_every_such_body():
    found = letter(
        "Kính gửi:\n- Cơ quan Trung ương Mặt trận Tổ quốc Việt Nam;\n- Sở Y tế.\n"
        "1. Tổ chức đánh giá, xếp loại chất lượng năm 2025.\n"
    )
    assert [name for name, _ in found["1"]] == ["Cơ quan Trung ương Mặt trận Tổ quốc Việt Nam", "Sở Y tế"]

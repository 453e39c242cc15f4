"""The drafter on central công điện, Party conclusions and news copies that quote them (issue 19).

Each test drafts a minimal made-up text of one layout, as ``matrix draft`` does, and reads the roles back.
"""

from __future__ import annotations

from matrix.core.model import Directive
from matrix.draft import draft_text
from matrix.input.catalogue import standard_registry


def drafted(text: str, directive_id: str = "ban-nhap") -> Directive:
    draft = draft_text(text, standard_registry(), directive_id)
    assert draft.directive is not None
    return draft.directive


def roles(directive: Directive) -> dict[str, set[tuple[str, str]]]:
    """Task id -> {(role, name as written)} of the assignments stated at that task."""
    return {task.id: {(a.role.value, a.written) for a in task.assignments} for task, _ in directive.walk()}


def test_an_item_run_into_the_lead_in_is_an_item():
    # a news copy lost the line break after "như sau:": item 1 is glued to the lead-in, item 2 stands alone
    text = (
        "Tại phiên họp, Bộ Chính trị kết luận như sau:1. Thống nhất với báo cáo về tình hình thực hiện.\n\n"
        "2. Giao Đảng ủy Chính phủ chỉ đạo rà soát các quy định.\n\n"
        "3. Giao Ban Tổ chức Trung ương theo dõi, đôn đốc.\n"
    )
    got = roles(drafted(text))
    assert list(got) == ["1", "2", "3"]
    assert got["2"] == {("chủ trì", "Đảng ủy Chính phủ")}


def test_a_body_named_after_hcm_does_not_make_the_text_a_text_of_the_city():
    text = (
        "Bộ Chính trị kết luận như sau:\n\n"
        "1. Giao Học viện Chính trị quốc gia Hồ Chí Minh chủ trì tổ chức tập huấn.\n\n"
        "2. Giao Đảng ủy Chính phủ chỉ đạo rà soát các quy định.\n"
    )
    assert drafted(text).province is None
    city = "Ủy ban nhân dân Thành phố Hồ Chí Minh chỉ đạo:\n\n1. Sở Y tế kiểm tra.\n\n2. Sở Xây dựng rà soát.\n"
    assert drafted(city).province == "ho-chi-minh"


def test_a_demand_to_a_qualified_collective_gives_it_the_items():
    # a news copy without header: the minister asks "the units of the sector", nobody else is named
    text = (
        "Để ứng phó với mưa lũ, Bộ trưởng Bộ Y tế yêu cầu các đơn vị trong ngành Y tế tập trung thực hiện "
        "các nhiệm vụ sau:\n\n(1) Theo dõi chặt chẽ diễn biến thời tiết.\n\n(2) Rà soát các phương án ứng phó.\n"
    )
    got = roles(drafted(text))
    group = ("thực hiện", "Các đơn vị trong ngành Y tế")
    assert got["(1)"] == {group} and got["(2)"] == {group}


def test_the_body_that_asks_is_not_given_the_items():
    text = (
        "Ban Tổ chức Trung ương đã có Công văn 12-CV/BTCTW đề nghị rà soát biên chế. Để kịp thời tổng hợp, "
        "Ban Tổ chức Trung ương đề nghị các cơ quan liên quan khẩn trương hoàn thành các "
        "nội dung sau:\n\n(1) Hoàn thiện vị trí việc làm.\n\n(2) Đề xuất biên chế giai đoạn tới.\n"
    )
    got = roles(drafted(text))
    assert got["(1)"] == set() and got["(2)"] == set()  # "các cơ quan liên quan" is vague, the asker is no one's


def test_a_standing_board_acts_for_its_party_committee():
    text = (
        "Bộ Chính trị kết luận như sau:\n\n"
        "1. Ban Thường vụ Đảng ủy Bộ Y tế, Ban Thường vụ Đảng ủy Kiểm toán Nhà nước tổng hợp báo cáo.\n\n"
        "2. Giao Đảng ủy Chính phủ chỉ đạo rà soát các quy định.\n"
    )
    got = roles(drafted(text))
    assert got["1"] == {("chủ trì", "Đảng ủy Bộ Y tế"), ("chủ trì", "Đảng ủy Kiểm toán Nhà nước")}


def test_a_request_inside_running_text_names_its_addressee():
    # "<asker> (kính) đề nghị X ..." after a clause that explains: X is addressed wherever the sentence puts it
    text = (
        "1. Văn phòng Đảng ủy cấp xã là đơn vị dự toán của ngân sách cấp xã. Do đó, để bảo đảm kinh phí, "
        "Văn phòng Tỉnh ủy kính đề nghị Đảng ủy cấp xã chỉ đạo rà soát dự toán.\n\n"
        "2. Đề nghị Sở Tài chính hướng dẫn thủ tục mở tài khoản.\n"
    )
    draft = draft_text(text, standard_registry(["dong-thap"]), "cv")
    assert draft.directive is not None
    assert ("thực hiện", "Đảng ủy cấp xã") in roles(draft.directive)["1"]


DEFINED = (
    "Chính phủ yêu cầu Bộ trưởng Bộ Y tế, Bộ trưởng Bộ Xây dựng, các cơ quan khác ở trung ương, Chủ tịch Ủy ban "
    "nhân dân các tỉnh, thành phố bị ảnh hưởng bởi bão (sau đây gọi tắt là các bộ, cơ quan, địa phương) thực hiện "
    "các nhiệm vụ sau:\n\n"
)


def test_a_term_defined_with_commas_stands_for_the_bodies_before_it():
    # the list ends with a qualifier of its last name and holds a vague phrase made definite ("khác ở trung ương")
    got = roles(drafted(DEFINED + "1. Các bộ, cơ quan, địa phương rà soát thiệt hại.\n\n2. Bộ Tài chính bố trí vốn.\n"))
    assert got["1"] == {
        ("chủ trì", "Bộ Y tế"),
        ("chủ trì", "Bộ Xây dựng"),
        ("thực hiện", "Các cơ quan khác ở trung ương"),
        ("thực hiện", "Ủy ban nhân dân các tỉnh, thành phố"),
    }


def test_a_parent_s_addressees_named_as_partners_of_a_sub_item_are_its_partners():
    text = (
        "1. Sở Y tế, Sở Xây dựng:\n\na) Rà soát thiệt hại.\n\n"
        "b) Sở Tài chính chủ trì, phối hợp với Sở Y tế, Sở Xây dựng bố trí vốn.\n"
    )
    draft = draft_text(text, standard_registry(["dong-thap"]), "cv")
    assert draft.directive is not None
    got = roles(draft.directive)
    assert got["b"] == {("chủ trì", "Sở Tài chính"), ("phối hợp", "Sở Y tế"), ("phối hợp", "Sở Xây dựng")}
    assert got["a"] == set()


def test_bodies_directed_by_name_do_the_work():
    # "X chỉ đạo <named bodies> <action>": X leads, the bodies it directs (each named, or listed after their
    # kinds "các tập đoàn, tổng công ty:") do the work
    text = (
        "1. Bộ Tài chính xuất cấp hàng dự trữ quốc gia. Chỉ đạo Tổng công ty Hàng hải Việt Nam, Tổng công ty "
        "Đường sắt Việt Nam hỗ trợ vận chuyển hàng hóa.\n\n"
        "2. Bộ Công Thương chỉ đạo các tập đoàn, tổng công ty: Điện lực Việt Nam, Viễn thông MobiFone khôi phục "
        "hệ thống điện, viễn thông.\n"
    )
    got = roles(drafted(text))
    assert got["1"] == {
        ("chủ trì", "Bộ Tài chính"),
        ("thực hiện", "Tổng công ty Hàng hải Việt Nam"),
        ("thực hiện", "Tổng công ty Đường sắt Việt Nam"),
    }
    assert got["2"] == {
        ("chủ trì", "Bộ Công Thương"),
        ("thực hiện", "Tập đoàn Điện lực Việt Nam"),
        ("thực hiện", "Tổng công ty Viễn thông MobiFone"),
    }


def test_a_line_that_only_names_addressees_gives_them_to_its_item():
    text = (
        "1. Hỗ trợ khẩn cấp về nhà ở\n\nỦy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương:\n\n"
        "a) Rà soát các hộ có nhà bị hư hại.\n\nb) Bố trí quỹ đất tái định cư.\n\n"
        "2. Bảo đảm an sinh xã hội\n\nBộ Tài chính chỉ đạo Bảo hiểm xã hội Việt Nam:\n\na) Chi trả lương hưu.\n"
    )
    got = roles(drafted(text))
    assert got["1"] == {("thực hiện", "Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương")}
    assert got["1.a"] == set() and got["1.b"] == set()
    assert ("chủ trì", "Bộ Tài chính") in got["2"]


def test_a_list_of_places_borrows_the_head_across_kinds_of_place():
    text = (
        "1. Ủy ban nhân dân thành phố Hà Nội, thành phố Hải Phòng và tỉnh Quảng Ninh trực tiếp hỗ trợ lương thực.\n\n"
        "2. Bộ Y tế cấp thuốc.\n"
    )
    got = roles(drafted(text))
    assert ("chủ trì", "Ủy ban nhân dân tỉnh Quảng Ninh") in got["1"] and len(got["1"]) == 3


def test_the_sentence_after_a_topic_and_a_colon_names_its_addressee():
    # a conclusion's answers to requests: "N. Về <topic>: <body> <action> ..." / "...: giao <body> ..."
    text = (
        "III. VỀ MỘT SỐ KIẾN NGHỊ CỦA TỈNH\n\n"
        "1. Về dự án nạo vét luồng tàu: Bộ Xây dựng khẩn trương rà soát, bàn giao dự án.\n\n"
        "2. Về mở rộng nhà máy: giao Tập đoàn Công nghiệp - Năng lượng Quốc gia Việt Nam làm việc với nhà đầu tư.\n"
    )
    got = roles(drafted(text))
    assert got["1"] == {("chủ trì", "Bộ Xây dựng")}
    assert got["2"] == {("chủ trì", "Tập đoàn Công nghiệp - Năng lượng Quốc gia Việt Nam")}


def test_a_secretary_s_bare_title_stands_for_the_party_committees_of_the_places_after_it():
    text = (
        "1. Bí thư, Chủ tịch Ủy ban nhân dân các tỉnh khu vực Tây Nguyên tập trung chỉ đạo khắc phục hậu quả.\n\n"
        "2. Đồng chí Bí thư, đồng chí Chủ tịch Ủy ban nhân dân các tỉnh, thành phố có rừng phòng hộ, nhất là các "
        "tỉnh miền núi, tổ chức tuần tra.\n\n"
        "3. Ủy ban nhân dân các tỉnh, thành phố có trách nhiệm rà soát, báo cáo.\n"
    )
    got = roles(drafted(text))
    assert got["1"] == {
        ("thực hiện", "Tỉnh ủy các tỉnh khu vực Tây Nguyên"),
        ("thực hiện", "Ủy ban nhân dân các tỉnh khu vực Tây Nguyên"),
    }
    assert got["2"] == {  # the group restricted by "có ..." keeps its restriction
        ("thực hiện", "Tỉnh ủy, Thành ủy các tỉnh, thành phố có rừng phòng hộ"),
        ("thực hiện", "Ủy ban nhân dân các tỉnh, thành phố có rừng phòng hộ"),
    }
    assert got["3"] == {("thực hiện", "Ủy ban nhân dân các tỉnh, thành phố")}  # a duty, not a restriction


def test_party_committees_of_listed_bodies_are_each_named():
    text = (
        "Bộ Chính trị kết luận như sau:\n\n"
        "1. Các Đảng ủy Bộ Tài chính, Bộ Nội vụ khẩn trương phân bổ kinh phí.\n\n"
        "2. Đảng ủy Chính phủ, đảng ủy các bộ, cơ quan ngang bộ chịu trách nhiệm thực hiện phân cấp.\n"
    )
    got = roles(drafted(text))
    assert got["1"] == {("chủ trì", "Đảng ủy Bộ Tài chính"), ("chủ trì", "Bộ Nội vụ")}
    assert got["2"] == {
        ("chủ trì", "Đảng ủy Chính phủ"),
        ("thực hiện", "Đảng ủy các bộ"),
        ("thực hiện", "Đảng ủy các cơ quan ngang bộ"),
    }


def test_a_group_headed_with_a_capital_and_its_area_is_read_whole():
    # "các Cảng vụ đường thủy nội địa tại khu vực X": the head has its capital, its field is in lower case, the area
    # it is named for is part of the name; the list goes on to its action, so all of it is directed
    text = (
        "(1) Cục Đường thủy chỉ đạo Cảng vụ Hàng hải Hải Phòng và các Cảng vụ đường thủy nội địa tại khu vực "
        "Quảng Ninh huy động lực lượng tìm kiếm.\n\n(2) Bộ Y tế cấp thuốc.\n"
    )
    got = roles(drafted(text))
    assert ("thực hiện", "các Cảng vụ đường thủy nội địa tại khu vực Quảng Ninh") in got["(1)"]
    assert ("thực hiện", "Cảng vụ Hàng hải Hải Phòng") in got["(1)"]


def test_a_clause_after_a_semicolon_names_its_own_subject():
    text = (
        "1. Giao Học viện Chính trị quốc gia Hồ Chí Minh chủ trì xây dựng kế hoạch tập huấn; các tỉnh ủy, thành ủy "
        "chịu trách nhiệm hướng dẫn các nội dung theo thẩm quyền.\n\n2. Giao Đảng ủy Chính phủ rà soát.\n"
    )
    got = roles(drafted(text))
    assert got["1"] == {("chủ trì", "Học viện Chính trị quốc gia Hồ Chí Minh"), ("thực hiện", "các tỉnh ủy, thành ủy")}


def test_the_provinces_addressed_by_the_government_are_their_people_s_committees():
    directive = drafted("1. Các tỉnh, thành phố:\n\na) Rà soát thiệt hại.\n\n2. Bộ Y tế cấp thuốc.\n")
    task = next(task for task, _ in directive.walk() if task.id == "1")
    assert [a.agency for a in task.assignments] == ["ubnd-cac-tinh"]


def test_a_courteous_request_of_the_issuer_addresses_the_bodies_after_it():
    text = (
        "1. Bộ Y tế cấp thuốc.\n\n"
        "2. Chính phủ trân trọng đề nghị Ủy ban Trung ương Mặt trận Tổ quốc Việt Nam vận động ủng hộ người dân.\n"
    )
    assert roles(drafted(text))["2"] == {("chủ trì", "Ủy ban Trung ương Mặt trận Tổ quốc Việt Nam")}


def test_a_closing_emphasis_paragraph_with_a_request_is_a_closing_task():
    text = (
        "1. Bộ Y tế cấp thuốc.\n\n2. Văn phòng Chính phủ theo dõi, đôn đốc.\n\n"
        "Đây là nhiệm vụ rất quan trọng, cấp bách. Thủ tướng Chính phủ đề nghị các Đồng chí Bộ trưởng, Thủ trưởng "
        "cơ quan ngang bộ quan tâm chỉ đạo hoàn thành.\n"
    )
    directive = drafted(text)
    got = roles(directive)
    assert got["2"] == {("chủ trì", "Văn phòng Chính phủ")}
    closing = next(task for task, _ in directive.walk() if task.id == "cuối-1")
    assert {a.agency for a in closing.assignments} == {"cac-bo", "co-quan-ngang-bo"}  # the ministers: their ministries


def test_two_titles_of_one_head_name_one_body():
    text = (
        "1. Chủ tịch Hội đồng thành viên, Tổng giám đốc các Tập đoàn, Tổng công ty khẩn trương hoàn thành dự án.\n\n"
        "2. Bộ Y tế cấp thuốc.\n"
    )
    directive = drafted(text)
    task = next(task for task, _ in directive.walk() if task.id == "1")
    assert [(a.role.value, a.agency) for a in task.assignments] == [("thực hiện", "tap-doan-tong-cong-ty")]

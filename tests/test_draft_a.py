"""Addressees that lead the items under them (issue 19, classes 1, 5 and 6), each on a minimal made-up text."""

from __future__ import annotations

from matrix.draft import draft_text
from matrix.input.catalogue import standard_registry

HEAD = "ỦY BAN NHÂN DÂN\nTỈNH ĐỒNG THÁP\nSố: 15/UBND-NC\nV/v bảo đảm an ninh, trật tự\n"


def written(body: str, task: str) -> list[str]:
    """The names as the draft writes them on one task."""
    draft = draft_text(HEAD + body, standard_registry(), "cv")
    return [a.written or "" for node in draft.directive.tree if node.id == task for a in node.task.assignments]


def assigned(body: str) -> dict[str, set[tuple[str, str]]]:
    """Task id -> {(agency id, role)} of the draft of ``HEAD + body``."""
    draft = draft_text(HEAD + body, standard_registry(), "cv")
    return {node.id: {(a.agency, a.role.value) for a in node.task.assignments} for node in draft.directive.tree}


def test_one_body_addressed_by_the_preamble_leads_the_items_a_group_makes_them_general():
    one = assigned("Chủ tịch UBND tỉnh yêu cầu Công an tỉnh thực hiện các nội dung sau:\n1. Tăng cường tuần tra.\n")
    assert one["1"] == {("cong-an-tinh", "chủ trì")}
    both = assigned(
        "Chủ tịch UBND tỉnh yêu cầu Công an tỉnh và các sở, ngành tỉnh thực hiện các nội dung sau:\n"
        "1. Tăng cường tuần tra.\n"
    )
    assert both["1"] == {("cong-an-tinh", "thực hiện"), ("so-ban-nganh", "thực hiện")}


def test_a_lead_in_paragraph_under_a_heading_gives_its_addressee_to_the_sub_items():
    got = assigned(
        "I. TÌNH HÌNH\nTình hình cơ bản ổn định.\nII. NHIỆM VỤ TRỌNG TÂM\n"
        "Đề nghị Sở Y tế tập trung thực hiện các nhiệm vụ trong thời gian tới; trong đó lưu ý một số nội dung sau:\n"
        "1. Kiểm tra an toàn thực phẩm.\n2. Công an tỉnh bảo đảm trật tự tại bệnh viện.\n"
    )
    assert got["II"] == set()
    assert got["1"] == {("so-y-te", "chủ trì")}
    assert got["2"] == {("cong-an-tinh", "chủ trì")}  # an item's own lead, never the lead-in's
    # a heading that is its own lead-in keeps the addressee, and its sub-items inherit it
    got = assigned("1. Công an tỉnh chỉ đạo thực hiện các nội dung sau:\na) Tăng cường tuần tra.\nb) Xử lý vi phạm.\n")
    assert got["1"] == {("cong-an-tinh", "chủ trì")} and got["a"] == got["b"] == set()


def test_a_term_defined_by_its_members_stands_for_them_where_it_is_used():
    got = assigned(
        "Ủy ban nhân dân tỉnh yêu cầu các sở, ngành tỉnh thực hiện các nội dung sau:\n"
        "1. Cơ quan thẩm định (gồm Sở Tài chính, Sở Xây dựng) có trách nhiệm thẩm định dự án.\n"
        "2. Cơ quan thẩm định báo cáo kết quả thẩm định.\n"
        "3. Giao cơ quan thẩm định chủ trì, phối hợp với Sở Y tế rà soát hồ sơ.\n"
        "4. Tuyên truyền pháp luật.\n"
    )
    members = {("so-tai-chinh", "chủ trì"), ("so-xay-dung", "chủ trì")}
    assert got["1"] == got["2"] == members
    assert got["3"] == members | {("so-y-te", "phối hợp")}
    assert got["4"] == {("so-ban-nganh", "thực hiện")}
    # a body's own name followed by its parts is not a term
    got = assigned(
        "Ủy ban nhân dân tỉnh yêu cầu:\n1. Sở Y tế (gồm các phòng chuyên môn) kiểm tra an toàn thực phẩm.\n"
        "2. Sở Y tế báo cáo kết quả.\n"
    )
    assert got["2"] == {("so-y-te", "chủ trì")}


def test_a_heading_that_describes_a_group_is_its_items_own_addressee():
    got = assigned(
        "Ủy ban nhân dân tỉnh yêu cầu các sở, ngành tỉnh thực hiện các nội dung sau:\n"
        "1. Các cơ sở sản xuất, kinh doanh và đơn vị thu gom chất thải rắn\n"
        "- Thực hiện nghiêm quy định về môi trường.\n"
        "2. Các cơ quan, đơn vị tăng cường công tác sau:\n- Kiểm tra an toàn thực phẩm.\n"
    )
    # kept as written (placeholders, not the preamble's departments), one group each side of "và"
    assert {role for _, role in got["1"]} == {"thực hiện"} and len(got["1"]) == 2
    assert not any(agency == "so-ban-nganh" for agency, _ in got["1"])
    assert written(
        "1. Các cơ sở sản xuất, kinh doanh và đơn vị thu gom chất thải rắn\n- Thực hiện nghiêm quy định.\n", "1"
    ) == ["Các cơ sở sản xuất, kinh doanh", "Các đơn vị thu gom chất thải rắn"]
    assert got["2"] == {("so-ban-nganh", "thực hiện")}  # a sentence, not a heading: the preamble's addressees
    # the public beside the group is no addressee
    assert written("1. Các doanh nghiệp viễn thông, tổ chức, cá nhân có liên quan\n- Kiểm tra.\n", "1") == [
        "Các doanh nghiệp viễn thông"
    ]


def test_a_heading_about_a_group_after_doi_voi_names_the_group():
    text = (
        "Ủy ban nhân dân tỉnh yêu cầu các sở, ngành tỉnh thực hiện các nội dung sau:\n"
        "1. Đối với các cơ sở sản xuất có lưu lượng xả thải lớn:\n- Lắp đặt thiết bị quan trắc.\n"
        "2. Đối với các dự án đầu tư công:\n- Rà soát tiến độ.\n"
        "3. Đối với các cơ quan, đơn vị liên quan:\n- Kiểm tra.\n"
    )
    assert written(text, "1") == ["Các cơ sở sản xuất"]
    got = assigned(text)
    assert got["2"] == got["3"] == {("so-ban-nganh", "thực hiện")}  # a topic, a vague phrase: the preamble's


def test_the_bodies_named_before_phoi_hop_voi_lead_wherever_the_sentence_puts_them():
    got = assigned(
        "Ủy ban nhân dân tỉnh yêu cầu:\n"
        "1. Năm 2025, Công an tỉnh, Bộ Chỉ huy Bộ đội Biên phòng tỉnh phối hợp với Sở Y tế tuần tra.\n"
        "2. Hằng năm, UBND các xã, phường phối hợp với Công an tỉnh rà soát.\n"
        "3. Tuyên truyền pháp luật. Sở Tư pháp là cơ quan chủ trì, phối hợp với Sở Nội vụ thực hiện.\n"
        "4. Tham mưu Ủy ban nhân dân tỉnh phối hợp với Sở Y tế tổ chức hội nghị.\n"
        "5. Tăng cường tuần tra, các cơ quan liên quan phối hợp với Sở Y tế kiểm tra.\n"
    )
    assert got["1"] == {("cong-an-tinh", "chủ trì"), ("bdbp-tinh", "chủ trì"), ("so-y-te", "phối hợp")}
    assert got["2"] == {("ubnd-cap-xa", "thực hiện"), ("cong-an-tinh", "phối hợp")}
    assert got["3"] == {("so-tu-phap", "chủ trì"), ("so-noi-vu", "phối hợp")}
    assert got["4"] == set()  # the issuer, advised, is no lead
    assert got["5"] == {("so-y-te", "phối hợp")}  # vague subjects are no addressees

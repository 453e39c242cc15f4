"""Addressees that lead the items under them (issue 19, classes 1, 5 and 6), each on a minimal made-up text."""

from __future__ import annotations

from matrix.catalogue import standard_registry
from matrix.draft import draft_text

HEAD = "ỦY BAN NHÂN DÂN\nTỈNH ĐỒNG THÁP\nSố: 15/UBND-NC\nV/v bảo đảm an ninh, trật tự\n"


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

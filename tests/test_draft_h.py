"""Addressees the drafter used to lose on texts it was not tuned on (issue 19, drafter-h): made-up minimal texts."""

from __future__ import annotations

from matrix.draft import draft_text
from matrix.input.catalogue import standard_registry

HEAD = "ỦY BAN NHÂN DÂN\nTỈNH ĐỒNG THÁP\nSố: 15/UBND-NC\nV/v bảo đảm an ninh, trật tự\n"


def roles(text: str, head: str = HEAD) -> dict[str, set[tuple[str, str]]]:
    """Each task's (written name, role) pairs, by task id."""
    draft = draft_text(head + text, standard_registry(), "cv")
    return {node.id: {(a.written, a.role.value) for a in node.task.assignments} for node in draft.directive.tree}


def agencies(text: str) -> dict[str, set[tuple[str, str]]]:
    """Each task's (agency id without its province, role) pairs, by task id."""
    from matrix.input.catalogue import unscoped

    draft = draft_text(HEAD + text, standard_registry(), "cv")
    return {
        node.id: {(unscoped(a.agency), a.role.value) for a in node.task.assignments} for node in draft.directive.tree
    }


def test_units_owned_by_a_named_body_are_a_group_and_the_list_goes_on():
    found = roles(
        "1. Sở Tư pháp chủ trì, phối hợp với các đơn vị thuộc Bộ Quốc phòng, Sở Y tế kiểm tra.\n"
        "2. Sở Tư pháp chủ trì, phối hợp với các phòng, ban chuyên môn thuộc Ủy ban nhân dân các xã, phường, "
        "Sở Y tế kiểm tra.\n"
        "3. Sở Tư pháp chủ trì, phối hợp với các đơn vị trực thuộc, Sở Y tế kiểm tra.\n"
    )
    assert ("Các đơn vị thuộc Bộ Quốc phòng", "phối hợp") in found["1"]
    assert ("Sở Y tế", "phối hợp") in found["1"]
    assert ("Các phòng, ban chuyên môn thuộc Ủy ban nhân dân các xã, phường", "phối hợp") in found["2"]
    assert ("Sở Y tế", "phối hợp") in found["2"]
    assert {name for name, _ in found["3"]} == {"Sở Tư pháp", "Sở Y tế"}  # owned by nobody named: vague


def test_departments_written_ban_nganh_without_a_comma():
    found = agencies(
        "1. Sở Công Thương chủ trì, phối hợp với các sở, ban ngành, Ủy ban nhân dân cấp xã tổ chức tuyên truyền.\n"
    )
    assert ("so-ban-nganh", "phối hợp") in found["1"] and ("ubnd-cap-xa", "phối hợp") in found["1"]


def test_a_term_defined_after_the_last_entry_of_a_list_stands_for_that_entry_only():
    found = agencies(
        "Đối tượng áp dụng gồm: các sở, ban ngành thuộc tỉnh; Ủy ban nhân dân các xã, phường (gọi chung là "
        "Ủy ban nhân dân cấp xã).\n1. Ủy ban nhân dân cấp xã kiểm tra hành lang an toàn lưới điện.\n"
    )
    assert found["1"] == {("ubnd-cap-xa", "thực hiện")}


def test_a_group_name_ends_before_the_verbs_xem_xet_and_phe_duyet():
    found = roles(
        "1. Các cơ quan chuyên môn thuộc Ủy ban nhân dân tỉnh xem xét hồ sơ.\n"
        "2. Các đơn vị sự nghiệp thuộc Sở Y tế phê duyệt kế hoạch.\n"
    )
    assert found["1"] == {("Các cơ quan chuyên môn thuộc Ủy ban nhân dân tỉnh", "thực hiện")}
    assert found["2"] == {("Các đơn vị sự nghiệp thuộc Sở Y tế", "thực hiện")}


def test_the_issuer_written_with_an_abbreviation_is_never_an_addressee():
    found = roles(
        "Triển khai Nghị quyết số 57-NQ/TW của Bộ Chính trị. UBND thành phố Cần Thơ ban hành Kế hoạch phát triển "
        "hạ tầng số với những nội dung cụ thể như sau:\nI. MỤC ĐÍCH, YÊU CẦU\n1. Mục đích\n- Phát triển hạ tầng.\n"
        "II. GIẢI PHÁP\n1. Hoàn thiện thể chế\na) Rà soát quy định.\nIII. KINH PHÍ THỰC HIỆN\nKinh phí từ ngân sách.\n"
        "IV. TỔ CHỨC THỰC HIỆN\n1. Sở Y tế chủ trì kiểm tra.\n",
        "ỦY BAN NHÂN DÂN\nTHÀNH PHỐ CẦN THƠ\nSố: 15/KH-UBND\nCần Thơ, ngày 24 tháng 11 năm 2025\nKẾ HOẠCH\n"
        "Phát triển hạ tầng số\n",
    )
    assert found["II"] == set() and found["III"] == set()
    assert found["IV.1"] == {("Sở Y tế", "chủ trì")}


def test_the_office_of_every_commune_party_committee_is_a_catalogue_group():
    found = agencies(
        "Đồng Tháp, ngày 09 tháng 7 năm 2025\nĐề nghị Đảng ủy cấp xã chỉ đạo Văn phòng Đảng ủy các xã, phường, "
        "đặc khu khẩn trương bổ nhiệm kế toán trưởng.\n1. Văn phòng Đảng ủy cấp xã lập dự toán.\n"
    )
    assert found["1"] == {("van-phong-dang-uy-cap-xa", "thực hiện")}

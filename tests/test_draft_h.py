"""Addressees the drafter used to lose on texts it was not tuned on (issue 19, drafter-h): made-up minimal texts."""

from __future__ import annotations

from matrix.draft import draft_text
from matrix.input.catalogue import standard_registry

HEAD = "ỦY BAN NHÂN DÂN\nTỈNH ĐỒNG THÁP\nSố: 15/UBND-NC\nV/v bảo đảm an ninh, trật tự\n"


def roles(text: str) -> dict[str, set[tuple[str, str]]]:
    """Each task's (written name, role) pairs, by task id."""
    draft = draft_text(HEAD + text, standard_registry(), "cv")
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

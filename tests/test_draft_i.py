"""General readings of addressees the drafter missed on directives it was not tuned on (issue 19)."""

from __future__ import annotations

from matrix.draft import draft_text
from matrix.input.catalogue import standard_registry

HEAD = (
    "ỦY BAN NHÂN DÂN\nTHÀNH PHỐ HỒ CHÍ MINH\nSố: 15/UBND-NC\nV/v đánh giá cán bộ\nỦy ban nhân dân Thành phố yêu cầu:\n"
)


def assigned(body: str) -> list[str]:
    draft = draft_text(HEAD + body + "\n", standard_registry(), "cv")
    return [a.written for node in draft.directive.tree for a in node.task.assignments]


def test_a_title_before_a_body_noun_without_cac_stands_for_every_such_body():
    names = assigned("1. Thủ trưởng đơn vị sự nghiệp thuộc Sở Y tế rà soát hồ sơ.")
    assert names == ["Các đơn vị sự nghiệp thuộc Sở Y tế"]


def test_a_title_before_a_list_of_body_nouns_sharing_their_owner():
    names = assigned(
        "1. Người đứng đầu cơ quan chuyên môn, cơ quan hành chính khác thuộc Ủy ban nhân dân Thành phố xem xét."
    )
    assert names == [
        "Các cơ quan chuyên môn thuộc Ủy ban nhân dân Thành phố",
        "Các cơ quan hành chính khác thuộc Ủy ban nhân dân Thành phố",
    ]


def test_a_comma_before_thuoc_sets_off_the_owner_of_the_listed_bodies():
    names = assigned(
        "1. Các cơ quan chuyên môn, cơ quan hành chính khác, thuộc Ủy ban nhân dân Thành phố, Sở Y tế xem xét."
    )
    assert names == [
        "Các cơ quan chuyên môn thuộc Ủy ban nhân dân Thành phố",
        "Các cơ quan hành chính khác thuộc Ủy ban nhân dân Thành phố",
        "Sở Y tế",
    ]
    assert assigned("1. Các đơn vị sự nghiệp, trực thuộc Sở Y tế rà soát.") == [
        "Các đơn vị sự nghiệp trực thuộc Sở Y tế"
    ]


def test_names_joined_by_hoac_are_all_read():
    draft = draft_text(
        HEAD
        + "1. Sở Xây dựng chủ trì, phối hợp với Sở Y tế hoặc Ủy ban nhân dân các xã, phường kiểm tra công trình.\n",
        standard_registry(),
        "cv",
    )
    roles = [(a.written, a.role) for node in draft.directive.tree for a in node.task.assignments]
    assert roles == [
        ("Sở Xây dựng", "chủ trì"),
        ("Sở Y tế", "phối hợp"),
        ("Ủy ban nhân dân các xã, phường", "phối hợp"),
    ]


def test_the_force_of_a_body_is_the_body():
    assert assigned("1. Giao lực lượng Công an cấp xã tăng cường tuần tra.") == ["Công an cấp xã"]

"""Names the standard catalogue knows (issue 19): spellings of the groups, bodies every province has,
the cities' own names of standard bodies, a province's bodies named with the province, central departments
and the provinces' committees as a central text names them."""

from __future__ import annotations

import datetime as dt

import pytest

from matrix.draft import draft_text
from matrix.input.catalogue import standard_registry


def head(province: str) -> str:
    return f"ỦY BAN NHÂN DÂN\n{province.upper()}\nSố: 15/UBND-NC\nV/v triển khai nhiệm vụ\n"


CENTRAL = "THỦ TƯỚNG CHÍNH PHỦ\nSố: 9/CĐ-TTg\nCÔNG ĐIỆN\nVề việc ứng phó với bão\n"


def chosen(text: str, *provinces: str) -> list[tuple[str, str, str]]:
    """(task, agency id, role) of every assignment of the draft of ``text``."""
    draft = draft_text(text, standard_registry(provinces), "cv")
    assert draft.directive is not None
    return [(task.id, a.agency, a.role.value) for task, _ in draft.directive.walk() for a in task.assignments]


@pytest.mark.parametrize(
    "name",
    ["Ủy ban nhân dân xã, phường", "UBND phường, xã", "Ủy ban nhân dân các xã, phường và đặc khu"],
)
def test_the_communes_committees_as_a_letter_writes_them(name):
    # the loader's lookup (validate, export, a hand-written file), not only the drafter's reading, knows them
    assert standard_registry(["dong-thap"]).resolve(name, "dong-thap").id == "ubnd-cap-xa"
    got = chosen(head("tỉnh Đồng Tháp") + f"1. {name} rà soát, thống kê các hộ dân.\n", "dong-thap")
    assert got == [("1", "ubnd-cap-xa", "thực hiện")]


@pytest.mark.parametrize(
    "name", ["Các sở, ngành", "Sở, ban, ngành tỉnh", "Các sở, ban, ngành thuộc Ủy ban nhân dân tỉnh"]
)
def test_the_departments_group_as_a_letter_writes_it(name):
    registry = standard_registry(["dong-thap"])
    assert registry.resolve(name, "dong-thap").id == "so-ban-nganh"
    assert registry.lookup(name + " có liên quan", "dong-thap").agency is None  # a phrase of relevance is no group
    got = chosen(head("tỉnh Đồng Tháp") + f"1. {name} rà soát, thống kê các hộ dân.\n", "dong-thap")
    assert got == [("1", "so-ban-nganh", "thực hiện")]


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("Hiệp hội Doanh nghiệp tỉnh", "hiep-hoi-doanh-nghiep-tinh"),
        ("Liên minh Hợp tác xã tỉnh", "lien-minh-htx-tinh"),
        ("Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh", "lien-hiep-hoi-khkt-tinh"),
        ("Cổng Thông tin điện tử tỉnh", "cong-ttdt-tinh"),
        ("Trung tâm Kiểm soát bệnh tật tỉnh", "cdc-tinh"),
        ("Chi nhánh Ngân hàng Chính sách xã hội tỉnh", "nhcsxh-tinh"),
        ("Văn phòng Đoàn đại biểu Quốc hội và Hội đồng nhân dân tỉnh", "vp-doan-dbqh-hdnd-tinh"),
        ("Hội Chữ thập đỏ tỉnh", "hoi-chu-thap-do-tinh"),
    ],
)
def test_bodies_every_province_has(name, body):
    got = chosen(head("tỉnh Sơn La") + f"1. {name} tuyên truyền, vận động hội viên.\n", "son-la")
    assert got == [("1", body, "chủ trì")]
    for other in ("ca-mau", "ha-noi"):  # every province has one, with its own kind
        kind = "thành phố" if other == "ha-noi" else "tỉnh"
        assert standard_registry([other]).resolve(name.replace("tỉnh", kind), other) is not None


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("Thống kê tỉnh Bắc Ninh", "thong-ke-tinh"),
        ("Tòa án nhân dân tỉnh Bắc Ninh", "tand-tinh"),
        ("Ban Tổ chức Tỉnh ủy Bắc Ninh", "ban-to-chuc-tu"),
        ("Bảo hiểm xã hội tỉnh Bắc Ninh", "bhxh-tinh"),
    ],
)
def test_a_province_body_named_with_the_province(name, body):
    assert standard_registry(["bac-ninh"]).resolve(name, "bac-ninh").id == body
    got = chosen(head("tỉnh Bắc Ninh") + f"1. {name} tổng hợp số liệu, báo cáo.\n", "bac-ninh")
    assert got == [("1", body, "chủ trì")]


def test_the_cities_call_some_standard_bodies_by_their_own_names():
    text = "1. {} phối hợp tổ chức các hoạt động văn hóa, thể thao.\n"
    hanoi = chosen(head("thành phố Hà Nội") + text.format("Sở Văn hóa và Thể thao"), "ha-noi")
    assert hanoi == [("1", "so-vhttdl", "chủ trì")]
    hanoi = chosen(head("thành phố Hà Nội") + text.format("Bộ Tư lệnh Thủ đô"), "ha-noi")
    assert hanoi == [("1", "bchqs-tinh", "chủ trì")]
    hcm = chosen(head("Thành phố Hồ Chí Minh") + text.format("Bộ Tư lệnh Thành phố"), "ho-chi-minh")
    assert hcm == [("1", "bchqs-tinh", "chủ trì")]
    assert standard_registry(["ha-noi"]).get("bchqs-tinh").name == "Bộ Tư lệnh Thủ đô Hà Nội"
    # elsewhere the standard names stand, and a city's own name is not a body of another province
    other = standard_registry(["dong-thap"])
    assert other.get("so-vhttdl").name == "Sở Văn hóa, Thể thao và Du lịch"
    assert other.resolve("Sở Văn hóa và Thể thao", "dong-thap") is None
    assert other.resolve("Bộ Tư lệnh Thành phố", "dong-thap") is None
    # the provinces merged into a city keep their standard bodies until the merger
    before = standard_registry(["ho-chi-minh"]).lookup("Bộ Chỉ huy Quân sự tỉnh Bình Dương", "binh-duong").agency
    assert before is not None and before.id == "binh-duong-bchqs-tinh" and before.successor == "bchqs-tinh"


def test_a_central_text_names_a_province_committee_and_a_ministry_department():
    got = chosen(
        CENTRAL
        + "1. Ủy ban nhân dân tỉnh Quảng Ninh chỉ đạo cấm biển.\n"
        + "2. Thường trực Tỉnh ủy Thanh Hóa lãnh đạo công tác ứng phó.\n"
        + "3. Cục Hàng hải và Đường thủy Việt Nam điều động tàu cứu nạn.\n"
    )
    assert got == [
        ("1", "ubnd-quang-ninh", "chủ trì"),
        ("2", "tinh-uy-thanh-hoa", "chủ trì"),
        ("3", "cuc-hang-hai-duong-thuy", "chủ trì"),
    ]
    # a province's own committee comes before the central entry of its name
    own = standard_registry(["thanh-hoa"])
    assert own.resolve("Thường trực Tỉnh ủy Thanh Hóa", "thanh-hoa").id == "tinh-uy"
    # a central text the province's registry reads (it names the province) knows the province's committee
    assert own.resolve("Ủy ban nhân dân tỉnh Thanh Hóa", "thanh-hoa").id == "ubnd-thanh-hoa"


def test_a_merged_province_committee_ends_with_the_merger():
    registry = standard_registry()
    old = registry.lookup("Ủy ban nhân dân tỉnh Tiền Giang", None, dt.date(2025, 5, 1)).agency
    assert old is not None and old.successor == "ubnd-dong-thap"
    later = registry.lookup("Ủy ban nhân dân tỉnh Tiền Giang", None, dt.date(2025, 8, 1))
    assert later.agency is None and [a.id for a in later.defunct] == ["ubnd-tien-giang"]
    assert registry.current(later.defunct[0], dt.date(2025, 8, 1)).id == "ubnd-dong-thap"

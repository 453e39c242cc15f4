"""The registry after the 2025 reorganisation: standard catalogue, as-of resolution, dated groups, registry init."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from matrix.cli import main
from matrix.core.model import IssuerKind, Role
from matrix.core.pivot import build_matrix
from matrix.core.text import match_key
from matrix.input import catalogue
from matrix.input.load import load_corpus, load_registry
from matrix.input.yamlio import Report

from .helpers import INPUT

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "registry"
DT_2026 = FIXTURES / "dongthap-ubnd-kh-antt-2026.yaml"
DISTRICTS_DT = ("Ủy ban nhân dân thành phố Cao Lãnh", "Ủy ban nhân dân huyện Tháp Mười")


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args, **kw):
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False, **kw)

    return invoke


def folder(tmp_path: Path, text: str, name: str = "vb.yaml", registry: Path | str = INPUT / "co-quan.yaml") -> Path:
    """A folder with a registry and one directive."""
    if isinstance(registry, Path):
        shutil.copy(registry, tmp_path / "co-quan.yaml")
    else:
        (tmp_path / "co-quan.yaml").write_text(textwrap.dedent(registry), encoding="utf-8")
    (tmp_path / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path


def directive(
    date: str | None, province: str | None, *names: str, role: str = "chủ trì", kind: str = "nhà nước"
) -> str:
    lines = ["id: vb", "kind: công văn"]
    if date:
        lines.append(f"date: {date}")
    if province:
        lines.append(f"province: {province}")
    lines += [
        f"issuer: {{name: UBND tỉnh, kind: {kind}}}",
        "title: T",
        "tasks:",
        "  - id: '1'",
        "    text: a",
        "    assign:",
        f"      {role}:",
    ]
    lines += [f'        - "{n}"' for n in names]
    return "\n".join(lines) + "\n"


def errors(path: Path) -> list[str]:
    return [str(p) for p in load_corpus([path]).problems if p.is_error]


# --------------------------------------------------------------------------- provinces and communes


def test_provinces_and_communes_come_from_the_package():
    assert len(catalogue.provinces()) == 34
    assert sum(len(catalogue.communes(p.id)) for p in catalogue.provinces()) == 3321
    assert len(catalogue.communes("dong-thap")) == 102
    assert len(catalogue.communes("hung-yen")) == 104
    assert {p.id for p in catalogue.provinces() if p.is_city} == {
        "ha-noi",
        "hai-phong",
        "hue",
        "da-nang",
        "ho-chi-minh",
        "can-tho",
    }
    slugs = [c.slug for c in catalogue.communes("dong-thap")]
    assert len(set(slugs)) == len(slugs)  # "Tân Thành" and "Tân Thạnh" share the package's codename


def test_merger_table_covers_the_63_old_provinces():
    mergers = catalogue.mergers()
    assert len(mergers) == 29 and len(catalogue.province_names()) == 63
    assert mergers["tien-giang"] == "dong-thap" and mergers["thai-binh"] == "hung-yen"
    assert {old for old, new in mergers.items() if new == "ho-chi-minh"} == {"ba-ria-vung-tau", "binh-duong"}
    assert catalogue.merger_date() == dt.date(2025, 7, 1)


@pytest.mark.parametrize(
    "written, expected",
    [
        ("Đồng Tháp", "dong-thap"),
        ("dong-thap", "dong-thap"),
        ("dong thap", "dong-thap"),
        ("tỉnh Đắk Lắk", "dak-lak"),
        ("Thành phố Hồ Chí Minh", "ho-chi-minh"),
        ("TP. Cần Thơ", "can-tho"),
        ("TP Hà Nội", "ha-noi"),
        ("Tiền Giang", "tien-giang"),
        ("Thừa Thiên Huế", "hue"),
        ("Atlantis", None),
    ],
)
def test_find_province(written, expected):
    assert catalogue.find_province(written) == expected


def test_province_in_text_finds_the_first_named_province():
    assert catalogue.province_in_text("Ủy ban nhân dân tỉnh Đắk Lắk yêu cầu") == "dak-lak"
    assert catalogue.province_in_text("trên địa bàn TP. Cần Thơ và tỉnh An Giang") == "can-tho"
    assert catalogue.province_in_text("Công an các xã, phường") is None


# --------------------------------------------------------------------------- the catalogue


def test_catalogue_sizes():
    dong_thap = catalogue.province_registry("dong-thap")
    # one province's registry: its bodies keep the short ids, Tiền Giang's (merged in) are prefixed
    standard = [a for a in dong_thap.agencies if a.province == "dong-thap" and not a.id.startswith("dong-thap-")]
    assert len(standard) == 83 and len([a for a in standard if a.is_group]) == 10
    old = [a for a in dong_thap.agencies if a.province == "tien-giang"]
    assert all(a.id.startswith("tien-giang-") and a.valid_to <= dt.date(2025, 6, 30) for a in old)
    assert dong_thap.get("tien-giang-cong-an-tinh").successor == "cong-an-tinh"
    assert dong_thap.get("tien-giang-so-tttt").successor == "tien-giang-so-khcn"
    central = {a.id for a in catalogue.central_entries()}
    assert len(central) == 79 + 8 + 2 * (34 + 29)  # with the committees of the 34 provinces and the 29 merged away
    assert all(a.id in central for a in dong_thap.agencies if a.province is None)
    assert "so-du-lich" not in dong_thap and "so-ngoai-vu" in dong_thap and "bdbp-tinh" in dong_thap
    assert "bdbp-tinh" not in catalogue.province_registry("ha-noi")
    assert len([a for a in dong_thap.agencies if a.id.startswith("dong-thap-")]) == 3 * 102


def test_every_name_means_one_body_whatever_the_date_in_the_shipped_registry(seed_corpus):
    """The drafter looks names up without a date: no name of the shipped registry may be shared by two bodies."""
    owners: dict[tuple[str, str | None], str] = {}
    for agency in seed_corpus.registry.agencies:
        for name in agency.names():
            assert owners.setdefault((match_key(name), agency.province), agency.id) == agency.id, name


@pytest.mark.parametrize("on", [dt.date(2024, 6, 1), dt.date(2025, 4, 1), dt.date(2026, 1, 1)])
def test_every_name_means_one_body_on_any_date_in_every_province(on):
    for item in catalogue.provinces():
        registry = catalogue.province_registry(item.id)
        owners: dict[tuple[str, str | None], str] = {}
        for agency in registry.valid_on(on):
            for name in agency.names():
                key = (match_key(name), agency.province)
                assert owners.setdefault(key, agency.id) == agency.id, (item.id, name)
        for agency in registry.agencies:
            assert agency.successor is None or agency.successor in registry
            for members in agency.members.values():
                assert all(m in registry for m in members)


def test_city_forms():
    city = catalogue.province_registry("TP. Cần Thơ")
    for name, agency_id in [
        ("Công an thành phố", "cong-an-tinh"),
        ("Thành ủy", "tinh-uy"),
        ("Ủy ban MTTQ Việt Nam thành phố", "ubmttq-tinh"),
        ("Các sở, ban, ngành thành phố", "so-ban-nganh"),
        ("Thanh tra thành phố", "thanh-tra-tinh"),
        ("Ban Tuyên giáo và Dân vận Thành ủy", "ban-tuyen-giao-dan-van-tu"),
        ("Đảng ủy Công an thành phố", "cong-an-tinh"),
    ]:
        found = city.resolve(name, "can-tho", dt.date(2026, 1, 1))
        assert found is not None and found.id == agency_id, name
    assert city.resolve("Công an tỉnh", "can-tho", dt.date(2026, 1, 1)) is None


@pytest.mark.parametrize(
    "written, agency_id",
    [
        ("Chi cục Hải quan khu vực XVI", "chi-cuc-hai-quan-khu-vuc"),
        ("Kho bạc Nhà nước khu vực XIX", "kho-bac-khu-vuc"),
        ("Tòa án nhân dân khu vực 1 - Đồng Tháp", "tand-khu-vuc"),
        ("Viện kiểm sát nhân dân khu vực 3", "vksnd-khu-vuc"),
    ],
)
def test_numbered_regional_bodies_resolve_to_the_regional_body(written, agency_id):
    registry = catalogue.province_registry("dong-thap")
    assert registry.resolve(written, "dong-thap", dt.date(2026, 1, 1)).id == agency_id
    assert registry.resolve("Sở Nội vụ khu vực 2", "dong-thap", dt.date(2026, 1, 1)) is None


def test_mixed_registry_gives_a_city_its_own_bodies():
    registry = catalogue.province_registry("dong-thap")
    from matrix.core.model import Registry

    mixed = Registry(
        registry.blocks,
        catalogue.catalogue_entries(["dong-thap", "ha-noi"]),
        registry.provinces,
        registry.mergers,
        registry.merger_date,
    )
    on = dt.date(2026, 1, 1)
    assert mixed.resolve("Công an thành phố", "ha-noi", on).id == "ha-noi-cong-an-tinh"
    assert mixed.resolve("Công an tỉnh", "dong-thap", on).id == "dong-thap-cong-an-tinh"
    assert mixed.resolve("Công an tỉnh", "tien-giang", dt.date(2025, 1, 1)).id == "tien-giang-cong-an-tinh"
    assert mixed.resolve("Công an tỉnh", "tien-giang", on).id == "dong-thap-cong-an-tinh"
    assert mixed.resolve("Công an tỉnh", None, on).id == "cong-an-tinh"  # a text naming no province
    assert mixed.resolve("UBND các xã, phường", "ha-noi", on).id == "ha-noi-ubnd-cap-xa"


def test_requested_depends_on_the_issuer_kind():
    registry = catalogue.province_registry("dong-thap")
    for agency_id in (
        "vksnd-tinh",
        "ubmttq-tinh",
        "ban-tuyen-giao-dan-van-tu",
        "dang-uy-ubnd-tinh",
        "chi-cuc-hai-quan-khu-vuc",
    ):
        agency = registry.get(agency_id)
        assert agency.requested_by(IssuerKind.STATE) and not agency.requested_by(IssuerKind.PARTY)
    for agency_id in ("cong-an-tinh", "so-khcn", "chi-cuc-qltt", "dong-thap-ubnd-xa-my-hiep"):
        assert not registry.get(agency_id).requested_by(IssuerKind.STATE)


# --------------------------------------------------------------------------- the 2026 directive


def test_2026_dong_thap_directive_validates_clean(tmp_path):
    result = load_corpus([DT_2026], INPUT / "co-quan.yaml")
    assert [str(p) for p in result.problems] == []
    d = result.require().directives[0]
    assert d.province == "dong-thap"  # written "Đồng Tháp"
    ids = {a.agency for t, _ in d.walk() for a in t.assignments}
    assert {
        f"dong-thap-{i}"
        for i in (
            "ubnd-cap-xa",
            "cong-an-cap-xa",
            "so-dan-toc-ton-giao",
            "so-ngoai-vu",
            "chi-cuc-qltt",
            "chi-cuc-hai-quan-khu-vuc",
            "kho-bac-khu-vuc",
            "thue-tinh",
            "dang-uy-ubnd-tinh",
            "ban-tuyen-giao-dan-van-tu",
            "bao-phat-thanh-truyen-hinh",
            "tand-khu-vuc",
            "thanh-tra-tinh",
            "ubnd-xa-my-hiep",
        )
    } <= ids


@pytest.mark.parametrize(
    "old, message",
    [
        (
            "Sở Khoa học và Công nghệ",
            "'Sở Thông tin và Truyền thông' không còn từ 01/03/2025, nay là 'Sở Khoa học và Công nghệ' (văn bản ngày 12/01/2026)",
        ),
        (
            "Chi cục Hải quan khu vực",
            "'Cục Hải quan tỉnh' không còn từ 01/03/2025, nay là 'Chi cục Hải quan khu vực' (văn bản ngày 12/01/2026)",
        ),
    ],
)
def test_E24_2026_directive_naming_a_defunct_body_names_its_successor(tmp_path, old, message):
    defunct = message.split("'")[1]
    source = DT_2026.read_text(encoding="utf-8")
    at = source.rindex(old)  # in the 'assign' list, after the task's text
    text = source[:at] + defunct + source[at + len(old) :]
    path = folder(tmp_path, text, DT_2026.name)
    found = errors(path)
    assert len(found) == 1 and found[0].endswith(message), found


def test_2026_expand_groups_reaches_the_102_communes_and_no_district(tmp_path):
    corpus = load_corpus([DT_2026], INPUT / "co-quan.yaml").require()
    matrix = build_matrix(corpus, expand_groups=True)
    names = {a.name for a in matrix.columns}
    communes = {a.id for a in matrix.columns if a.id.startswith("dong-thap-ubnd-")}
    assert len(communes) == 102
    assert not any(n in names for n in DISTRICTS_DT)
    assert {"Sở Khoa học và Công nghệ", "Sở Nông nghiệp và Môi trường", "Công an tỉnh"} <= names
    assert not {"Sở Thông tin và Truyền thông", "Sở Kế hoạch và Đầu tư", "Ban Dân tộc tỉnh"} & names


def test_cli_build_expand_groups_writes_a_letter_per_commune(run, tmp_path):
    src = (
        folder(tmp_path / "in", DT_2026.read_text(encoding="utf-8"), DT_2026.name)
        if (tmp_path / "in").mkdir() is None
        else None
    )
    result = run("build", src, "--expand-groups", "-o", tmp_path / "out", "-j", "1")
    assert result.exit_code == 0, result.output
    letters = [p.name for p in (tmp_path / "out" / DT_2026.stem).rglob("*.docx")]
    assert len([n for n in letters if n.startswith("dong-thap-ubnd-")]) == 102
    assert len([n for n in letters if n.startswith("dong-thap-cong-an-") and "-cong-an-tinh" not in n]) == 102
    gone = ("dt-", "tg-", "so-tttt", "cuc-hai-quan", "dong-thap-so-tttt", "dong-thap-cuc-hai-quan", "tien-giang-")
    assert not [n for n in letters if n.startswith(gone)]


# --------------------------------------------------------------------------- each side of 1/3/2025 and 1/7/2025


@pytest.mark.parametrize(
    "date, name, error",
    [
        ("2025-02-28", "Sở Thông tin và Truyền thông", None),
        (
            "2025-03-01",
            "Sở Thông tin và Truyền thông",
            "'Sở Thông tin và Truyền thông' không còn từ 01/03/2025, nay là 'Sở Khoa học và Công nghệ'",
        ),
        ("2025-02-28", "Sở Nông nghiệp và Môi trường", "'Sở Nông nghiệp và Môi trường' chỉ có từ 01/03/2025"),
        ("2025-03-01", "Sở Nông nghiệp và Môi trường", None),
        ("2025-02-28", "Công an cấp huyện", None),
        (
            "2025-03-01",
            "Công an các huyện, thành phố",
            "'Công an các huyện, thành phố' không còn từ 01/03/2025, nay là 'Công an tỉnh'",
        ),
        ("2025-02-28", "Ban Tuyên giáo Tỉnh ủy", None),
        (
            "2025-03-01",
            "Ban Tuyên giáo Tỉnh ủy",
            "'Ban Tuyên giáo Tỉnh ủy' không còn từ 01/03/2025, nay là 'Ban Tuyên giáo và Dân vận Tỉnh ủy'",
        ),
        ("2025-06-30", "UBND huyện Cao Lãnh", None),
        ("2025-07-01", "UBND huyện Cao Lãnh", "'UBND huyện Cao Lãnh' không còn từ 01/07/2025"),
        ("2025-06-30", "UBND xã Mỹ Hiệp", "'UBND xã Mỹ Hiệp' chỉ có từ 01/07/2025"),
        ("2025-07-01", "UBND xã Mỹ Hiệp", None),
        ("2025-04-01", "Cục Thuế tỉnh", "'Cục Thuế tỉnh' không còn từ 01/03/2025, nay là 'Chi cục Thuế khu vực'"),
        ("2025-08-01", "Cục Thuế tỉnh", "'Cục Thuế tỉnh' không còn từ 01/03/2025, nay là 'Thuế tỉnh'"),
        ("2026-01-01", "Thanh tra tỉnh", None),
        ("2025-06-30", "Tòa án nhân dân cấp huyện", None),
        (
            "2025-07-01",
            "Tòa án nhân dân cấp huyện",
            "'Tòa án nhân dân cấp huyện' không còn từ 01/07/2025, nay là 'Tòa án nhân dân khu vực'",
        ),
    ],
)
def test_names_resolve_as_of_the_directive_date(tmp_path, date, name, error):
    found = errors(folder(tmp_path, directive(date, "dong-thap", name)))
    if error is None:
        assert found == []
    else:
        assert len(found) == 1 and f"lỗi: nhiệm vụ '1': {error} (văn bản ngày" in found[0], found


@pytest.mark.parametrize(
    "date, province, count, district",
    [
        ("2025-06-30", "dong-thap", 12, True),
        ("2025-06-30", "tien-giang", 11, True),
        ("2025-07-01", "dong-thap", 0, False),
    ],
)
def test_district_group_expands_only_before_july_2025(tmp_path, date, province, count, district):
    text = (
        directive(date, province, "UBND cấp huyện", role="thực hiện")
        if district
        else directive(date, province, "UBND các xã, phường", role="thực hiện")
    )
    corpus = load_corpus([folder(tmp_path, text)]).require()
    matrix = build_matrix(corpus, expand_groups=True)
    if district:
        assert len(matrix.columns) == count and all(a.valid_to == dt.date(2025, 6, 30) for a in matrix.columns)
    else:
        assert len(matrix.columns) == 102


def test_old_province_id_after_the_merger_means_the_new_province(tmp_path):
    corpus = load_corpus(
        [folder(tmp_path, directive("2026-03-01", "tien-giang", "UBND các xã, phường", role="thực hiện"))]
    ).require()
    matrix = build_matrix(corpus, expand_groups=True)
    assert len(matrix.columns) == 102 and {a.province for a in matrix.columns} == {"dong-thap"}


def test_departments_group_follows_the_date(tmp_path):
    registry = load_corpus([folder(tmp_path, directive("2024-05-01", "dong-thap", "Công an tỉnh"))]).require().registry
    group = registry.get("dong-thap-so-ban-nganh")
    short = lambda ids: {i.removeprefix("dong-thap-") for i in ids}  # noqa: E731
    before = short(a.id for a in registry.members(group, "dong-thap", dt.date(2025, 2, 28)))
    after = short(a.id for a in registry.members(group, "dong-thap", dt.date(2025, 3, 1)))
    assert {
        "so-tttt",
        "so-ke-hoach-dau-tu",
        "so-khcn",
        "cong-an-tinh",
        "bchqs-tinh",
    } <= before and "bdbp-tinh" not in before
    assert {"so-khcn", "so-nong-nghiep-moi-truong", "so-dan-toc-ton-giao", "cong-an-tinh", "thanh-tra-tinh"} <= after
    assert not {"so-tttt", "so-tnmt", "so-nnptnt", "ban-dan-toc"} & after
    common = registry.get("so-ban-nganh")  # a text naming no province: no body of an optional department
    assert "ban-dan-toc" not in {a.id for a in registry.members(common, None, dt.date(2024, 1, 1))}
    assert all(a.province == "dong-thap" for a in registry.members(group, None, dt.date(2024, 1, 1)))


def test_W02_undated_directive_is_checked_as_of_today_with_a_warning(tmp_path, monkeypatch):
    monkeypatch.setattr("matrix.input.load.today", lambda: dt.date(2026, 5, 4))
    result = load_corpus([folder(tmp_path, directive(None, "dong-thap", "Sở Khoa học và Công nghệ"))])
    assert [str(p).split(": ", 1)[1] for p in result.problems] == [
        "cảnh báo: văn bản 'vb' không ghi ngày: tên cơ quan được đối chiếu theo danh mục hôm nay (04/05/2026) "
        "(thêm 'date' (ngày ban hành) hoặc 'as_of' (ngày đối chiếu, khi văn bản không ghi ngày))"
    ]


def test_E25_body_not_yet_existing_on_the_directive_date(tmp_path):
    found = errors(folder(tmp_path, directive("2025-02-10", "dong-thap", "Sở Nông nghiệp và Môi trường")))
    assert len(found) == 1
    assert found[0].endswith(
        "lỗi: nhiệm vụ '1': 'Sở Nông nghiệp và Môi trường' chỉ có từ 01/03/2025 (văn bản ngày 10/02/2025)"
    )


def test_undated_directive_naming_an_old_body_is_warned_not_refused(tmp_path, monkeypatch):
    monkeypatch.setattr("matrix.input.load.today", lambda: dt.date(2026, 5, 4))
    result = load_corpus([folder(tmp_path, directive(None, "dong-thap", "Cục Hải quan tỉnh"))])
    assert result.errors == []
    assert [p.message for p in result.warnings][
        1
    ] == "nhiệm vụ '1': 'Cục Hải quan tỉnh' không còn từ 01/03/2025, nay là 'Chi cục Hải quan khu vực'"
    assert result.require().directives[0].tasks[0].assignments[0].agency == "dong-thap-cuc-hai-quan-tinh"


def test_as_of_stands_for_a_missing_date(tmp_path):
    text = directive(None, "dong-thap", "Sở Thông tin và Truyền thông").replace(
        "kind: công văn\n", "kind: công văn\nas_of: 2024-01-01\n"
    )
    result = load_corpus([folder(tmp_path, text)])
    assert result.problems == []
    assert result.require().directives[0].on == dt.date(2024, 1, 1)


# --------------------------------------------------------------------------- messages and names


def test_unknown_name_suggests_bodies_of_the_date_and_shows_yaml(tmp_path):
    found = errors(folder(tmp_path, directive("2026-01-01", "dong-thap", "Sở Thông tin Truyền thông")))
    assert len(found) == 1
    assert found[0].endswith(
        [
            "lỗi: nhiệm vụ '1': cơ quan 'Sở Thông tin Truyền thông' không có trong danh mục",
            "có phải ý bạn là 'Sở Khoa học và Công nghệ'",
        ][0]
        + " ("
        + found[0].split(" (", 1)[1]
    )  # message then hint
    assert "'Sở Thông tin và Truyền thông'" not in found[0]  # gone on that date: never suggested
    assert "\n  - id: so-tt-truyen-thong" not in found[0]
    assert (
        "nếu là cơ quan mới, thêm vào mục 'agencies' của co-quan.yaml:\n  - id: so-thong-tin-truyen-thong\n"
        "    name: Sở Thông tin Truyền thông\n" in found[0]
    )


def test_unknown_name_yaml_lines_for_an_alias(tmp_path):
    found = errors(folder(tmp_path, directive("2026-01-01", "dong-thap", "Cong an tinhh")))
    assert "có phải ý bạn là 'Công an tỉnh'" in found[0]
    assert (
        "nếu đó là tên khác của 'Công an tỉnh', thêm vào mục 'agencies' của co-quan.yaml:\n  - id: dong-thap-cong-an-tinh\n"
        "    aliases:\n"
        "      - Cong an tinhh\n" in found[0]
    )


def test_suggestions_stay_in_the_province(tmp_path):
    found = errors(folder(tmp_path, directive("2025-01-01", "hung-yen", "UBND huyện Cao Lanh")))
    assert "Cao Lãnh" not in found[0].split("\n")[0]


def test_province_and_block_accept_names(tmp_path):
    registry = """\
        catalogue: [Đồng Tháp]
        agencies:
          - id: ban-chi-dao-389
            name: Ban Chỉ đạo 389 tỉnh
            block: Sở, ban, ngành
            province: Đồng Tháp
        """
    path = folder(tmp_path, directive("2026-01-01", "Đồng Tháp", "Ban Chỉ đạo 389 tỉnh"), registry=registry)
    result = load_corpus([path])
    assert result.problems == []
    agency = result.require().registry.get("ban-chi-dao-389")
    assert (agency.block, agency.province) == ("so-nganh", "dong-thap")


def test_E26_unknown_province_says_the_id(tmp_path):
    found = errors(folder(tmp_path, directive("2026-01-01", "Dong Thapp", "Công an tỉnh")))
    assert found[0].endswith(
        "lỗi: tỉnh 'Dong Thapp' không có trong danh mục (có phải ý bạn là 'Đồng Tháp'? "
        "ghi mã tỉnh (ví dụ 'dong-thap') hoặc tên tỉnh (ví dụ 'Đồng Tháp'))"
    )


def test_E27_catalogue_key_refuses_an_old_province(tmp_path):
    path = folder(tmp_path, directive("2026-01-01", None, "Công an tỉnh"), registry="catalogue: [tien-giang]\n")
    found = errors(path)
    assert found[0].endswith(
        "lỗi: tỉnh 'tien-giang' đã hợp nhất vào 'dong-thap' từ 01/07/2025 "
        "(ghi 'dong-thap'; các cơ quan cũ của tỉnh 'tien-giang' ghi riêng trong 'agencies' với valid_to)"
    )


def test_hand_entry_overrides_and_adds_to_the_catalogue(tmp_path):
    registry = """\
        catalogue: [dong-thap]
        agencies:
          - id: chi-cuc-hai-quan-khu-vuc
            name: Chi cục Hải quan khu vực XVI
            aliases: [Hải quan khu vực XVI]
        """
    report = Report()
    (tmp_path / "co-quan.yaml").write_text(textwrap.dedent(registry), encoding="utf-8")
    loaded = load_registry(tmp_path / "co-quan.yaml", report)
    assert report.problems == []
    agency = loaded.get("chi-cuc-hai-quan-khu-vuc")
    assert (
        agency.name == "Chi cục Hải quan khu vực XVI" and agency.requested and agency.valid_from == dt.date(2025, 3, 1)
    )
    assert "Hải quan khu vực XVI" in agency.aliases and "Chi cục Hải quan khu vực trên địa bàn tỉnh" in agency.aliases


# --------------------------------------------------------------------------- fixes found in the seeds


def test_seed_fix_party_bodies_are_requested_by_a_ubnd(seed_corpus):
    for agency_id in ("ban-tuyen-giao-tu", "ban-noi-chinh-tu", "vp-tinh-uy", "ubkt-tu"):
        assert seed_corpus.registry.get(agency_id).requested


def test_seed_fix_mat_tran_to_quoc_is_the_provincial_committee(seed_corpus):
    for task, _ in seed_corpus.directive("hungyen-tinhuy-ct-antt-2024").walk():
        if task.id in ("1", "2", "4"):
            assert "hung-yen-ubmttq-tinh" in {a.agency for a in task.assignments}, task.id


def test_seed_fix_departments_group(seed_corpus):
    registry = seed_corpus.registry
    members = {a.id for a in registry.members(registry.get("so-ban-nganh"), None, dt.date(2024, 1, 1))}
    assert {"so-khcn", "cong-an-tinh", "bchqs-tinh"} <= members and "ban-dan-toc" not in members


def test_seed_fix_inspectorate_continues_and_market_office_moves(seed_corpus):
    registry = seed_corpus.registry
    assert registry.get("thanh-tra-tinh").valid_to is None
    old, new = registry.get("cuc-qltt-tinh"), registry.get("chi-cuc-qltt")
    assert old.requested and old.successor == "chi-cuc-qltt" and not new.requested and new.block == "so-nganh"


# --------------------------------------------------------------------------- CLI


def test_registry_init_writes_a_province_and_refuses_to_overwrite(run, tmp_path):
    target = tmp_path / "co-quan.yaml"
    result = run("registry", "init", "dong thap", "-o", target)
    assert result.exit_code == 0 and result.output.startswith(f"Đã tạo {target}: ")
    assert "- id: dong-thap-ubnd-xa-my-hiep" in target.read_text(encoding="utf-8")
    assert run("registry", "init", "Đồng Tháp", "-o", target).exit_code == 2
    assert run("registry", "init", "Đồng Tháp", "-o", target, "--force").exit_code == 0
    shutil.copy(DT_2026, tmp_path / DT_2026.name)
    assert load_corpus([tmp_path]).problems == []


def test_registry_init_refuses_an_old_province(run, tmp_path):
    result = run("registry", "init", "Tiền Giang", "-o", tmp_path / "x.yaml")
    assert result.exit_code == 2
    assert result.output.startswith(
        "<dòng lệnh>: lỗi: tỉnh 'Tiền Giang' đã hợp nhất vào tỉnh Đồng Tháp từ 01/07/2025: dùng 'dong-thap'"
    )
    assert not (tmp_path / "x.yaml").exists()


def test_registry_init_city(run, tmp_path):
    target = tmp_path / "co-quan.yaml"
    assert run("registry", "init", "TP. Hồ Chí Minh", "-o", target).exit_code == 0
    text = target.read_text(encoding="utf-8")
    assert "name: Công an thành phố\n" in text and "name: Ban Nội chính Thành ủy\n" in text
    # "Công an tỉnh" only for the provinces merged into the city on 1/7/2025 (Bình Dương, Bà Rịa - Vũng Tàu)
    city = catalogue.province_registry("ho-chi-minh")
    assert {a.province for a in city.agencies if a.name == "Công an tỉnh"} == {"binh-duong", "ba-ria-vung-tau"}
    assert "- id: binh-duong-cong-an-tinh\n" in text


def test_agencies_filters_by_province_name_and_date(run):
    result = run("agencies", "--registry", INPUT / "co-quan.yaml", "--province", "Đồng Tháp", "--date", "2026-01-01")
    assert result.exit_code == 0
    ids = {line.split()[0] for line in result.output.splitlines()[1:] if line and not line.startswith(" ")}
    assert {"dong-thap-so-khcn", "dong-thap-ubnd-xa-my-hiep", "dong-thap-ubnd-cap-xa"} <= ids
    assert (
        not {
            "dong-thap-so-tttt",
            "dt-ubnd-huyen-cao-lanh",
            "hung-yen-ubnd-phuong-pho-hien",
            "tg-ubnd-huyen-cai-be",
            "so-khcn",  # the body of a text naming no province
            "hung-yen-so-khcn",
        }
        & ids
    )
    old = run(
        "agencies", "--registry", INPUT / "co-quan.yaml", "--province", "tien-giang", "--date", "2024-01-01"
    ).output
    line = next(x for x in old.splitlines() if x.startswith("tien-giang-so-tttt "))
    assert "-28/02/2025" in line and "tien-giang-so-khcn" in line
    assert "    tên gọi khác: Sở TTTT; Sở TT&TT; Sở TT và TT; Sở Thông tin - Truyền thông" in old


def test_show_as_of_carries_tasks_to_successors(run):
    plain = run("show", "Chi cục Hải quan khu vực", INPUT)
    assert plain.output.startswith(
        "Chi cục Hải quan khu vực — tỉnh Đồng Tháp (dong-thap-chi-cuc-hai-quan-khu-vuc): 0 nhiệm vụ"
    )
    carried = run("show", "Chi cục Hải quan khu vực", INPUT, "--as-of", "2026-01-01")
    assert carried.exit_code == 0
    assert carried.output.startswith(
        "Chi cục Hải quan khu vực — văn bản không ghi tỉnh (chi-cuc-hai-quan-khu-vuc): 2 nhiệm vụ — 1 chủ trì, 1 phối hợp"
    )
    assert "(văn bản ghi 'Cục Hải quan tỉnh')" in carried.output


def test_export_and_build_as_of(run, tmp_path):
    exported = run("export", "-f", "csv", INPUT, "--as-of", "2026-01-01").output
    assert "Chi cục Hải quan khu vực" in exported and ",Cục Hải quan tỉnh," not in exported
    assert run("build", INPUT, "--as-of", "2026-01-01", "-o", tmp_path / "out", "-j", "1").exit_code == 0
    consolidated = {
        p.stem for p in (tmp_path / "out" / "tong-hop" / "tong-hop-nhiem-vu").glob("*.docx")
    }  # per-agency extracts (issue 11)
    single = {
        p.stem for p in (tmp_path / "out" / "ubnd-ct-cao-diem-tet-giap-thin-2024" / "thu-giao-nhiem-vu").glob("*.docx")
    }
    assert "chi-cuc-hai-quan-khu-vuc" in consolidated and "cuc-hai-quan-tinh" not in consolidated
    assert "cuc-hai-quan-tinh" in single  # a directive's own letters go to the bodies it named


def test_matrix_as_of_keeps_the_written_name(seed_corpus):
    on = dt.date(2026, 1, 1)
    matrix = build_matrix(seed_corpus, as_of=on)
    carried = [e for e in matrix.entries if e.was is not None]
    assert carried and all(e.agency.valid_on(on) and not e.was.valid_on(on) for e in carried)
    assert {e.was.id for e in carried} >= {"cuc-hai-quan-tinh", "ban-tuyen-giao-tu", "so-tttt"}
    tet = next(
        e for e in carried if e.row.directive.id == "ubnd-ct-cao-diem-tet-giap-thin-2024" and e.row.task.id == "6-1"
    )
    assert (tet.agency.id, tet.written, tet.role) == (
        "ban-tuyen-giao-dan-van-tu",
        "Ban Tuyên giáo Tỉnh ủy",
        Role.PARTNER,
    )
    assert build_matrix(seed_corpus).entries_for("ban-tuyen-giao-dan-van-tu") == ()


# --------------------------------------------------------------------------- invariants

_REGISTRY = catalogue.province_registry("dong-thap")
_NAMES = sorted({n for a in _REGISTRY.agencies for n in a.names()})


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(_NAMES),
    st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)),
    st.sampled_from(["dong-thap", "tien-giang", None]),
)
def test_lookup_splits_bodies_by_the_date(name, on, province):
    found = _REGISTRY.lookup(name, province, on)
    assert found.found or found.defunct
    assert all(a.valid_on(on) for a in found.found) and not any(a.valid_on(on) for a in found.defunct)
    assert len(found.found) <= 1  # one name, one body on any day
    for agency in found.defunct:
        now = _REGISTRY.current(agency, on)
        assert now is None or now.valid_on(on)


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from([a for a in _REGISTRY.agencies if a.is_group]), st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31))
)
def test_group_members_exist_on_the_date(group, on):
    assert all(m.valid_on(on) for m in _REGISTRY.members(group, "dong-thap", on))


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("Công an Bắc Ninh", "cong-an-tinh"),  # the province's name in place of its kind
        ("Bộ Chỉ huy Quân sự Bắc Ninh", "bchqs-tinh"),
        ("Sở Y tế tỉnh Bắc Ninh", "so-y-te"),  # a department followed by its province, with or without the kind
        ("Sở Tư pháp Bắc Ninh", "so-tu-phap"),
    ],
)
def test_a_province_body_written_with_the_provinces_name(name, body):
    assert catalogue.standard_registry(["bac-ninh"]).resolve(name, "bac-ninh").id == body
    assert [a.id for a in catalogue.standard_registry(["bac-ninh", "ha-noi"]).typed(name)] == [f"bac-ninh-{body}"]


def test_no_name_in_the_shipped_catalogues_carries_a_stray_quote():
    """A name cut by a bad edit ('thành phố"', 'Thành ủy"') parses as YAML but matches nothing a text writes."""
    import yaml

    def names(node):
        if isinstance(node, dict):
            for value in node.values():
                yield from names(value)
        elif isinstance(node, list):
            for value in node:
                yield from names(value)
        elif isinstance(node, str):
            yield node

    data = Path(catalogue.__file__).parents[1] / "data"
    for path in sorted(data.glob("*.yaml")):
        stray = [n for n in names(yaml.safe_load(path.read_text(encoding="utf-8"))) if re.search(r'["“”]', n)]
        assert stray == [], f"{path.name}: {stray}"


@pytest.mark.parametrize("name", ["Công an cấp xã, phường", "UBND cấp xã, phường", "Ủy ban nhân dân cấp xã, phường"])
def test_the_commune_level_written_with_both_kinds_of_commune(name):
    """Since 1/7/2025 a province has xã and phường: texts write the level as 'cấp xã, phường'."""
    found = catalogue.standard_registry(["ha-noi"]).resolve(name, "ha-noi")
    assert found is not None and found.id in {"cong-an-cap-xa", "ubnd-cap-xa"}

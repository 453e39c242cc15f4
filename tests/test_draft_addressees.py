"""`matrix draft`: each addressee pattern of Vietnamese directives, on small synthetic texts.

Every expectation is the role docs/directive-format.md prescribes, read back
through the loader as (task id -> {agency id: role}).
"""

from __future__ import annotations

import pytest
import yaml

from matrix.draft import draft_text, load_draft
from matrix.input.load import load_registry
from matrix.input.yamlio import Report

from .helpers import REGISTRY

C, P, T = "chủ trì", "phối hợp", "thực hiện"

HEAD = "CHỈ THỊ\nVề bảo đảm an ninh, trật tự\n"
ASK = "Chủ tịch UBND tỉnh yêu cầu:\n"


@pytest.fixture(scope="module")
def registry():
    return load_registry(REGISTRY, Report())


@pytest.fixture
def roles(registry):
    """Draft ``text`` and return {task id: {agency id: role}} as the loader reads the draft."""

    def run(text: str) -> dict[str, dict[str, str]]:
        draft = draft_text(text, registry, "thu")
        directive = load_draft(draft, REGISTRY).directives[0]
        return {task.id: {a.agency: a.role.value for a in task.assignments} for task, _ in directive.walk()}

    return run


def test_section_headed_by_one_addressee_and_its_bullets(roles):
    got = roles(
        HEAD + ASK + "1. Công an tỉnh:\n- Chủ trì, phối hợp với Sở Tư pháp rà soát các vụ việc.\n"
        "- Tăng cường tuần tra, kiểm soát.\n"
    )
    assert got["1"] == {"cong-an-tinh": C}
    assert got["1-1"] == {"so-tu-phap": P}  # the bullet names its own partner; the lead is inherited
    assert got["1-2"] == {}


def test_section_headed_by_two_addressees(roles):
    got = roles(HEAD + ASK + "1. Bộ Chỉ huy Bộ đội Biên phòng tỉnh, Cục Hải quan tỉnh:\nTuần tra biên giới.\n")
    assert got["1"] == {"bdbp-tinh": C, "cuc-hai-quan-tinh": C}


def test_de_nghi_heading(roles):
    got = roles(HEAD + ASK + "1. Đề nghị Viện Kiểm sát nhân dân tỉnh, Tòa án nhân dân tỉnh:\n- Đẩy nhanh xét xử.\n")
    assert got["1"] == {"vksnd-tinh": C, "tand-tinh": C}
    assert got["1-1"] == {}


def test_subject_at_start_with_partner_and_vague_mentions(roles):
    got = roles(
        HEAD + ASK + "1. Đảng ủy Bộ đội Biên phòng tỉnh phối hợp với Cục Hải quan tỉnh và các cơ quan liên "
        "quan tăng cường đấu tranh; phối hợp với lực lượng Công an và các lực lượng chức năng.\n"
    )
    assert got["1"] == {"bdbp-tinh": C, "cuc-hai-quan-tinh": P}


def test_giao_chu_tri_phoi_hop_in_a_closing_paragraph(roles):
    got = roles(
        HEAD + ASK + "1. Tiếp tục thực hiện nghiêm các văn bản.\n"
        "Giao Công an tỉnh chủ trì, phối hợp với Văn phòng UBND tỉnh và Sở Nội vụ theo dõi, đôn đốc "
        "thực hiện Chỉ thị này.\n"
    )
    assert got["cuối-1"] == {"cong-an-tinh": C, "vp-ubnd-tinh": P, "so-noi-vu": P}


def test_preamble_addressees_go_to_general_items_only(roles):
    text = (
        HEAD + "Chủ tịch UBND tỉnh yêu cầu Thủ trưởng các sở, ban, ngành tỉnh, Chủ tịch UBND các huyện, thành phố, "
        "thị xã và đề nghị đoàn thể tỉnh, cơ quan Trung ương đóng trên địa bàn tỉnh thực hiện một số nhiệm vụ sau:\n"
        "1. Tăng cường công tác phòng ngừa tội phạm.\n"
        "2. Giao Công an tỉnh chủ trì theo dõi, đôn đốc.\n"
    )
    got = roles(text)
    groups = {"so-ban-nganh": T, "ubnd-cap-huyen": T, "doan-the-tinh": T, "co-quan-trung-uong": T}
    assert got["1"] == groups
    assert got["2"] == {"cong-an-tinh": C}


def test_kinh_gui_addresses_general_items_when_the_preamble_names_nobody(roles):
    text = (
        "Kính gửi:\n- Các sở, ban, ngành tỉnh;\n- Ủy ban nhân dân các huyện, thành phố.\n"
        "Để bảo đảm an ninh, trật tự, Ủy ban nhân dân tỉnh có ý kiến như sau:\n"
        "1. Rà soát, nắm chắc tình hình tại cơ sở.\n"
    )
    assert roles(text)["1"] == {"so-ban-nganh": T, "ubnd-cap-huyen": T}


@pytest.mark.parametrize(
    "written, agency",
    [
        ("Đảng ủy Công an tỉnh", "cong-an-tinh"),
        ("Ban cán sự đảng Viện kiểm sát nhân dân tỉnh", "vksnd-tinh"),
        ("Đảng đoàn Ủy ban MTTQ Việt Nam tỉnh", "ubmttq-tinh"),
        ("Đảng ủy Quân sự tỉnh", "bchqs-tinh"),
    ],
)
def test_party_organs_resolve_to_their_agency(roles, written, agency):
    got = roles(HEAD + "Ban Thường vụ Tỉnh ủy yêu cầu:\n" + f"1. {written} tăng cường lãnh đạo, chỉ đạo.\n")
    assert got["1"] == {agency: C}


@pytest.mark.parametrize(
    "written",
    [
        "Uỷ ban Mặt trận Tổ quốc tỉnh",
        "ỦY BAN MẶT TRẬN TỔ QUỐC TỈNH",
        "Ủy ban  Mặt trận Tổ quốc tỉnh",
        "Ủy ban MTTQ tỉnh",
    ],
)
def test_spelling_case_and_tone_variants_resolve(roles, written):
    assert roles(HEAD + ASK + f"1. {written}: vận động Nhân dân.\n")["1"] == {"ubmttq-tinh": C}


def test_unresolved_names_are_kept_and_flagged(registry):
    draft = draft_text(HEAD + ASK + "1. Sở Du lịch, Sở Tư pháp kiểm tra các cơ sở lưu trú.\n", registry, "thu")
    assert draft.unresolved == ["Sở Du lịch"]
    assert "- Sở Du lịch" in draft.yaml
    flag = draft.yaml.split("- Sở Du lịch")[0].rstrip().splitlines()[-1]
    assert flag.strip().startswith("# kiểm tra:") and "Sở Du lịch" in flag
    directive = load_draft(draft, REGISTRY).directives[0]  # lenient: kept under a placeholder
    names = {a.written for a in directive.tasks[0].assignments}
    assert names == {"Sở Du lịch", "Sở Tư pháp"}


def test_a_level_borrows_the_head_of_the_previous_name(roles):
    got = roles(HEAD + ASK + "1. Ủy ban nhân dân cấp huyện, cấp xã: xây dựng phương án bảo vệ.\n")
    assert got["1"] == {"ubnd-cap-huyen": T, "ubnd-cap-xa": T}


def test_a_specific_body_listed_with_a_group_leads_in_an_item(roles):
    got = roles(
        HEAD + ASK + "1. Đề nghị Ủy ban Mặt trận Tổ quốc tỉnh và các đoàn thể cấp tỉnh: phối hợp với cấp ủy, "
        "chính quyền vận động Nhân dân.\n"
    )
    assert got["1"] == {"ubmttq-tinh": C, "doan-the-tinh": T}  # "cấp ủy, chính quyền": generic, not partners


def test_a_closing_request_to_groups_is_general_work(roles):
    got = roles(
        HEAD + ASK + "1. Công an tỉnh: tăng cường tuần tra.\n"
        "Yêu cầu Giám đốc các sở, Thủ trưởng các ban, ngành cấp tỉnh, Chủ tịch UBND các huyện, thành phố, "
        "thị xã và đề nghị Ủy ban Mặt trận Tổ quốc tỉnh tổ chức triển khai thực hiện nghiêm túc./.\n"
    )
    assert got["cuối-1"] == {"so-ban-nganh": T, "ubnd-cap-huyen": T, "ubmttq-tinh": T}


def test_phoi_hop_giua_x_voi_y(roles):
    got = roles(
        HEAD + ASK + "1. Tăng cường phối hợp giữa Đảng ủy Công an tỉnh với Ban Nội chính Tỉnh ủy.\n"
        "2. Tăng cường phối hợp giữa lực lượng Công an với Mặt trận Tổ quốc, các đoàn thể.\n"
    )
    assert got["1"] == {"cong-an-tinh": C, "ban-noi-chinh-tu": P}
    assert got["2"] == {}


def test_phoi_hop_without_voi_and_titles_before_names(roles):
    got = roles(
        HEAD + ASK + "1. Giao Giám đốc Sở Tư pháp chủ trì; phối hợp Sở Nội vụ (Ban Thi đua - Khen thưởng "
        "tỉnh) đề xuất khen thưởng.\n"
    )
    assert got["1"] == {"so-tu-phap": C, "so-noi-vu": P}


def test_a_known_group_opening_a_sentence_adds_to_the_general_addressees(roles):
    text = (
        HEAD + "Ban Thường vụ Tỉnh ủy yêu cầu các cấp ủy đảng, chính quyền, Mặt trận Tổ quốc, các ban, ngành, "
        "đoàn thể, cơ quan, tổ chức thực hiện tốt các nhiệm vụ sau:\n"
        "1. Lãnh đạo, chỉ đạo thực hiện nghiêm túc. Người đứng đầu cấp ủy, chính quyền các cấp phải chịu trách "
        "nhiệm về tình hình an ninh, trật tự.\n"
    )
    got = roles(text)
    assert got["1"] == {
        "cap-uy-to-chuc-dang": T,
        "chinh-quyen-cac-cap": T,
        "ubmttq-tinh": T,
        "so-ban-nganh": T,
        "doan-the-tinh": T,
        "nguoi-dung-dau-cac-cap": T,
    }


def test_the_issuer_giving_work_is_not_an_addressee(roles):
    got = roles(
        HEAD + ASK + "1. Tăng cường kiểm tra. UBND tỉnh giao Sở Y tế chủ trì, phối hợp với UBND tỉnh tổ chức "
        "khám sàng lọc.\n"
    )
    assert got["1"] == {"so-y-te": C}


def test_a_lower_level_body_is_not_the_provincial_one(registry):
    draft = draft_text(HEAD + ASK + "1. Viện kiểm sát nhân dân huyện Châu Thành phối hợp điều tra.\n", registry, "thu")
    assert draft.unresolved == ["Viện kiểm sát nhân dân huyện Châu Thành"]


@pytest.mark.parametrize(
    "item",
    [
        "Ban hành kế hoạch thực hiện.",
        "Báo cáo kết quả về UBND tỉnh.",
        "Phòng, chống tội phạm ma túy.",
        "Hội nghị sơ kết được tổ chức vào tháng 6.",
        "Trường hợp phát hiện vi phạm, xử lý nghiêm.",
    ],
)
def test_items_opening_with_a_verb_name_nobody(roles, item):
    assert roles(HEAD + ASK + f"1. {item}\n")["1"] == {}


def test_a_group_alias_written_in_another_order_resolves_and_is_flagged(registry):
    # an order the registry has no alias for
    draft = draft_text(
        HEAD + ASK + "1. Ủy ban nhân dân các huyện, thị xã và thành phố rà soát địa bàn.\n", registry, "thu"
    )
    data = yaml.safe_load(draft.yaml)
    assert data["tasks"][0]["assign"] == {T: "Ủy ban nhân dân các huyện, thành phố, thị xã"}
    assert "văn bản viết 'Ủy ban nhân dân các huyện, thị xã và thành phố'" in draft.yaml


def test_a_body_not_in_the_registry_keeps_field_nouns_that_look_like_verbs(registry):
    """'giao' is a verb ("Giao X chủ trì"), but in "Phòng Cảnh sát giao thông" it is part of the name."""
    text = HEAD + ASK + "1. Phòng Cảnh sát giao thông chủ trì, phối hợp với Sở Y tế kiểm tra nồng độ cồn.\n"
    draft = draft_text(text, registry, "thu")
    assert draft.unresolved == ["Phòng Cảnh sát giao thông"]
    assert "chủ trì: Phòng Cảnh sát giao thông" in draft.yaml


def _assigns(draft) -> dict[str, dict]:
    """{task id: its assign mapping as written in the draft} (names kept as written, known or not)."""
    out: dict[str, dict] = {}

    def walk(tasks):
        for task in tasks or []:
            out[str(task["id"])] = task.get("assign") or {}
            walk(task.get("tasks"))

    walk(yaml.safe_load(draft.yaml)["tasks"])
    return out


def test_a_body_described_by_its_function_and_a_level_is_a_group(registry):
    """ "cơ quan có chức năng quản lý X cấp xã" is one body in every commune (thực hiện), not a vague mention;
    as a partner it is kept too; "cơ quan liên quan cấp xã" stays vague."""
    text = (
        HEAD + ASK + "1. Trách nhiệm của cơ quan có chức năng quản lý xây dựng cấp xã\n"
        "Tiếp nhận hồ sơ và trả kết quả đúng hạn.\n"
        "2. Sở Tư pháp rà soát hồ sơ; định kỳ phối hợp với cơ quan chuyên môn về tư pháp cấp xã kiểm tra.\n"
        "3. Các cơ quan liên quan cấp xã phối hợp kiểm tra.\n"
    )
    got = _assigns(draft_text(text, registry, "thu"))
    assert got["1"] == {T: "Cơ quan có chức năng quản lý xây dựng cấp xã"}
    assert got["2"] == {C: "Sở Tư pháp", P: "Cơ quan chuyên môn về tư pháp cấp xã"}
    assert got["3"] == {}


def test_an_unknown_name_closed_by_a_lower_level_opening_a_clause_is_a_group(registry):
    text = HEAD + ASK + "1. Sở Y tế chủ trì kiểm tra; Ban Quản lý chợ cấp xã tham mưu, tổ chức lực lượng.\n"
    got = _assigns(draft_text(text, registry, "thu"))
    assert got["1"] == {C: "Sở Y tế", T: "Ban Quản lý chợ cấp xã"}


def test_a_short_form_defined_inside_a_name_stands_for_the_long_name(registry):
    """ "Ban Chỉ đạo phòng, chống dịch (viết tắt là Ban Chỉ đạo) cấp xã": "Ban Chỉ đạo cấp xã" later is
    that body."""
    text = (
        HEAD + ASK + "1. Sở Y tế hướng dẫn Ban Chỉ đạo phòng chống dịch (viết tắt là Ban Chỉ đạo) cấp xã lập kế "
        "hoạch.\n2. Ban Chỉ đạo cấp xã tổ chức trực 24/24 giờ.\n"
    )
    got = _assigns(draft_text(text, registry, "thu"))
    assert got["2"] == {T: "Ban Chỉ đạo phòng chống dịch cấp xã"}


@pytest.mark.parametrize(
    "item",
    [
        "Khi lũ vượt tầm kiểm soát của lực lượng, phương tiện cấp xã, Công an tỉnh huy động lực lượng hỗ trợ.",
        "Khi có sự cố xảy ra: Công an tỉnh tiếp nhận, tổng hợp thông tin.",
        "Trong quá trình ứng phó, chỉ huy tại chỗ, Công an tỉnh báo cáo kịp thời tình hình.",
    ],
)
def test_the_subject_after_an_opening_clause_with_commas_or_a_colon(roles, item):
    assert roles(HEAD + ASK + f"1. Tăng cường kiểm tra.\n2. {item}\n")["2"] == {"cong-an-tinh": C}


def test_the_body_difficulties_are_reported_to_handles_them(roles):
    """Closing formula: "nếu có khó khăn, vướng mắc, ... phản ánh về Sở X để tổng hợp": Sở X chủ trì; a routine
    report sent to a body ("gửi báo cáo về Sở Y ... để tổng hợp") does not make it an addressee."""
    got = roles(
        HEAD + ASK + "1. Công an tỉnh tăng cường tuần tra.\n"
        "2. Các sở, ban, ngành gửi báo cáo về Sở Nội vụ trước ngày 15/12/2025 để tổng hợp.\n"
        "Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, các cơ quan, đơn vị kịp thời phản ánh về Sở Tư "
        "pháp để tổng hợp, báo cáo UBND tỉnh xem xét.\n"
    )
    assert "so-noi-vu" not in got["2"]
    assert got["cuối-1"] == {"so-tu-phap": C}


def test_the_subject_after_neu_thi(roles):
    """ "nếu có khó khăn, vướng mắc thì X kịp thời báo cáo": X is the subject of the conditional duty."""
    got = roles(
        HEAD + ASK + "1. Tăng cường kiểm tra.\n2. Quá trình thực hiện nếu có phát sinh vướng mắc thì Sở Y tế kịp "
        "thời báo cáo UBND tỉnh.\n"
    )
    assert got["2"] == {"so-y-te": C}


def test_a_group_written_short_is_the_full_name_the_document_gives_it(registry):
    """ "Các Trung tâm Y tế" after "Các Trung tâm Y tế khu vực" is that group."""
    text = (
        HEAD + ASK + "1. Các Trung tâm Y tế khu vực tăng cường rà soát.\n"
        "2. Các Trung tâm Y tế tiếp tục rà soát đối tượng.\n"
    )
    got = _assigns(draft_text(text, registry, "thu"))
    assert got["2"] == {T: "Các Trung tâm Y tế khu vực"}


def test_a_group_written_short_is_not_completed_into_a_longer_list(registry):
    """ "Các hội" is not "Các hội, đoàn thể": that name only adds members to a list."""
    from matrix.draft.names import NameReader, tokenize

    names = NameReader(registry)
    names.learn_plurals("Các hội, đoàn thể tổ chức tuyên truyền.\nCác Trung tâm Y tế khu vực tăng cường.")
    for sentence, written in (("Các hội tham gia giám sát.", "Các hội"), ("Các Trung tâm Y tế rà soát.", None)):
        mentions, _ = names.read_list(tokenize(sentence), sentence, 0)
        assert [m.written for m in mentions] == [written or "Các Trung tâm Y tế khu vực"]


def test_groups_directed_to_act_do_the_work(roles):
    """ "Giao X chỉ đạo <group> <action>": the group does the work (thực hiện); a group directed with no action of its
    own ("lãnh đạo, chỉ đạo Công an các cấp:") and one directed body stay objects."""
    got = roles(
        HEAD + ASK + "1. Giao Công an tỉnh chỉ đạo Công an các xã, phường theo chức năng, nhiệm vụ được giao tăng "
        "cường tuần tra.\n"
        "2. Đảng ủy Công an tỉnh lãnh đạo, chỉ đạo Công an các xã, phường:\n"
        "3. Giao Công an tỉnh chỉ đạo Sở Y tế phối hợp kiểm tra.\n"
    )
    assert got["1"] == {"cong-an-tinh": C, "cong-an-cap-xa": T}
    assert "cong-an-cap-xa" not in got["2"]
    assert "so-y-te" not in got["3"]


def test_party_text_groups_and_commune_police_read_with_the_catalogue_only():
    """A provincial text read with the standard catalogue alone knows the Party-document groups ("Mặt trận Tổ quốc
    và các tổ chức chính trị - xã hội", "các cấp ủy, tổ chức đảng", "các tổ chức chính trị - xã hội") and the commune
    police written without "các" ("Công an phường, xã, đặc khu")."""
    from matrix.input import catalogue

    registry = catalogue.province_registry("dong-thap")
    text = (
        "CHỈ THỊ\nVề bảo đảm an ninh, trật tự\nBan Thường vụ Tỉnh ủy yêu cầu:\n"
        "1. Các cấp ủy, tổ chức đảng lãnh đạo, chỉ đạo thực hiện nghiêm Chỉ thị này.\n"
        "2. Mặt trận Tổ quốc và các tổ chức chính trị - xã hội tỉnh tăng cường tuyên truyền.\n"
        "3. Đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh và các tổ chức chính trị - xã hội:\n"
        "- Vận động Nhân dân tham gia.\n"
        "4. Công an tỉnh chủ trì, phối hợp với Công an phường, xã, đặc khu rà soát địa bàn.\n"
    )
    draft = draft_text(text, registry, "thu")
    assert not draft.unresolved  # every name resolves (the draft writes them as the text does)
    data = _assigns(draft)
    assert data["1"] == {T: "Các cấp ủy, tổ chức đảng"}
    assert data["2"] == {T: "Mặt trận Tổ quốc và các tổ chức chính trị - xã hội tỉnh"}
    assert data["3"] == {C: "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", T: "các tổ chức chính trị - xã hội"}
    assert data["4"] == {C: "Công an tỉnh", P: "Công an phường, xã, đặc khu"}


def test_de_nghi_with_a_colon_before_its_list(registry):
    """ "Đề nghị: X, Y" reads like "Đề nghị X, Y"; "Hiệp hội ..." is a body's name."""
    text = (
        HEAD + ASK + "1. Đề nghị: Viện Kiểm sát nhân dân tỉnh, Tòa án nhân dân tỉnh\n- Đẩy nhanh xét xử.\n"
        "2. Đề nghị: Hiệp hội Du lịch tỉnh\n- Vận động hội viên tham gia.\n"
    )
    draft = draft_text(text, registry, "thu")
    got = _assigns(draft)
    assert got["1"] == {C: ["Viện Kiểm sát nhân dân tỉnh", "Tòa án nhân dân tỉnh"]}
    assert got["2"] == {C: "Hiệp hội Du lịch tỉnh"}


def test_a_counted_enumeration_of_communes_and_the_issuers_own_partners(roles):
    """ "phối hợp với Ủy ban nhân dân 02 xã: Thanh Mỹ, Lấp Vò thành lập ...": each commune (the count stands for
    "các"); "tham mưu Ủy ban nhân dân tỉnh phối hợp với Sở Y tế": the issuer's partner, not the item's."""
    got = roles(
        HEAD + ASK + "1. Sở Nội vụ chủ trì, phối hợp với Ủy ban nhân dân 02 xã: Thanh Mỹ, Lấp Vò thành lập tổ công "
        "tác.\n2. Sở Tư pháp tham mưu Ủy ban nhân dân tỉnh phối hợp với Sở Y tế xây dựng đề án.\n"
    )
    assert got["1"] == {"so-noi-vu": C, "dong-thap-ubnd-xa-thanh-my": P, "dong-thap-ubnd-xa-lap-vo": P}
    assert got["2"] == {"so-tu-phap": C}


def test_a_term_defined_for_a_body_and_its_base_units(registry):
    """ "Thuế tỉnh Đồng Tháp, các Thuế cơ sở tỉnh Đồng Tháp (sau đây gọi là cơ quan Thuế)": "cơ quan Thuế" then
    stands for both ("Thuế cơ sở" is a body's name, "cơ sở" part of it)."""
    text = (
        HEAD + ASK + "1. Thuế tỉnh Đồng Tháp, các Thuế cơ sở tỉnh Đồng Tháp (sau đây gọi là cơ quan Thuế) bảo đảm "
        "đúng thời hạn.\n2. Sở Tài chính chủ trì, phối hợp với cơ quan Thuế rà soát hồ sơ.\n"
    )
    got = _assigns(draft_text(text, registry, "thu"))
    assert got["2"] == {C: "Sở Tài chính", P: ["Thuế tỉnh Đồng Tháp", "các Thuế cơ sở tỉnh Đồng Tháp"]}


def test_a_lead_list_ending_in_an_abbreviation_is_not_read_from_inside_its_first_name(roles):
    """ "Đảng ủy các cơ quan Đảng tỉnh và VKSND chủ trì": the bodies before "chủ trì" are the registry's two names,
    not an unknown "các cơ quan Đảng tỉnh và VKSND" read from the third word of the first one."""
    got = roles(
        HEAD + ASK + "1. Đề nghị Đảng ủy các cơ quan Đảng tỉnh và VKSND chủ trì, phối hợp với Công an tỉnh "
        "tăng cường công tác phòng ngừa tội phạm.\n"
    )
    assert got["1"] == {"dang-uy-cac-co-quan-dang": C, "vksnd-tinh": C, "cong-an-tinh": P}

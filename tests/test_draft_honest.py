"""The drafter never writes a draft the loader refuses, and its summary says what is assigned (issue 19)."""

from __future__ import annotations

from matrix.draft import draft_text, summary
from matrix.input.catalogue import standard_registry

HEAD = "ỦY BAN NHÂN DÂN\nTỈNH ĐỒNG THÁP\nSố: 15/UBND-NC\nV/v bảo đảm an ninh, trật tự\n"
DECISION = (
    "ỦY BAN NHÂN DÂN\nTỈNH ĐỒNG THÁP\nSố: 12/QĐ-UBND\nQUYẾT ĐỊNH\nVề việc ban hành quy chế\n"
    "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH\nQUYẾT ĐỊNH:\nĐiều 1. Ban hành kèm theo Quyết định này Quy chế phối hợp.\n"
)


def ids(draft) -> list[str]:
    return [node.id for node in draft.directive.tree]


def test_an_article_line_without_text_is_not_an_empty_task():
    draft = draft_text(
        DECISION + "Điều 2.\nĐiều 3. Giám đốc Sở Tư pháp chịu trách nhiệm thi hành Quyết định này.\n",
        standard_registry(),
        "qd",
    )
    assert "Điều 2" not in ids(draft) and 'text: ""' not in draft.yaml
    assert "mục 'Điều 2'" in draft.yaml  # said as a note to check


def test_an_item_without_text_gives_its_place_to_its_sub_items():
    from matrix.core.model import Task
    from matrix.draft import _sound_tasks

    tasks = (Task("1", "Công an tỉnh tuần tra."), Task("2", "", tasks=(Task("2.1", "Sở Y tế kiểm tra."),)))
    kept, notes = _sound_tasks(tasks)
    assert [t.id for t in kept] == ["1", "2.1"]
    assert notes[0].task == "2.1" and "các mục con của nó được đưa lên" in notes[0].text


def test_the_summary_counts_tasks_with_and_without_an_addressee():
    draft = draft_text(
        HEAD + "Ủy ban nhân dân tỉnh yêu cầu:\n1. Công an tỉnh tuần tra.\n2. Tăng cường kiểm tra.\n",
        standard_registry(),
        "cv",
    )
    assert summary(draft).startswith(
        "Đã lập bản nháp 'cv': 2 nhiệm vụ, 1 có cơ quan được giao, 1 chưa có ai; 1 lượt giao"
    )


def test_a_draft_that_assigns_nothing_says_so():
    draft = draft_text(HEAD + "1. Tăng cường kiểm tra.\n2. Đẩy mạnh tuyên truyền.\n", standard_registry(), "cv")
    text = summary(draft)
    assert "Chưa giao được nhiệm vụ nào cho cơ quan nào" in text and "100%" not in text


def test_numbered_demands_left_in_the_preamble_are_said():
    draft = draft_text(
        HEAD
        + "I. MỤC ĐÍCH, YÊU CẦU\n1. Mục đích: bảo đảm an ninh.\n2. Yêu cầu: triển khai nghiêm túc.\n"
        + "a) Bảo đảm đúng tiến độ các nội dung đề ra.\nb) Phối hợp chặt chẽ giữa các cơ quan, đơn vị.\n"
        + "II. NHIỆM VỤ\n1. Công an tỉnh tuần tra.\n",
        standard_registry(),
        "kh",
    )
    assert "đoạn đánh số nằm ở phần mở đầu hoặc phần kết" in summary(draft)


def test_a_section_of_general_demands_is_tasks_not_preamble():
    draft = draft_text(
        HEAD
        + "Ủy ban nhân dân tỉnh yêu cầu:\n1. Yêu cầu chung:\n1.1. Công an tỉnh tăng cường tuần tra.\n"
        + "1.2. Sở Y tế chủ trì kiểm tra an toàn thực phẩm.\n2. Nhiệm vụ cụ thể:\n2.1. Sở Tư pháp tuyên truyền.\n",
        standard_registry(),
        "cv",
    )
    assigned = {node.id: {a.agency for a in node.task.assignments} for node in draft.directive.tree}
    assert assigned["1.1"] == {"cong-an-tinh"} and assigned["1.2"] == {"so-y-te"}
    assert "Công an tỉnh tăng cường" not in (draft.directive.preamble or "")


def test_a_plans_aims_and_requirements_stay_out_of_the_tasks():
    draft = draft_text(
        HEAD
        + "I. MỤC ĐÍCH, YÊU CẦU\n1. Mục đích\n- Bảo đảm an ninh, trật tự.\n2. Yêu cầu\n- Triển khai nghiêm túc.\n"
        + "II. NHIỆM VỤ\n1. Công an tỉnh tuần tra.\n",
        standard_registry(),
        "kh",
    )
    assert "Triển khai nghiêm túc" in (draft.directive.preamble or "")


def test_a_prime_ministers_cable_resolves_central_names_without_a_registry_file():
    text = (
        "THỦ TƯỚNG CHÍNH PHỦ\nSố: 99/CĐ-TTg\nCÔNG ĐIỆN\nVề việc bảo đảm an ninh, trật tự\n"
        "THỦ TƯỚNG CHÍNH PHỦ điện:\n- Bộ trưởng các Bộ: Công an, Quốc phòng;\n"
        "- Chủ tịch Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương.\n"
        "1. Bộ Công an chủ trì, phối hợp với Bộ Quốc phòng bảo đảm an ninh, trật tự.\n"
        "2. Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương chỉ đạo lực lượng chức năng tuần tra.\n"
    )
    draft = draft_text(text, standard_registry(), "cd")
    assert draft.unresolved == []
    assigned = {node.id: {(a.agency, a.role.value) for a in node.task.assignments} for node in draft.directive.tree}
    assert assigned["1"] == {("bo-cong-an", "chủ trì"), ("bo-quoc-phong", "phối hợp")}
    assert assigned["2"] == {("ubnd-cac-tinh", "thực hiện")}


def test_a_long_name_with_a_comma_before_chu_tri_is_one_lead():
    text = (
        HEAD
        + "Ủy ban nhân dân tỉnh yêu cầu:\n1. Giao Đảng ủy Mặt trận Tổ quốc Việt Nam, các đoàn thể Trung ương "
        + ("chủ trì, phối hợp với Bộ Công an theo dõi.\n")
    )
    draft = draft_text(text, standard_registry(), "cv")
    assert {(a.agency, a.role.value) for a in draft.directive.tasks[0].assignments} == {
        ("dang-uy-mttq-tw", "chủ trì"),
        ("bo-cong-an", "phối hợp"),
    }


def test_draft_validate_and_export_read_names_with_the_same_standard_registry(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from matrix.cli import main

    monkeypatch.chdir(tmp_path)  # no co-quan.yaml here nor in ./input
    (tmp_path / "cv.txt").write_text(
        HEAD + "Ủy ban nhân dân tỉnh yêu cầu:\n1. Công an tỉnh chủ trì, phối hợp với Bộ Công an tuần tra.\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    drafted = runner.invoke(main, ["draft", "cv.txt", "-o", "cv.yaml"])
    assert drafted.exit_code == 0, drafted.output
    checked = runner.invoke(main, ["validate", "cv.yaml"])
    assert checked.exit_code == 0, checked.output
    assert "danh mục chuẩn của Đồng Tháp và các cơ quan Trung ương" in checked.output
    exported = runner.invoke(main, ["export", "--format", "csv", "cv.yaml"])
    assert exported.exit_code == 0 and "Bộ Công an" in exported.output


def test_suggestions_come_from_bodies_of_the_same_level_and_kind():
    from matrix.input.load import suggest_names

    registry = standard_registry(["dong-thap"])
    assert suggest_names(registry, "Bộ Công An")[0] == "Bộ Công an"
    assert not any(s.startswith(("Công an xã", "Công an phường")) for s in suggest_names(registry, "Bộ Công Ân"))
    assert all(s.startswith("Sở") for s in suggest_names(registry, "Sở Du lịch Xanh"))


def test_a_name_the_text_gives_a_task_to_but_the_draft_dropped_is_said():
    """A team the catalogue lacks, told to lead an item, is named in the summary with where it stands."""
    text = HEAD + "Ủy ban nhân dân tỉnh yêu cầu:\n1. Đội Kiểm tra liên ngành số 7 chủ trì kiểm tra hàng hóa.\n"
    draft = draft_text(text, standard_registry(), "cv")
    said = summary(draft)
    assert "Văn bản giao việc cho 1 tên mà bản nháp chưa phân công: Đội Kiểm tra liên ngành số 7 (mục 1)" in said
    plain = draft_text(HEAD + "Ủy ban nhân dân tỉnh yêu cầu:\n1. Công an tỉnh tuần tra.\n", standard_registry(), "cv")
    assert "chưa phân công" not in summary(plain)

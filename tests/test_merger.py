"""After the 2025 merger (issue 21): each province's own bodies, follow-up under today's issuer, directives that end."""

from __future__ import annotations

import datetime as dt

import pytest

from matrix.core.pivot import build_matrix
from matrix.input import catalogue
from matrix.input.load import load_corpus
from matrix.tracking.records import State, assess, directive_end, load_records
from matrix.writers.reminders import plan_reminders, reminder_context

from .helpers import run_cli

LATE_2026 = dt.date(2026, 12, 6)
TG = "tiengiang-ubnd-ct-antt-2025"
TET = "ubnd-ct-cao-diem-tet-giap-thin-2024"


def _owner_ok(registry, agency, directive) -> bool:
    """Whether ``agency`` may stand for a task of ``directive``: a body of the directive's province (or of the
    province it merged into), or, for a text naming no province, a body of no province."""
    if directive.province is None:
        return agency.province is None
    return agency.province in registry.related_provinces(directive.province)


# --------------------------------------------------------------------------- bodies belong to a province


def test_no_body_is_shared_by_two_provinces_in_the_seeds(seed_corpus):
    registry = seed_corpus.registry
    for as_of in (None, LATE_2026):
        matrix = build_matrix(seed_corpus, as_of=as_of)
        for agency in matrix.columns:
            provinces = {e.row.directive.province for e in matrix.entries_for(agency.id)}
            assert all(_owner_ok(registry, agency, e.row.directive) for e in matrix.entries_for(agency.id)), (
                agency.id,
                provinces,
            )
            # Hưng Yên's bodies never carry a task of Đồng Tháp or Tiền Giang, and the other way round
            assert not ({"hung-yen"} & provinces and {"dong-thap", "tien-giang"} & provinces), agency.id


def test_the_police_of_each_province_is_its_own(seed_corpus):
    registry = seed_corpus.registry
    police = {a.id: a for a in registry.typed("Công an tỉnh")}
    assert {
        "dong-thap-cong-an-tinh",
        "hung-yen-cong-an-tinh",
        "tien-giang-cong-an-tinh",
        "thai-binh-cong-an-tinh",
    } <= set(police)
    old = police["tien-giang-cong-an-tinh"]
    assert (old.valid_to, old.successor) == (dt.date(2025, 6, 30), "dong-thap-cong-an-tinh")
    assert police["thai-binh-cong-an-tinh"].successor == "hung-yen-cong-an-tinh"
    assert registry.current(old, LATE_2026).id == "dong-thap-cong-an-tinh"
    assert "Công an tỉnh Hưng Yên" not in police["dong-thap-cong-an-tinh"].aliases
    assert registry.resolve("Công an tỉnh", "tien-giang", dt.date(2024, 12, 27)).id == "tien-giang-cong-an-tinh"
    assert registry.resolve("Công an tỉnh", "hung-yen", dt.date(2024, 1, 1)).id == "hung-yen-cong-an-tinh"


def test_a_one_province_registry_keeps_the_short_ids():
    registry = catalogue.province_registry("hung-yen")
    assert registry.resolve("Công an tỉnh", "hung-yen", LATE_2026).id == "cong-an-tinh"
    assert registry.resolve("Công an tỉnh", None, LATE_2026).id == "cong-an-tinh"  # the registry's own province
    assert registry.resolve("Công an tỉnh", "thai-binh", dt.date(2024, 5, 1)).id == "thai-binh-cong-an-tinh"
    assert registry.get("thai-binh-so-tttt").successor == "thai-binh-so-khcn"
    assert registry.get("thai-binh-so-khcn").successor == "so-khcn"


def test_extracts_are_written_per_province(folder, tmp_path):
    code, out = run_cli("build", str(folder), "-o", str(tmp_path / "out"), "-j", "1")
    assert code == 0, out
    extracts = {p.stem for p in (tmp_path / "out" / "tong-hop" / "tong-hop-nhiem-vu").glob("*.docx")}
    assert {"dong-thap-cong-an-tinh", "hung-yen-cong-an-tinh", "tien-giang-cong-an-tinh"} <= extracts


# --------------------------------------------------------------------------- follow-up under today's issuer


def test_status_as_of_late_2026_names_only_bodies_existing_then(seed_corpus):
    statuses = assess(build_matrix(seed_corpus), (), LATE_2026)
    assert statuses
    for status in statuses:
        assert status.entry.agency.valid_on(LATE_2026), status.entry.agency.id
    carried = {(s.entry.was.id, s.entry.agency.id) for s in statuses if s.entry.was is not None}
    assert ("so-tttt", "so-khcn") in carried and ("tien-giang-cong-an-tinh", "dong-thap-cong-an-tinh") in carried


def test_status_text_says_nay_la(folder):
    code, out = run_cli("status", str(folder), "--as-of", "2026-12-06")
    assert code == 0, out
    assert ", mục 7, giao cho Công an tỉnh Tiền Giang (nay là Công an tỉnh Đồng Tháp): Giao Công an tỉnh" in out
    assert "Chỉ thị ngày 27/12/2024 của Chủ tịch Ủy ban nhân dân tỉnh Tiền Giang, mục 7" in out
    assert "Công an tỉnh (tỉnh Đồng Tháp): quá hạn chưa hoàn thành 1" in out


def test_tien_giang_reminder_of_2026_comes_from_dong_thap(folder):
    corpus = load_corpus([folder]).require()
    matrix = build_matrix(corpus)
    statuses = assess(matrix, load_records(folder, corpus), LATE_2026)
    (reminder,) = [r for r in plan_reminders(statuses) if r.issuer.id == TG]
    context = reminder_context(matrix, reminder, LATE_2026)
    assert reminder.agency.id == "dong-thap-cong-an-tinh"
    assert context["issuer"]["header"] == ["ỦY BAN NHÂN DÂN", "TỈNH ĐỒNG THÁP"]
    assert context["place"] == "Đồng Tháp"
    assert context["signer"] == {"authority": ["TL. CHỦ TỊCH"], "title": "CHÁNH VĂN PHÒNG", "name": ""}
    item = context["items"][0]
    assert (item["was"], item["now"]) == ("Công an tỉnh Tiền Giang", "Công an tỉnh Đồng Tháp")
    # the directive is cited as it was issued
    assert item["directive"]["issuer"] == "Chủ tịch Ủy ban nhân dân tỉnh Tiền Giang"
    before = assess(matrix, (), dt.date(2025, 6, 30) + dt.timedelta(days=-1))
    assert all(r.issuer.province == "tien-giang" for r in plan_reminders(before))


def test_a_department_that_merged_is_named_with_its_successor(folder):
    corpus = load_corpus([folder]).require()
    matrix = build_matrix(corpus)
    tet = corpus.directive(TET)
    task = next(t for t, _ in tet.walk() if any(a.agency == "so-tttt" for a in t.assignments))
    late = [s for s in assess(matrix, (), LATE_2026) if s.entry.was is not None and s.entry.was.id == "so-tttt"]
    assert late and late[0].entry.row.task.id == task.id
    assert corpus.registry.follow_up_names(late[0].entry.was, late[0].entry.agency) == (
        "Sở Thông tin và Truyền thông",
        "Sở Khoa học và Công nghệ",
    )


# --------------------------------------------------------------------------- directives that end


def test_tet_campaign_tasks_are_not_in_progress_in_2026(seed_corpus):
    statuses = [s for s in assess(build_matrix(seed_corpus), (), LATE_2026) if s.entry.row.directive.id == TET]
    assert statuses
    assert {s.state for s in statuses} <= {State.ENDED, State.NO_DEADLINE}


def test_a_task_without_any_date_is_counted_apart(seed_corpus):
    statuses = assess(build_matrix(seed_corpus), (), dt.date(2025, 7, 15))
    undated = [s for s in statuses if s.entry.row.directive.id == TET]
    assert undated and all(s.state is State.NO_DEADLINE for s in undated)
    assert all(s.overdue_since is None for s in undated)


@pytest.mark.parametrize(
    "closing, end",
    [
        ("Đợt cao điểm được thực hiện từ ngày 15/01/2024 đến hết ngày 29/02/2024.", dt.date(2024, 2, 29)),
        ("Chỉ thị này có hiệu lực kể từ ngày ký.", None),
    ],
)
def test_a_campaign_ends_at_the_date_its_text_gives(seed_corpus, closing, end):
    import dataclasses

    tet = dataclasses.replace(seed_corpus.directive(TET), closing=(closing,))
    assert directive_end(tet) == end
    yearly = dataclasses.replace(seed_corpus.directive(TG), closing=(closing,))
    assert directive_end(yearly) is None  # not a campaign: the date is not its end


def test_matrix_end_marks_a_directive_ended(folder):
    code, out = run_cli("status", str(folder), "--as-of", "2025-12-31", "--directive", TG, "--format", "json")
    assert code == 0 and '"quá hạn chưa hoàn thành": 1' in out
    code, out = run_cli("end", TG, "--ngay", "30/09/2025", "-i", str(folder))
    assert code == 0, out
    assert out.startswith(
        "Đã ghi Chỉ thị ngày 27/12/2024 của Chủ tịch Ủy ban nhân dân tỉnh Tiền Giang kết thúc ngày 30/09/2025"
    )
    text = (folder / f"{TG}.yaml").read_text(encoding="utf-8")
    assert "\nended: 2025-09-30\n" in text and (folder / f"{TG}.yaml.bak").exists()
    assert text.startswith("# Source:")  # comments kept
    code, out = run_cli("status", str(folder), "--as-of", "2025-12-31", "--directive", TG, "--format", "json")
    assert code == 0 and '"quá hạn chưa hoàn thành": 0' in out and '"đã kết thúc": 1' in out
    code, out = run_cli("end", TG, "--ngay", "01/10/2025", "-i", str(folder))  # a second time: replaced
    assert code == 0 and (folder / f"{TG}.yaml").read_text(encoding="utf-8").count("\nended:") == 1
    code, out = run_cli("end", TG, "--ngay", "01/01/2020", "-i", str(folder))
    assert code == 2 and "trước ngày ban hành 27/12/2024" in out


# --------------------------------------------------------------------------- reminders and overdue lists


MOVED = "Công an tỉnh Tiền Giang (nay là Công an tỉnh Đồng Tháp)"
HY = "hungyen-tinhuy-ct-antt-2024"


def _docx_text(path) -> str:
    from docx import Document

    document = Document(str(path))
    parts = [p.text for p in document.paragraphs]
    parts += [p.text for table in document.tables for cell in table._cells for p in cell.paragraphs]
    return "\n".join(parts)


def test_a_body_ended_since_is_named_alike_in_status_workbook_and_reminder(folder, tmp_path):
    """One helper names a defunct assigned body: the status text, the workbook's overdue row and the letter."""
    from openpyxl import load_workbook

    code, out = run_cli("status", str(folder), "--as-of", "2026-12-06")
    assert code == 0 and f"giao cho {MOVED}:" in out
    code, out = run_cli("build", str(folder), "-o", str(tmp_path / "out"), "-j", "1", "--as-of", "2026-12-06")
    assert code == 0, out
    sheet = load_workbook(tmp_path / "out" / "tong-hop" / "tinh-hinh-thuc-hien.xlsx")["Quá hạn"]
    rows = [[c.value for c in row] for row in sheet.iter_rows() if row[0].value == 1]
    assert rows and rows[0][1] == MOVED
    # the document by kind, date and issuer, as everywhere a document is named
    assert rows[0][2] == "Chỉ thị ngày 27/12/2024 của Chủ tịch Ủy ban nhân dân tỉnh Tiền Giang"
    letter = _docx_text(tmp_path / "out" / "tong-hop" / "don-doc" / "dong-thap-cong-an-tinh.docx")
    assert f"- Nhiệm vụ giao cho: {MOVED}." in letter


def test_a_reminder_for_an_overdue_sub_item_quotes_that_item_only(folder, tmp_path):
    """A sub-item with its own deadline under "3. Đảng ủy Công an tỉnh chỉ đạo ...:" is followed up on its own;
    its reminder quotes item 3.2 with its number and the heading of item 3, not the whole of item 3."""
    path = folder / f"{HY}.yaml"
    text = path.read_text(encoding="utf-8")
    anchor = '      - id: "3.3"\n'
    path.write_text(text.replace(anchor, '        deadline: "trước ngày 30/06/2024"\n' + anchor, 1), encoding="utf-8")
    corpus = load_corpus([folder]).require()
    statuses = assess(build_matrix(corpus), (), dt.date(2024, 12, 31))
    late = [s for s in statuses if s.state is State.OVERDUE]
    assert [(s.entry.row.task.id, s.entry.agency.id) for s in late] == [("3.2", "hung-yen-cong-an-tinh")]
    assert late[0].deadline == dt.date(2024, 6, 30)
    code, out = run_cli("build", str(folder), "-o", str(tmp_path / "out"), "-j", "1", "--as-of", "2024-12-31")
    assert code == 0, out
    letter = _docx_text(tmp_path / "out" / "tong-hop" / "don-doc" / "hung-yen-cong-an-tinh.docx")
    item = next(node for node in corpus.directive(HY).tree if node.id == "3")
    quoted = [child.task.text.split("\n")[0] for child in item.children]
    assert "1. Mục 3.2 của Chỉ thị của Ban Thường vụ Tỉnh ủy Hưng Yên:" in letter
    assert "\n3. Đảng ủy Công an tỉnh chỉ đạo Công an các cấp trong tỉnh:\n" in letter
    assert f"\n3.2. {quoted[1]}" in letter
    assert all(other[:60] not in letter for n, other in enumerate(quoted) if n != 1)
    assert "- Thời hạn hoàn thành: 30/06/2024 (trước ngày 30/06/2024)." in letter
    # the "Theo dõi" sheet has a line for it, so a report on item 3.2 can be filled in and imported
    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "out" / HY / "ma-tran.xlsx")["Theo dõi"]
    keys = [row[10] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert f"{HY}|3|hung-yen-cong-an-tinh" in keys and f"{HY}|3.2|hung-yen-cong-an-tinh" in keys

"""The form editor's edits (matrix.input.edit): pure functions on the model, checked and saved by the one
loader and the one writer, without a browser."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from matrix.core.errors import InputError, Problem
from matrix.core.model import Role
from matrix.draft import draft_text
from matrix.input import edit as ed
from matrix.input.dump import dump_directive
from matrix.input.load import load_corpus, open_registry

from .helpers import INPUT, REGISTRY
from .helpers.web import FIXTURE, FLAGGED

TG = "tiengiang-ubnd-ct-antt-2025"


@pytest.fixture(scope="module")
def registry():
    return open_registry([INPUT], REGISTRY)


@pytest.fixture()
def draft(registry):
    return draft_text(FIXTURE.read_text(encoding="utf-8"), registry, "chi-thi-thu")


@pytest.fixture()
def doc(draft, registry) -> ed.Doc:
    opened, _ = ed.open_doc(draft.yaml, registry, "chi-thi-thu.yaml")
    assert opened is not None
    return opened


def ids(doc: ed.Doc) -> list[tuple[str, int]]:
    return [(t.id, depth) for t, depth in doc.directive.walk()]


# --------------------------------------------------------------------------- reading and writing


def test_a_draft_opened_and_written_again_is_the_same_text_notes_and_all(draft, doc):
    assert ed.text_of(doc) == draft.yaml
    review = [n for n in doc.notes if n.review]
    assert [(n.task, n.name) for n in review] == [("2", (Role.PARTNER, FLAGGED))]


def test_every_seed_directive_opened_and_written_again_is_what_the_one_writer_writes(registry):
    for path in sorted(INPUT.glob("*.yaml")):
        if path.name == "co-quan.yaml":
            continue
        opened, problems = ed.open_doc(path.read_text(encoding="utf-8"), registry, path.name)
        assert opened is not None, problems
        again, _ = ed.open_doc(ed.text_of(opened), registry, path.name)
        assert again is not None and again.directive == opened.directive
        assert ed.text_of(again) == dump_directive(opened.directive, notes=[n for n in again.notes])


# --------------------------------------------------------------------------- the task tree


def test_split_at_the_cursor_makes_the_rest_a_new_task_after_it_with_a_free_id(doc):
    text = doc.directive.tasks[0].text
    at = text.index("báo cáo kết quả")
    split = ed.split_task(doc, (0,), at)
    assert ids(split)[:3] == [("1", 0), ("1a", 0), ("2", 0)]
    first, second = split.directive.tasks[:2]
    assert first.text == text[:at].rstrip() and second.text == text[at:]
    assert first.assignments == doc.directive.tasks[0].assignments and second.assignments == ()
    assert ed.split_task(doc, (0,), 0) == doc  # nothing before the cursor: unchanged


def test_merge_with_the_next_joins_texts_and_keeps_both_assignments_once(doc):
    merged = ed.merge_next(doc, (1,))
    assert [t.id for t in merged.directive.tasks] == ["1", "2", "cuối-1"]
    task = merged.directive.tasks[1]
    assert task.text == doc.directive.tasks[1].text + "\n" + doc.directive.tasks[2].text
    first, second = doc.directive.tasks[1].assignments, doc.directive.tasks[2].assignments
    assert [a.written for a in first] == ["Sở Văn hóa, Thể thao và Du lịch", FLAGGED]
    assert "Ủy ban nhân dân các huyện, thành phố, thị xã" in [a.written for a in second]
    assert [a.written for a in task.assignments] == [a.written for a in (*first, *second)]
    assert ed.merge_next(merged, (2,)) == merged  # the last task has nothing after it


def test_indent_makes_a_sub_task_and_outdent_brings_it_back_bullets_renumbered(doc):
    doc, new = ed.add_task(doc, (0,), child=True)
    assert new == (0, 0) and ids(doc)[:2] == [("1", 0), ("1-1", 1)]
    doc, _ = ed.add_task(doc, (0, 0))
    assert ids(doc)[:3] == [("1", 0), ("1-1", 1), ("1-2", 1)]
    indented = ed.indent(doc, (1,))  # item 2 under item 1: an item keeps its id
    assert ids(indented)[:4] == [("1", 0), ("1-1", 1), ("1-2", 1), ("2", 1)]
    back = ed.outdent(indented, (0, 2))
    assert ids(back) == ids(doc)
    bullet_out = ed.outdent(doc, (0, 1))  # a bullet of 1 taken out to the top gets an item id after 1
    assert [t.id for t in bullet_out.directive.tasks][:2] == ["1", "1a"]
    bullet_in = ed.indent(doc, (0, 1))  # bullet 1-2 under bullet 1-1: a bullet of its new parent
    assert ids(bullet_in)[:3] == [("1", 0), ("1-1", 1), ("1-1-1", 2)]
    assert ed.indent(doc, (0,)) == doc and ed.outdent(doc, (0,)) == doc


def test_move_up_and_down_swaps_with_the_sibling_and_stops_at_the_ends(doc):
    down = ed.move(doc, (0,), 1)
    assert [t.id for t in down.directive.tasks] == ["2", "1", "3", "cuối-1"]
    assert ed.move(down, (1,), -1) == doc
    assert ed.move(doc, (0,), -1) == doc


def test_delete_and_add_at_the_end(doc):
    gone = ed.delete_task(doc, (2,))
    assert [t.id for t in gone.directive.tasks] == ["1", "2", "cuối-1"]
    added, path = ed.add_task(gone)
    assert path == (3,) and added.directive.tasks[-1].id == "cuối-2" and added.directive.tasks[-1].text == ""


# --------------------------------------------------------------------------- assignments and names


def test_add_remove_and_change_role_of_assignments(doc, registry):
    d = doc.directive
    police = ed.search_bodies(registry, "cong an tinh", d.on, d.province)[0]
    assert police.id == "tien-giang-cong-an-tinh"
    added = ed.add_assignment(doc, (2,), police, Role.PARTNER)
    assert [(a.written, a.role) for a in added.directive.tasks[2].assignments][-1] == ("Công an tỉnh", Role.PARTNER)
    again = ed.add_assignment(added, (2,), police, Role.LEAD)  # the same body once, with the new role
    assert [(a.written, a.role) for a in again.directive.tasks[2].assignments][-1] == ("Công an tỉnh", Role.LEAD)
    before = len(doc.directive.tasks[2].assignments)
    assert len(again.directive.tasks[2].assignments) == before + 1
    changed = ed.set_role(added, (2,), before, Role.DOER)
    assert changed.directive.tasks[2].assignments[before].role is Role.DOER
    removed = ed.remove_assignment(changed, (2,), before)
    assert removed.directive.tasks[2].assignments == doc.directive.tasks[2].assignments


def test_renaming_a_flagged_name_settles_it_and_its_review_note_goes(doc, registry):
    police = registry.get("tien-giang-cong-an-tinh")
    assert ed.check(doc, registry).unresolved == (FLAGGED,)
    renamed = ed.rename_name(doc, "phòng cảnh sát giao thông tiền giang", police)  # spelling-tolerant
    assert [a.written for a in renamed.directive.tasks[1].assignments] == [
        "Sở Văn hóa, Thể thao và Du lịch",
        "Công an tỉnh",
    ]
    assert not [n for n in renamed.notes if n.review]
    assert ed.check(renamed, registry).unresolved == ()


def test_search_finds_every_name_with_or_without_diacritics_among_bodies_of_the_date(registry):
    on = dt.date(2025, 3, 10)
    found = ed.search_bodies(registry, "so ban nganh", on, "tien-giang")
    assert found[0].id == "tien-giang-so-ban-nganh"
    later = ed.search_bodies(registry, "Sở Thông tin và Truyền thông", on, "tien-giang")
    assert "tien-giang-so-tttt" not in [a.id for a in later]  # it ended on 28/02/2025
    earlier = ed.search_bodies(registry, "Sở Thông tin và Truyền thông", dt.date(2025, 1, 2), "tien-giang")
    assert [a.id for a in earlier][:1] == ["tien-giang-so-tttt"]
    assert ed.search_bodies(registry, "   ", on, "tien-giang") == []


# --------------------------------------------------------------------------- checking


def test_problems_are_placed_on_the_field_they_are_about_in_words_not_yaml(doc, registry):
    emptied = ed.set_task(doc, (2,), text="")
    unassigned = emptied
    while unassigned.directive.tasks[2].assignments:  # nobody left on item 3
        unassigned = ed.remove_assignment(unassigned, (2,), 0)
    vague = ed.set_task(unassigned, (0,), deadline="sớm nhất có thể")
    checked = ed.check(vague, registry)
    assert [p.message for p in checked.problems["task:2:text"]] == ["'text' (nội dung) của nhiệm vụ '3' đang để trống"]
    assert "chưa được giao" in checked.problems["task:2"][0].message
    assert "không hiểu thời hạn 'sớm nhất có thể'" in checked.problems["task:0:deadline"][0].message
    unknown = checked.problems["task:1:assign:1"][0]
    assert FLAGGED in unknown.message
    for problem in checked.all():
        hint = ed.plain_hint(problem) or ""
        assert "co-quan.yaml" not in hint and "\n" not in hint and "'assign'" not in hint and "'due" not in hint
    assert ed.plain_hint(unknown) == (
        "chọn cơ quan đúng ở mục 'Cần xem lại' phía trên, thêm làm tên gọi khác, hoặc tạo cơ quan mới"
    )  # no body's name is close to it


def test_a_date_that_is_not_one_is_refused_beside_its_field_and_the_old_date_kept(doc):
    changed, bad = ed.set_meta(doc, {"date": "31/02/2025", "number": "08", "signer.authority": "KT. CHỦ TỊCH\n\n"})
    assert "31/02/2025" in bad["date"] and changed.directive.date == doc.directive.date
    assert changed.directive.number == "08" and changed.directive.signer.authority == ("KT. CHỦ TỊCH",)
    dated, bad = ed.set_meta(doc, {"date": "01/04/2025"})
    assert not bad and dated.directive.date == dt.date(2025, 4, 1)


def test_what_matrix_reads_from_a_deadline_is_said_in_words():
    issued = dt.date(2025, 3, 10)
    assert ed.describe_schedule("trước ngày 15/12/2025", issued) == "hạn: 15/12/2025"
    assert ed.describe_schedule("hằng quý", issued) == "hằng quý, lần đầu 30/06/2025"
    assert "không đọc được" in ed.describe_schedule("sớm nhất có thể", issued)
    assert ed.describe_schedule("", issued) == ""


# --------------------------------------------------------------------------- saving


def test_save_writes_the_one_writers_yaml_keeps_a_bak_and_refuses_an_older_version(tmp_path, registry):
    folder = tmp_path / "input"
    shutil.copytree(INPUT, folder)
    path = folder / f"{TG}.yaml"
    before = path.read_bytes()
    doc, _ = ed.open_doc(before.decode("utf-8"), registry, path.name)
    assert doc is not None
    version = ed.version_of(before)
    first = ed.set_task(doc, (0,), deadline="trước ngày 31/12/2025")
    new_version = ed.save(first, path, version, registry)
    assert path.read_text(encoding="utf-8") == ed.text_of(first)
    assert (folder / f"{TG}.yaml.bak").read_bytes() == before
    assert new_version == ed.version_of(path.read_bytes())
    loaded = load_corpus([folder]).require().directive(TG)
    assert loaded.tasks[0].deadline == "trước ngày 31/12/2025"
    # a second clerk opened the old version: refused, the first clerk's save kept
    second = ed.set_task(doc, (0,), deadline="trước ngày 01/06/2025")
    with pytest.raises(ed.Conflict, match="người khác đã lưu"):
        ed.save(second, path, version, registry)
    assert path.read_text(encoding="utf-8") == ed.text_of(first)


def test_a_draft_is_saved_only_as_a_new_file_and_never_with_errors(tmp_path, doc, registry):
    path = tmp_path / "chi-thi-thu.yaml"
    police = registry.get("tien-giang-cong-an-tinh")
    fixed = ed.rename_name(doc, FLAGGED, police)
    broken = ed.set_task(fixed, (0,), text="")
    with pytest.raises(InputError):
        ed.save(broken, path, "", registry)
    assert not path.exists()
    ed.save(fixed, path, "", registry)
    assert path.read_text(encoding="utf-8") == ed.text_of(fixed)
    with pytest.raises(ed.Conflict, match=r"đã có tệp chi-thi-thu\.yaml"):
        ed.save(fixed, path, "", registry)


def test_create_body_adds_it_to_the_registry_and_the_name_then_resolves(tmp_path):
    folder = tmp_path / "input"
    shutil.copytree(INPUT, folder)
    registry_path = folder / "co-quan.yaml"
    before = registry_path.read_text(encoding="utf-8")
    on = dt.date(2025, 3, 10)
    agency_id = ed.create_body(registry_path, "Đội Quản lý thị trường số 5", "so-nganh", province="tien-giang", on=on)
    assert agency_id == "doi-quan-ly-thi-truong-so-5"
    assert (folder / "co-quan.yaml.bak").read_text(encoding="utf-8") == before
    registry = open_registry([folder], registry_path)
    assert registry.resolve("Đội Quản lý thị trường số 5", "tien-giang", on).id == agency_id
    before = registry_path.read_bytes()
    with pytest.raises(InputError, match="đã là tên của cơ quan khác"):
        ed.create_body(registry_path, "Công an tỉnh", "noi-chinh", province="tien-giang", on=on)
    assert registry_path.read_bytes() == before
    assert open_registry([folder], registry_path).get(agency_id).block == "so-nganh"


def test_paths_are_read_strictly():
    assert ed.parse_path("1.0.2") == (1, 0, 2)
    for bad in ("", "1..2", "a", "-1"):
        with pytest.raises(ValueError):
            ed.parse_path(bad)


# --------------------------------------------------------------------------- numbers, the fields the form adds, words


def test_a_task_renumbered_takes_its_bullets_with_it_and_remembers_its_first_number(doc):
    doc, _ = ed.add_task(doc, (2,), child=True)
    assert ids(doc)[2:5] == [("3", 0), ("3-1", 1), ("cuối-1", 0)]
    renumbered = ed.set_number(doc, (2,), "4.")  # as typed: "4." is item 4
    assert ids(renumbered)[2:4] == [("4", 0), ("4-1", 1)]
    assert ed.moved_tasks(renumbered)["3"] == "4"
    assert ed.set_number(renumbered, (2,), "4)") == renumbered  # unchanged
    with pytest.raises(ValueError, match="số '2' đã là số của một nhiệm vụ khác"):
        ed.set_number(doc, (2,), "2")
    assert ids(ed.set_number(doc, (2, 0), "a"))[3] == ("a", 1)  # a bullet numbered "a" is item a)
    assert ids(ed.set_number(doc, (2,), ""))[2] == ("cuối-2", 0)  # no number at the top: a closing paragraph
    assert ed.number_of(doc.directive.tasks[2].tasks[0], doc.directive.tasks[2]) == ""  # a bullet shows none


def test_moves_merges_and_deletions_are_remembered_for_the_reports_recorded_on_tasks(doc):
    merged = ed.merge_next(doc, (1,))  # 3 merged into 2: its reports go to 2
    assert ed.moved_tasks(merged) == {"1": "1", "2": "2", "3": "2", "cuối-1": "cuối-1"}
    gone = ed.delete_task(doc, (2,))
    assert ed.moved_tasks(gone)["3"] is None
    again, _ = ed.add_task(gone, (1,))  # a new task may take the free number 3: it is not the deleted one
    assert ids(again)[2] == ("3", 0) and ed.moved_tasks(again)["3"] is None
    new, _ = ed.add_task(doc, (1,), child=True)
    assert "2-1" not in ed.moved_tasks(new)  # a new task has no reports
    two, _ = ed.add_task(new, (1, 0))
    saved = ed.opened(two)  # saved with bullets 2-1 and 2-2
    under = ed.indent(saved, (1, 1))  # bullet 2-2 under bullet 2-1: it is 2-1-1 now
    assert ed.moved_tasks(under)["2-2"] == "2-1-1"
    merged = ed.merge_next(ed.move(under, (1,), -1), (0,))  # item 2 (moved up) and item 1 merged: 1 goes to 2
    assert ids(merged)[:4] == [("2", 0), ("2-1", 1), ("2-1-1", 2), ("3", 0)]
    assert ed.moved_tasks(merged)["1"] == "2" and ed.moved_tasks(merged)["2-2"] == "2-1-1"


def test_the_fields_the_form_adds_are_written_and_read_back(doc, registry):
    changed, bad = ed.set_meta(
        doc,
        {
            "province": "tien-giang",
            "issuer.short": "UBND tỉnh",
            "recipients": "Các sở, ban, ngành tỉnh;\n\nUBND các huyện, thành phố.",
            "distribution": "Như trên;\nLưu: VT.",
            "preamble": "Đoạn mở đầu một.\n  Đoạn hai.  ",
            "closing": "Chỉ thị này có hiệu lực từ ngày ký.",
        },
    )
    assert not bad
    changed = ed.set_task(
        changed, (0,), targets="giảm 5% số vụ\n", title="Tuyên truyền", due=ed.read_dates("15/12/2025, 01/06/2025")
    )
    again, problems = ed.open_doc(ed.text_of(changed), registry, "chi-thi-thu.yaml")
    assert again is not None, problems
    d = again.directive
    assert (d.province, d.issuer.short) == ("tien-giang", "UBND tỉnh")
    assert d.closing == ("Chỉ thị này có hiệu lực từ ngày ký.",)
    assert d.recipients == ("Các sở, ban, ngành tỉnh;", "UBND các huyện, thành phố.")
    assert d.distribution == ("Như trên;", "Lưu: VT.") and d.preamble == "Đoạn mở đầu một.\nĐoạn hai."
    task = d.tasks[0]
    assert (task.targets, task.title) == (("giảm 5% số vụ",), "Tuyên truyền")
    assert task.due == (dt.date(2025, 6, 1), dt.date(2025, 12, 15))
    with pytest.raises(ValueError, match="ngày '31/11/2025' không đọc được"):
        ed.read_dates("15/12/2025; 31/11/2025")


def test_the_loaders_messages_are_said_with_labels_and_task_numbers(doc, registry):
    doc, _ = ed.add_task(doc, (2,), child=True)
    emptied = ed.set_task(ed.set_task(doc, (2,), text=""), (2, 0), text="")
    checked = ed.check(emptied, registry)
    said = [ed.in_words(p, emptied.directive).message for p in checked.all()]
    assert "nội dung của nhiệm vụ 3 đang để trống" in said
    assert "nội dung của gạch đầu dòng thứ 1 của nhiệm vụ 3 đang để trống" in said
    # a missing key, as the loader says it to the command line
    raw = Problem("x.yaml", 3, 5, "nhiệm vụ 'cuối-1' thiếu trường bắt buộc 'text' (nội dung)", "thêm 'due: 2025-01-01'")
    assert ed.in_words(raw, doc.directive).message == "đoạn kết thứ 1 chưa có nội dung"
    assert ed.plain_hint(raw) is None  # a YAML snippet is never shown
    assert ed.plain_hint(Problem("x", 1, 1, "m", "hãy ghi 'province' của văn bản")) == "hãy ghi tỉnh của văn bản"


def test_two_tasks_swap_their_numbers_at_once_and_a_number_given_twice_is_refused(doc):
    swapped, bad = ed.set_numbers(doc, {(1,): "3", (2,): "2"})
    assert not bad and [t.id for t in swapped.directive.tasks] == ["1", "3", "2", "cuối-1"]
    assert ed.moved_tasks(swapped) == {"1": "1", "2": "3", "3": "2", "cuối-1": "cuối-1"}
    twice, bad = ed.set_numbers(doc, {(1,): "5", (2,): "5"})
    assert [t.id for t in twice.directive.tasks] == ["1", "5", "3", "cuối-1"]
    assert list(bad) == [(2,)] and "số '5' đã là số của một nhiệm vụ khác" in bad[(2,)]

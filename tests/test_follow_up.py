"""Theo dõi, đôn đốc (second part): `due:` overrides, unread phrases in `validate`, the Tình hình workbook, đôn đốc letters."""

from __future__ import annotations

import datetime as dt

import pytest

from matrix.core.model import Assignment, Role
from matrix.core.pivot import build_matrix
from matrix.core.text import match_key
from matrix.input.dump import dump_directive
from matrix.input.load import load_corpus
from matrix.tracking.records import State, assess, load_records

from .helpers import INPUT, run_cli
from .helpers.corpus import small_corpus
from .helpers.render import convert_all, soffice

TG = "tiengiang-ubnd-ct-antt-2025"
TASK_7_REPORT = "    report: định kỳ 6 tháng, năm báo cáo kết quả về UBND tỉnh\n"


_run = run_cli  # shared with the other CLI tests (conftest)


def _edit(folder, old: str, new: str) -> None:
    path = folder / f"{TG}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_of(folder, needle: str) -> int:
    lines = (folder / f"{TG}.yaml").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


# ------------------------------------------------------------------ due: and unread phrases


def test_due_overrides_the_deadline_text(folder):
    _edit(
        folder,
        TASK_7_REPORT,
        TASK_7_REPORT + "    deadline: khi có hướng dẫn của Bộ Công an\n    due: [15/10/2025, 2025-09-30]\n",
    )
    result = load_corpus([folder])
    corpus = result.require()
    task = next(t for t, _ in corpus.directive(TG).walk() if t.id == "7")
    assert task.due == (dt.date(2025, 9, 30), dt.date(2025, 10, 15))
    assert task.deadline == "khi có hướng dẫn của Bộ Công an"  # the text stays as written
    assert not [p for p in result.warnings if "khi có hướng dẫn" in p.message]  # due: answers it
    statuses = assess(build_matrix(corpus), (), dt.date(2025, 10, 20))
    lead = next(s for s in statuses if s.entry.row.task.id == "7" and s.entry.agency.id == "dong-thap-cong-an-tinh")
    assert lead.deadline == dt.date(2025, 10, 15) and lead.state is State.OVERDUE


def test_due_round_trips_through_dump(folder):
    _edit(folder, TASK_7_REPORT, TASK_7_REPORT + "    due: 15/10/2025\n")
    corpus = load_corpus([folder]).require()
    text = dump_directive(corpus.directive(TG), corpus.registry)
    assert "due: '2025-10-15'" in text or "due: 2025-10-15" in text or 'due: "2025-10-15"' in text
    (folder / f"{TG}.yaml").write_text(text, encoding="utf-8")
    again = load_corpus([folder]).require()
    assert again.directive(TG) == corpus.directive(TG)


def test_bad_due_is_an_error_with_file_and_line(folder):
    _edit(folder, TASK_7_REPORT, TASK_7_REPORT + "    due: [2025-09-30, 31/02/2025]\n")
    code, out = _run("validate", str(folder))
    assert code == 2
    line = _line_of(folder, "31/02/2025")
    assert f"{TG}.yaml:{line}:" in out and "31/02/2025" in out and "không tồn tại" in out


def test_W03_validate_warns_about_texts_it_cannot_date_but_not_open_ended_ones(folder):
    _edit(folder, TASK_7_REPORT, TASK_7_REPORT + "    deadline: sau khi có hướng dẫn của Bộ Công an\n")
    code, out = _run("validate", str(folder))
    assert code == 0, out
    line = _line_of(folder, "sau khi có hướng dẫn")
    column = (folder / f"{TG}.yaml").read_text(encoding="utf-8").splitlines()[line - 1].index("sau") + 1
    warned = [w for w in out.splitlines() if "không hiểu" in w]
    assert (
        warned == [w for w in warned if w.startswith(f"{folder / TG}.yaml:{line}:{column}: ")] and len(warned) == 1
    ), out
    assert "sau khi có hướng dẫn của Bộ Công an" in warned[0] and "due:" in warned[0]
    # "kịp thời báo cáo", "theo quy định": open-ended on purpose, not warned about
    assert "kịp thời" not in out
    code, out = _run("validate", "--strict", str(folder))
    assert code == 2


def test_seeds_pass_strict_validation():
    code, out = _run("validate", "--strict", str(INPUT))
    assert code == 0, out


# ------------------------------------------------------------------ the build's Tình hình thực hiện outputs

import dataclasses  # noqa: E402
import re  # noqa: E402

from docx import Document  # noqa: E402
from openpyxl import load_workbook  # noqa: E402

from matrix.core.model import issuer_with_province  # noqa: E402
from matrix.input.catalogue import province_names  # noqa: E402
from matrix.tracking.records import APART, STATES, assigning_letter, load_letters  # noqa: E402
from matrix.writers.reminders import (  # noqa: E402
    follow_up_issuer,
    issuer_key,
    plan_reminders,
    write_reminders,
)
from matrix.writers.status_excel import STATE_FILLS, write_status_workbook  # noqa: E402
from matrix.writers.word import agency_data  # noqa: E402

AS_OF = "2025-12-31"


def _build(folder, out, *extra):
    code, output = _run("build", str(folder), "-o", str(out), "-j", "1", *extra)
    assert code == 0, output
    return output


def _fill(cell) -> str:
    return (cell.fill.start_color.rgb or "")[-6:] if cell.fill and cell.fill.fill_type == "solid" else ""


def _docx_text(path) -> str:
    document = Document(str(path))
    parts = [p.text for p in document.paragraphs]
    parts += [p.text for table in document.tables for cell in table._cells for p in cell.paragraphs]
    return "\n".join(parts)


def test_build_writes_the_status_workbook_as_of_the_date(folder, tmp_path):
    output = _build(folder, tmp_path / "out", "--as-of", AS_OF)
    assert "Tình hình thực hiện đến ngày 31/12/2025: tong-hop/tinh-hinh-thuc-hien.xlsx; 1 thư đôn đốc" in output
    wb = load_workbook(tmp_path / "out" / "tong-hop" / "tinh-hinh-thuc-hien.xlsx")
    assert wb.sheetnames == ["Theo cơ quan", "Theo văn bản", "Quá hạn"]
    corpus = load_corpus([folder]).require()
    statuses = assess(build_matrix(corpus), load_records(folder, corpus), dt.date(2025, 12, 31))

    agencies = wb["Theo cơ quan"]
    assert "31/12/2025" in agencies["A1"].value
    headers = [c.value for c in agencies[2]]
    counted = (*STATES, *APART)  # the four states, then those counted apart (no deadline, ended)
    assert headers == ["STT", "Cơ quan", *(s.value[:1].upper() + s.value[1:] for s in counted), "Tổng số"]
    police = [r[2:] for r in agencies.iter_rows(min_row=3, values_only=True) if str(r[1]).startswith("Công an tỉnh (")]
    # one row per province's police: Tiền Giang's task 7 is followed up by Đồng Tháp's since 1/7/2025; the
    # tasks with no date at all are counted apart (tracking.APART), not "in time" in these four columns
    # each row names whose police it is ("Công an tỉnh (tỉnh Đồng Tháp)")
    assert sorted(p[:4] for p in police) == [(0, 0, 0, 0), (0, 0, 0, 0), (0, 0, 0, 1)]
    assert all(p[-1] == sum(p[:-1]) for p in police)
    total = next(r for r in agencies.iter_rows(min_row=3, values_only=True) if r[0] == "Tổng cộng")
    every = [sum(s.state is state for s in statuses) for state in counted]
    assert total[2:] == (*every, sum(every)) and every[3] == 1
    police = next(
        r for r in agencies.iter_rows(min_row=3) if str(r[1].value).startswith("Công an tỉnh (") and r[5].value
    )
    assert _fill(police[5]) == STATE_FILLS[State.OVERDUE]
    assert _fill(police[2]) == _fill(police[4]) == ""  # no assignment in that state: no fill
    assert [_fill(agencies.cell(2, c)) for c in range(3, 7)] == [STATE_FILLS[s] for s in STATES]

    directives = wb["Theo văn bản"]
    by_directive = [r for r in directives.iter_rows(min_row=3, values_only=True) if isinstance(r[0], int)]
    assert len(by_directive) == len(corpus.directives)
    assert sum(r[-1] for r in by_directive) == sum(every)  # every assignment: the four states and those apart

    overdue = wb["Quá hạn"]
    items = [r for r in overdue.iter_rows(min_row=3, values_only=True) if r[0] is not None]
    assert items == [
        (
            1,
            "Công an tỉnh Tiền Giang (nay là Công an tỉnh Đồng Tháp)",  # the body addressed, ended since
            "Chỉ thị ngày 27/12/2024 của Chủ tịch Ủy ban nhân dân tỉnh Tiền Giang",
            "7",
            items[0][4],
            "Báo cáo kỳ 30/06/2025",
            "30/06/2025",
            184,
        )
    ]
    assert items[0][4].startswith("Giao Công an tỉnh chủ trì") and len(items[0][4]) <= 300

    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_rows == "$2:$2"
        assert ws["A2"].font.name == "Times New Roman"


def test_build_writes_a_don_doc_letter_to_each_late_agency(folder, tmp_path):
    _build(folder, tmp_path / "out", "--as-of", AS_OF)
    letters = sorted((tmp_path / "out" / "tong-hop" / "don-doc").glob("*.docx"))
    assert [p.name for p in letters] == ["dong-thap-cong-an-tinh.docx"]
    text = _docx_text(letters[0])
    assert "{{" not in text and "{%" not in text
    for expected in (
        "ỦY BAN NHÂN DÂN",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "V/v đôn đốc thực hiện\nnhiệm vụ quá hạn",  # the trích yếu on balanced lines
        "Kính gửi: Công an tỉnh.",
        "đến ngày 31/12/2025, Công an tỉnh còn 1 nhiệm vụ quá hạn",
        "1. Mục 7 của Chỉ thị ngày 27/12/2024:",
        "Giao Công an tỉnh chủ trì, phối hợp với Văn phòng UBND tỉnh",
        "Văn bản giao nhiệm vụ: Chỉ thị ngày 27/12/2024 của Chủ tịch Ủy ban nhân dân tỉnh",
        "Kỳ báo cáo chưa báo cáo: 30/06/2025 (định kỳ 6 tháng, năm báo cáo kết quả về UBND tỉnh).",
        "Quá hạn: 184 ngày (từ ngày 30/06/2025).",
        "Nơi nhận:",
        "(Họ và tên người ký)",
    ):
        assert expected in text, expected


def test_a_report_clears_the_overdue_list_and_the_letter(folder, tmp_path):
    out = tmp_path / "out"
    _build(folder, out, "--as-of", AS_OF)
    code, message = _run(
        "report", "Công an tỉnh", TG, "7", "--ngay", "28/06/2025", "--so", "12/BC-CAT", "-i", str(folder)
    )
    assert code == 0, message
    output = _build(folder, out, "--as-of", AS_OF)
    assert "không có nhiệm vụ quá hạn, không có thư đôn đốc" in output
    assert not (out / "tong-hop" / "don-doc").exists()  # last build's letter removed with its folder
    wb = load_workbook(out / "tong-hop" / "tinh-hinh-thuc-hien.xlsx")
    assert wb["Quá hạn"]["A3"].value == "Không có nhiệm vụ quá hạn."
    police = [
        r[2:6]
        for r in wb["Theo cơ quan"].iter_rows(min_row=3, values_only=True)
        if str(r[1]).startswith("Công an tỉnh (")
    ]
    assert sorted(police) == [(0, 0, 0, 0), (0, 0, 0, 0), (0, 0, 1, 0)]


def _all_late(corpus):
    """The seed corpus with every directive dated 2025-01-02 and every task due 2025-03-01: everything is late."""

    def late(task):
        return dataclasses.replace(task, due=(dt.date(2025, 3, 1),), tasks=tuple(late(t) for t in task.tasks))

    directives = tuple(
        dataclasses.replace(d, date=dt.date(2025, 1, 2), tasks=tuple(late(t) for t in d.tasks))
        for d in corpus.directives
    )
    return dataclasses.replace(corpus, directives=directives)


def test_one_letter_per_issuer_never_signed_for_another(tmp_path):
    corpus = _all_late(load_corpus([INPUT]).require())
    matrix = build_matrix(corpus)
    statuses = assess(matrix, (), dt.date(2025, 12, 31))
    reminders = plan_reminders(statuses)
    late_agencies = {s.entry.agency.id for s in statuses if s.state is State.OVERDUE}
    assert {r.agency.id for r in reminders} == late_agencies
    for reminder in reminders:
        # signed for the issuer's successor on the day (UBND tỉnh Đồng Tháp for Tiền Giang's chỉ thị)
        keys = {issuer_key(follow_up_issuer(s.entry.row.directive, s.as_of)) for s in reminder.items}
        assert keys == {issuer_key(reminder.issuer)}
    police = [r for r in reminders if r.agency.id == "cong-an-tinh"]
    assert len({issuer_key(r.issuer) for r in police}) == len(police) > 1  # State and Party issuers: separate letters
    assert sum(len(r.items) for r in reminders) == sum(s.state is State.OVERDUE for s in statuses)
    paths = write_reminders(matrix, statuses, dt.date(2025, 12, 31), tmp_path)
    assert len(paths) == len(reminders) == len(set(paths))
    for reminder, path in zip(reminders, paths, strict=True):
        text = _docx_text(path)
        party = reminder.issuer.issuer.kind.value == "đảng"
        assert ("ĐẢNG CỘNG SẢN VIỆT NAM" in text) == party and ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text) != party
        assert f"còn {len(reminder.items)} nhiệm vụ quá hạn" in text
        cited = set(re.findall(r"Văn bản giao nhiệm vụ: .*? của (.*?) về ", text))
        # Generated sentences print the issuer as running text ("UBND tỉnh", not "UBND Tỉnh"): compare folded.
        # the directives are cited as they were issued, with their province
        issued = {issuer_with_province(s.entry.row.directive, province_names()) for s in reminder.items}
        assert {match_key(c) for c in cited} == {match_key(i) for i in issued}, path
        addressee = agency_data(reminder.agency, [s.entry for s in reminder.items])["written" if party else "name"]
        assert f"Kính gửi: {addressee}." in text, path
        for status in reminder.items:  # the task's text and every sub-item its assignment covers, verbatim
            for sub in (status.entry.row, *status.entry.row.descendants()):
                for paragraph in sub.task.text.split("\n"):
                    # verbatim, but for the source's closing "./." which only ends a letter (issue 11)
                    assert re.sub(r"\./\.$", ".", paragraph.strip()) in text, (path, sub.task.id)


@pytest.mark.render
def test_status_workbook_prints_one_page_wide(tmp_path):
    soffice()
    from pypdf import PdfReader

    corpus = _all_late(load_corpus([INPUT]).require())
    matrix = build_matrix(corpus)
    statuses = assess(matrix, (), dt.date(2025, 12, 31))
    path = tmp_path / "tinh-hinh.xlsx"
    write_status_workbook(matrix, statuses, dt.date(2025, 12, 31), path)
    convert_all([path], tmp_path, jobs=1)
    reader = PdfReader(tmp_path / "tinh-hinh.pdf")
    pages = [re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages]
    overdue = sum(s.state is State.OVERDUE for s in statuses)
    assert len(pages) >= 3 and overdue > 50
    for number, (page, box) in enumerate(zip(pages, reader.pages, strict=True), 1):
        assert abs(float(box.mediabox.width) - 842) < 2, number  # A4 landscape
        assert re.search(r"\S - trang \d+", page), number  # per-sheet page numbers ("Theo cơ quan - trang 1"), issue 11
        assert "STT" in page, f"page {number}: headings not repeated"
        # the right-most column's heading is on every page: nothing printed on a page of its own
        assert "Tổng số" in page or "Số ngày quá hạn" in page, f"page {number} lacks the right-most column"
        assert "###" not in page
    assert "Số ngày quá hạn" in pages[-1] and f" {overdue} " in pages[-1]  # the overdue list ends the workbook


LETTERS = """directive: tiengiang-ubnd-ct-antt-2025
letters:
  - date: 06/01/2025
    number: 15/UBND-NC
  - date: 2025-01-10
    number: 20/UBND-NC
    agency: công an tỉnh
  - date: 2026-02-01
    agency: Công an tỉnh
reports: []
"""


def test_the_letter_that_assigned_a_task_is_cited(folder, tmp_path):
    (folder / "theo-doi").mkdir()
    (folder / "theo-doi" / f"{TG}.yaml").write_text(LETTERS, encoding="utf-8")
    corpus = load_corpus([folder]).require()
    letters = load_letters(folder, corpus)
    assert [(x.date, x.number, x.agency) for x in letters] == [
        (dt.date(2025, 1, 6), "15/UBND-NC", None),
        (dt.date(2025, 1, 10), "20/UBND-NC", "tien-giang-cong-an-tinh"),
        (dt.date(2026, 2, 1), None, "tien-giang-cong-an-tinh"),
    ]
    statuses = assess(build_matrix(corpus), (), dt.date(2025, 12, 31))
    police = next(s for s in statuses if s.entry.agency.id == "dong-thap-cong-an-tinh" and s.entry.row.task.id == "7")
    assert police.entry.was.id == "tien-giang-cong-an-tinh"  # followed up under the successor since 1/7/2025
    other = next(
        s for s in statuses if s.entry.agency.id != "dong-thap-cong-an-tinh" and s.entry.row.directive.id == TG
    )
    # the agency's own letter sent by the date wins over the letter to all; a later one is not yet sent
    assert assigning_letter(letters, police.entry, police.as_of).number == "20/UBND-NC"
    assert assigning_letter(letters, other.entry, other.as_of).number == "15/UBND-NC"
    _build(folder, tmp_path / "out", "--as-of", AS_OF)
    text = _docx_text(tmp_path / "out" / "tong-hop" / "don-doc" / "dong-thap-cong-an-tinh.docx")
    assert "Thư giao nhiệm vụ: số 20/UBND-NC ngày 10/01/2025." in text
    wb = load_workbook(tmp_path / "out" / "tong-hop" / "tinh-hinh-thuc-hien.xlsx")
    assert wb["Quá hạn"]["C3"].value == (
        "Chỉ thị ngày 27/12/2024 của Chủ tịch Ủy ban nhân dân tỉnh Tiền Giang\nThư giao nhiệm vụ số 20/UBND-NC ngày 10/01/2025"
    )


def test_letters_after_reports_and_unknown_agencies_are_errors(folder):
    (folder / "theo-doi").mkdir()
    path = folder / "theo-doi" / f"{TG}.yaml"
    path.write_text(
        f"directive: {TG}\nreports: []\nletters:\n  - date: 2025-01-06\n    agency: Sở Không Có\n", encoding="utf-8"
    )
    code, out = _run("validate", str(folder))
    assert code == 2
    assert f"{path}:3:1: lỗi: 'letters' (thư giao nhiệm vụ) phải đứng trước 'reports'" in out
    assert f"{path}:5:13: lỗi: cơ quan 'Sở Không Có' không có trong danh mục" in out


def test_validate_counts_the_records(folder):
    (folder / "theo-doi").mkdir()
    (folder / "theo-doi" / f"{TG}.yaml").write_text(
        LETTERS.replace("reports: []", "reports:\n  - agency: Công an tỉnh\n    date: 2025-06-28\n"), encoding="utf-8"
    )
    code, out = _run("validate", str(folder))
    assert code == 0, out
    assert "Sổ theo dõi: 1 báo cáo, 3 thư giao nhiệm vụ." in out


def test_a_sub_item_takes_its_items_due_dates():
    corpus = small_corpus()  # ct-1: item 2 (Công an tỉnh) has sub-item 2-1 where Sở Nội vụ is named
    state = corpus.directives[0]
    item = next(t for t in state.tasks if t.id == "2")
    sub = dataclasses.replace(item.tasks[0], assignments=(Assignment("so-noi-vu", Role.LEAD, "Sở Nội vụ"),))
    item = dataclasses.replace(item, due=(dt.date(2025, 5, 1),), tasks=(sub, *item.tasks[1:]))
    state = dataclasses.replace(state, tasks=tuple(item if t.id == "2" else t for t in state.tasks))
    corpus = dataclasses.replace(corpus, directives=(state, *corpus.directives[1:]))
    statuses = assess(build_matrix(corpus), (), dt.date(2025, 6, 1))
    mine = next(s for s in statuses if s.entry.row.task.id == "2-1" and s.entry.agency.id == "so-noi-vu")
    assert mine.deadline == dt.date(2025, 5, 1) and mine.state is State.OVERDUE

"""Theo dõi, đôn đốc: records, statuses, `matrix report`, `matrix status`, `matrix calendar`."""

from __future__ import annotations

import datetime as dt
import json

from icalendar import Calendar

from matrix.core.pivot import build_matrix
from matrix.input.load import load_corpus
from matrix.tracking.records import State, assess, load_records, unread_phrases

from .helpers import run_cli

TG = "tiengiang-ubnd-ct-antt-2025"


_run = run_cli  # shared with the other CLI tests (conftest)


def _statuses(folder, as_of):
    corpus = load_corpus([folder]).require()
    return corpus, assess(build_matrix(corpus), load_records(folder, corpus), as_of)


def test_seed_report_cadence_is_overdue_at_year_end(folder):
    _, statuses = _statuses(folder, dt.date(2025, 12, 31))
    overdue = [s for s in statuses if s.state is State.OVERDUE]
    assert [(s.entry.row.directive.id, s.entry.row.task.id, s.entry.agency.id) for s in overdue] == [
        (TG, "7", "dong-thap-cong-an-tinh")  # followed up by Đồng Tháp's police since the merger
    ]
    assert overdue[0].entry.was.id == "tien-giang-cong-an-tinh"  # the body the directive addressed
    assert overdue[0].missed == (dt.date(2025, 6, 30),)  # the half-year report; the year-end one is due today


def test_status_counts_change_after_a_report(folder):
    code, before = _run("status", str(folder), "--as-of", "2025-12-31", "--format", "json")
    assert code == 0, before
    code, out = _run("report", "Công an tỉnh", TG, "7", "--ngay", "28/06/2025", "--so", "123/BC-CAT", "-i", str(folder))
    assert code == 0, out
    code, after = _run("status", str(folder), "--as-of", "2025-12-31", "--format", "json")
    b, a = json.loads(before)["counts"], json.loads(after)["counts"]
    assert b["quá hạn chưa hoàn thành"] == 1 and a["quá hạn chưa hoàn thành"] == 0
    assert a["đang thực hiện trong hạn"] == b["đang thực hiện trong hạn"] + 1
    code, out = _run("report", "cong an tinh", TG, "--ngay", "2025-12-20", "--xong", "-i", str(folder))
    assert code == 0, out
    _, statuses = _statuses(folder, dt.date(2025, 12, 31))
    mine = [s for s in statuses if s.entry.agency.id == "dong-thap-cong-an-tinh" and s.entry.row.directive.id == TG]
    assert mine and all(s.state is State.DONE_ON_TIME for s in mine)


def test_records_file_is_readable_appended_and_backed_up(folder):
    _run("report", "Công an tỉnh", TG, "7", "--ngay", "28/06/2025", "--so", "123/BC-CAT", "-i", str(folder))
    path = folder / "theo-doi" / f"{TG}.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "  # ghi chú của văn thư\n", encoding="utf-8")
    _run("report", "Văn phòng UBND tỉnh", TG, "--ngay", "01/07/2025", "-i", str(folder))
    text = path.read_text(encoding="utf-8")
    assert "# ghi chú của văn thư" in text and 'number: "123/BC-CAT"' in text
    assert "# ghi chú của văn thư" in (folder / "theo-doi" / f"{TG}.yaml.bak").read_text(encoding="utf-8")
    corpus = load_corpus([folder]).require()
    records = load_records(folder, corpus)
    assert [(r.agency, r.task, r.date.isoformat(), r.number) for r in records] == [
        ("tien-giang-cong-an-tinh", "7", "2025-06-28", "123/BC-CAT"),
        ("tien-giang-vp-ubnd-tinh", None, "2025-07-01", None),
    ]


def test_bad_records_are_reported_with_file_and_line(folder):
    (folder / "theo-doi").mkdir()
    (folder / "theo-doi" / f"{TG}.yaml").write_text(
        f"directive: {TG}\nreports:\n  - agency: Công an tỉnhh\n    date: 2025-06-01\n"
        "  - agency: Công an tỉnh\n    task: '99'\n    date: 2025-06-01\n  - agency: Công an tỉnh\n    date: 31/02/2025\n",
        encoding="utf-8",
    )
    code, out = _run("status", str(folder))
    assert code == 2
    assert (
        f"theo-doi/{TG}.yaml:3:13: lỗi: cơ quan 'Công an tỉnhh' không có trong danh mục (có phải ý bạn là 'Công an tỉnh'"
        in out
    )
    assert f"theo-doi/{TG}.yaml:6:11: lỗi: văn bản '{TG}' không có nhiệm vụ '99'" in out
    assert f"theo-doi/{TG}.yaml:9:11: lỗi: 'date' (ngày báo cáo): ngày '31/02/2025' không tồn tại" in out
    assert "Traceback" not in out


def test_report_refuses_unknown_directive_task_and_agency(folder):
    code, out = _run("report", "Công an tỉnh", "tiengiang", "--ngay", "2025-06-01", "-i", str(folder))
    assert code == 2 and f"có phải ý bạn là '{TG}'?" in out
    code, out = _run("report", "Công an tỉnh", TG, "99", "--ngay", "2025-06-01", "-i", str(folder))
    assert code == 2 and "không có mục '99'" in out
    code, out = _run("report", "Công an huyện X", TG, "--ngay", "2025-06-01", "-i", str(folder))
    assert code == 2 and "không có trong danh mục" in out
    assert not (folder / "theo-doi").exists()


def test_every_seed_deadline_and_report_text_is_dated_or_listed(folder):
    corpus = load_corpus([folder]).require()
    unread = {(u.directive, u.task, u.field): u.open_ended for u in unread_phrases(corpus)}
    phrases = [
        (d.id, t.id, f) for d in corpus.directives for t, _ in d.walk() for f in ("deadline", "report") if getattr(t, f)
    ]
    dated = [p for p in phrases if p not in unread]
    assert (TG, "7", "report") in dated
    assert len(dated) + len(unread) == len(phrases)


def test_calendar_has_one_event_per_due_date_and_stable_uids(folder, tmp_path):
    out1, out2 = tmp_path / "a.ics", tmp_path / "b.ics"
    assert _run("calendar", str(folder), "-o", str(out1), "--until", "2026-12-31")[0] == 0
    assert _run("calendar", str(folder), "-o", str(out2), "--until", "2026-12-31")[0] == 0
    events = [c for c in Calendar.from_ical(out1.read_bytes()).walk("VEVENT")]
    starts = [e.decoded("dtstart") for e in events]
    assert starts == sorted(starts) and len(starts) == len(
        set(zip(starts, (str(e["summary"]) for e in events), strict=True))
    )
    assert dt.date(2025, 6, 30) in starts and dt.date(2025, 12, 31) in starts
    assert all(e.walk("VALARM") for e in events)
    uids = lambda p: [str(e["uid"]) for e in Calendar.from_ical(p.read_bytes()).walk("VEVENT")]  # noqa: E731
    assert uids(out1) == uids(out2)
    code, out = _run("calendar", str(folder), "-o", str(out1))
    assert code == 2 and "--force" in out


def test_theo_doi_sheet_round_trip(folder, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "out"
    code, text = _run("build", str(folder), "-o", str(out))
    assert code == 0, text
    book = out / TG / "ma-tran.xlsx"
    wb = load_workbook(book)
    ws = wb["Theo dõi"]
    headers = [c.value for c in ws[1]]
    # rows are as tall as their wrapped task text (a long text gets several lines, not one overlapping line)
    long_row = max(range(2, ws.max_row + 1), key=lambda r: len(str(ws.cell(r, 3).value or "")))
    assert ws.row_dimensions[long_row].height >= 3 * 12 and ws.cell(long_row, 3).alignment.wrap_text
    filled = []
    for row in ws.iter_rows(min_row=2):
        key = row[headers.index("mã")].value
        if key.endswith("|tien-giang-cong-an-tinh") or key.endswith("|tien-giang-vp-ubnd-tinh"):
            row[headers.index("Ngày báo cáo")].value = dt.datetime(2025, 6, 28)
            row[headers.index("Số báo cáo")].value = "123/BC-CAT"
            row[headers.index("Tình trạng")].value = "Đã hoàn thành" if key.startswith(f"{TG}|7|") else "Đang thực hiện"
            row[headers.index("Ghi chú")].value = "đã gửi bản giấy"
            filled.append(key)
    assert filled
    wb.save(book)
    code, text = _run("import", str(book), "-i", str(folder))
    assert code == 0, text
    corpus = load_corpus([folder]).require()
    records = load_records(folder, corpus)
    assert sorted(f"{r.directive}|{r.task}|{r.agency}" for r in records) == sorted(filled)
    assert all(
        r.date == dt.date(2025, 6, 28) and r.number == "123/BC-CAT" and r.note == "đã gửi bản giấy" for r in records
    )
    assert [r.done for r in records if r.task == "7"] == [True]
    before = (folder / "theo-doi" / f"{TG}.yaml").read_bytes()
    code, text = _run("import", str(book), "-i", str(folder))
    assert code == 0 and "Không có thay đổi nào." in text
    assert (folder / "theo-doi" / f"{TG}.yaml").read_bytes() == before


def test_import_reports_unknown_rows_and_changed_tasks(folder, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "out"
    assert _run("build", str(folder), "-o", str(out))[0] == 0
    book = out / TG / "ma-tran.xlsx"
    wb = load_workbook(book)
    ws = wb["Theo dõi"]
    ws.cell(2, 7).value = "01/07/2025"
    ws.cell(2, 11).value = "khong-co|9|x"
    ws.cell(3, 7).value = "01/07/2025"
    ws.cell(3, 12).value = "0000000000"
    wb.save(book)
    code, text = _run("import", str(book), "-i", str(folder))
    assert code == 0
    assert "dòng 2" in text and "không ứng với nhiệm vụ nào" in text
    assert "dòng 3" in text and "đã thay đổi" in text
    assert not (folder / "theo-doi").exists()

"""`matrix import` of a "Theo dõi" sheet printed before the tasks were renumbered (issue 20): a row is matched by
its task's text among the tasks its agency follows, with a note of what was matched; only a text that fits
several tasks is refused, and a text that fits none still is."""

from __future__ import annotations

import datetime as dt
import re

from openpyxl import load_workbook

from matrix.input.load import load_corpus
from matrix.tracking.records import load_records

from .helpers import run_cli

TG = "tiengiang-ubnd-ct-antt-2025"
POLICE = "tien-giang-cong-an-tinh"


def _printed_sheet(folder, tmp_path):
    """The workbook built now, its Theo dõi rows of task 7 (Công an tỉnh) and of task 6 (one agency) filled."""
    out = tmp_path / "out"
    code, text = run_cli("build", folder, "-o", out)
    assert code == 0, text
    book = out / TG / "ma-tran.xlsx"
    wb = load_workbook(book)
    ws = wb["Theo dõi"]
    filled = {}
    for row in range(2, ws.max_row + 1):
        key = ws.cell(row, 11).value
        if key == f"{TG}|7|{POLICE}" or (
            key.startswith(f"{TG}|6|") and not any(k.startswith(f"{TG}|6|") for k in filled)
        ):
            ws.cell(row, 7).value = "28/06/2025"
            ws.cell(row, 8).value = f"{row}/BC"
            filled[key] = row
    assert len(filled) == 2
    wb.save(book)
    return book, filled


def _swap_six_and_seven(folder) -> str:
    """Items 6 and 7 renumbered (each keeps its text and assignments): the directive's text."""
    path = folder / f"{TG}.yaml"
    text = path.read_text(encoding="utf-8")
    text = (
        text.replace('  - id: "6"', '  - id: "x"')
        .replace('  - id: "7"', '  - id: "6"')
        .replace('  - id: "x"', '  - id: "7"')
    )
    path.write_text(text, encoding="utf-8")
    return text


def test_a_sheet_printed_before_a_renumbering_is_matched_by_task_text_with_a_note(folder, tmp_path):
    book, filled = _printed_sheet(folder, tmp_path)
    _swap_six_and_seven(folder)
    code, text = run_cli("import", book, "-i", folder)
    assert code == 0, text
    police_row, other_row = filled[f"{TG}|7|{POLICE}"], next(r for k, r in filled.items() if "|6|" in k)
    assert (
        f"dòng {police_row}: nhiệm vụ 'mục 7' trên bảng in nay là mục 6 (cùng nội dung, số thứ tự đã đổi): "
        "báo cáo ghi vào mục 6"
    ) in text
    assert f"dòng {other_row}: nhiệm vụ 'mục 6' trên bảng in nay là mục 7" in text
    assert "Đã ghi 2 báo cáo mới; 0 dòng không dùng được." in text
    records = load_records(folder, load_corpus([folder]).require())
    got = {(r.task, r.agency, r.number) for r in records}
    other_agency = next(k for k in filled if "|6|" in k).split("|")[2]
    assert got == {("6", POLICE, f"{police_row}/BC"), ("7", other_agency, f"{other_row}/BC")}
    assert all(r.date == dt.date(2025, 6, 28) for r in records)
    # imported again: nothing new (the rows are known under their new numbers)
    assert run_cli("import", book, "-i", folder)[1].endswith("Không có thay đổi nào.\n")


def test_a_row_whose_text_fits_several_tasks_of_its_agency_is_refused_by_name(folder, tmp_path):
    book, filled = _printed_sheet(folder, tmp_path)
    text = _swap_six_and_seven(folder)
    # item 7's former text (now item 6) also given, word for word, as a new item 8 to the same police
    block = re.search(r'  - id: "6"\n.*?(?=\n  [-#])', text, re.S)
    assert block and "Giao Công an tỉnh chủ trì" in block.group(0)
    text = text.replace('  - id: "cuối-1"', block.group(0).replace('id: "6"', 'id: "8"') + '\n  - id: "cuối-1"')
    (folder / f"{TG}.yaml").write_text(text, encoding="utf-8")
    assert not load_corpus([folder]).problems
    code, out = run_cli("import", book, "-i", folder)
    assert code == 0, out
    police_row = filled[f"{TG}|7|{POLICE}"]
    assert (
        f"dòng {police_row}: cảnh báo: nhiệm vụ 'mục 7' nay không còn ở chỗ cũ, và nội dung của nó khớp 2 nhiệm vụ"
        in out
    )
    assert "(mục 6, mục 8): không biết ghi vào nhiệm vụ nào; hãy ghi lại trên bảng mới" in out
    assert "Đã ghi 1 báo cáo mới; 1 dòng không dùng được." in out
    records = load_records(folder, load_corpus([folder]).require())
    assert [r.agency for r in records] != [] and all(r.agency != POLICE for r in records)


def test_a_row_without_its_hidden_check_is_matched_by_its_printed_text_and_a_changed_text_refused(folder, tmp_path):
    book, filled = _printed_sheet(folder, tmp_path)
    wb = load_workbook(book)
    for row in filled.values():
        wb["Theo dõi"].cell(row, 12).value = None  # the hidden columns lost (the rows copied into another sheet)
    wb.save(book)
    text = _swap_six_and_seven(folder)
    start = '  - id: "7"\n    text: |-\n      '  # the former item 6, now 7, reworded at its start
    assert start in text
    (folder / f"{TG}.yaml").write_text(text.replace(start, start + "Khẩn trương "), encoding="utf-8")
    code, out = run_cli("import", book, "-i", folder)
    assert code == 0, out
    police_row, other_row = filled[f"{TG}|7|{POLICE}"], next(r for k, r in filled.items() if "|6|" in k)
    assert f"dòng {police_row}: nhiệm vụ 'mục 7' trên bảng in nay là mục 6" in out
    assert f"dòng {other_row}: cảnh báo: dòng không ứng với nhiệm vụ nào" not in out
    assert f"dòng {other_row}: cảnh báo: nội dung mục 6 của '{TG}' đã thay đổi từ khi lập bảng" in out
    assert "Đã ghi 1 báo cáo mới; 1 dòng không dùng được." in out
    records = load_records(folder, load_corpus([folder]).require())
    assert [(r.task, r.agency) for r in records] == [("6", POLICE)]

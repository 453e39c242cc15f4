"""The commands' work as library functions (the CLI only parses options, prints what these return, exits with the
returned code): the same results without a terminal, for the CLI and the web app alike."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest

from matrix.commands.export import EXIT_UNRESOLVED, calendar, export
from matrix.commands.status import add_report, status_report
from matrix.commands.views import drafted, validation
from matrix.core.errors import InputError
from matrix.core.model import Assignment, Corpus, Role, Task
from matrix.core.pivot import build_matrix
from matrix.core.reply import Reply
from matrix.input.catalogue import write_registry
from matrix.input.load import load_corpus
from matrix.input.lookup import find_directive
from matrix.tracking.records import Record, State, assess, input_folder, load_records, schedules

from .helpers.corpus import small_corpus

TG = "tiengiang-ubnd-ct-antt-2025"


def _corpus(folder: Path):
    return load_corpus([folder]).require()


def test_reply_keeps_the_order_the_streams_and_each_line_end():
    reply = Reply()
    reply.say("một")
    reply.say("hai", True)
    reply.say("ba", end="")
    assert reply.lines == [("một\n", False), ("hai\n", True), ("ba", False)] and reply.code == 0


def test_validation_counts_on_success_and_exits_2_with_the_errors(folder):
    reply = validation([folder], None)
    assert reply.code == 0 and not any(err for _, err in reply.lines)
    assert reply.lines[-1][0].startswith("Hợp lệ: 5 văn bản, ")
    (folder / "hong.yaml").write_text("id: [\n", encoding="utf-8")
    broken = validation([folder], None)
    assert broken.code == 2 and broken.lines[-1][0].startswith("Có 1 lỗi, ")
    assert any("hong.yaml:" in text for text, _ in broken.lines[:-1])


def test_input_folder_is_the_folder_itself_or_the_folder_of_a_file(folder):
    assert input_folder([folder]) == folder
    assert input_folder([folder / f"{TG}.yaml", Path("elsewhere")]) == folder


def test_find_directive_hints_the_closest_id(folder):
    corpus = _corpus(folder)
    assert find_directive(corpus, TG).id == TG
    with pytest.raises(InputError) as error:
        find_directive(corpus, "tiengiang-ubnd-ct-antt-2052")
    assert error.value.problems[0].hint == f"có phải ý bạn là '{TG}'?"
    with pytest.raises(InputError) as error:
        find_directive(corpus, "khong-co")
    assert error.value.problems[0].hint == "mã văn bản là tên tệp .yaml, không có đuôi"


def test_add_report_appends_a_record_that_status_then_counts(folder):
    corpus = _corpus(folder)
    before = len(load_records(folder, corpus))
    message = add_report(corpus, folder, "cong an tinh", TG, "7", dt.date(2025, 6, 28), "123/BC-CAT", True)
    assert message.startswith("Đã ghi báo cáo của Công an tỉnh (đã hoàn thành) vào ")
    records = load_records(folder, corpus)
    assert len(records) == before + 1 and records[-1].written == "Công an tỉnh"  # the official name, not the typing
    data = json.loads(status_report(corpus, folder, dt.date(2025, 12, 31), agency="Công an tỉnh", fmt="json"))
    assert data and json.dumps(data).count("123/BC-CAT") >= 1
    with pytest.raises(InputError) as error:
        add_report(corpus, folder, "Công an tỉnh", TG, "99", dt.date(2025, 6, 28))
    assert error.value.problems[0].message == f"văn bản '{TG}' không có mục '99'"
    assert len(load_records(folder, corpus)) == before + 1


def test_calendar_keeps_an_existing_file_unless_forced(folder, tmp_path):
    target = tmp_path / "lich.ics"
    until = dt.date(2026, 12, 31)
    reply = calendar([folder], None, print, target, until=until)
    assert reply.lines == [(f"Đã ghi lịch vào {target}.\n", False)] and reply.code == 0
    assert target.read_bytes().startswith(b"BEGIN:VCALENDAR")
    target.write_bytes(b"x")
    with pytest.raises(InputError):
        calendar([folder], None, print, target, until=until)
    assert target.read_bytes() == b"x"
    calendar([folder], None, print, target, agency="Công an tỉnh", until=until, force=True)
    assert target.read_bytes().startswith(b"BEGIN:VCALENDAR")


def test_export_refuses_unknown_names_unless_kept(folder):
    path = folder / f"{TG}.yaml"
    text = path.read_text(encoding="utf-8")
    assert "chủ trì: Công an tỉnh\n" in text
    path.write_text(text.replace("chủ trì: Công an tỉnh\n", "chủ trì: Sở Không Có\n", 1), encoding="utf-8")
    warned: list[str] = []
    refused = export([path], folder / "co-quan.yaml", warned.append)
    assert refused.code == EXIT_UNRESOLVED and [err for _, err in refused.lines] == [True]
    assert any("Sở Không Có" in w for w in warned)
    kept = export([path], folder / "co-quan.yaml", warned.append, keep_unknown=True)
    (text_out, to_stderr), *_ = kept.lines
    assert kept.code == 0 and not to_stderr and json.loads(text_out)


def test_write_registry_refuses_an_unknown_province_and_an_existing_file(tmp_path):
    with pytest.raises(InputError) as error:
        write_registry("Tỉnh Không Có", tmp_path / "co-quan.yaml")
    assert error.value.problems[0].path == "<dòng lệnh>"
    message = write_registry("Đồng Tháp", tmp_path / "co-quan.yaml")
    assert message.startswith(f"Đã tạo {tmp_path / 'co-quan.yaml'}: ") and message.endswith(" cơ quan và nhóm.")
    with pytest.raises(InputError):
        write_registry("Đồng Tháp", tmp_path / "co-quan.yaml")


def test_drafted_keeps_an_existing_output(tmp_path):
    source = tmp_path / "van-ban.txt"
    source.write_text("x", encoding="utf-8")
    target = tmp_path / "ban-nhap.txt"
    target.write_text("giữ nguyên", encoding="utf-8")
    reply = drafted(source, None, target)
    assert reply.code == 2 and reply.lines[0][1] and "không ghi đè" in reply.lines[0][0]
    assert target.read_text(encoding="utf-8") == "giữ nguyên"


def test_tracking_reads_deadlines_and_reports_up_the_task_tree():
    """A sub-item without its own deadline has its item's; a report on an item answers for its sub-items, not the
    other way round."""
    registry = small_corpus().registry
    sub = Task("2-1", "Rà soát hồ sơ.", (Assignment("so-noi-vu", Role.LEAD, "Sở Nội vụ"),))
    item = Task(
        "2",
        "Bảo đảm an ninh.",
        (Assignment("cong-an-tinh", Role.LEAD, "Công an tỉnh"),),
        deadline="trước ngày 30/6/2025",
        tasks=(sub,),
    )
    directive = dataclasses.replace(small_corpus().directives[0], id="ct-cay", tasks=(item,))
    matrix = build_matrix(Corpus(registry, (directive,)))
    rows = {row.task.id: row for row in matrix.rows}
    assert schedules(rows["2-1"])[0].dates(dt.date(2025, 12, 31)) == (dt.date(2025, 6, 30),)
    records = (
        Record("ct-cay", "so-noi-vu", "Sở Nội vụ", dt.date(2025, 6, 1), "2", done=True),
        Record("ct-cay", "cong-an-tinh", "Công an tỉnh", dt.date(2025, 6, 1), "2-1", done=True),
    )
    states = {(s.entry.agency.id, s.entry.row.task.id): s.state for s in assess(matrix, records, dt.date(2025, 6, 10))}
    assert states[("so-noi-vu", "2-1")] is State.DONE_ON_TIME
    assert states[("cong-an-tinh", "2")] is State.IN_PROGRESS


def test_a_text_drafted_outside_a_project_folder_is_read_with_its_provinces_catalogue(tmp_path, monkeypatch):
    """No co-quan.yaml beside the text nor in input/: the names are matched against the standard catalogue of the
    province the text names, and the clerk is told so."""
    monkeypatch.chdir(tmp_path)
    source = tmp_path / "cong-van.txt"
    source.write_text(
        "ỦY BAN NHÂN DÂN\nTỈNH ĐẮK LẮK\nSố: 12/UBND-NC\nĐắk Lắk, ngày 02 tháng 3 năm 2026\n"
        "V/v bảo đảm an ninh, trật tự\nKính gửi: Các sở, ban, ngành tỉnh.\n"
        "1. Công an tỉnh chủ trì, phối hợp với Sở Tư pháp rà soát các vụ việc phức tạp.\n",
        encoding="utf-8",
    )
    reply = drafted(source, None, tmp_path / "cv-12.yaml")
    said = "".join(text for text, _ in reply.lines)
    assert reply.code == 0 and "danh mục chuẩn của tỉnh ghi trong văn bản" in said
    text = (tmp_path / "cv-12.yaml").read_text(encoding="utf-8")
    assert 'id: "cv-12"' in text and "province: dak-lak" in text
    assert "Chưa có trong danh mục" not in said  # Công an tỉnh and Sở Tư pháp of Đắk Lắk are known

"""Clerk's files under faults and load (issue 22): every write one locked, atomic transaction.

Many `matrix report` at once, kill -9 in the middle of `report` and `import`, a full disk on every write path
(a small tmpfs where one can be mounted, a patched ``os.write`` everywhere), outputs that are devices or FIFOs,
fields that would make the records file unreadable, and `matrix import` at scale.
"""

from __future__ import annotations

import os
import stat
import threading
import time
from pathlib import Path

import pytest

from matrix.core.errors import InputError, OutputError
from matrix.input.load import load_corpus
from matrix.tracking.records import Record, load_records

from .helpers import SEEDS
from .helpers.faults import (
    FULL_DEVICE,
    KILL_BEFORE_RENAME,
    KILL_HALF_WRITTEN,
    NULL_DEVICE,
    device,
    disk_full_under,
    free,
    full_tmpfs,
    is_device,
    matrix_process,
    run_matrix,
    tracking_book,
)
from .helpers.safety import ONE, english_words, make_project, run, snapshot

AGENCY = "Công an tỉnh"


def _project(tmp_path: Path) -> Path:
    return make_project(tmp_path, ONE) / "input"


def _numbers(folder: Path) -> list[str | None]:
    corpus = load_corpus([folder]).require()
    return [r.number for r in load_records(folder, corpus)]


def _report(folder: Path, number: str, *extra: str):
    return run("report", AGENCY, ONE, "7", "--ngay", "28/06/2025", "--so", number, "-i", str(folder), *extra)


def _clean_failure(result, words: str = "ổ đĩa đã đầy") -> None:
    """Exit 1, the Vietnamese reason, no traceback and no English."""
    assert result.exit_code == 1, result.output
    assert words in result.output, result.output
    assert "Traceback" not in result.output and "No space" not in result.output
    assert english_words(result.output) == [], result.output


# --------------------------------------------------------------------------- many writers, kill -9


def test_E44_16_concurrent_reports_keep_every_record(tmp_path):
    folder = _project(tmp_path)
    processes = [
        matrix_process(
            "report", AGENCY, ONE, "7", "--ngay", "28/06/2025", "--so", f"{n}/BC", "-i", "input", cwd=tmp_path
        )
        for n in range(16)
    ]
    outputs = [p.communicate(timeout=300) for p in processes]
    assert [p.returncode for p in processes] == [0] * 16, outputs
    assert sorted(_numbers(folder)) == sorted(f"{n}/BC" for n in range(16))


@pytest.mark.parametrize("fault", [KILL_BEFORE_RENAME, KILL_HALF_WRITTEN], ids=["before-rename", "half-written"])
def test_kill_9_during_report_loses_and_corrupts_nothing(tmp_path, fault):
    folder = _project(tmp_path)
    assert _report(folder, "1/BC").exit_code == 0
    records = folder / "theo-doi" / f"{ONE}.yaml"
    before = records.read_bytes()
    code, out = run_matrix(
        "report", AGENCY, ONE, "7", "--ngay", "29/06/2025", "--so", "2/BC", "-i", "input", cwd=tmp_path, before=fault
    )
    assert code == -9, out  # killed in the middle of the write
    assert records.read_bytes() == before
    assert _numbers(folder) == ["1/BC"]  # what the kill left behind is never read as records
    assert _report(folder, "3/BC").exit_code == 0
    assert _numbers(folder) == ["1/BC", "3/BC"]


@pytest.mark.parametrize("fault", [KILL_BEFORE_RENAME, KILL_HALF_WRITTEN], ids=["before-rename", "half-written"])
def test_kill_9_during_import_loses_and_corrupts_nothing(tmp_path, fault):
    folder = _project(tmp_path)
    assert _report(folder, "0/BC").exit_code == 0
    book = tracking_book(tmp_path / "so.xlsx", folder, 30)
    before = (folder / "theo-doi" / f"{ONE}.yaml").read_bytes()
    code, out = run_matrix("import", str(book), "-i", "input", cwd=tmp_path, before=fault)
    assert code == -9, out
    assert (folder / "theo-doi" / f"{ONE}.yaml").read_bytes() == before
    assert _numbers(folder) == ["0/BC"]
    result = run("import", str(book), "-i", str(folder))
    assert result.exit_code == 0, result.output
    assert len(_numbers(folder)) == 31


# --------------------------------------------------------------------------- a full disk on every write path


def _write_paths(tmp_path: Path, target: Path) -> dict[str, tuple[str, ...]]:
    folder = tmp_path / "input"
    return {
        "export-csv": ("export", str(folder), "--format", "csv", "-o", str(target / "phan-cong.csv")),
        "export-json": ("export", str(folder), "-o", str(target / "phan-cong.json")),
        "export-xlsx": ("export", str(folder), "-o", str(target / "phan-cong.xlsx")),
        "calendar": ("calendar", str(folder), "-o", str(target / "lich.ics")),
        "registry-init": ("registry", "init", "Đồng Tháp", "-o", str(target / "co-quan.yaml")),
        "draft": ("draft", str(SEEDS / f"{ONE}.txt"), "--registry", str(folder / "co-quan.yaml"), "-o",
                  str(target / "ban-nhap.yaml")),
    }  # fmt: skip


PATHS = ("export-csv", "export-json", "export-xlsx", "calendar", "registry-init", "draft")


@pytest.mark.parametrize("name", PATHS)
def test_disk_full_while_writing_an_output_leaves_nothing(tmp_path, monkeypatch, name):
    _project(tmp_path)
    target = tmp_path / "ra"
    target.mkdir()
    args = _write_paths(tmp_path, target)[name]
    disk_full_under(monkeypatch, target)
    _clean_failure(run(*args))
    assert list(target.iterdir()) == []  # no temporary, no empty file
    monkeypatch.undo()
    result = run(*args)  # the next run is not refused ("already there") and writes the file
    assert result.exit_code == 0, result.output


def test_disk_full_during_report_and_import_keeps_the_records(tmp_path, monkeypatch):
    folder = _project(tmp_path)
    assert _report(folder, "1/BC").exit_code == 0
    book = tracking_book(tmp_path / "so.xlsx", folder, 5)
    before = snapshot(folder / "theo-doi")
    disk_full_under(monkeypatch, folder / "theo-doi")
    _clean_failure(_report(folder, "2/BC"))
    _clean_failure(run("import", str(book), "-i", str(folder)))
    assert snapshot(folder / "theo-doi") == before
    monkeypatch.undo()
    assert _numbers(folder) == ["1/BC"]
    assert _report(folder, "2/BC").exit_code == 0


def test_disk_full_while_the_web_adds_an_alias_keeps_the_registry(tmp_path, monkeypatch):
    from matrix.web.edits import add_alias

    folder = _project(tmp_path)
    before = snapshot(folder)
    disk_full_under(monkeypatch, folder)
    with pytest.raises(OutputError, match="ổ đĩa đã đầy"):
        add_alias(folder / "co-quan.yaml", "cong-an-tinh", "CA tỉnh nhà")
    assert {k: v for k, v in snapshot(folder).items() if not k.endswith(".matrix-lock")} == before


def test_a_full_tmpfs_on_every_write_path(tmp_path):
    folder = _project(tmp_path)
    with full_tmpfs(tmp_path / "ra", 4096) as target:
        for name, args in _write_paths(tmp_path, target).items():
            _clean_failure(run(*args))
            left = [p.name for p in target.iterdir() if p.name != "filler" and not p.name.endswith(".matrix-lock")]
            assert left == [], (name, left)
        free(target)
        for name, args in _write_paths(tmp_path, target).items():
            result = run(*args)
            assert result.exit_code == 0, (name, result.output)
    with full_tmpfs(folder / "theo-doi") as records:
        _clean_failure(_report(folder, "1/BC"))
        assert [p.name for p in records.iterdir() if not p.name.endswith(".matrix-lock")] == ["filler"]
        assert run("status", str(folder)).exit_code == 0  # nothing left that stops the next command
        free(records)
        assert _report(folder, "1/BC").exit_code == 0
        assert _numbers(folder) == ["1/BC"]


# --------------------------------------------------------------------------- devices and FIFOs are never replaced


def test_E42_an_output_device_is_written_through_never_replaced(tmp_path):
    _project(tmp_path)
    for name, numbers in (("full", FULL_DEVICE), ("null", NULL_DEVICE)):
        target = device(tmp_path / name, numbers)
        link = tmp_path / f"{name}.xlsx"
        link.symlink_to(target)  # an .xlsx export reaches the device through a link
        for args in (
            ("export", str(tmp_path / "input"), "--format", "json", "-o", str(target)),
            ("export", str(tmp_path / "input"), "-o", str(link)),
            ("calendar", str(tmp_path / "input"), "-o", str(target)),
            ("registry", "init", "Đồng Tháp", "-o", str(target)),
        ):
            result = run(*args)
            if name == "full":
                _clean_failure(result)
            else:
                assert result.exit_code == 0, result.output
            assert is_device(target), f"{args} replaced the device"
            assert link.is_symlink()


def test_a_fifo_is_written_through_or_refused_never_replaced(tmp_path):
    _project(tmp_path)
    fifo = tmp_path / "ong"
    os.mkfifo(fifo)
    result = run("export", str(tmp_path / "input"), "--format", "json", "-o", str(fifo))  # nobody reads: refused
    _clean_failure(result, "chưa có chương trình nào đọc")
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    time.sleep(0.2)
    result = run("export", str(tmp_path / "input"), "--format", "json", "-o", str(fifo))
    reader.join(timeout=30)
    assert result.exit_code == 0, result.output
    assert b'"directives"' in got[0]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_socket_is_refused_never_replaced(tmp_path):
    import socket

    _project(tmp_path)
    sock_path = tmp_path / "s.sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(sock_path))
    try:
        _clean_failure(run("export", str(tmp_path / "input"), "-o", str(sock_path)), "ổ cắm")
        assert stat.S_ISSOCK(os.lstat(sock_path).st_mode)
    finally:
        server.close()


# --------------------------------------------------------------------------- permissions, backups


def test_a_replaced_file_keeps_its_permissions_and_a_new_one_follows_the_umask(tmp_path):
    folder = _project(tmp_path)
    assert _report(folder, "1/BC").exit_code == 0
    records = folder / "theo-doi" / f"{ONE}.yaml"
    assert stat.S_IMODE(records.stat().st_mode) == 0o666 & ~_umask()
    records.chmod(0o640)
    assert _report(folder, "2/BC").exit_code == 0
    assert stat.S_IMODE(records.stat().st_mode) == 0o640
    assert "1/BC" in (folder / "theo-doi" / f"{ONE}.yaml.bak").read_text(encoding="utf-8")
    out = tmp_path / "phan-cong.csv"
    assert run("export", str(folder), "--format", "csv", "-o", str(out)).exit_code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# --------------------------------------------------------------------------- fields refused at the door

BAD = {
    "newline": "12/BC\n-CAT",
    "line-separator": "12/BC\u2028CAT",
    "paragraph-separator": "12\u2029",
    "bell": "12\x07/BC",
    "escape": "\x1b[2J12",
    "zero-width-space": "12/\u200bBC",
    "right-to-left-override": "\u202e12/BC",
    "tab": "12\t/BC",
}


@pytest.mark.parametrize("name", BAD)
def test_E39_report_refuses_a_number_or_note_that_would_break_the_records(tmp_path, name):
    folder = _project(tmp_path)
    for extra in (("--so", BAD[name]), ("--so", "1/BC", "--ghi-chu", BAD[name])):
        result = run("report", AGENCY, ONE, "7", "--ngay", "28/06/2025", *extra, "-i", str(folder))
        assert result.exit_code == 2, result.output
        assert "không được phép" in result.output and "Traceback" not in result.output
        assert BAD[name] not in result.output  # the character itself is named, never printed
        assert not (folder / "theo-doi").exists()


def test_the_web_forms_function_refuses_hidden_characters(tmp_path):
    import datetime as dt

    from matrix.commands.status import file_report

    folder = _project(tmp_path)
    corpus = load_corpus([folder]).require()
    record = Record(ONE, "cong-an-tinh", AGENCY, dt.date(2025, 6, 28), "7", "1/BC", False, "xong\u2028phần 1")
    with pytest.raises(InputError, match="ghi chú có ký tự U\\+2028"):
        file_report(corpus, folder, record)
    assert not (folder / "theo-doi").exists()


def test_import_refuses_rows_with_hidden_characters(tmp_path):
    folder = _project(tmp_path)
    book = tracking_book(tmp_path / "so.xlsx", folder, 3, note="đã gửi\u2028bản giấy")
    result = run("import", str(book), "-i", str(folder))
    assert result.exit_code == 0, result.output
    assert result.output.count("U+2028") == 3 and "Đã ghi 0 báo cáo mới; 3 dòng không dùng được." in result.output
    assert not (folder / "theo-doi").exists()


# --------------------------------------------------------------------------- import at scale


def test_import_writes_each_records_file_once(tmp_path, monkeypatch):
    import matrix.files.safeio

    folder = _project(tmp_path)
    book = tracking_book(tmp_path / "so.xlsx", folder, 200)
    calls: list[Path] = []
    real = matrix.files.safeio._replace
    monkeypatch.setattr(matrix.files.safeio, "_replace", lambda path, *a: calls.append(path) or real(path, *a))
    result = run("import", str(book), "-i", str(folder))
    assert result.exit_code == 0, result.output
    assert calls == [folder / "theo-doi" / f"{ONE}.yaml"]
    assert len(_numbers(folder)) == 200
    assert run("import", str(book), "-i", str(folder)).output.endswith("Không có thay đổi nào.\n")


def test_E43_import_refuses_a_sheet_past_the_row_limit(tmp_path, monkeypatch):
    import matrix.writers.tracking_sheet

    folder = _project(tmp_path)
    book = tracking_book(tmp_path / "so.xlsx", folder, 12)
    monkeypatch.setattr(matrix.writers.tracking_sheet, "MAX_SHEET_ROWS", 10)
    result = run("import", str(book), "-i", str(folder))
    assert result.exit_code == 2, result.output
    assert "có hơn 10 dòng" in result.output and "hãy tách thành nhiều tệp" in result.output
    assert not (folder / "theo-doi").exists()


def test_a_long_records_file_is_not_taken_for_an_alias_bomb(tmp_path, monkeypatch):
    """A records file of 20,000 reports has 280,000 YAML elements: allowed by its size (one per 4 bytes), while an
    alias bomb, with far more elements than bytes, is still refused."""
    import matrix.input.yamlio
    from matrix.input.yamlio import Report, compose

    folder = _project(tmp_path)
    book = tracking_book(tmp_path / "so.xlsx", folder, 100)
    assert run("import", str(book), "-i", str(folder)).exit_code == 0
    corpus = load_corpus([folder]).require()
    monkeypatch.setattr(matrix.input.yamlio, "MAX_NODES", 500)  # 100 reports: 1,400 elements in 12 KB
    assert len(load_records(folder, corpus)) == 100
    bomb = tmp_path / "bom.yaml"
    bomb.write_text(
        "a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b]\n"
    )
    report = Report()
    assert compose(bomb, report) is None and "quá nhiều phần tử (hơn 500)" in report.problems[0].message


def test_E39_report_refuses_a_control_character_in_any_typed_argument_before_printing_it(tmp_path):
    folder = _project(tmp_path)
    for args in (
        ("Công an\x1b[2J tỉnh", ONE, "7"),
        (AGENCY, ONE + "\x1b[2J", "7"),
        (AGENCY, ONE, "7\x1b[2J"),
        (AGENCY, ONE, "7\u202e"),
    ):
        result = run("report", *args, "--ngay", "28/06/2025", "-i", str(folder))
        assert result.exit_code == 2, result.output
        assert "không được phép" in result.output
        assert "\x1b" not in result.output and "\u202e" not in result.output
    assert not (folder / "theo-doi").exists()


def test_import_refuses_a_workbook_whose_zip_index_lies(tmp_path):
    import shutil

    from .helpers.hostile import lying_docx

    folder = _project(tmp_path)
    book = tmp_path / "so.xlsx"
    shutil.move(lying_docx(tmp_path / "bom.docx", real=64 * 1024 * 1024), book)  # any zip package: the parts lie
    result = run("import", str(book), "-i", str(folder))
    assert result.exit_code == 2, result.output
    assert "không nhập tệp này" in result.output and "Traceback" not in result.output
    assert not (folder / "theo-doi").exists()


def test_a_cache_s_file_is_written_whole_without_waiting_for_the_disk(tmp_path, monkeypatch):
    """``durable=False`` (the loaded directives kept for the next build): still one atomic replace, never a torn
    or half-named file, but no fsync (300 of them made a first build wait); a clerk's file is always synced."""
    import os

    from matrix.files.safeio import write_file

    synced: list[int] = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(fd) or real(fd))
    target = tmp_path / "cache" / "entry.json"
    write_file(target, b'{"a": 1}', make_parents=True, durable=False)
    write_file(target, b'{"a": 2}', durable=False)
    assert target.read_bytes() == b'{"a": 2}' and synced == []
    assert [p.name for p in target.parent.iterdir()] == ["entry.json"]  # no temporary left
    write_file(tmp_path / "so.yaml", "a: 1\n")
    assert synced  # the default stays durable

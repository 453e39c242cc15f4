"""The build: what it writes, and that a failed or blocked build never loses previous outputs."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import matrix.build.publish
from matrix.cli import main

from .helpers import INPUT

ONE = "tiengiang-ubnd-ct-antt-2025"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A folder with input/ (registry + one directive), as a clerk would have it."""
    (tmp_path / "input").mkdir()
    for name in ("co-quan.yaml", f"{ONE}.yaml"):
        shutil.copy(INPUT / name, tmp_path / "input" / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def build(*args):
    return CliRunner().invoke(main, ["build", *args])


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_build_writes_every_output(project):
    result = build()
    assert result.exit_code == 0, result.output
    out = project / "output"
    assert (out / "assignments.csv").read_bytes().startswith(b"\xef\xbb\xbfdirective,task,agency,role,text")
    assert (out / "assignments.json").is_file()
    for folder in (ONE, "tong-hop"):
        assert (out / folder / "ma-tran.xlsx").is_file()
        assert (out / folder / "bang-phan-cong.docx").is_file()
        letters = sorted(p.stem for p in (out / folder / "thu-giao-nhiem-vu").glob("*.docx"))
        assert letters == [  # the bodies of Tiền Giang (until 30/06/2025), not of any province
            "tien-giang-co-quan-trung-uong",
            "tien-giang-cong-an-tinh",
            "tien-giang-doan-the-tinh",
            "tien-giang-so-ban-nganh",
            "tien-giang-ubnd-cap-huyen",
            "tien-giang-vp-ubnd-tinh",
        ]
    assert not list(out.glob(".matrix-tmp-*"))
    assert "Đã tạo 2 bảng Excel, 12 thư giao nhiệm vụ, 2 bảng phân công" in result.output


def test_expand_groups_writes_letters_to_members(project):
    assert build("--expand-groups").exit_code == 0
    letters = {p.stem for p in (project / "output" / ONE / "thu-giao-nhiem-vu").glob("*.docx")}
    assert "tg-ubnd-thanh-pho-my-tho" in letters and "ubnd-cap-huyen" not in letters


def test_E19_a_locked_output_stops_the_build_and_keeps_previous_outputs(project, monkeypatch):
    assert build().exit_code == 0
    out = project / "output"
    before = snapshot(out)
    locked = out / ONE / "ma-tran.xlsx"
    real = matrix.build.publish._replaceable
    monkeypatch.setattr(
        matrix.build.publish, "_replaceable", lambda target: target.resolve() != locked and real(target)
    )
    (project / "input" / f"{ONE}.yaml").write_text(
        (INPUT / f"{ONE}.yaml").read_text(encoding="utf-8").replace("Văn phòng UBND tỉnh", "Sở Nội vụ"),
        encoding="utf-8",
    )
    result = build()
    assert result.exit_code == 1
    assert f"không thể ghi đè output/{ONE}/ma-tran.xlsx: tệp đang mở (Excel/Word) hoặc chỉ đọc" in result.output
    assert snapshot(out) == before
    assert not list(out.glob(".matrix-tmp-*"))


def test_a_failure_half_way_leaves_previous_outputs_as_they_were(project, monkeypatch):
    assert build().exit_code == 0
    out = project / "output"
    before = snapshot(out)

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("matrix.writers.word.write_assignment_table", disk_full)
    (project / "input" / f"{ONE}.yaml").write_text(  # an edit, so the tables are rendered again (not reused)
        (INPUT / f"{ONE}.yaml").read_text(encoding="utf-8").replace("Văn phòng UBND tỉnh", "Sở Nội vụ"),
        encoding="utf-8",
    )
    result = build()
    assert result.exit_code == 1
    assert "không ghi được kết quả: ổ đĩa đã đầy" in result.output  # issue 14: OS errors in Vietnamese
    assert snapshot(out) == before
    assert not list(out.glob(".matrix-tmp-*"))


def test_files_matrix_did_not_create_are_never_deleted(project):
    out = project / "output"
    out.mkdir()
    (out / "ghi-chu-cua-toi.txt").write_text("đừng xóa", encoding="utf-8")
    (out / ONE).mkdir()
    (out / ONE / "ban-sua-tay.xlsx").write_bytes(b"x")
    assert build().exit_code == 0
    (project / "input" / f"{ONE}.yaml").rename(project / "input" / "khac.yaml.bak")
    other = INPUT / "dongthap-ubnd-cv-antt-2025.yaml"
    shutil.copy(other, project / "input" / other.name)
    assert build().exit_code == 0
    assert (out / "ghi-chu-cua-toi.txt").read_text(encoding="utf-8") == "đừng xóa"
    assert (out / ONE / "ban-sua-tay.xlsx").read_bytes() == b"x"
    assert not (out / ONE / "ma-tran.xlsx").exists()  # matrix's own stale output is removed
    assert (out / "dongthap-ubnd-cv-antt-2025" / "ma-tran.xlsx").is_file()


def test_output_that_is_a_file_is_an_output_error(project):
    (project / "output").write_text("không phải thư mục", encoding="utf-8")
    result = build()
    assert result.exit_code in (1, 2)
    assert "Traceback" not in result.output


def test_bad_input_writes_nothing(project):
    (project / "input" / f"{ONE}.yaml").write_text("id: [\n", encoding="utf-8")
    result = build()
    assert result.exit_code == 2
    assert "chưa tạo tệp nào" in result.output
    assert not (project / "output").exists()


def test_pdf_without_libreoffice_keeps_the_word_output(project, monkeypatch):
    monkeypatch.setattr("matrix.writers.office.find_soffice", lambda: None)
    result = build("--pdf")
    assert result.exit_code == 0, result.output
    assert "Không tạo PDF:" in result.output and "LibreOffice" in result.output
    assert (project / "output" / ONE / "thu-giao-nhiem-vu" / "tien-giang-cong-an-tinh.docx").is_file()
    assert not list((project / "output").rglob("*.pdf"))


@pytest.mark.render
def test_pdf_with_libreoffice_converts_every_document(project):
    if shutil.which("soffice") is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have LibreOffice (soffice)")
        pytest.skip("LibreOffice is not installed")
    result = build("--pdf")
    assert result.exit_code == 0, result.output
    out = project / "output"
    documents = [p for p in out.rglob("*") if p.suffix in (".docx", ".xlsx")]
    pdfs = {p.with_suffix("") for p in out.rglob("*.pdf")}
    assert {p.with_suffix("") for p in documents} <= pdfs
    assert f"Đã chuyển {len(documents)} tệp sang PDF." in result.output


def test_a_stopped_build_prints_no_traceback_of_the_executors_race(capsys, monkeypatch):
    """CPython's executor may fail on a cancelled future after a stop: that thread's error stays quiet, others do not."""
    import threading
    from concurrent.futures import InvalidStateError

    from matrix.build import pipeline as build_module

    monkeypatch.setattr(threading, "excepthook", threading.__excepthook__)
    build_module._quiet_cancelled_futures()

    def raising(error: Exception) -> None:
        raise error

    for error in (InvalidStateError("CANCELLED: <Future state=cancelled>"), ValueError("a real bug")):
        thread = threading.Thread(target=raising, args=(error,))
        thread.start()
        thread.join()
    err = capsys.readouterr().err
    assert "InvalidStateError" not in err and "ValueError: a real bug" in err


def test_the_build_reports_its_progress_document_by_document(project):
    from matrix.build.pipeline import BuildOptions, build, plan_build
    from matrix.input.load import load_corpus

    plan = plan_build(load_corpus([project / "input"]).require(), BuildOptions(jobs=2))
    for rendered in (True, False):  # every document rendered, then every one reused
        steps = []
        summary = build(plan, project / "output", watch=steps.append)
        total = steps[0].total
        assert [s.done for s in steps] == list(range(1, total + 1)) and {s.total for s in steps} == {total}
        assert summary.rendered == (total if rendered else 0)
        assert all((project / "output" / s.current).is_file() for s in steps)


def test_the_progress_line_shows_on_a_terminal_only(project, monkeypatch):
    import io
    import sys

    from matrix import cli
    from matrix.build.pipeline import BuildProgress

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    with cli._progress_line() as watch:
        assert watch is not None
        watch(BuildProgress(1, 1200, f"{ONE}/ma-tran.xlsx"))
    assert screen.getvalue() == f"\r\x1b[KĐang ghi 1/1.200 tài liệu: {ONE}/ma-tran.xlsx\r\x1b[K"
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    with cli._progress_line() as watch:
        assert watch is None
    result = build()
    assert result.exit_code == 0 and "Đang ghi" not in result.output and "Đang tạo" not in result.output

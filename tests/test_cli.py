"""The command line through click's CliRunner: wiring, exit codes, Vietnamese output."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from matrix.cli import main

from .helpers import INPUT


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args, **kw):
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False, **kw)

    return invoke


def test_help_is_vietnamese_and_lists_every_command(run):
    result = run("--help")
    assert result.exit_code == 0
    assert result.output.startswith("Cách dùng: matrix [OPTIONS] COMMAND [ARGS]...")
    assert "Hiện hướng dẫn này rồi thoát." in result.output
    for command in main.commands:
        assert f"  {command} " in result.output
        sub = run(command, "--help")
        assert sub.exit_code == 0 and sub.output.startswith(f"Cách dùng: matrix {command}")


def test_validate_shipped_input_is_clean(run):
    result = run("validate", INPUT)
    assert result.exit_code == 0
    assert result.output == "Hợp lệ: 5 văn bản, 71 nhiệm vụ, 1319 cơ quan trong danh mục; 0 cảnh báo.\n"


def test_validate_reports_errors_and_exits_2(run, tmp_path):
    (tmp_path / "co-quan.yaml").write_bytes((INPUT / "co-quan.yaml").read_bytes())
    bad = tmp_path / "x.yaml"
    bad.write_text(
        "id: x\nkind: chỉ thị\nissuer: {name: UBND tỉnh, kind: nhà nước}\ntitle: T\n"
        "tasks:\n  - id: '1'\n    text: a\n    assign: {chủ trì: Công an tỉnhh}\n",
        encoding="utf-8",
    )
    result = run("validate", tmp_path)
    assert result.exit_code == 2
    assert (
        f"{bad}:8:23: lỗi: nhiệm vụ '1': cơ quan 'Công an tỉnhh' không có trong danh mục (có phải ý bạn là 'Công an tỉnh'"
        in result.output
    )
    assert result.output.endswith("Có 1 lỗi, 1 cảnh báo.\n")
    assert "Traceback" not in result.output


def test_unknown_option_is_a_usage_error_in_vietnamese(run):
    result = run("validate", "--nope")
    assert result.exit_code == 2
    assert "Lỗi: Không có tùy chọn '--nope'." in result.output


def test_export_json_shape(run):
    result = run("export", "--format", "json", INPUT)
    assert result.exit_code == 0
    data = json.loads(result.output)
    tet = next(d for d in data["directives"] if d["id"] == "ubnd-ct-cao-diem-tet-giap-thin-2024")
    assert set(tet) >= {"id", "title", "issuer", "date", "tasks"}
    item4 = next(t for t in tet["tasks"] if t["id"] == "4")
    assert {(a["agency"], a["role"]) for a in item4["assignments"]} == {
        ("Bộ Chỉ huy Bộ đội Biên phòng tỉnh", "chủ trì"),
        ("Cục Hải quan tỉnh", "chủ trì"),
    }
    item2 = next(t for t in tet["tasks"] if t["id"] == "2")
    assert [t["id"] for t in item2["tasks"]] == ["2-1", "2-2"]
    tg = next(d for d in data["directives"] if d["id"] == "tiengiang-ubnd-ct-antt-2025")
    assert tg["date"] == "2024-12-27"


def test_export_csv_has_one_row_per_task_and_addressee(run, seed_corpus):
    result = run("export", "--format", "csv", INPUT)
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert list(rows[0]) == ["directive", "task", "agency", "role", "text"]
    expected = sum(len(t.assignments) for d in seed_corpus.directives for t, _ in d.walk())
    assert len(rows) == expected
    assert {
        "directive": "tiengiang-ubnd-ct-antt-2025",
        "task": "7",
        "agency": "Văn phòng Ủy ban nhân dân tỉnh",
        "role": "phối hợp",
    }.items() <= next(
        r for r in rows if r["task"] == "7" and r["role"] == "phối hợp" and r["directive"].startswith("tiengiang")
    ).items()


def test_export_expanded_groups_become_members(run):
    flat = list(csv.DictReader(io.StringIO(run("export", "-f", "csv", INPUT).output)))
    expanded = list(csv.DictReader(io.StringIO(run("export", "-f", "csv", "--expand-groups", INPUT).output)))
    assert len(expanded) > len(flat)
    assert any(r["agency"] == "Ủy ban nhân dân thành phố Cao Lãnh" for r in expanded)
    assert not any(r["agency"] == "Ủy ban nhân dân thành phố Cao Lãnh" for r in flat)


def test_show_accepts_any_alias(run):
    by_party_name = run("show", "Đảng uỷ Công an tỉnh", INPUT)
    by_name = run("show", "Công an tỉnh", INPUT)
    assert by_party_name.exit_code == 0
    assert by_party_name.output == by_name.output
    # one body per province, never the three provinces' police together (issue 21)
    assert [line for line in by_name.output.splitlines() if line and not line.startswith(" ")] == [
        "Công an tỉnh — tỉnh Đồng Tháp (dong-thap-cong-an-tinh): 1 nhiệm vụ — 1 chủ trì",
        "Công an tỉnh — tỉnh Tiền Giang (đến 30/06/2025) (tien-giang-cong-an-tinh): 1 nhiệm vụ — 1 chủ trì",
        "Công an tỉnh — tỉnh Hưng Yên (hung-yen-cong-an-tinh): 3 nhiệm vụ — 3 chủ trì",
        "Công an tỉnh — văn bản không ghi tỉnh (cong-an-tinh): 4 nhiệm vụ — 3 chủ trì, 1 phối hợp",
    ]
    assert "Mục 7" in by_name.output
    own = run("show", "Công an tỉnh Hưng Yên", INPUT).output
    assert (
        own.startswith("Công an tỉnh — tỉnh Hưng Yên (hung-yen-cong-an-tinh): 3 nhiệm vụ") and "Tiền Giang" not in own
    )


def test_show_without_diacritics_and_unknown_name(run):
    assert run("show", "cong an tinh", INPUT).output.startswith(
        "Công an tỉnh — tỉnh Đồng Tháp (dong-thap-cong-an-tinh)"
    )
    result = run("show", "Công an tĩnh thành", INPUT)
    assert result.exit_code == 2
    assert "cơ quan 'Công an tĩnh thành' không có trong danh mục (có phải ý bạn là 'Công an tỉnh'" in result.output


def test_agencies_table(run):
    result = run("agencies", "--registry", INPUT / "co-quan.yaml")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split()[:2] == ["Mã", "Tên"]
    vks = next(line for line in lines if line.startswith("hung-yen-vksnd-tinh "))
    assert vks.rstrip().endswith("đề nghị")
    assert result.output.rstrip().endswith("1319 mục.")


def test_internal_errors_do_not_show_a_traceback(run, monkeypatch):
    import matrix.input.load

    def boom(*a, **k):
        raise RuntimeError("hỏng")

    monkeypatch.setattr(matrix.input.load, "load_corpus", boom)
    result = CliRunner().invoke(main, ["validate", str(INPUT)])
    assert result.exit_code == 3
    assert "Lỗi nội bộ của matrix (RuntimeError: hỏng)" in result.output
    assert "Traceback" not in result.output


def test_build_says_when_a_matrix_is_too_wide_for_a4(run, tmp_path):
    """--expand-groups widens the consolidated matrix past A4: it is printed on A3, and the build says so."""
    import openpyxl

    result = run("build", INPUT, "--expand-groups", "-o", tmp_path / "out", "-j", "1")
    assert result.exit_code == 0
    assert "Lưu ý: ma trận tong-hop/ma-tran.xlsx quá rộng cho khổ A4: in khổ A3 ở tỷ lệ khoảng" in result.output
    sheet = openpyxl.load_workbook(tmp_path / "out" / "tong-hop" / "ma-tran.xlsx")["Ma trận"]
    assert sheet.page_setup.paperSize == 8  # A3
    narrow = run("build", INPUT, "-o", tmp_path / "narrow", "-j", "1")
    assert "Lưu ý" not in narrow.output


@pytest.mark.parametrize("command", ["build", "export", "validate"])
def test_each_warning_is_said_once_even_beside_errors(command, tmp_path):
    """An undated file that also lacks its issuer: the warning (W02) and both errors, each said once."""
    (tmp_path / "co-quan.yaml").write_text((INPUT / "co-quan.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "x.yaml").write_text(
        'id: x\nkind: chỉ thị\ntasks:\n  - id: "1"\n    text: Làm\n    assign:\n      chủ trì: Công an tỉnh\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        main, [command, str(tmp_path)] + (["-o", str(tmp_path / "out")] if command == "build" else [])
    )
    assert result.exit_code == 2
    assert result.output.count(": cảnh báo: văn bản 'x' không ghi ngày") == 1, result.output
    assert result.output.count(": lỗi: ") == 2, result.output


def test_a_broken_pdf_gets_one_vietnamese_message(tmp_path):
    """pypdf's own English complaints ("invalid pdf header", "EOF marker not found") never reach the clerk."""
    source = tmp_path / "hong.pdf"
    source.write_bytes(b"\x00\x01 not a pdf")
    (tmp_path / "co-quan.yaml").write_text((INPUT / "co-quan.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    result = CliRunner().invoke(main, ["draft", str(source)])
    assert result.exit_code == 2
    assert "Không đọc được tệp PDF 'hong.pdf'" in result.stderr
    assert "pdf header" not in result.stderr and "EOF marker" not in result.stderr

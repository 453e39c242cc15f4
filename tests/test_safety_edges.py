"""Edges of dates, paths and names (issue 22): each gets a Vietnamese message, never a traceback or exit 3."""

from __future__ import annotations

import pytest

from .helpers.safety import ONE, english_words, make_project, run

DATE_OPTIONS = {
    "status": ("status", "{input}", "--as-of", "{day}"),
    "build": ("build", "{input}", "-o", "{root}/ra", "--as-of", "{day}"),
    "calendar": ("calendar", "{input}", "-o", "{root}/lich.ics", "--until", "{day}"),
    "export": ("export", "{input}", "--as-of", "{day}"),
    "show": ("show", "Công an tỉnh", "{input}", "--as-of", "{day}"),
    "report": ("report", "Công an tỉnh", ONE, "7", "--ngay", "{day}", "-i", "{input}"),
}


@pytest.mark.parametrize("day", ["9999-12-31", "31/12/2101", "0001-01-01", "31/12/1899"])
@pytest.mark.parametrize("command", DATE_OPTIONS)
def test_E41_a_date_outside_1900_2100_is_refused_at_the_option(tmp_path, command, day):
    root = make_project(tmp_path, ONE)
    args = [a.format(input=root / "input", root=root, day=day) for a in DATE_OPTIONS[command]]
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert "nằm ngoài khoảng năm 1900-2100" in result.output, result.output
    assert "Lỗi nội bộ" not in result.output and "OverflowError" not in result.output
    assert not (root / "ra").exists() and not (root / "lich.ics").exists()
    assert not (root / "input" / "theo-doi").exists()


def test_the_bounds_are_the_years_1900_and_2100(tmp_path):
    root = make_project(tmp_path, ONE)
    assert run("status", str(root / "input"), "--as-of", "2101-01-01").exit_code == 2
    assert run("status", str(root / "input"), "--as-of", "2100-12-31").exit_code == 0
    result = run("calendar", str(root / "input"), "-o", str(root / "lich.ics"), "--until", "01/01/1900")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "args",
    [
        ("build", "{input}", "-o", "{loop}"),
        ("build", "{input}", "-o", "{loop}/ra"),
        ("calendar", "{input}", "-o", "{loop}"),
    ],
    ids=lambda a: "-".join(a[:2]),
)
def test_an_output_through_a_link_loop_gets_a_vietnamese_message(tmp_path, args):
    root = make_project(tmp_path, ONE)
    (root / "a").symlink_to(root / "b")
    (root / "b").symlink_to(root / "a")
    result = run(*[a.format(input=root / "input", loop=root / "a") for a in args])
    assert result.exit_code == 1, result.output
    assert "liên kết vòng" in result.output and "Lỗi nội bộ" not in result.output
    assert english_words(result.output) == [], result.output


# --------------------------------------------------------------------------- names

HIDDEN_AGENCIES = """\
  - id: ca-nfd
    name: {nfd}
    block: noi-chinh
  - id: ca-zw
    name: "Công an\u200btỉnh"
    block: noi-chinh
  - id: ca-rlo
    name: Sở Kiểm thử
    aliases: ["\u202eCông an tỉnh"]
    block: noi-chinh
"""


def test_E40_hidden_characters_in_registry_names_are_refused_where_they_stand(tmp_path):
    import unicodedata

    root = make_project(tmp_path)
    registry = root / "input" / "co-quan.yaml"
    text = registry.read_text(encoding="utf-8")
    at = text.count("\n", 0, text.index("agencies:\n")) + 2  # the line of the first added entry
    added = HIDDEN_AGENCIES.format(nfd=unicodedata.normalize("NFD", "Công an tỉnh"))
    registry.write_text(text.replace("agencies:\n", "agencies:\n" + added, 1), encoding="utf-8")
    result = run("validate", str(root / "input"))
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert lines == [
        f"{registry}:{at + 4}:19: lỗi: tên 'Công antỉnh' của cơ quan 'ca-zw' có ký tự ẩn U+200B (dấu cách không độ "
        "rộng (ZWSP)) (ký tự này không hiện ra nhưng làm tên khác đi (hai tên trông như nhau); hãy xóa tên rồi gõ lại)",
        f"{registry}:{at + 8}:16: lỗi: tên 'Công an tỉnh' của cơ quan 'ca-rlo' có ký tự ẩn U+202E (dấu đảo chiều viết "
        "RLO) (ký tự này không hiện ra nhưng làm tên khác đi (hai tên trông như nhau); hãy xóa tên rồi gõ lại)",
        f"{registry}:{at}:5: lỗi: tên 'Công an tỉnh' của 'ca-nfd' trùng với tên của 'cong-an-tinh' (mỗi tên hoặc "
        "tên gọi khác chỉ được thuộc về một cơ quan)",  # once, not once for the name and once for the short name
        "Có 3 lỗi, 0 cảnh báo.",
    ]
    assert "\u202e" not in result.output and "\u200b" not in result.output


def test_hidden_characters_in_a_directive_s_names_are_refused(tmp_path):
    from .helpers.safety import directive

    root = make_project(tmp_path)
    text = directive().replace("chủ trì: Công an tỉnh", 'chủ trì: "Công an\u200dtỉnh"')
    (root / "input" / "ct-thu.yaml").write_text(text, encoding="utf-8")
    result = run("validate", str(root / "input"))
    assert result.exit_code == 2, result.output
    problem = [line for line in result.output.splitlines() if "ký tự ẩn" in line]
    assert len(problem) == 1 and "U+200D (ký tự nối ẩn ZWJ)" in problem[0]
    assert "không có trong danh mục" not in result.output  # said once: not also as an unknown body


def test_E41_a_date_outside_1900_2100_in_a_file_is_an_input_error_or_not_understood(tmp_path):
    root = make_project(tmp_path, ONE)
    path = root / "input" / f"{ONE}.yaml"
    text = path.read_text(encoding="utf-8")
    first = text.index("text:", text.index("tasks:"))
    path.write_text(text[:first] + "deadline: trước ngày 31/12/9999\n    report: hằng năm\n    " + text[first:])
    result = run("calendar", str(root / "input"), "-o", str(root / "lich.ics"))  # was OverflowError, exit 3
    assert result.exit_code == 0, result.output
    assert "không hiểu thời hạn 'trước ngày 31/12/9999'" in result.output
    path.write_text(text[:first] + "due: 9999-12-31\n    " + text[first:])
    result = run("calendar", str(root / "input"), "-o", str(root / "lich.ics"), "--force")
    assert result.exit_code == 2, result.output
    assert "ngày 31/12/9999 nằm ngoài khoảng năm 1900-2100" in result.output and "Lỗi nội bộ" not in result.output


def test_E41_a_report_dated_outside_1900_2100_is_never_stored(tmp_path):
    import datetime as dt

    from openpyxl import load_workbook

    from .helpers.faults import tracking_book

    root = make_project(tmp_path, ONE)
    book = tracking_book(tmp_path / "so.xlsx", root / "input", 2)
    wb = load_workbook(book)
    wb["Theo dõi"].cell(2, 7).value = dt.datetime(9999, 12, 31)
    wb.save(book)
    result = run("import", str(book), "-i", str(root / "input"))
    assert result.exit_code == 0, result.output
    assert "ngày 31/12/9999 nằm ngoài khoảng năm 1900-2100" in result.output and "Đã ghi 1 báo cáo mới" in result.output
    assert run("status", str(root / "input")).exit_code == 0  # what was stored still reads

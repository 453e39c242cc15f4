"""Validation: every problem reported at once, with file, line, column and a Vietnamese message."""

from __future__ import annotations

import textwrap
import unicodedata
from pathlib import Path

import pytest

from matrix.core.model import Role
from matrix.input.load import load_corpus

from .helpers import INPUT, SHIPPED_INPUT

GOOD = """\
id: ct-thu
kind: chỉ thị
date: 2025-01-06
issuer:
  name: Chủ tịch Ủy ban nhân dân tỉnh
  kind: nhà nước
title: Về bảo đảm an ninh, trật tự
tasks:
  - id: "1"
    text: Công an tỉnh chủ trì.
    assign:
      chủ trì: Công an tỉnh
      phối hợp: [Văn phòng UBND tỉnh]
"""


def write(tmp_path: Path, text: str, name: str = "ct-thu.yaml", encoding: str = "utf-8") -> Path:
    (tmp_path / "co-quan.yaml").write_bytes((INPUT / "co-quan.yaml").read_bytes())
    path = tmp_path / name
    path.write_bytes(textwrap.dedent(text).encode(encoding) if isinstance(text, str) else text)
    return path


def problems(tmp_path: Path, text, **kw):
    path = write(tmp_path, text, **kw)
    return path, [str(p) for p in load_corpus([tmp_path]).problems]


def only_error(tmp_path, text, **kw):
    path, found = problems(tmp_path, text, **kw)
    errors = [p for p in found if ": lỗi: " in p]
    assert len(errors) == 1, found
    return path, errors[0]


def test_good_file_is_clean(tmp_path):
    write(tmp_path, GOOD)
    result = load_corpus([tmp_path])
    assert result.problems == []
    task = result.require().directives[0].tasks[0]
    assert [(a.agency, a.role) for a in task.assignments] == [
        ("cong-an-tinh", Role.LEAD),
        ("vp-ubnd-tinh", Role.PARTNER),
    ]


def test_E01_yaml_syntax_error_has_line_and_column(tmp_path):
    path, error = only_error(
        tmp_path, GOOD.replace("    text: Công an tỉnh chủ trì.", "    text: Công an: tỉnh: chủ trì")
    )
    assert error.startswith(f"{path}:10:18: lỗi: lỗi cú pháp YAML: dấu ':' không đúng chỗ")
    assert "ngoặc kép" in error


def test_E02_tab_indentation(tmp_path):
    path, error = only_error(tmp_path, GOOD.replace("  kind: nhà nước", "\tkind: nhà nước"))
    assert error.startswith(f"{path}:6:1: lỗi: lỗi cú pháp YAML: có ký tự TAB")


def test_E04_missing_required_fields_are_all_reported(tmp_path):
    text = GOOD.replace("title: Về bảo đảm an ninh, trật tự\n", "").replace("kind: chỉ thị\n", "")
    path, found = problems(tmp_path, text)
    assert (
        f"{path}:1:1: lỗi: văn bản 'ct-thu' thiếu trường bắt buộc 'kind' (loại văn bản: chỉ thị, công văn, kế hoạch...)"
        in found
    )
    assert f"{path}:1:1: lỗi: văn bản 'ct-thu' thiếu trường bắt buộc 'title' (trích yếu)" in found


def test_E03_wrong_type(tmp_path):
    path, error = only_error(tmp_path, GOOD.replace("title: Về bảo đảm an ninh, trật tự", "title: [a, b]"))
    assert (
        error
        == f"{path}:7:8: lỗi: 'title' (trích yếu) của văn bản 'ct-thu' phải là một đoạn văn bản, không phải danh sách hay bảng"
    )


def test_E05_unknown_addressee_suggests_the_closest_name(tmp_path):
    path, error = only_error(tmp_path, GOOD.replace("chủ trì: Công an tỉnh", "chủ trì: Công an tĩnh"))
    assert error.startswith(f"{path}:12:16: lỗi: nhiệm vụ '1': cơ quan 'Công an tĩnh' không có trong danh mục")
    assert "có phải ý bạn là 'Công an tỉnh'" in error


def test_E06_duplicate_task_ids(tmp_path):
    text = GOOD + '  - id: "1"\n    text: Lặp lại.\n    assign:\n      thực hiện: UBND cấp xã\n'
    path, error = only_error(tmp_path, text)
    assert error.startswith(f"{path}:14:9: lỗi: mã nhiệm vụ '1' bị trùng trong văn bản 'ct-thu' (đã dùng ở dòng 9)")


@pytest.mark.parametrize("bad", ["2025-02-30", "31/04/2025", "2025-13-01"])
def test_E07_impossible_dates(tmp_path, bad):
    path, error = only_error(tmp_path, GOOD.replace("date: 2025-01-06", f"date: {bad}"))
    assert error.startswith(f"{path}:3:7: lỗi: 'date' (ngày ban hành): ngày '{bad}' không tồn tại hoặc sai định dạng")


def test_day_month_year_dates_are_accepted(tmp_path):
    write(tmp_path, GOOD.replace("date: 2025-01-06", "date: 27/12/2024"))
    assert str(load_corpus([tmp_path]).require().directives[0].date) == "2024-12-27"


def test_E22_empty_text(tmp_path):
    path, error = only_error(tmp_path, GOOD.replace("    text: Công an tỉnh chủ trì.", '    text: ""'))
    assert error == f"{path}:10:11: lỗi: 'text' (nội dung) của nhiệm vụ '1' đang để trống"


def test_E23_group_with_unknown_member(tmp_path):
    write(tmp_path, GOOD)
    registry = tmp_path / "co-quan.yaml"
    text = registry.read_text(encoding="utf-8").replace("tinh-doan, hoi-lhpn-tinh,", "tinh-doan, hoi-phu-nu,", 1)
    registry.write_text(text, encoding="utf-8")
    found = [str(p) for p in load_corpus([tmp_path]).problems]
    line = next(i for i, x in enumerate(text.splitlines(), 1) if "hoi-phu-nu" in x)
    assert any(
        p.startswith(f"{registry}:{line}:")
        and "nhóm 'doan-the-tinh' có thành viên 'hoi-phu-nu' không có trong danh mục" in p
        for p in found
    ), found


def test_all_errors_at_once_across_files(tmp_path):
    write(tmp_path, GOOD.replace("Công an tỉnh\n", "Công an huyện X\n"))
    (tmp_path / "b.yaml").write_text(
        GOOD.replace("ct-thu", "b").replace("date: 2025-01-06", "date: 2025-02-30"), encoding="utf-8"
    )
    errors = load_corpus([tmp_path]).errors
    assert {Path(p.path).name for p in errors} == {"ct-thu.yaml", "b.yaml"}


def test_E20_unknown_key_is_a_warning_with_suggestion(tmp_path):
    path, found = problems(tmp_path, GOOD.replace("title:", "titel:") + "title: x\n")
    assert (
        f"{path}:7:1: cảnh báo: trường 'titel' của văn bản 'ct-thu' không được dùng, sẽ bỏ qua (có phải ý bạn là 'title'?)"
        in found
    )


def test_W01_warnings_for_unassigned_task_and_missing_lead(tmp_path):
    text = (
        GOOD
        + '  - id: "2"\n    text: Không giao ai.\n  - id: "3"\n    text: Chỉ phối hợp.\n    assign:\n      phối hợp: Sở Nội vụ\n'
    )
    path, found = problems(tmp_path, text)
    assert (
        f"{path}:14:5: cảnh báo: nhiệm vụ '2' chưa được giao cho cơ quan nào (thêm mục 'assign' nếu văn bản có nêu cơ quan)"
        in found
    )
    assert f"{path}:16:5: cảnh báo: nhiệm vụ '3' có cơ quan phối hợp nhưng không có cơ quan chủ trì" in found
    assert load_corpus([tmp_path]).corpus is not None  # warnings do not stop the build


def test_E12_name_matching_tolerates_nfd_tone_placement_case_and_spaces(tmp_path):
    variants = [
        "Uỷ ban MTTQ Việt Nam tỉnh",
        unicodedata.normalize("NFD", "Ủy ban MTTQ Việt Nam tỉnh"),
        "ỦY BAN  MTTQ   VIỆT NAM TỈNH",
        "Văn phòng Uỷ ban nhân dân tỉnh",
    ]
    body = "\n".join(f"        - {v}" for v in variants)
    write(
        tmp_path,
        GOOD.replace("      phối hợp: [Văn phòng UBND tỉnh]", f"      phối hợp:\n{body}").replace(
            "chủ trì: Công an tỉnh", "chủ trì: Sở Nội vụ"
        ),
    )
    result = load_corpus([tmp_path])
    nfc_variant = unicodedata.normalize("NFC", variants[1])
    assert [str(p) for p in result.errors] == [
        f"{tmp_path / 'ct-thu.yaml'}:15:11: lỗi: nhiệm vụ '1': '{nfc_variant}' đã được phân công (phối hợp, 'Uỷ ban MTTQ Việt Nam tỉnh') (mỗi cơ quan chỉ có một vai trò trong một nhiệm vụ)",
        f"{tmp_path / 'ct-thu.yaml'}:16:11: lỗi: nhiệm vụ '1': '{variants[2]}' đã được phân công (phối hợp, 'Uỷ ban MTTQ Việt Nam tỉnh') (mỗi cơ quan chỉ có một vai trò trong một nhiệm vụ)",
    ]


def test_written_name_is_kept_as_written(tmp_path):
    write(tmp_path, GOOD.replace("chủ trì: Công an tỉnh", "chủ trì: Đảng uỷ Công an Tỉnh"))
    assignment = load_corpus([tmp_path]).require().directives[0].tasks[0].assignments[0]
    assert (assignment.agency, assignment.written) == ("cong-an-tinh", "Đảng uỷ Công an Tỉnh")


def test_E11_bom_and_crlf_simply_work(tmp_path):
    write(tmp_path, b"\xef\xbb\xbf" + GOOD.replace("\n", "\r\n").encode("utf-8"))
    assert load_corpus([tmp_path]).problems == []


def test_E09_utf16_file_is_refused_with_a_message(tmp_path):
    path, error = only_error(tmp_path, GOOD, encoding="utf-16")
    assert error.startswith(f"{path}: lỗi: tệp được lưu bằng mã UTF-16")


def test_E10_legacy_vietnamese_encoding_is_refused(tmp_path):
    # TCVN3 (ABC) bytes for "Công an tỉnh" are not UTF-8
    path, error = only_error(
        tmp_path, GOOD.encode("utf-8").replace("Công an tỉnh chủ trì".encode(), b"C\xabng an t\xdenh")
    )
    assert error.startswith(f"{path}:10:12: lỗi: tệp không phải văn bản UTF-8 (có thể là phông TCVN3/VNI")


def test_E13_python_object_tags_are_refused(tmp_path):
    path, error = only_error(
        tmp_path,
        GOOD.replace("title: Về bảo đảm an ninh, trật tự", "title: !!python/object/apply:os.system ['echo hi']"),
    )
    assert error.startswith(
        f"{path}:7:8: lỗi: không chấp nhận thẻ YAML 'tag:yaml.org,2002:python/object/apply:os.system'"
    )


def test_E14_alias_bomb_is_refused(tmp_path):
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x","x"]\n'
    for i in range(ord("b"), ord("k")):
        prev = chr(i - 1)
        bomb += (
            f"{chr(i)}: &{chr(i)} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
        )
    _path, error = only_error(tmp_path, bomb)
    assert "quá nhiều phần tử" in error


def test_E08_empty_file(tmp_path):
    path, error = only_error(tmp_path, "  \n")
    assert error == f"{path}: lỗi: tệp rỗng (tệp cần có nội dung YAML theo mẫu trong README)"


def test_shipped_input_is_clean():
    """The one test that reads the shipped input/ (the others use their copy, tests/fixtures/input/)."""
    result = load_corpus([SHIPPED_INPUT])
    assert result.problems == []
    assert len(result.require().directives) == 5


def test_E15_very_large_file_is_refused(tmp_path):
    path = write(tmp_path, GOOD + "notes:\n" + ("  - " + "x" * 1000 + "\n") * 6000)
    size_kb = path.stat().st_size // 1024
    errors = [str(p) for p in load_corpus([tmp_path]).errors]
    assert errors == [
        f"{path}: lỗi: tệp quá lớn ({size_kb} KB; tối đa 5 MB) (hãy tách thành nhiều tệp, mỗi văn bản một tệp)"
    ]


def test_E16_ids_that_would_escape_the_output_folder_are_refused(tmp_path):
    path, error = only_error(tmp_path, GOOD.replace("id: ct-thu", "id: ../../Windows/ct"))
    assert error == (
        f"{path}:1:5: lỗi: mã '../../Windows/ct' (mã văn bản) chỉ được gồm chữ thường không dấu, "
        "chữ số và dấu '-' (ví dụ: 'windows-ct')"
    )


def test_E21_a_name_shared_by_two_provinces_needs_the_province(tmp_path):
    text = GOOD.replace("chủ trì: Công an tỉnh", "chủ trì: Ủy ban nhân dân huyện Châu Thành")
    _path, error = only_error(tmp_path, text)
    assert (
        "tên 'Ủy ban nhân dân huyện Châu Thành' ứng với nhiều cơ quan (dt-ubnd-huyen-chau-thanh, tg-ubnd-huyen-chau-thanh)"
        in error
    )
    write(tmp_path, text.replace("title:", "province: tien-giang\ntitle:"))
    task = load_corpus([tmp_path]).require().directives[0].tasks[0]
    assert task.assignments[0].agency == "tg-ubnd-huyen-chau-thanh"
    write(tmp_path, GOOD.replace("title:", "province: tien-giang\ntitle:"))
    police = load_corpus([tmp_path]).require().directives[0].tasks[0].assignments[0]
    assert police.agency == "tien-giang-cong-an-tinh"  # Tiền Giang's own police, not Đồng Tháp's or Hưng Yên's


# Each message points at its own line (issue 13: values were paired back with nodes by position).


def test_name_after_an_empty_list_item_is_reported_on_its_own_line(tmp_path):
    text = GOOD.replace(
        "      phối hợp: [Văn phòng UBND tỉnh]\n", '      phối hợp:\n        - ""\n        - Công an tỉnhh\n'
    )
    path, error = only_error(tmp_path, text)
    assert error.startswith(f"{path}:15:11: lỗi: nhiệm vụ '1': cơ quan 'Công an tỉnhh' không có trong danh mục")


def test_warning_after_an_invalid_task_is_reported_on_its_own_line(tmp_path):
    text = GOOD.replace("tasks:\n", 'tasks:\n  - "một việc không đúng dạng"\n') + '  - id: "2"\n    text: Việc hai\n'
    path, found = problems(tmp_path, text)
    assert f"{path}:9:5: lỗi: nhiệm vụ phải là một bảng 'tên: giá trị' (xem mẫu trong README)" in found
    assert (
        f"{path}:15:5: cảnh báo: nhiệm vụ '2' chưa được giao cho cơ quan nào "
        "(thêm mục 'assign' nếu văn bản có nêu cơ quan)"
    ) in found


def test_warning_on_a_sub_task_after_a_scalar_sub_item_is_on_its_own_line(tmp_path):
    text = GOOD.replace(
        "    text: Công an tỉnh chủ trì.\n",
        "    text: Công an tỉnh chủ trì.\n    tasks:\n"
        "      - id: 1-1\n        text: Việc con\n        assign:\n          phối hợp: Sở Nội vụ\n",
    )
    text = text.replace("      chủ trì: Công an tỉnh\n      phối hợp: [Văn phòng UBND tỉnh]\n", "")
    text = text.replace("    assign:\n    tasks:", "    tasks:")
    path, found = problems(tmp_path, text)
    assert any(p.startswith(f"{path}:12:9: cảnh báo: nhiệm vụ '1-1' có cơ quan phối hợp") for p in found), found


def test_key_glued_to_its_value_is_reported_on_its_own_line(tmp_path):
    path, error = only_error(tmp_path, GOOD.replace("kind: chỉ thị", "kind:chỉ thị"))
    assert (
        error
        == f"{path}:2:6: lỗi: lỗi cú pháp YAML: thiếu dấu cách sau dấu ':' của trường 'kind' (viết 'kind: chỉ thị')"
    )

"""`matrix show` and `matrix agencies` as library functions: the CLI only prints what these return."""

from __future__ import annotations

import pytest

from matrix.commands.views import agency_tasks, registry_table
from matrix.core.errors import InputError
from matrix.core.pivot import build_matrix
from matrix.input.lookup import find_agencies

from .helpers.corpus import small_corpus


def test_find_agencies_takes_any_alias_and_hints_close_names():
    registry = small_corpus().registry
    assert [a.id for a in find_agencies(registry, "Dang uy Cong an tinh")] == ["cong-an-tinh"]
    with pytest.raises(InputError) as error:
        find_agencies(registry, "Công an tnh")
    (problem,) = error.value.problems
    assert problem.message == "cơ quan 'Công an tnh' không có trong danh mục"
    assert problem.hint is not None and problem.hint.startswith("có phải ý bạn là 'Công an tỉnh'")
    with pytest.raises(InputError) as error:
        find_agencies(registry, "Bộ Ngoại giao", among=())
    assert error.value.problems[0].hint == "xem 'matrix agencies'"


def test_agency_tasks_lists_every_entry_under_its_directive():
    corpus = small_corpus()
    lines = agency_tasks(corpus, "Công an tỉnh\x07")  # a control character typed in is dropped, not echoed
    entries = build_matrix(corpus).entries_for("cong-an-tinh")
    assert lines[0].strong and lines[0].text.startswith(f"Công an tỉnh (cong-an-tinh): {len(entries)} nhiệm vụ — ")
    assert not any(line.strong for line in lines[1:])
    tasks = [line.text for line in lines if line.text.startswith("    Mục ")]
    assert [t.split()[1] for t in tasks] == [e.row.task.id for e in entries]
    headings = [line.text for line in lines if line.text.startswith("\n  ")]
    assert len(headings) == len({e.row.directive.id for e in entries})


def test_registry_table_has_a_header_a_line_per_body_and_a_count():
    registry = small_corpus().registry
    lines = registry_table(registry)
    assert lines[0].split() == ["Mã", "Tên", "Khối", "Loại", "Tồn", "tại", "Kế", "thừa", "Động", "từ"]
    assert lines[-1] == f"\n{len(registry.agencies)} mục."
    assert any(line.strip() == "tên gọi khác: Đảng ủy Công an tỉnh" for line in lines)
    assert registry_table(registry, "p")[-1] == f"\n{len(registry.agencies)} mục."
    with pytest.raises(InputError):
        registry_table(registry, "Không có tỉnh này")

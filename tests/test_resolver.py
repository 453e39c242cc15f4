"""Names the registry lacks: the resolver policy (load.Unknown), its one placeholder representation
(load.Unresolved, shared by the loader and the drafter) and `matrix export` with and without --keep-unknown."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from matrix.cli import main
from matrix.draft import draft_text
from matrix.input.load import UNRESOLVED_BLOCK, Unknown, Unresolved, is_unresolved, load_corpus, open_registry

from .helpers import INPUT

REGISTRY = INPUT / "co-quan.yaml"

DRAFT = """\
id: "cv-thu"
kind: công văn
date: 2025-03-01
province: dong-thap
issuer:
  name: Ủy ban nhân dân tỉnh
  kind: nhà nước
title: Về việc thử
tasks:
  - id: "1"
    text: Kiểm tra các cơ sở lưu trú.
    assign:
      chủ trì: Sở Du lịch Xanh
      phối hợp: Công an tỉnh
  - id: "2"
    text: Báo cáo kết quả.
    assign:
      chủ trì: Sở  du lịch xanh
      phối hợp: Ban Quản lý Khu Mới
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shutil.copy(REGISTRY, tmp_path / "co-quan.yaml")
    (tmp_path / "cv-thu.yaml").write_text(DRAFT, encoding="utf-8")
    return tmp_path


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_error_policy_reports_each_unknown_name_as_an_error(folder):
    result = load_corpus([folder])
    assert result.corpus is None and result.unresolved == []
    assert [(p.line, p.message) for p in result.errors] == [
        (13, "nhiệm vụ '1': cơ quan 'Sở Du lịch Xanh' không có trong danh mục"),
        (18, "nhiệm vụ '2': cơ quan 'Sở  du lịch xanh' không có trong danh mục"),
        (19, "nhiệm vụ '2': cơ quan 'Ban Quản lý Khu Mới' không có trong danh mục"),
    ]


def test_keep_policy_keeps_names_under_one_placeholder_each_and_warns_once_per_name(folder):
    result = load_corpus([folder], unknown=Unknown.KEEP)
    corpus = result.require()
    assert result.errors == []
    assert [(p.line, p.column, p.is_error) for p in result.unresolved] == [(13, 16, False), (19, 17, False)]
    assert all("tạm giữ nguyên tên như đã viết" in p.message for p in result.unresolved)
    directive = corpus.directives[0]
    lead = [next(a for a in t.assignments if a.role.value == "chủ trì") for t in directive.tasks]
    assert lead[0].agency == lead[1].agency == "chua-ro-1"  # spelling-tolerant: one placeholder per name
    assert [lead[0].written, lead[1].written] == ["Sở Du lịch Xanh", "Sở  du lịch xanh"]  # as each place wrote it
    kept = [a for a in corpus.registry.agencies if is_unresolved(a)]
    assert [(a.id, a.name, a.block) for a in kept] == [
        ("chua-ro-1", "Sở Du lịch Xanh", UNRESOLVED_BLOCK.id),
        ("chua-ro-2", "Ban Quản lý Khu Mới", UNRESOLVED_BLOCK.id),
    ]
    assert UNRESOLVED_BLOCK in corpus.registry.blocks


def test_keep_policy_numbers_placeholders_across_files(folder):
    (folder / "cv-hai.yaml").write_text(
        DRAFT.replace('id: "cv-thu"', 'id: "cv-hai"').replace("Ban Quản lý Khu Mới", "Trung tâm Mới"),
        encoding="utf-8",
    )
    corpus = load_corpus([folder], unknown=Unknown.KEEP).require()
    ids = {a.name: a.id for a in corpus.registry.agencies if is_unresolved(a)}
    assert ids == {"Sở Du lịch Xanh": "chua-ro-1", "Trung tâm Mới": "chua-ro-2", "Ban Quản lý Khu Mới": "chua-ro-3"}


def test_unresolved_registry_is_the_registry_itself_without_names():
    registry = open_registry([], REGISTRY)
    names = Unresolved()
    assert names.registry(registry) is registry
    assert names.agency("Sở Mới").id == names.agency("sở  mới").id == "chua-ro-1"
    assert [a.id for a in names.registry(registry).agencies][-1] == "chua-ro-1"


def test_the_drafter_puts_unknown_names_in_the_model_as_the_loader_does():
    registry = open_registry([], REGISTRY)
    draft = draft_text("CÔNG VĂN\nVề thử\nYêu cầu:\n1. Sở Du lịch Xanh chủ trì kiểm tra.\n", registry, "thu")
    assert draft.directive is not None and draft.registry is not None
    (assignment,) = draft.directive.tasks[0].assignments
    assert assignment.written == "Sở Du lịch Xanh" and is_unresolved(draft.registry.get(assignment.agency))
    assert draft.unresolved == ["Sở Du lịch Xanh"] and draft.resolved == 0
    (note,) = [n for n in draft.notes if n.name is not None]
    assert note.task == "1" and note.review and "chưa có trong danh mục" in note.text


def test_export_warns_once_per_unknown_name_and_exits_1(folder):
    result = run("export", folder)
    assert result.exit_code == 1
    assert result.stdout == ""  # nothing half-exported
    lines = [line for line in result.stderr.splitlines() if ": cảnh báo: " in line]  # hints run on below
    assert len(lines) == 2
    assert lines[0].startswith(f"{folder / 'cv-thu.yaml'}:13:16: cảnh báo: nhiệm vụ '1': cơ quan 'Sở Du lịch Xanh'")
    assert lines[1].startswith(f"{folder / 'cv-thu.yaml'}:19:17: cảnh báo: nhiệm vụ '2': cơ quan 'Ban Quản lý Khu Mới'")
    assert "còn 2 tên cơ quan chưa có trong danh mục" in result.stderr and "--keep-unknown" in result.stderr


def test_export_keeps_unknown_names_when_asked(folder):
    result = run("export", folder, "--keep-unknown")
    assert result.exit_code == 0
    assert "Sở Du lịch Xanh" in result.stderr  # still said
    tasks = json.loads(result.stdout)["directives"][0]["tasks"]
    names = {a["agency"] for t in tasks for a in t["assignments"]}
    assert {"Sở Du lịch Xanh", "Ban Quản lý Khu Mới", "Công an tỉnh"} <= names


def test_export_of_a_clean_input_needs_no_option():
    result = run("export", INPUT)
    assert result.exit_code == 0 and result.stderr == ""


def test_export_help_documents_the_option_in_vietnamese():
    result = run("export", "--help")
    assert "--keep-unknown" in result.output and "giữ nguyên tên như đã viết" in result.output


def test_export_refuses_a_body_gone_on_the_directives_date(tmp_path):
    """A body dissolved before the directive's date is not exported silently under its old name."""
    text = DRAFT.replace("Sở Du lịch Xanh", "Sở Thông tin và Truyền thông").replace("Sở  du lịch xanh", "Công an tỉnh")
    text = text.replace("Ban Quản lý Khu Mới", "Sở Tư pháp").replace("2025-03-01", "2025-09-01")
    shutil.copy(REGISTRY, tmp_path / "co-quan.yaml")
    (tmp_path / "cv-thu.yaml").write_text(text, encoding="utf-8")
    result = run("export", tmp_path)
    assert result.exit_code == 1 and result.stdout == ""
    (line,) = [line for line in result.stderr.splitlines() if ": cảnh báo: " in line]
    assert line.startswith(f"{tmp_path / 'cv-thu.yaml'}:13:16: cảnh báo: nhiệm vụ '1': ")
    assert "Sở Thông tin và Truyền thông" in line and "tạm giữ nguyên tên như đã viết" in line
    assert run("export", tmp_path, "--keep-unknown").exit_code == 0

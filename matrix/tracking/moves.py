"""The reports recorded for a task follow it when the form editor renumbers it or merges it into another.

A report names its task by id (``task: "3"`` in ``input/theo-doi/<directive id>.yaml``). When a clerk
renumbers item 3 to 4, moves a dash bullet under another item or merges item 3 into item 2, the reports
recorded for it are about the same work: :func:`carry_reports` rewrites their ``task`` values to the new ids
(only those values, in place, so the clerk's comments and layout stay; locked, atomic, a ``.bak`` kept).
A task deleted with reports recorded for it has nowhere for them to go: :func:`reports_by_task` lets the editor
refuse that save and say so.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import yaml

from ..core.errors import InputError, Problem
from ..files.safeio import update_file
from .records import records_path

__all__ = ["carry_reports", "reports_by_task"]


def _task_nodes(text: str) -> list[yaml.ScalarNode]:
    """The ``task`` value of every report of a records file's text (none when it does not read)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return []
    if not isinstance(root, yaml.MappingNode):
        return []
    out = []
    for key, value in root.value:
        if key.value != "reports" or not isinstance(value, yaml.SequenceNode):
            continue
        for report in value.value:
            if not isinstance(report, yaml.MappingNode):
                continue
            for k, v in report.value:
                if k.value == "task" and isinstance(v, yaml.ScalarNode) and v.value:
                    out.append(v)
    return out


def reports_by_task(input_dir: Path, directive_id: str) -> dict[str, int]:
    """How many reports are recorded for each task of the directive (by task id); {} without a records file."""
    try:
        text = records_path(input_dir, directive_id).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return {}
    counts: dict[str, int] = {}
    for node in _task_nodes(text):
        counts[str(node.value)] = counts.get(str(node.value), 0) + 1
    return counts


def carry_reports(input_dir: Path, directive_id: str, moved: Mapping[str, str]) -> int:
    """Rewrite the ``task`` of every report about a task of ``moved`` (old id -> new id, all at once: 3 -> 4 and
    4 -> 3 swap) in the directive's records file; the number of reports rewritten. Nothing is written when no
    report is about them; :class:`InputError` (nothing written) if the new file would not read back so."""
    path = records_path(input_dir, directive_id)
    if not path.is_file():
        return 0
    counted: list[int] = []

    def change(current: bytes | None) -> str | None:
        if current is None:
            return None
        text = current.decode("utf-8-sig")
        nodes = [n for n in _task_nodes(text) if str(n.value) in moved and moved[str(n.value)] != n.value]
        counted.append(len(nodes))
        if not nodes:
            return None
        for node in sorted(nodes, key=lambda n: n.start_mark.index, reverse=True):
            start, end = node.start_mark.index, node.end_mark.index
            text = text[:start] + json.dumps(moved[str(node.value)], ensure_ascii=False) + text[end:]
        return text

    def verify(tmp: Path) -> None:
        before = path.read_text(encoding="utf-8-sig")
        after = tmp.read_text(encoding="utf-8-sig")
        expected = [moved.get(str(n.value), str(n.value)) for n in _task_nodes(before)]
        if [str(n.value) for n in _task_nodes(after)] != expected:  # pragma: no cover - a bug, never written
            raise InputError(
                [Problem(str(path), 0, 0, "sổ theo dõi không đọc lại được sau khi chuyển báo cáo sang số mới")]
            )

    update_file(path, change, "sổ theo dõi", backup=True, check=verify)
    return counted[-1] if counted else 0

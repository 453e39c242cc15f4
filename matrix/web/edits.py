"""Small text edits the pages make to YAML a clerk may also edit by hand.

Both edit the text in place (comments and layout stay), locate what they
change through ``yaml.compose`` node marks, and are checked by reading the
result back with the library's own loader before anything is written.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from ..core.errors import InputError, Problem
from ..core.text import match_key
from ..files.safeio import update_file
from ..input.load import load_registry
from ..input.yamlio import Report
from .library import yaml_scalar


def replace_name(yaml_text: str, written: str, name: str) -> str:
    """The draft with every addressee written ``written`` (under ``assign``) renamed to ``name``.

    The drafter's review comment about ``written`` just above it goes too: the name is settled.
    """
    try:
        root = yaml.compose(yaml_text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return yaml_text
    spans: list[tuple[int, int, int]] = []  # (start, end, line)
    key = match_key(written)

    def scalars(node: yaml.Node) -> list[yaml.ScalarNode]:
        if isinstance(node, yaml.ScalarNode):
            return [node]
        if isinstance(node, yaml.SequenceNode):
            return [n for n in node.value if isinstance(n, yaml.ScalarNode)]
        return []

    def visit_tasks(node: yaml.Node | None) -> None:
        if not isinstance(node, yaml.SequenceNode):
            return
        for task in node.value:
            if not isinstance(task, yaml.MappingNode):
                continue
            for k, v in task.value:
                if k.value == "assign" and isinstance(v, yaml.MappingNode):
                    for _, names in v.value:
                        for s in scalars(names):
                            if s.style in (None, "", '"', "'") and match_key(str(s.value)) == key:
                                spans.append((s.start_mark.index, s.end_mark.index, s.start_mark.line))
                elif k.value == "tasks":
                    visit_tasks(v)

    if isinstance(root, yaml.MappingNode):
        for k, v in root.value:
            if k.value == "tasks":
                visit_tasks(v)
    if not spans:
        return yaml_text
    text = yaml_text
    for start, end, _ in sorted(spans, reverse=True):
        text = text[:start] + yaml_scalar(name) + text[end:]
    lines = text.split("\n")
    drop = set()
    for _, _, line in spans:
        above = line - 1
        while above >= 0 and lines[above].lstrip().startswith("#"):
            if f"'{written}'" in lines[above]:
                drop.add(above)
            above -= 1
    return "\n".join(line for i, line in enumerate(lines) if i not in drop)


def add_alias(registry_path: Path, agency_id: str, alias: str) -> None:
    """Add ``alias`` to the agency ``agency_id`` in the registry file, keeping a ``.bak``.

    Refused (:class:`InputError`, nothing written) unless the registry still
    loads and the alias then names exactly that agency. One locked, atomic
    read-modify-write (:func:`matrix.files.safeio.update_file`).
    """

    def change(current: bytes | None) -> str:
        new = _with_alias(current.decode("utf-8-sig"), agency_id, alias) if current is not None else None
        if new is None:
            raise InputError(
                [Problem(str(registry_path), 0, 0, f"không tìm thấy cơ quan '{agency_id}' trong danh mục")]
            )
        return new

    def check(tmp: Path) -> None:
        report = Report()
        registry = load_registry(tmp, report)
        problems = [p for p in report.problems if p.is_error]
        if registry is None or problems:
            raise InputError(
                [Problem(str(registry_path), p.line, p.column, p.message, p.hint) for p in problems]
                or [Problem(str(registry_path), 0, 0, "danh mục không đọc lại được sau khi thêm tên")]
            )
        found = registry.candidates(alias)
        if [a.id for a in found] != [agency_id]:
            owners = ", ".join(a.id for a in found if a.id != agency_id)
            raise InputError(
                [
                    Problem(
                        str(registry_path),
                        0,
                        0,
                        f"tên '{alias}' đã thuộc về cơ quan khác ({owners})",
                        "hãy chọn đúng cơ quan, hoặc sửa tên trong bản nháp",
                    )
                ]
            )

    update_file(registry_path, change, "danh mục cơ quan", backup=True, check=check)


def _override_entry(lines: list[str], agency_id: str, alias: str) -> str | None:
    """A body of the standard catalogue has no entry in the file: add one that only brings the alias
    (an entry with a catalogue body's id adds its aliases to that body)."""
    at = next((i for i, line in enumerate(lines) if line.rstrip() == "agencies:"), None)
    if at is None:
        return None
    entry = [f"  - id: {agency_id}", "    aliases:", f"      - {json.dumps(alias, ensure_ascii=False)}"]
    return "\n".join(lines[: at + 1] + entry + lines[at + 1 :])


def _with_alias(text: str, agency_id: str, alias: str) -> str | None:
    lines = text.split("\n")
    start = None
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("- id:") and stripped[5:].strip().strip("'\"") == agency_id:
            start = i
            break
    if start is None:
        return _override_entry(lines, agency_id, alias)
    indent = len(lines[start]) - len(lines[start].lstrip()) + 2  # the keys of the agency's mapping
    end = start + 1
    while end < len(lines):
        line = lines[end]
        if line.strip() and not line.lstrip().startswith("#") and len(line) - len(line.lstrip()) < indent:
            break
        if line.strip() and len(line) - len(line.lstrip()) == indent - 2 and line.lstrip().startswith("- "):
            break
        end += 1
    flow = json.dumps(alias, ensure_ascii=False)
    for i in range(start, end):
        line = lines[i]
        if line.startswith(" " * indent + "aliases:"):
            rest = line.split("aliases:", 1)[1].strip()
            if rest.startswith("[") and rest.endswith("]"):
                inner = rest[1:-1].strip()
                lines[i] = line[: line.index("[")] + "[" + (inner + ", " if inner else "") + flow + "]"
                return "\n".join(lines)
            if not rest:
                last = i
                j = i + 1
                while j < end and (lines[j].strip().startswith("- ") or not lines[j].strip()):
                    if lines[j].strip():
                        last = j
                    j += 1
                item_indent = len(lines[last]) - len(lines[last].lstrip()) if last > i else indent + 2
                lines.insert(last + 1, " " * item_indent + "- " + flow)
                return "\n".join(lines)
            return None
    last = start
    for i in range(start + 1, end):
        if lines[i].strip() and not lines[i].lstrip().startswith("#"):
            last = i
    lines.insert(last + 1, " " * indent + "aliases: [" + flow + "]")
    return "\n".join(lines)

"""Helpers shared by the safety tests: a clerk's project folder, building it, snapshots, English detection."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from click.testing import CliRunner

from matrix.cli import main

from . import INPUT

ONE = "tiengiang-ubnd-ct-antt-2025"
TWO = "dongthap-ubnd-cv-antt-2025"


def make_project(root: Path, *names: str) -> Path:
    """``root/input`` with the registry and the named seed directives (none: the registry only)."""
    (root / "input").mkdir(parents=True, exist_ok=True)
    for name in ("co-quan.yaml", *(f"{n}.yaml" for n in names)):
        shutil.copy(INPUT / name, root / "input" / name)
    return root


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (links not followed) with its bytes, matrix's own lock and manifest included."""
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_symlink():
            out[str(path.relative_to(folder))] = b"-> " + str(path.readlink()).encode()
        elif path.is_file():
            out[str(path.relative_to(folder))] = path.read_bytes()
    return out


_ENGLISH = re.compile(
    r"\b(the|is|are|not|no such|found|cannot|could|expected|error|file|directory|permission|denied|"
    r"invalid|unexpected|exists|space|left|device|while|scanning|token|character|template|undefined|"
    r"traceback|object|attribute|has|which|must|should|unknown|failed|range|between|maximum|depth|exceeded|been)\b",
    re.IGNORECASE,
)


def english_words(text: str) -> list[str]:
    """Common English words in ``text`` outside file paths and quoted user text (a heuristic)."""
    cleaned = re.sub(r"«[^»]*»|'[^']*'|\"[^\"]*\"|\S*[/\\]\S*|\S+\.(ya?ml|docx|txt|pdf|csv|json|xlsx)\b", " ", text)
    return _ENGLISH.findall(cleaned)


DIRECTIVE = """\
id: {id}
kind: {kind}
date: 2025-01-06
province: tien-giang
issuer:
  name: Chủ tịch Ủy ban nhân dân tỉnh
  kind: nhà nước
  header: [ỦY BAN NHÂN DÂN, TỈNH TIỀN GIANG]
title: {title}
tasks:
{tasks}"""


def directive(
    id: str = "ct-thu",
    title: str = "Về bảo đảm an ninh, trật tự",
    kind: str = "chỉ thị",
    texts: tuple[str, ...] = ("Giao Công an tỉnh chủ trì.",),
) -> str:
    """A small valid directive whose tasks have ``texts`` (YAML double-quoted strings), each for Công an tỉnh."""
    tasks = "".join(
        f'  - id: "{i}"\n    text: {t}\n    assign:\n      chủ trì: Công an tỉnh\n' for i, t in enumerate(texts, 1)
    )
    return DIRECTIVE.format(id=id, kind=kind, title=title, tasks=tasks)

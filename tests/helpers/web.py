"""Shared by the web tests: the directive a clerk uploads, and the name the drafter flags in it."""

from __future__ import annotations

from pathlib import Path

import docx

from . import FIXTURES

FIXTURE = FIXTURES / "web" / "chi-thi-thu.txt"
FLAGGED = "Công an Tiền Giang"


def write_docx(text: str, path: Path) -> Path:
    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    document.save(str(path))
    return path

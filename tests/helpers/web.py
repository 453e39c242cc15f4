"""Shared by the web tests: the directive a clerk uploads, the name the drafter flags in it, a form's token."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

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


def csrf_token(client: Any, url: str) -> str:
    """The CSRF token a page's form carries (the test client keeps the session cookie it goes with)."""
    page = client.get(url)
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)

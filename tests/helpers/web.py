"""Shared by the web tests: the directive a clerk uploads, the name the drafter flags in it, a test client."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx

from . import FIXTURES

FIXTURE = FIXTURES / "web" / "chi-thi-thu.txt"
FLAGGED = "Phòng Cảnh sát giao thông Tiền Giang"


def write_docx(text: str, path: Path) -> Path:
    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    document.save(str(path))
    return path


def write_docx_header_in_one_paragraph(text: str, path: Path) -> Path:
    """A Word file whose header is one paragraph: two columns by tabs, three lines by Shift+Enter (<w:br/>)."""
    lines = text.splitlines()
    document = docx.Document()
    paragraph = document.add_paragraph()
    for i, (left, right) in enumerate(zip(lines[0:3], lines[3:6], strict=True)):
        paragraph.add_run(left)
        paragraph.add_run().add_tab()
        paragraph.add_run(right)
        if i < 2:
            paragraph.add_run().add_break()
    for line in lines[6:]:
        document.add_paragraph(line)
    document.save(str(path))
    return path


LOCAL = "http://127.0.0.1:8765"


@contextlib.contextmanager
def page_client(input_dir: Path, output_dir: Path) -> Iterator[Any]:
    """Starlette's test client on the pages over ``input_dir``: server errors as pages, redirects not followed."""
    from starlette.testclient import TestClient

    from matrix.web import create_app

    app = create_app(input_dir, output_dir)
    with TestClient(app, base_url=LOCAL, raise_server_exceptions=False, follow_redirects=False) as client:
        yield client


def csrf_token(client: Any, url: str) -> str:
    """The form token a page gives (the page's session cookie is kept by the client)."""
    page = client.get(url)
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)

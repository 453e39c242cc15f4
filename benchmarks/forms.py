"""The forms a clerk receives a directive in, made from its clean text (one paragraph a line).

    web   text copied from a web page: hard line breaks at about 80 characters, an item number alone on its
          line, non-breaking spaces after markers and punctuation, two blank lines between paragraphs
    docx  a Word document: one paragraph a line (numbering typed as text), TAB-separated rows as a Word table
    pdf   that Word document printed to PDF by LibreOffice (``soffice``; None when it is not installed)

Used by ``benchmarks/evaluate_drafts.py --form`` and by the drafter's layout tests, so that both make the
forms the same way.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import textwrap
from pathlib import Path

from matrix.writers.office import convert, find_soffice

FORMS = ("clean", "web", "docx", "pdf")
WIDTH = 80
NBSP = "\u00a0"
# An item number a web page puts in its own element (an ordered list, a table cell): "1.", "1.1.", "a)", "IV.", "(2)".
_NUMBER = re.compile(r"^(?P<number>[IVX]{1,5}\.|\d{1,2}(?:\.\d{1,2})*[.)]|[a-zđ]\)|\(\d{1,2}\))\s+(?=\S)")
_AFTER_PUNCTUATION = re.compile(r"(?<=[,:;]) ")


def web_text(text: str, width: int = WIDTH) -> str:
    """``text`` as copied from a web page (see the module docstring). Table rows (TAB-separated) stay whole."""
    out: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if "\t" in line or (len(line) <= width and not _NUMBER.match(line)):
            out += [line, "", ""]
            continue
        number = _NUMBER.match(line)
        if number:
            out.append(number.group("number"))
            line = line[number.end() :]
        wrapped = textwrap.wrap(line, width, break_long_words=False, break_on_hyphens=False)
        out += [_AFTER_PUNCTUATION.sub(NBSP, part) for part in wrapped] + ["", ""]
    return "\n".join(out) + "\n"


def write_docx(text: str, path: Path) -> Path:
    """``text`` as a Word document: a paragraph per non-blank line; consecutive TAB-separated lines as a table."""
    import docx  # python-docx

    document = docx.Document()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    i = 0
    while i < len(lines):
        if "\t" not in lines[i]:
            document.add_paragraph(lines[i])
            i += 1
            continue
        rows = []
        while i < len(lines) and "\t" in lines[i]:
            rows.append(lines[i].split("\t"))
            i += 1
        table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
        table.style = "Table Grid"
        for row, cells in zip(table.rows, rows, strict=True):
            for cell, value in zip(row.cells, cells, strict=False):
                cell.text = value.strip()
    document.save(str(path))
    return Path(path)


def write_pdf(text: str, path: Path) -> Path | None:
    """``text`` printed to PDF by LibreOffice from its Word form; None when LibreOffice is not installed."""
    office = find_soffice()
    if office is None:
        return None
    path = Path(path)
    with tempfile.TemporaryDirectory() as folder:
        source = write_docx(text, Path(folder) / f"{path.stem}.docx")
        convert(office, "pdf", Path(folder), [source], Path(folder) / "profile", timeout=300)
        shutil.move(Path(folder) / f"{path.stem}.pdf", path)
    return path


def write_form(source: Path, form: str, folder: Path) -> Path | None:
    """The clean text file ``source`` in ``form``, written under ``folder`` with the same stem (None: no soffice)."""
    if form == "clean":
        return Path(source)
    text = Path(source).read_text(encoding="utf-8")
    folder.mkdir(parents=True, exist_ok=True)
    if form == "web":
        target = folder / f"{Path(source).stem}.txt"
        target.write_text(web_text(text), encoding="utf-8")
        return target
    if form == "docx":
        return write_docx(text, folder / f"{Path(source).stem}.docx")
    if form == "pdf":
        return write_pdf(text, folder / f"{Path(source).stem}.pdf")
    raise ValueError(f"unknown form '{form}' (one of {', '.join(FORMS)})")

"""Plain-text pictures of the outputs, for the golden files under tests/golden/.

A letter is its text read back with python-docx, paragraph by paragraph in
document order, tables row by row (cells separated by " | ", paragraphs of a
cell by " / "); a workbook is the value of every non-empty cell of every
sheet, row by row, with the merged ranges. Own marks print as "C", "P", "T",
inherited ones as "(C)", "(P)", "(T)"; totals as their formulas.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
from docx import Document
from docx.oxml.ns import qn
from openpyxl.utils import get_column_letter


def _cell_text(cell_element) -> str:
    paras = []
    for p in cell_element.iter(qn("w:p")):
        paras.append("".join(t.text or "" for t in p.iter(qn("w:t"))))
    return " / ".join(paras)


def docx_text(path: Path) -> str:
    """The document's text: properties' dates, then paragraphs and table rows in order."""
    doc = Document(str(path))
    props = doc.core_properties
    lines = [f"# created {props.created:%Y-%m-%d %H:%M:%S}, modified {props.modified:%Y-%m-%d %H:%M:%S}"]
    for child in doc.element.body.iterchildren():
        if child.tag == qn("w:p"):
            lines.append("".join(t.text or "" for t in child.iter(qn("w:t"))))
        elif child.tag == qn("w:tbl"):
            for row in child.iter(qn("w:tr")):
                cells = [_cell_text(tc) for tc in row.iterchildren(qn("w:tc"))]
                lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def xlsx_text(path: Path) -> str:
    """Every sheet: its merged ranges, then each non-empty row as "row: COL=value; ..."."""
    wb = openpyxl.load_workbook(path)
    lines: list[str] = [f"# created {wb.properties.created:%Y-%m-%d %H:%M:%S}"]  # openpyxl sets "modified" itself
    for ws in wb:
        lines.append(f"## {ws.title}")
        merged = sorted(str(r) for r in ws.merged_cells.ranges)
        lines.append("merged: " + ", ".join(merged))
        for row in ws.iter_rows():
            cells = [f"{get_column_letter(c.column)}={str(c.value)!r}" for c in row if c.value is not None]
            if cells:
                lines.append(f"{row[0].row}: " + "; ".join(cells))
    return "\n".join(lines) + "\n"


def snapshot(out_dir: Path) -> dict[str, str]:
    """Relative golden file name -> text, for every .docx and .xlsx under ``out_dir``."""
    found: dict[str, str] = {}
    for path in sorted(out_dir.rglob("*")):
        rel = path.relative_to(out_dir).as_posix()
        if path.suffix == ".docx":
            found[rel[: -len(".docx")] + ".txt"] = docx_text(path)
        elif path.suffix == ".xlsx":
            found[rel[: -len(".xlsx")] + ".txt"] = xlsx_text(path)
    return found

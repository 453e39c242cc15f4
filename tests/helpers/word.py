"""Reading Word outputs back with python-docx, and checking a letter against the matrix."""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.oxml.ns import qn

from matrix.core.model import Task
from matrix.core.pivot import Matrix
from matrix.writers.word import paragraphs as task_text_paragraphs
from matrix.writers.word import without_heading


def paragraphs(doc) -> list[str]:
    """Every paragraph of the body in order, table cells included (nested too)."""
    found: list[str] = []

    def walk(element) -> None:
        for child in element.iterchildren():
            if child.tag == qn("w:p"):
                found.append("".join(t.text or "" for t in child.iter(qn("w:t"))))
            else:
                walk(child)

    walk(doc.element.body)
    return found


def full_text(path: Path) -> str:
    return "\n".join(paragraphs(Document(str(path))))


def addressee_line(doc) -> str:
    return next(p for p in paragraphs(doc) if p.startswith("Kính gửi:"))


def opening(doc) -> str:
    return next(p for p in paragraphs(doc) if p.startswith("Thực hiện"))


def has_paragraph(texts: list[str], wanted: str) -> bool:
    """A paragraph is ``wanted`` or ends with it (sub-tasks carry a marker such as "3.1.")."""
    return any(p == wanted or p.endswith(" " + wanted) for p in texts)


def task_paragraphs(task: Task) -> list[str]:
    """A task's paragraphs as documents quote them (a source's final "./." is the source's, not the quote's)."""
    return task_text_paragraphs(task.text)


def covered_tasks(matrix: Matrix, agency_id: str) -> set[tuple[str, str]]:
    """Keys of the agency's tasks and of all their sub-tasks (an assignment covers its bullets)."""
    keys: set[tuple[str, str]] = set()
    for entry in matrix.entries_for(agency_id):
        keys.add(entry.row.key)
        keys.update(r.key for r in entry.row.descendants())
    return keys


def assert_letter_matches(matrix: Matrix, agency_id: str, path: Path) -> None:
    """The letter holds every task of the agency (number and full text) and no other task."""
    texts = paragraphs(Document(str(path)))
    covered = covered_tasks(matrix, agency_id)
    rows = {row.key: row for row in matrix.rows}
    for key in covered:
        # a first line that only names the addressees ("Công an tỉnh:") is not repeated in their letter
        for para in without_heading(rows[key], task_paragraphs(_task(matrix, key))):
            assert has_paragraph(texts, para), f"{path.name}: missing text of task {key[1]}: {para[:60]}"
    for entry in matrix.entries_for(agency_id):
        if not entry.row.parents and not entry.row.task.id.startswith("cuối"):
            assert any(f"Mục {entry.row.task.id}" in p for p in texts), (
                f"{path.name}: no number for {entry.row.task.id}"
            )
    own_texts = {p for key in covered for p in task_paragraphs(_task(matrix, key))}
    for row in matrix.rows:
        if row.key in covered:
            continue
        for para in task_paragraphs(row.task):
            if para not in own_texts and not any(para in own for own in own_texts):
                assert not has_paragraph(texts, para), f"{path.name}: text of another agency's task {row.task.id}"


def _task(matrix: Matrix, key: tuple[str, str]) -> Task:
    return next(r.task for r in matrix.rows if r.key == key)

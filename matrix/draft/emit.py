"""Write a :class:`~.document.DraftDoc` as YAML a clerk can read and edit by hand.

Long texts are block scalars (``|-``), short values stay plain unless YAML
would misread them, and each comment sits on its own line just above what it
is about. The result is checked by parsing it back.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from ..model import ROLES
from .document import Comment, DraftDoc, DraftTask

REVIEW = "kiểm tra: "
_INDICATORS = tuple("-?:,[]{}#&*!|>'\"%@`")
_BLOCK_AT = 72


def scalar(value: str) -> str:
    """``value`` as a one-line YAML scalar: plain when safe, else double-quoted."""
    if _plain_ok(value):
        return value
    return json.dumps(value, ensure_ascii=False)


def _plain_ok(value: str) -> bool:
    if not value or value != value.strip() or "\n" in value or value.startswith(_INDICATORS):
        return False
    if ": " in value or " #" in value or value.endswith(":"):
        return False
    try:
        return bool(yaml.safe_load(f"k: {value}") == {"k": value})
    except yaml.YAMLError:
        return False


class Writer:
    """Lines of YAML with comments; counts the comments the clerk must check."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.reviews = 0

    def comments(self, indent: int, comments: list[Comment]) -> None:
        for comment in comments:
            prefix = REVIEW if comment.review else ""
            self.reviews += comment.review
            self.lines.append(" " * indent + "# " + prefix + " ".join(comment.text.split()))

    def value(self, indent: int, key: str, value: str, block: bool = False) -> None:
        """``key: value``, as a block scalar when asked, long or several lines."""
        lead = " " * indent + f"{key}:"
        inner = indent + 2
        if block or "\n" in value or len(value) > _BLOCK_AT:
            self.lines.append(lead + " |-")
            self.lines.extend((" " * inner + line) if line else "" for line in value.split("\n"))
        else:
            self.lines.append(f"{lead} {scalar(value)}")

    def raw(self, indent: int, key: str, text: str) -> None:
        """``key: text`` with ``text`` already YAML (an id, a date)."""
        self.lines.append(" " * indent + f"{key}: {text}")

    def items(self, indent: int, key: str, values: list[str]) -> None:
        """A block list of strings; long ones as block scalars."""
        self.lines.append(" " * indent + f"{key}:")
        for value in values:
            self.item(indent + 2, value)

    def item(self, indent: int, value: str) -> None:
        if "\n" in value or len(value) > _BLOCK_AT:
            self.lines.append(" " * indent + "- |-")
            self.lines.extend((" " * (indent + 2) + line) if line else "" for line in value.split("\n"))
        else:
            self.lines.append(" " * indent + f"- {scalar(value)}")

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def write_yaml(doc: DraftDoc, header: list[str]) -> tuple[str, int]:
    """The YAML text of ``doc`` (``header`` lines as a leading comment) and its number of review comments."""
    out = Writer()
    out.comments(0, [Comment(line, review=False) for line in header])
    _top(out, doc)
    text = out.text()
    _check(text, doc)
    return text, out.reviews


def _top(out: Writer, doc: DraftDoc) -> None:
    """Top-level keys in the order of docs/directive-format.md."""
    c = doc.comments.get
    out.comments(0, c("id", []))
    out.raw(0, "id", json.dumps(doc.id))
    out.comments(0, c("kind", []))
    out.value(0, "kind", doc.kind)
    if doc.number:
        out.raw(0, "number", json.dumps(doc.number))
    if doc.symbol:
        out.value(0, "symbol", doc.symbol)
    if doc.date:
        out.raw(0, "date", doc.date.isoformat())
    for key in ("place", "province"):
        if getattr(doc, key):
            out.comments(0, c(key, []))
            out.value(0, key, getattr(doc, key))
    out.comments(0, c("issuer", []))
    out.lines.append("issuer:")
    out.value(2, "name", doc.issuer.name)
    out.value(2, "kind", doc.issuer.kind)
    if doc.issuer.header:
        out.items(2, "header", doc.issuer.header)
    if doc.issuer.short:
        out.value(2, "short", doc.issuer.short)
    out.comments(0, c("title", []))
    out.value(0, "title", doc.title)
    _signer(out, doc)
    for key in ("recipients", "distribution"):
        if getattr(doc, key):
            out.comments(0, c(key, []))
            out.items(0, key, getattr(doc, key))
    if doc.preamble:
        out.comments(0, c("preamble", []))
        out.value(0, "preamble", doc.preamble)
    for key in ("closing", "notes"):
        if getattr(doc, key):
            out.comments(0, c(key, []))
            out.items(0, key, getattr(doc, key))
    out.lines.append("")
    out.comments(0, c("tasks", []))
    out.lines.append("tasks:")
    for number, task in enumerate(doc.tasks):
        if number:
            out.lines.append("")  # a blank line between top-level items, for the eye
        _task(out, task, 2)


def _signer(out: Writer, doc: DraftDoc) -> None:
    signer = doc.signer
    if not (signer.authority or signer.title or signer.name):
        return
    out.lines.append("signer:")
    if signer.authority:
        out.items(2, "authority", signer.authority)
    if signer.title:
        out.value(2, "title", signer.title)
    if signer.name:
        out.value(2, "name", signer.name)


def _task(out: Writer, task: DraftTask, indent: int) -> None:
    out.comments(indent, task.comments)
    out.lines.append(" " * indent + f"- id: {json.dumps(task.id, ensure_ascii=False)}")
    inner = indent + 2
    out.value(inner, "text", task.text, block=True)
    if any(task.assign.values()):
        out.lines.append(" " * inner + "assign:")
        for role in ROLES:
            entries = task.assign.get(role, [])
            if len(entries) == 1:
                out.comments(inner + 2, [entries[0].comment] if entries[0].comment else [])
                out.value(inner + 2, role.value, entries[0].written)
            elif entries:
                out.lines.append(" " * (inner + 2) + f"{role.value}:")
                for entry in entries:
                    out.comments(inner + 4, [entry.comment] if entry.comment else [])
                    out.item(inner + 4, entry.written)
    for key in ("deadline", "report"):
        if getattr(task, key):
            out.value(inner, key, getattr(task, key))
    for key in ("targets", "notes"):
        if getattr(task, key):
            out.items(inner, key, getattr(task, key))
    if task.tasks:
        out.lines.append(" " * inner + "tasks:")
        for sub in task.tasks:
            _task(out, sub, inner + 2)


def _check(text: str, doc: DraftDoc) -> None:
    """Parse the YAML back: the ids and texts must read as written (a bug here must not reach a clerk)."""
    data: Any = yaml.safe_load(text)
    expected = [(t.id, t.text) for t in doc.walk()]
    found: list[tuple[str, str]] = []

    def visit(tasks: list[dict[str, Any]]) -> None:
        for task in tasks:
            found.append((str(task["id"]), task["text"]))
            visit(task.get("tasks") or [])

    visit(data["tasks"])
    if found != expected:  # pragma: no cover - guards the writer itself
        raise AssertionError("bản nháp YAML không đọc lại được đúng nội dung")

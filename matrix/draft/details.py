"""Deadlines, reporting duties and numeric targets of one item, as written."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..core.text import CAPITALS

_DATE = (
    r"(?:ngày\s+)?\d{1,2}\s*/\s*\d{1,2}(?:\s*/\s*\d{2,4})?|ngày\s+\d{1,2}\s*[/-]\s*\d{1,2}(?:\s*[/-]\s*\d{2,4})?|ngày\s+\d{1,2}\s+tháng\s+\d{1,2}(?:\s+năm\s+\d{4})?"
    r"|tháng\s+\d{1,2}(?:\s*[/-]\s*\d{4})?|quý\s+[IV1-4]+(?:\s*[/-]\s*\d{4})?"
)
_DEADLINE = re.compile(
    rf"(?:(?:hoàn thành|xong)\s+)?(?:trước|chậm nhất(?:\s+là)?|không muộn hơn|kể từ)\s+(?:{_DATE})"
    rf"|(?:hoàn thành|xong)\s+trong\s+(?:{_DATE}|năm\s+\d{{4}})|trong\s+(?:tháng\s+\d{{1,2}}[/-]\d{{4}}|quý\s+[IV1-4]+[/-]\d{{4}})",
    re.IGNORECASE,
)
_REPORT = re.compile(r"(?<![\w/])báo cáo(?!\s+(?:số|viên)\b)", re.IGNORECASE)
_CADENCE = re.compile(r"định kỳ|(?:hằng|hàng)\s+(?:tuần|tháng|quý|năm)|(?:6|sáu)\s+tháng", re.IGNORECASE)
_CLAUSE_END = re.compile(rf";|\.(?=\s+[{CAPITALS}])|\./\.|\.\s*$")
_STRIVE = re.compile(r"\bphấn đấu\s+", re.IGNORECASE)
_TRAILING = " .;,:/"


@dataclass
class Details:
    deadline: str | None = None
    report: str | None = None
    targets: list[str] = field(default_factory=list)


def read_details(paragraphs: list[str]) -> Details:
    """The first deadline, the first reporting clause and every percentage target of the item."""
    text = "\n".join(paragraphs)
    deadline = _DEADLINE.search(text)
    return Details(
        deadline=deadline.group().strip() if deadline else None,
        report=_report(text),
        targets=[t for t in (_target(c) for c in _clauses(text)) if t],
    )


def _clauses(text: str) -> list[str]:
    """Clauses: the text cut at ";", at sentence ends and at line breaks."""
    out: list[str] = []
    for line in text.split("\n"):
        out.extend(part.strip() for part in _CLAUSE_END.split(line) if part.strip())
    return out


def _report(text: str) -> str | None:
    """The clause that says to report, from its cadence ("định kỳ 6 tháng, năm báo cáo ...") if it has one."""
    for clause in _clauses(text):
        match = _REPORT.search(clause)
        if not match:
            continue
        cadence = _CADENCE.search(clause, 0, match.start())
        start = cadence.start() if cadence else 0
        return _clean(clause[start:])
    return None


def _target(clause: str) -> str | None:
    """A numeric target ("kéo giảm ít nhất 05% số vụ ...") from a clause with a percentage."""
    if "%" not in clause:
        return None
    strive = _STRIVE.search(clause, 0, clause.index("%"))
    start = strive.end() if strive else 0
    end = _comma_after(clause, clause.rindex("%"))
    return _clean(clause[start:end]) or None


def _comma_after(text: str, i: int) -> int:
    """The first comma after ``i`` outside parentheses, or the end of the text."""
    depth = 0
    for k in range(i, len(text)):
        if text[k] == "(":
            depth += 1
        elif text[k] == ")":
            depth = max(0, depth - 1)
        elif text[k] == "," and depth == 0:
            return k
    return len(text)


def _clean(text: str) -> str:
    return text.strip().rstrip(_TRAILING).strip()

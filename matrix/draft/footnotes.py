"""Footnotes printed inside the body (PDF extraction, pasted text).

A footnote marker is a number glued to the end of a word ("trật tự1."); the
footnote text is a line starting with the same number and a space ("1 Nghị
quyết số ..."), printed at the foot of the page, so in extracted text it sits
in the middle of whatever paragraph crosses the page break. The text is cut
out of the lines and each marker is replaced by a sentinel that
:mod:`.structure` turns into a note on the task where the marker stands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .reader import PAGE_BREAK

# Sentinel put where a marker stood: private-use characters around the number.
OPEN, CLOSE = "\ue000", "\ue001"
SENTINEL = re.compile(f"{OPEN}(\\d+){CLOSE}")

_MARKER = re.compile(r"(?<!\w)([^\W\d_]{2,})(\d{1,2})(?=[^\w]|$)")
_SUPERSCRIPT = str.maketrans("¹²³⁴⁵⁶⁷⁸⁹⁰", "1234567890")
_SUPER_MARKER = re.compile(r"(?<=[^\W\d_])([¹²³⁴⁵⁶⁷⁸⁹⁰]{1,2})")
_NOTE_START = re.compile(r"^\s*([¹²³⁴⁵⁶⁷⁸⁹⁰]{1,2}|\d{1,2})\s+(\S.*)$")
_ENDS_SENTENCE = re.compile(r"(?:[.…;]|\.\.\.)[\"”’)]*\s*$")


@dataclass
class Footnotes:
    """Lines without footnote text, and the footnote texts by number."""

    lines: list[str]
    notes: dict[int, str] = field(default_factory=dict)


def extract_footnotes(lines: list[str], known: dict[int, str] | None = None) -> Footnotes:
    """Cut footnote texts out of ``lines`` and mark where their markers stood.

    ``known`` are footnotes the format keeps apart (Word): only their markers
    are looked for. Otherwise a marker counts only when a footnote line with
    its number follows it.
    """
    if known:
        return Footnotes(_mark(lines, set(known)), dict(known))
    notes: dict[int, str] = {}
    kept: list[str] = []
    seen_markers: set[int] = set()
    i = 0
    while i < len(lines):
        number = _note_number(lines, i, seen_markers - set(notes))
        if number is None:
            seen_markers |= _markers_in(lines[i])
            kept.append(lines[i])
            i += 1
            continue
        text, i = _note_text(lines, i)
        notes[number] = text
    return Footnotes(_mark(kept, set(notes)), notes)


def _markers_in(line: str) -> set[int]:
    found = {int(m.group(2)) for m in _MARKER.finditer(line)}
    found |= {int(m.group(1).translate(_SUPERSCRIPT)) for m in _SUPER_MARKER.finditer(line)}
    return found


def _note_number(lines: list[str], i: int, pending: set[int]) -> int | None:
    """The footnote number if line ``i`` starts a footnote whose marker came before."""
    match = _NOTE_START.match(lines[i])
    if not match or not match.group(2)[:1].isupper():
        return None
    number = int(match.group(1).translate(_SUPERSCRIPT))
    return number if number in pending else None


def _note_text(lines: list[str], i: int) -> tuple[str, int]:
    """The footnote starting at line ``i`` and the index of the first line after it."""
    parts = [_NOTE_START.match(lines[i]).group(2).strip()]  # type: ignore[union-attr]
    i += 1
    while i < len(lines):
        line = lines[i]
        if line == PAGE_BREAK or (_NOTE_START.match(line) and _NOTE_START.match(line).group(2)[:1].isupper()):  # type: ignore[union-attr]
            break
        if not line.strip():
            i += 1
            continue
        if line[:1].isspace() or (_ENDS_SENTENCE.search(parts[-1]) and not line.strip()[:1].isupper()):
            break  # the body goes on (a new page starts indented, or mid-sentence in lower case)
        parts.append(line.strip())
        i += 1
    return " ".join(parts), i


def _mark(lines: list[str], numbers: set[int]) -> list[str]:
    """Replace the first marker of each footnote number by its sentinel."""
    todo = set(numbers)
    out = []
    for line in lines:
        if todo:
            line = _MARKER.sub(lambda m: _replace(m.group(1), m.group(2), todo), line)
            line = _SUPER_MARKER.sub(lambda m: _replace("", m.group(1).translate(_SUPERSCRIPT), todo, m.group(1)), line)
        out.append(line)
    return out


def _replace(word: str, digits: str, todo: set[int], raw: str | None = None) -> str:
    number = int(digits)
    if number not in todo:
        return word + (raw if raw is not None else digits)
    todo.discard(number)
    return f"{word}{OPEN}{number}{CLOSE}"

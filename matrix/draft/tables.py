"""What follows the signature: annexes (PHỤ LỤC), attached rules and plans, and tables of tasks.

A decision or a plan often carries its substance after the signature: a
"KẾ HOẠCH" or "QUY CHẾ" issued with it, or a "PHỤ LỤC" table whose columns
are Nội dung | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian. Each such
part is cut off the main document (so its heading is not read as the
signature) and drafted on its own: its numbered items like any body, its
table rows as tasks whose cells fill ``assign`` and ``deadline``.

Tables reach the drafter as lines with TAB-separated cells (plain text
copies, and Word tables, see :mod:`.reader`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .header import _AUTHORITY, _DISTRIBUTION, is_upper
from .reader import PAGE_BREAK
from .structure import Item, item_marker

_ATTACHMENT = re.compile(r"^(?:PHỤ LỤC|QUY CHẾ|QUY ĐỊNH|KẾ HOẠCH|HƯỚNG DẪN|CHƯƠNG TRÌNH|ĐỀ ÁN|DANH MỤC|BIỂU|BẢNG)\b")
_ATTACHED_TO = re.compile(r"^\(?\s*(?:Ban hành\s+)?(?:kèm|Kèm)\s+theo\b")
_CONTENT = re.compile(r"nội dung|nhiệm vụ|hoạt động|công việc|tên", re.IGNORECASE)
_COLUMNS = (
    ("lead", re.compile(r"chủ\s+trì", re.IGNORECASE)),
    ("partner", re.compile(r"phối\s+hợp", re.IGNORECASE)),
    ("doer", re.compile(r"(?:cơ quan|đơn vị)[^\t]*thực\s+hiện|trách nhiệm", re.IGNORECASE)),
    ("deadline", re.compile(r"thời\s+(?:gian|hạn)|tiến\s+độ", re.IGNORECASE)),
)
_ROW_LABEL = re.compile(r"^(?:[IVX]{1,5}|\d{1,3}(?:\.\d{1,2})*|[a-zđ])[.)]?$")


@dataclass
class Attachment:
    """A part after the signature: its heading lines and its lines."""

    heading: list[str]
    lines: list[str]


@dataclass
class Table:
    """The tasks read from a table, and the rows that are not tasks."""

    items: list[Item] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)
    header: str = ""


def split_attachments(lines: list[str]) -> tuple[list[str], list[Attachment]]:
    """The main document (up to its signature) and each part after it."""
    signed = _signature_line(lines)
    if signed is None:
        return lines, []
    starts = [i for i in range(signed + 1, len(lines)) if _starts_attachment(lines, i)]
    starts = [i for k, i in enumerate(starts) if k == 0 or _attached_heading(lines, i)]
    if not starts:
        return lines, []
    main = lines[: starts[0]]
    parts = []
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(lines)
        parts.append(_attachment(lines[start:end]))
    return main, parts


def _signature_line(lines: list[str]) -> int | None:
    """The first Nơi nhận or authority line (TM., KT.) after the first third of the text."""
    for i, line in enumerate(lines):
        text = line.strip()
        if i > 5 and (_DISTRIBUTION.match(text) or _AUTHORITY.match(text)):
            return i
    return None


def _starts_attachment(lines: list[str], i: int) -> bool:
    text = lines[i].strip()
    if not (_ATTACHMENT.match(text) and is_upper(text)):
        return False
    # a page of a table that repeats the word, or a heading inside the same annex: not a new part
    previous = next((lines[j].strip() for j in range(i - 1, -1, -1) if lines[j].strip() not in ("", PAGE_BREAK)), "")
    return "\t" not in previous or _attached_heading(lines, i)


def _attached_heading(lines: list[str], i: int) -> bool:
    """A "(Kèm theo ...)" line follows the heading closely: the heading opens an attached part, not a chapter."""
    near = [line.strip() for line in lines[i + 1 : i + 12] if line.strip() not in ("", PAGE_BREAK)][:6]
    return any(_ATTACHED_TO.match(line) for line in near)


def _attachment(lines: list[str]) -> Attachment:
    """Heading lines (capitals, "(Kèm theo ...)") apart from the body."""
    heading: list[str] = []
    i = 0
    while i < len(lines):
        text = lines[i].strip()
        if not text or text in (PAGE_BREAK, "---"):
            i += 1
            continue
        if "\t" in text or item_marker(text) or not (is_upper(text) or _ATTACHED_TO.match(text)):
            break
        heading.append(text)
        i += 1
    body = lines[i:]
    return Attachment(heading, _without_signature(body))


def _without_signature(lines: list[str]) -> list[str]:
    """Drop a signature block at the end of an attachment (its authority line and what follows)."""
    for i in range(len(lines) - 1, max(-1, len(lines) - 8), -1):
        if _AUTHORITY.match(lines[i].strip()):
            return lines[:i]
    return lines


# --------------------------------------------------------------------------- tables


def is_row(line: str) -> bool:
    return "\t" in line


def read_table(lines: list[str]) -> Table:
    """Tasks from the rows of a table with role columns; every row of another table is unused."""
    table = Table()
    columns: dict[str, int] | None = None
    content = 1
    width = 0
    section: Item | None = None
    groups = 0
    for line in lines:
        text = line.strip()
        if not text or text in (PAGE_BREAK, "---"):
            continue
        cells = [c.strip() for c in line.split("\t")]
        if columns is None:
            found = _header(cells)
            if found is not None:
                columns, content = found
                width = len(cells)
                table.header = text
            else:
                table.unused.append(text)
            continue
        if len(cells) == 1 or not any(cells[1:]):
            section = _section_row(cells[0], table)
            if section is None and cells[0] and table.items and len(cells[0]) <= 150:
                # an unnumbered group row ("Nhóm giải pháp về tài chính"): the rows under it, numbered again
                # from 1, are its own, not the previous group's
                groups += 1
                section = Item("heading", str(groups), [cells[0]], consumed=[text])
                table.items.append(section)
            elif section is None:
                table.unused.append(text)
            continue
        if content == 1 and cells[0] and not _ROW_LABEL.match(cells[0]) and len(cells) < width:
            cells = ["", *cells]  # the number cell merged with the row above was dropped: the cells start one late
        label = cells[0] if _ROW_LABEL.match(cells[0]) else ""
        body = cells[content] if content < len(cells) else ""
        if not label and not body:
            table.unused.append(text)
            continue
        if label and len([c for c in cells if c]) <= 2 and width > 3 and not label.rstrip(".)").isdigit():
            section = Item("row", label.rstrip("."), [body], consumed=[text])
            table.items.append(section)
            continue
        item = Item("row", label.rstrip(".)"), [body], consumed=[text])
        for kind, index in columns.items():
            if index < len(cells) and cells[index] and kind != "content":
                item.labels.append((kind, cells[index]))
        (section.children if section is not None else table.items).append(item)
    if _is_statistics(table):  # figures by body ("Công an tỉnh | 12 | 5"): a report, not assignments
        table.unused.extend(p for item in table.items for node in item.walk() for p in node.consumed)
        table.items = []
    return table


_FIGURE = re.compile(r"^[-+]?\d[\d.,]*\s*%?$")


def _is_statistics(table: Table) -> bool:
    """Most rows give figures: at least half of their filled cells, past the number, are numbers."""
    rows = [node.consumed[0] for item in table.items for node in item.walk() if node.consumed]
    if not rows:
        return False
    counted = 0
    for row in rows:
        cells = [c.strip() for c in row.split("\t")[1:] if c.strip()]
        if len(cells) >= 2 and sum(1 for c in cells if _FIGURE.match(c)) * 2 >= len(cells):
            counted += 1
    return counted * 2 > len(rows)


def _header(cells: list[str]) -> tuple[dict[str, int], int] | None:
    """Column indices of a header row with at least one role column, and the content column."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        for kind, pattern in _COLUMNS:
            if kind not in columns and pattern.search(cell):
                columns[kind] = index
                break
    if not {"lead", "partner", "doer"} & set(columns):
        return None
    roles = set(columns.values())
    content = next((i for i, c in enumerate(cells) if i not in roles and _CONTENT.search(c)), None)
    if content is None:
        content = next((i for i, c in enumerate(cells) if i not in roles and i > 0), 1)
    return columns, content


def _section_row(text: str, table: Table) -> Item | None:
    """A row spanning the table ("I. NÂNG CAO NHẬN THỨC"): a section holding the rows under it."""
    marker = item_marker(text)
    if marker is None:
        return None
    section = Item("row", marker[1], [marker[2]], consumed=[text])
    table.items.append(section)
    return section

"""The "Tình hình thực hiện" workbook: where every tracked assignment stands on a date.

Three sheets, printed like the matrix workbook (landscape, one page wide,
column headings repeated, Times New Roman), with the page and cell styles of
:mod:`matrix.writers.excel`:

* "Theo cơ quan": per agency, how many assignments are in each of the four
  states, each state on its own fill;
* "Theo văn bản": the same per directive;
* "Quá hạn": every overdue assignment: agency, directive, task, the deadline
  or report date missed, since when and how many days.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import lru_cache, partial
from pathlib import Path

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from ..core.model import format_date
from ..core.pivot import Matrix, Row
from ..core.stamp import build_date
from ..core.text import shorten
from ..tracking.records import APART, STATES, Letter, State, Status, assigned_name, assigning_letter
from .excel import (
    PAPER_SIZES,
    BlockCache,
    Column,
    Painter,
    WorkbookContext,
    capitalised,
    digest,
    directive_labels,
    lines_height,
    put_records,
    solid_fill,
    start_table,
    use_default_font,
)
from .xlsx_seam import CellValue, first_sheet, save_workbook

__all__ = [
    "SHEET_BY_AGENCY",
    "SHEET_BY_DIRECTIVE",
    "SHEET_OVERDUE",
    "STATE_FILLS",
    "STATUS_WORKBOOK",
    "missed_text",
    "overdue_items",
    "write_status_workbook",
]

STATUS_WORKBOOK = "tinh-hinh-thuc-hien.xlsx"
SHEET_BY_AGENCY = "Theo cơ quan"
SHEET_BY_DIRECTIVE = "Theo văn bản"
SHEET_OVERDUE = "Quá hạn"
TASK_CHARS = 300  # of a task's text in the overdue list (the full text is in the matrix workbook and the letters)
BLOCK_RECORDS = 100  # records a block of rows (kept for the next writing, with ``blocks``)
STATE_FILLS = {
    State.DONE_ON_TIME: "C6E0B4",  # green
    State.DONE_LATE: "FFE699",  # yellow
    State.IN_PROGRESS: "BDD7EE",  # blue
    State.OVERDUE: "F8CBAD",  # red
    State.NO_DEADLINE: "EDEDED",  # grey: counted apart from the four states
    State.ENDED: "D9D9D9",
}
#: the four states of QĐ 42/2014/QĐ-TTg, then those counted apart (no deadline, directive ended)
COUNTED = (*STATES, *APART)
_STATE_COLUMNS = tuple(Column(capitalised(state.value), 13, f"state-{i}") for i, state in enumerate(COUNTED))
_TOTAL = Column("Tổng số", 9, "cell")
_AGENCY_COLUMNS = (Column("STT", 6, "id"), Column("Cơ quan", 40, grows=True), *_STATE_COLUMNS, _TOTAL)
_DIRECTIVE_COLUMNS = (
    Column("STT", 6, "id"),
    Column("Văn bản", 22),
    Column("Trích yếu", 40, grows=True),
    *_STATE_COLUMNS,
    _TOTAL,
)
_OVERDUE_COLUMNS = (
    Column("STT", 6, "id"),
    Column("Cơ quan", 22),
    Column("Văn bản giao nhiệm vụ", 20),
    Column("Mục", 7, "id"),
    Column("Nội dung nhiệm vụ", 50, grows=True),
    Column("Hạn đã lỡ", 20),
    Column("Quá hạn từ ngày", 12, "id"),
    Column("Số ngày quá hạn", 10, "state-3"),
)


def missed_text(status: Status) -> list[str]:
    """What was missed: the deadline (its words and date) and each report date passed without a report."""
    out = []
    deadline = status.deadline
    if deadline is not None and deadline < status.as_of:
        words = status.entry.row.task.deadline
        out.append(f"Thời hạn {format_date(deadline)}" + (f" ({words})" if words else ""))
    out.extend(f"Báo cáo kỳ {format_date(day)}" for day in status.missed)
    return out


def overdue_items(statuses: Sequence[Status]) -> list[Status]:
    """The overdue assignments, longest overdue first, then in document order."""
    overdue = [s for s in statuses if s.state is State.OVERDUE]
    return sorted(overdue, key=lambda s: s.overdue_since or s.as_of)


def write_status_workbook(
    matrix: Matrix,
    statuses: Sequence[Status],
    as_of: dt.date,
    path: Path,
    *,
    paper: str = "A4",
    letters: Sequence[Letter] = (),
    blocks: Path | None = None,
) -> None:
    """Write the Tình hình thực hiện workbook of ``statuses`` (assessed on ``as_of``) to ``path``.

    ``letters`` (thư giao nhiệm vụ sent, from the records files) are cited beside each overdue task's directive.
    ``blocks``: a file where the workbook's rows are kept, :data:`BLOCK_RECORDS` records a block, for the next
    writing (:class:`matrix.writers.excel.BlockCache`): a block showing what it showed then is copied, not laid out.
    """
    if paper not in PAPER_SIZES:
        raise ValueError(f"paper must be one of {', '.join(PAPER_SIZES)}, not {paper!r}")
    title = f"Tình hình thực hiện nhiệm vụ đến ngày {format_date(as_of)}"
    wb = Workbook()
    wb.properties.created = wb.properties.modified = build_date()  # reproducible (SOURCE_DATE_EPOCH)
    use_default_font(wb)
    wb.properties.title = title
    wb.properties.creator = "matrix"
    painter = Painter(streamed=True)
    cache = painter.blocks = BlockCache(blocks) if blocks is not None else None
    for i, state in enumerate(COUNTED):
        painter.looks[f"state-{i}"] = replace(painter.looks["cell"], fill=solid_fill(STATE_FILLS[state]))
        painter.looks[f"state-{i}-header"] = replace(painter.looks["header"], fill=solid_fill(STATE_FILLS[state]))
    ctx = WorkbookContext(matrix, title, paper, painter, directive_labels(matrix))
    _by_agency(first_sheet(wb), ctx, statuses, as_of)
    _by_directive(wb.create_sheet(SHEET_BY_DIRECTIVE), ctx, statuses, as_of)
    _overdue(wb.create_sheet(SHEET_OVERDUE), ctx, statuses, as_of, letters)
    save_workbook(wb, path, painter.sheets)
    if cache is not None:
        cache.save()


_Record = tuple[tuple[Column, ...], tuple[CellValue, ...]]  # a record's columns (their looks) and values


def _put_blocks(
    ws: Worksheet,
    ctx: WorkbookContext,
    row: int,
    records: Sequence[_Record],
    text_col: int,
    identities: Sequence[object] | None = None,
    complete: Callable[[_Record], _Record] | None = None,
) -> int:
    """Write ``records`` from ``row`` (the long text in column ``text_col``, 0-based), :data:`BLOCK_RECORDS` a block
    of rows that the painter may copy from its last writing; returns the next free row.

    A block is known by its records' columns and values, or by their ``identities`` (what each record shows, cheaper
    to tell apart), and its records are made whole by ``complete`` only when it is written (a long text worked out).
    """
    layouts: dict[int, str] = {}  # a record's columns as its key shows them (a few layouts, shared by the records)
    for start in range(0, len(records), BLOCK_RECORDS):
        chunk = tuple(records[start : start + BLOCK_RECORDS])
        shown = []
        for index, (columns, values) in enumerate(chunk, start):
            layout = layouts.get(id(columns))
            if layout is None:
                layout = layouts[id(columns)] = repr(columns)
            shown.append((layout, values if identities is None else identities[index]))
        write = partial(_put_records, ws, ctx, chunk, text_col, complete)
        row = ctx.painter.block(ws, row, (text_col, tuple(shown)), write)
    return row


def _put_records(
    ws: Worksheet,
    ctx: WorkbookContext,
    records: Sequence[_Record],
    text_col: int,
    complete: Callable[[_Record], _Record] | None,
    row: int,
) -> int:
    for record in records:
        columns, values = record if complete is None else complete(record)
        row = put_records(ws, ctx, row, columns, values, text_col=text_col)
    return row


def _counts(statuses: Sequence[Status]) -> list[int]:
    found = Counter(s.state for s in statuses)
    return [found[state] for state in COUNTED]


def _header_fills(ws: Worksheet, ctx: WorkbookContext, columns: Sequence[Column]) -> None:
    """The state columns' headings on their state's fill."""
    for col, column in enumerate(columns, 1):
        if column.look.startswith("state-") and column in _STATE_COLUMNS:
            ctx.painter.put(ws, 2, col, column.header, f"{column.look}-header")


def _count_row(columns: Sequence[Column], head: list[CellValue], statuses: Sequence[Status]) -> _Record:
    """One line of counts: a state's fill only where it has assignments."""
    counts = _counts(statuses)
    looks = tuple(
        c.look if c.look.startswith("state-") and n else "cell" for c, n in zip(_STATE_COLUMNS, counts, strict=True)
    )
    return _count_layout(tuple(columns[: len(head)]), looks), (*head, *counts, sum(counts))


@lru_cache(maxsize=256)
def _count_layout(head: tuple[Column, ...], looks: tuple[str, ...]) -> tuple[Column, ...]:
    """The columns of a line of counts: ``head``, then the states' in ``looks`` (one object per layout)."""
    return (*head, *(replace(c, look=look) for c, look in zip(_STATE_COLUMNS, looks, strict=True)), _TOTAL)


def _totals(ws: Worksheet, ctx: WorkbookContext, row: int, span: int, statuses: Sequence[Status]) -> None:
    counts = _counts(statuses)
    ctx.painter.merge(ws, row, 1, row, span, "Tổng cộng", "total_label")
    for col, value in enumerate([*counts, sum(counts)], span + 1):
        ctx.painter.put(ws, row, col, value, "total")
    ws.row_dimensions[row].height = lines_height(1)


def _by_agency(ws: Worksheet, ctx: WorkbookContext, statuses: Sequence[Status], as_of: dt.date) -> None:
    row, columns = start_table(
        ws,
        ctx,
        SHEET_BY_AGENCY,
        f"TÌNH HÌNH THỰC HIỆN NHIỆM VỤ THEO CƠ QUAN ĐẾN NGÀY {format_date(as_of)}",
        _AGENCY_COLUMNS,
    )
    _header_fills(ws, ctx, columns)
    groups: dict[str, list[Status]] = {}
    for status in statuses:
        groups.setdefault(status.entry.agency.id, []).append(status)
    order = [a.id for a in ctx.matrix.columns if a.id in groups]  # the matrix's column order, block by block
    order += [k for k in groups if k not in order]
    records = []
    for number, agency_id in enumerate(order, 1):
        group = groups[agency_id]
        name = ctx.matrix.registry.label(group[0].entry.agency)  # whose body it is, where provinces meet
        records.append(_count_row(columns, [number, name], group))
    row = _put_blocks(ws, ctx, row, records, 1)
    _totals(ws, ctx, row, 2, statuses)


def _by_directive(ws: Worksheet, ctx: WorkbookContext, statuses: Sequence[Status], as_of: dt.date) -> None:
    row, columns = start_table(
        ws,
        ctx,
        SHEET_BY_DIRECTIVE,
        f"TÌNH HÌNH THỰC HIỆN THEO VĂN BẢN ĐẾN NGÀY {format_date(as_of)}",
        _DIRECTIVE_COLUMNS,
    )
    _header_fills(ws, ctx, columns)
    by_directive: dict[str, list[Status]] = {}  # grouped once: a filter per directive was quadratic
    for status in statuses:
        by_directive.setdefault(status.entry.row.directive.id, []).append(status)
    records = []
    for number, directive in enumerate(ctx.matrix.directives, 1):
        mine = by_directive.get(directive.id, [])
        head: list[CellValue] = [number, directive.citation(ctx.matrix.registry.provinces), directive.title]
        records.append(_count_row(columns, head, mine))
    row = _put_blocks(ws, ctx, row, records, 2)
    _totals(ws, ctx, row, 3, statuses)


def _overdue(
    ws: Worksheet, ctx: WorkbookContext, statuses: Sequence[Status], as_of: dt.date, letters: Sequence[Letter]
) -> None:
    row, columns = start_table(
        ws, ctx, SHEET_OVERDUE, f"DANH SÁCH NHIỆM VỤ QUÁ HẠN ĐẾN NGÀY {format_date(as_of)}", _OVERDUE_COLUMNS
    )
    items = overdue_items(statuses)
    if not items:
        ctx.painter.merge(ws, row, 1, row, len(columns), "Không có nhiệm vụ quá hạn.", "text")
        ws.row_dimensions[row].height = lines_height(1)
        return
    layout = tuple(columns)
    provinces = ctx.matrix.registry.provinces
    sent: dict[str, list[Letter]] = {}  # the letters by directive, as assigning_letter picks them
    for one in letters:
        sent.setdefault(one.directive, []).append(one)
    citations: dict[str, str] = {}  # by directive: kind, number, date and issuer
    texts: dict[tuple[str, str], str] = {}  # by task: its title, or its text shortened
    misses: dict[tuple[tuple[str, str], object], str] = {}  # by task and what it missed
    records: list[_Record] = []
    tasks: list[Row] = []
    identities: list[object] = []  # each record's, its task's text by its digest (worked out when written)
    shown: dict[tuple[str, str], str] = {}  # by task: the digest of its title and text
    for number, status in enumerate(items, 1):
        task_row = status.entry.row
        since = status.overdue_since
        task = task_row.task
        found = sent.get(task_row.directive.id)
        letter = assigning_letter(found, status.entry, as_of) if found else None  # none sent: none to cite
        where = citations.get(task_row.directive.id)
        if where is None:
            where = citations[task_row.directive.id] = task_row.directive.citation(provinces)
        if letter is not None:
            where += (
                "\nThư giao nhiệm vụ"
                + (f" số {letter.number}" if letter.number else "")
                + f" ngày {format_date(letter.date)}"
            )
        deadline = status.deadline
        late = (deadline if deadline is not None and deadline < status.as_of else None, status.missed)
        missed = misses.get((task_row.key, late))
        if missed is None:  # what a task missed, the same for its agencies reporting on the same days
            missed = misses[task_row.key, late] = "\n".join(missed_text(status))
        values: tuple[CellValue, ...] = (
            number,
            assigned_name(ctx.matrix.registry, status.entry),  # "X (nay là Y)" for a body ended since
            where,
            task.id,
            None,  # the task's title or text: see complete
            missed,
            format_date(since),
            (as_of - since).days if since else None,
        )
        records.append((layout, values))
        known = shown.get(task_row.key)
        if known is None:
            known = shown[task_row.key] = digest(f"{task.title!r}{task.text}")
        identities.append((*values[:4], known, *values[5:]))
        tasks.append(task_row)
    rows_of = dict(zip((id(record) for record in records), tasks, strict=True))

    def complete(record: _Record) -> _Record:
        task_row = rows_of[id(record)]
        text = texts.get(task_row.key)
        if text is None:
            text = texts[task_row.key] = task_row.task.title or shorten(task_row.task.text, TASK_CHARS)
        columns, values = record
        return columns, (*values[:4], text, *values[5:])

    _put_blocks(ws, ctx, row, records, 4, identities, complete)

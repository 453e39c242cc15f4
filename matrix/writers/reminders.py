"""Đôn đốc letters: to each agency with overdue assignments, one letter per issuing body.

A reminder is signed for the body that assigned the tasks, so an agency late
on tasks of two issuers (the Provincial Party Committee and the People's
Committee) gets two letters, each listing only its issuer's tasks. The words
on the page live in the templates ``don-doc.docx`` (State, Nghị định 30) and
``don-doc-dang.docx`` (Party); they are rendered through the same template
library and jinja2 environment as the assignment letters (see
docs/templates.md for the variables).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..core.model import Agency, Directive, IssuerKind, Registry, Signer, TaskNode
from ..core.pivot import Matrix, Row
from ..core.text import safe_filename, shorten, slugify
from ..input.catalogue import merger_date, mergers, province_names
from ..tracking.records import Letter, Status, assigned_name, assigning_letter
from .templates import TemplateLibrary
from .word import (
    agency_data,
    date_data,
    date_place,
    directive_data,
    issuer_data,
    paragraphs,
    row_data,
    signer_data,
    subtask_marker,
)

__all__ = ["REMINDER_TEMPLATES", "Reminder", "plan_reminders", "reminder_context", "write_reminders"]

REMINDER_TEMPLATES = {IssuerKind.STATE: "don-doc.docx", IssuerKind.PARTY: "don-doc-dang.docx"}
HEADING_CHARS = 200  # a parent's heading line longer than this is cut after its first sentence
_SENTENCE_END = re.compile(r"[.:;](?=\s|$)")


def issuer_key(directive: Directive) -> tuple[str, ...]:
    """What makes two directives' issuers the same body: kind, name, header lines and province.

    "Chủ tịch Ủy ban nhân dân tỉnh" of Tiền Giang is not that of Đồng Tháp.
    """
    issuer = directive.issuer
    return (issuer.kind.value, issuer.name, *issuer.header, "@", directive.province or "")


# The follow-up letter is the issuing body's: a chỉ thị of the Chủ tịch is followed up by the committee.
_CHAIR = re.compile(r"^Chủ tịch\s+", re.IGNORECASE)
# Who signs a follow-up letter (Nghị định 30/2020, Phụ lục I, II.8.b; Hướng dẫn 36-HD/VPTW): the office
# signs it on the issuer's order ("thừa lệnh"); the clerk strikes the lines for another signer.
FOLLOW_UP_SIGNERS = {
    IssuerKind.STATE: Signer(("TL. CHỦ TỊCH",), "CHÁNH VĂN PHÒNG"),
    IssuerKind.PARTY: Signer(("T/L BAN THƯỜNG VỤ",), "CHÁNH VĂN PHÒNG"),
}


def follow_up_issuer(directive: Directive, on: dt.date) -> Directive:
    """``directive`` as the body that follows it up on ``on`` sees it: the successor of its issuer.

    After 1/7/2025 a chỉ thị of the Chủ tịch UBND tỉnh Tiền Giang is followed up by UBND tỉnh Đồng
    Tháp: its header, place and province are the new province's; the number, date and title stay
    those of the directive as issued (letters cite it as it was). The signer is the follow-up's
    (:data:`FOLLOW_UP_SIGNERS`), never the directive's own.
    """
    issuer = directive.issuer
    name = _CHAIR.sub("", issuer.name)
    name = name[:1].upper() + name[1:]
    province, place = directive.province, directive.place
    header = issuer.header
    new = mergers().get(province or "") if province else None
    if new is not None and on >= merger_date():
        names = province_names()
        old_name, new_name = names[province or ""], names[new]
        header = tuple(line.replace(old_name.upper(), new_name.upper()).replace(old_name, new_name) for line in header)
        name = name.replace(old_name, new_name)
        province, place = new, new_name
    return replace(
        directive,
        province=province,
        place=place,
        issuer=replace(issuer, name=name, header=header),
        signer=FOLLOW_UP_SIGNERS[issuer.kind],
    )


@dataclass(frozen=True)
class Reminder:
    """One letter: an agency, the issuer its overdue tasks come from, and those tasks."""

    agency: Agency
    issuer: Directive  # the first directive, as its issuer's successor on the day (:func:`follow_up_issuer`)
    items: tuple[Status, ...]
    name: str  # file name, without ".docx"


def plan_reminders(statuses: Sequence[Status]) -> list[Reminder]:
    """The letters to write: per agency with overdue assignments, one per issuer, in a stable order.

    Each directive's follow-up issuer is worked out once per day (:func:`follow_up_issuer` copies the
    directive; thousands of overdue statuses share a few hundred directives)."""
    successors: dict[tuple[int, dt.date], tuple[Directive, Directive, tuple[str, ...]]] = {}

    def successor(status: Status) -> tuple[Directive, tuple[str, ...]]:
        directive = status.entry.row.directive
        found = successors.get((id(directive), status.as_of))
        if found is None or found[0] is not directive:
            issuer = follow_up_issuer(directive, status.as_of)
            found = successors[(id(directive), status.as_of)] = (directive, issuer, issuer_key(issuer))
        return found[1], found[2]

    groups: dict[tuple[str, tuple[str, ...]], list[Status]] = {}
    for status in statuses:
        if status.overdue_since is None:
            continue
        groups.setdefault((status.entry.agency.id, successor(status)[1]), []).append(status)
    issuers_of: dict[str, int] = {}
    for agency_id, _ in groups:
        issuers_of[agency_id] = issuers_of.get(agency_id, 0) + 1
    out: list[Reminder] = []
    used: set[str] = set()
    for (agency_id, _), items in groups.items():
        first = successor(items[0])[0]
        name = safe_filename(agency_id)
        if issuers_of[agency_id] > 1:
            body = first.issuer
            name = f"{name}--{slugify(' '.join(body.header) or body.short or body.name)}"
        base, n = name, 2
        while name in used:
            name, n = f"{base}-{n}", n + 1
        used.add(name)
        ordered = sorted(items, key=lambda s: s.overdue_since or s.as_of)
        out.append(Reminder(items[0].entry.agency, first, tuple(ordered), name))
    return out


def heading_line(row: Row) -> str:
    """For a sub-item quoted alone, its parent's heading as the document prints it, for context: "3. Đảng ủy
    Công an tỉnh chỉ đạo Công an các cấp trong tỉnh:" (its first paragraph, cut after its first sentence
    when long); "" for a top-level item."""
    parent = row.ancestors()[-1] if row.ancestors() else None
    if parent is None:
        return ""
    first = next(iter(paragraphs(parent.task.text)), "")
    if len(first) > HEADING_CHARS:
        end = _SENTENCE_END.search(first, 0, HEADING_CHARS)
        first = first[: end.end()] if end else shorten(first, HEADING_CHARS)
    return f"{subtask_marker(parent)} {first}".strip()


# What a task and a directive show in every letter that lists them, made once: a task overdue for several
# agencies is in each one's letter, and a directive's data is asked for once per item. The row or directive is
# kept with its data, so an id is never mistaken for a later object's; the caches hold one matrix's letters
# (a build's), and start again for another (the web server builds again and again).
_ROWS: dict[int, tuple[Row, dict[str, Any], list[dict[str, Any]], str]] = {}
_DIRECTIVES: dict[int, tuple[Directive, dict[str, Any]]] = {}
_HEADINGS: dict[int, tuple[TaskNode, str]] = {}  # heading_line by the parent's node: its sub-items share it
_CACHED_FOR: list[Matrix] = []


def _cache_for(matrix: Matrix) -> None:
    """Empty the caches unless they hold ``matrix``'s letters."""
    if not _CACHED_FOR or _CACHED_FOR[0] is not matrix:
        _ROWS.clear()
        _DIRECTIVES.clear()
        _HEADINGS.clear()
        _CACHED_FOR[:] = [matrix]


def _row_data(row: Row) -> tuple[dict[str, Any], list[dict[str, Any]], str]:
    """(task_data, subtask_lines, heading_line) of ``row``. The templates only read them (the sandbox is
    immutable), so every letter may share them; the task data and sub-task lines are those the letters and
    extracts of the process made for the row (:func:`matrix.writers.word.row_data`), when they did."""
    found = _ROWS.get(id(row))
    if found is None or found[0] is not row:
        shared = row_data(_CACHED_FOR[0], row)  # the letters' matrix (:func:`_cache_for`)
        found = _ROWS[id(row)] = (row, shared.task, shared.subtask_lines(), _heading(row))
    return found[1], found[2], found[3]


def _heading(row: Row) -> str:
    """:func:`heading_line` of ``row``, made once per parent: it reads the parent alone (its first paragraph, cut,
    and its number), and the overdue sub-items of one item are quoted under the same heading."""
    parent = row.node.parent
    if parent is None:
        return ""
    found = _HEADINGS.get(id(parent))
    if found is None or found[0] is not parent:
        found = _HEADINGS[id(parent)] = (parent, heading_line(row))
    return found[1]


_DATES: dict[dt.date | None, dict[str, str] | None] = {}  # date_data of the days the letters print, made once


def _date(day: dt.date | None) -> dict[str, str] | None:
    """:func:`date_data` of ``day``, shared by every item and letter that prints it (templates only read it)."""
    if day not in _DATES:
        if len(_DATES) >= 4096:
            _DATES.clear()
        _DATES[day] = date_data(day)
    return _DATES[day]


def _directive_data(directive: Directive) -> dict[str, Any]:
    """:func:`directive_data`, made once per directive."""
    found = _DIRECTIVES.get(id(directive))
    if found is None or found[0] is not directive:
        found = _DIRECTIVES[id(directive)] = (directive, directive_data(directive))
    return found[1]


def _item(status: Status, index: int, letters: Sequence[Letter], registry: Registry) -> dict[str, Any]:
    """One overdue task as the letter lists it, with the sub-items its assignment covers: a sub-item tracked on
    its own (it sets its own date) is quoted alone, with its number and its parent's heading line."""
    row = status.entry.row
    task, subtasks, heading = _row_data(row)
    was = status.entry.was
    names = registry.follow_up_names(was, status.entry.agency) if was is not None else None
    letter = assigning_letter(letters, status.entry, status.as_of)
    since = status.overdue_since
    deadline_missed = status.deadline is not None and status.deadline < status.as_of
    return {
        "index": index,
        "directive": _directive_data(row.directive),
        "task": task,
        "subtasks": subtasks,
        "heading": heading,
        "label": subtask_marker(row) if row.depth else "",
        "role": status.entry.role.value,
        "assigned": _date(row.directive.date),
        "assigned_to": assigned_name(registry, status.entry) if was is not None else "",
        "was": names[0] if names else "",
        "now": names[1] if names else "",
        "letter": {"number": letter.number or "", "date": _date(letter.date)} if letter else None,
        "deadline": _date(status.deadline) if deadline_missed else None,
        "deadline_text": (row.task.deadline or "").strip().rstrip(" .;,") if deadline_missed else "",
        "missed": [_date(day) for day in status.missed],
        "since": _date(since),
        "days": (status.as_of - since).days if since else 0,
    }


def reminder_context(
    matrix: Matrix, reminder: Reminder, as_of: dt.date, letters: Sequence[Letter] = ()
) -> dict[str, Any]:
    """Everything a đôn đốc template may use (see docs/templates.md); ``letters`` are the thư giao nhiệm vụ sent."""
    _cache_for(matrix)
    items = [_item(status, i, letters, matrix.registry) for i, status in enumerate(reminder.items, 1)]
    directives: dict[str, dict[str, Any]] = {}
    for status in reminder.items:
        directive = status.entry.row.directive
        if directive.id not in directives:
            directives[directive.id] = _directive_data(directive)
    return {
        "agency": agency_data(reminder.agency, [status.entry for status in reminder.items if status.entry.was is None]),
        "issuer": issuer_data(reminder.issuer),
        "directive": _directive_data(reminder.issuer),
        "directives": list(directives.values()),
        "items": items,
        "item_count": len(items),
        "as_of": date_data(as_of),
        "place": date_place(matrix, reminder.issuer),
        "signer": signer_data(reminder.issuer.signer),
    }


def write_reminders(
    matrix: Matrix,
    statuses: Sequence[Status],
    as_of: dt.date,
    out_dir: Path,
    *,
    templates: Path | None = None,
    letters: Sequence[Letter] = (),
    agencies: Iterable[str] | None = None,
    planned: Sequence[Reminder] | None = None,
) -> list[Path]:
    """Write the đôn đốc letters of ``statuses`` into ``out_dir``; return their paths (none: no folder).

    ``agencies`` restricts the letters to those agency ids (a build shares them among processes);
    ``planned``: :func:`plan_reminders` of ``statuses``, when the caller has it already (a build plans its
    reminders once, not once per agency: planning reads every status).
    """
    wanted = None if agencies is None else set(agencies)
    every = plan_reminders(statuses) if planned is None else planned
    reminders = [r for r in every if wanted is None or r.agency.id in wanted]
    if not reminders:
        return []
    out_dir.mkdir(parents=True, exist_ok=True)
    library = TemplateLibrary(templates)
    paths = []
    for reminder in reminders:
        template = library.get(REMINDER_TEMPLATES[reminder.issuer.issuer.kind])
        path = out_dir / f"{reminder.name}.docx"
        template.render(reminder_context(matrix, reminder, as_of, letters), path)
        paths.append(path)
    return paths

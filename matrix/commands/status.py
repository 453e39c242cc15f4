"""`matrix status` output (per agency, the counts of the four states and the overdue items), and what
`matrix report`, `matrix end` and `matrix import` add to the records files; the commands' functions
(:func:`status`, :func:`report`, :func:`end`, :func:`import_records`) load the input and return a :class:`Reply`."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..core.errors import WARNING, InputError, Problem, problem
from ..core.model import Corpus, format_date
from ..core.pivot import build_matrix
from ..core.reply import Reply
from ..core.text import shorten
from ..input.lookup import agency_ids, agency_ids_in, find_directive
from ..tracking.records import (
    Record,
    State,
    Status,
    append_record,
    append_records,
    assess,
    assigned_name,
    identity,
    load_records,
    record_problem,
    unread_phrases,
)


def by_agency(statuses: Sequence[Status]) -> dict[str, list[Status]]:
    """Statuses grouped per agency id, agencies with overdue items first, then by name."""
    groups: dict[str, list[Status]] = defaultdict(list)
    for status in statuses:
        groups[status.entry.agency.id].append(status)

    def order(item: tuple[str, list[Status]]) -> tuple[int, str]:
        overdue = sum(s.state is State.OVERDUE for s in item[1])
        return (-overdue, item[1][0].entry.agency.name)

    return dict(sorted(groups.items(), key=order))


def counts(statuses: Sequence[Status]) -> dict[State, int]:
    out = {state: 0 for state in State}  # the four states, then those counted apart
    for status in statuses:
        out[status.state] += 1
    return out


def status_text(statuses: Sequence[Status], as_of: dt.date, corpus: Corpus) -> str:
    lines = [f"Tình hình thực hiện đến ngày {format_date(as_of)} ({len(statuses)} lượt giao chủ trì, thực hiện)."]
    total = counts(statuses)
    lines.append("Tổng: " + "; ".join(f"{state.value}: {n}" for state, n in total.items()))
    for _, group in by_agency(statuses).items():
        agency = group[0].entry.agency
        c = counts(group)
        lines.append("")
        name = corpus.registry.label(agency)  # "Công an tỉnh (tỉnh Đồng Tháp)": one line per province's body
        lines.append(f"{name}: " + "; ".join(f"{state.value} {n}" for state, n in c.items() if n))
        for status in group:
            if status.state is not State.OVERDUE:
                continue
            row = status.entry.row
            since = format_date(status.overdue_since)
            moved = (  # the body the directive addressed has ended: "giao cho X (nay là Y)"
                f", giao cho {assigned_name(corpus.registry, status.entry)}" if status.entry.was else ""
            )
            lines.append(
                f"  - quá hạn từ {since}: {row.directive.citation(corpus.registry.provinces)}, mục {row.task.id}"
                + f"{moved}: {shorten(row.task.text, 90)}"
            )
    unread = [u for u in unread_phrases(corpus) if not u.open_ended]
    if unread:
        lines.append("")
        lines.append(f"Không đọc được thời hạn ({len(unread)} chỗ, hãy ghi 'due:' nếu cần theo dõi):")
        lines.extend(f"  - {u.directive}, mục {u.task}, {u.field}: {shorten(u.text, 90)}" for u in unread)
    return "\n".join(lines)


def status_json(statuses: Sequence[Status], as_of: dt.date) -> str:
    agencies: list[dict[str, Any]] = []
    for agency_id, group in by_agency(statuses).items():
        agencies.append(
            {
                "agency": agency_id,
                "name": group[0].entry.agency.name,
                "counts": {state.value: n for state, n in counts(group).items()},
                "items": [
                    {
                        "directive": s.entry.row.directive.id,
                        "task": s.entry.row.task.id,
                        "role": s.entry.role.value,
                        "was": s.entry.was.id if s.entry.was else None,  # the body addressed, ended since
                        "state": s.state.value,
                        "deadline": s.deadline.isoformat() if s.deadline else None,
                        "next_due": s.next_due.isoformat() if s.next_due else None,
                        "missed_reports": [d.isoformat() for d in s.missed],
                        "reports": [
                            {"date": r.date.isoformat(), "number": r.number, "done": r.done} for r in s.records
                        ],
                    }
                    for s in group
                ],
            }
        )
    return json.dumps(
        {"as_of": as_of.isoformat(), "counts": {s.value: n for s, n in counts(statuses).items()}, "agencies": agencies},
        ensure_ascii=False,
        indent=2,
    )


def status_report(
    corpus: Corpus,
    input_dir: Path,
    as_of: dt.date,
    expand_groups: bool = False,
    agency: str | None = None,
    directive_id: str | None = None,
    fmt: str = "text",
) -> str:
    """``matrix status``: the assessed assignments (of one agency, one directive, if asked) as text or JSON."""
    if directive_id is not None:
        find_directive(corpus, directive_id)
    statuses = assess(build_matrix(corpus, expand_groups), load_records(input_dir, corpus), as_of)
    wanted = agency_ids(corpus.registry, agency)
    statuses = tuple(
        s
        for s in statuses
        if (wanted is None or s.entry.agency.id in wanted)
        and (directive_id is None or s.entry.row.directive.id == directive_id)
    )
    return status_json(statuses, as_of) if fmt == "json" else status_text(statuses, as_of, corpus)


def add_report(
    corpus: Corpus,
    input_dir: Path,
    agency: str,
    directive_id: str,
    task: str | None,
    day: dt.date,
    number: str | None = None,
    done: bool = False,
    note: str | None = None,
) -> str:
    """``matrix report``: check the agency typed, the directive and the task, append the record; the message."""
    from ..input.yamlio import control_char_name, hidden_char

    typed = (("tên cơ quan", agency), ("mã văn bản", directive_id), ("mục", task), ("số báo cáo", number))
    for label, value in (*typed, ("ghi chú", note)):
        found = hidden_char(value) if value else None
        if found is not None:  # refused before any lookup, whose messages would print the character
            raise problem(
                f"{label} có ký tự {control_char_name(found)} không được phép",
                "hãy gõ lại trên một dòng, không dán ký tự ẩn hay ký tự điều khiển",
            )
    directive = find_directive(corpus, directive_id)
    ids = agency_ids_in(corpus.registry, agency, directive)
    if len(ids) != 1:
        raise problem(f"tên '{agency}' ứng với nhiều cơ quan", "hãy ghi tên đầy đủ hơn")
    (agency_id,) = ids
    official = corpus.registry.get(agency_id)
    written = (
        agency if corpus.registry.candidates(agency, directive.province) else official.name
    )  # typed without diacritics
    record = Record(directive_id, agency_id, written, day, task, number, done, note)
    path = file_report(corpus, input_dir, record)
    return f"Đã ghi báo cáo của {official.name} ({_state(done)}) vào {path}."


def file_report(
    corpus: Corpus, input_dir: Path, record: Record, refuse: Callable[[str, str], InputError] = problem
) -> Path:
    """Append ``record`` (of a directive of ``corpus``) to its records file, once its task and its fields are
    checked (an error made by ``refuse``: nothing stored) and the existing file reads without error (one locked,
    atomic write)."""
    refused = record_problem(record)  # first: a message never prints what the field holds
    if refused is not None:
        raise refuse(*refused)
    directive = corpus.directive(record.directive)
    task_ids = [t.id for t, _ in directive.walk()]
    if record.task is not None and record.task not in task_ids:
        raise refuse(
            f"văn bản '{record.directive}' không có mục '{record.task}'", f"các mục: {', '.join(task_ids[:20])}"
        )
    return append_record(input_dir, record, corpus)


def _state(done: bool) -> str:
    return "đã hoàn thành" if done else "đang thực hiện"


def import_workbook(corpus: Corpus, workbook: Path, input_dir: Path, dry_run: bool = False) -> Reply:
    """``matrix import``: the filled "Theo dõi" sheet's new records appended (unless ``dry_run``) in one write per
    records file, unusable rows (and rows whose fields cannot be stored) warned about."""
    from ..files.safezip import check_zip
    from ..writers.tracking_sheet import MAX_SHEET_ROWS, MAX_UNPACKED, TooManyRows, read_tracking_sheet

    known = {identity(r) for r in load_records(input_dir, corpus)}
    unsafe = check_zip(workbook, MAX_UNPACKED, what="tệp Excel (.xlsx)")  # inflated bytes counted before openpyxl
    if unsafe:
        raise InputError([Problem(str(workbook), 0, 0, f"không nhập tệp này: {unsafe}", None)])
    try:
        rows = read_tracking_sheet(workbook, corpus)
    except TooManyRows:
        raise InputError(
            [
                Problem(
                    str(workbook),
                    0,
                    0,
                    f"trang 'Theo dõi' có hơn {MAX_SHEET_ROWS:,} dòng; matrix không nhập tệp lớn như vậy".replace(
                        ",", "."
                    ),
                    "hãy tách thành nhiều tệp, hoặc xóa các dòng trống ở cuối trang",
                )
            ]
        ) from None
    except Exception:
        raise InputError(
            [
                Problem(
                    str(workbook),
                    0,
                    0,
                    "không đọc được tệp Excel này",
                    "hãy mở và lưu lại bằng Excel dạng .xlsx",
                )
            ]
        ) from None
    problems: list[Problem] = []
    new: list[Record] = []
    notes = [f"{workbook}, dòng {row.line}: {row.note}" for row in rows if row.record is not None and row.note]
    for row in rows:
        if row.record is None:
            problems.append(Problem(str(workbook), row.line, 0, row.problem or "", None, WARNING))
            continue
        refused = record_problem(row.record)
        if refused is not None:
            problems.append(Problem(str(workbook), row.line, 0, *refused, WARNING))
            continue
        key = identity(row.record)
        if key not in known:
            known.add(key)
            new.append(row.record)
    reply = Reply()
    for line in notes:  # rows matched by their task's text after a renumbering
        reply.say(line)
    for item in problems:
        reply.say(str(item).replace(f"{workbook}:{item.line}:0", f"{workbook}, dòng {item.line}"), True)
    for record in new:
        reply.say(
            f"+ {record.directive}, mục {record.task}: {record.written}, {record.date:%d/%m/%Y}"
            f"{', ' + record.number if record.number else ''} ({_state(record.done)})"
        )
    if new and not dry_run:
        append_records(input_dir, corpus, new)
    verb = "Sẽ ghi" if dry_run else "Đã ghi"
    reply.say(
        f"{verb} {len(new)} báo cáo mới; {len(problems)} dòng không dùng được."
        if new or problems
        else "Không có thay đổi nào."
    )
    return reply


def status(
    paths: Sequence[Path],
    registry: Path | None,
    warn: Callable[[str], None],
    status_on: dt.date | None = None,
    expand_groups: bool = False,
    agency: str | None = None,
    directive_id: str | None = None,
    fmt: str = "text",
) -> Reply:
    """``matrix status``: :func:`status_report` counted to ``status_on`` (default: today)."""
    from ..core.stamp import today
    from ..tracking.records import input_folder
    from .loading import load_model

    corpus = load_model(paths, registry, warn)
    reply = Reply()
    day = status_on or today()
    reply.say(status_report(corpus, input_folder(paths), day, expand_groups, agency, directive_id, fmt))
    return reply


def report(
    input_dir: Path,
    registry: Path | None,
    warn: Callable[[str], None],
    agency: str,
    directive_id: str,
    task: str | None,
    day: dt.date,
    number: str | None = None,
    done: bool = False,
    note: str | None = None,
) -> Reply:
    """``matrix report``: :func:`add_report` on the corpus of ``input_dir``."""
    from .loading import load_model

    corpus = load_model([input_dir], registry, warn)
    reply = Reply()
    reply.say(add_report(corpus, input_dir, agency, directive_id, task, day, number, done, note))
    return reply


def end(
    input_dir: Path, registry: Path | None, warn: Callable[[str], None], directive_id: str, day: dt.date | None = None
) -> Reply:
    """``matrix end``: the directive marked ended on ``day`` (default: today)."""
    from ..core.stamp import today
    from ..tracking.records import end_directive
    from .loading import load_model

    corpus = load_model([input_dir], registry, warn)
    reply = Reply()
    reply.say(end_directive(corpus, input_dir, directive_id, day or today()))
    return reply


def import_records(
    input_dir: Path, registry: Path | None, warn: Callable[[str], None], workbook: Path, dry_run: bool = False
) -> Reply:
    """``matrix import``: :func:`import_workbook` on the corpus of ``input_dir``."""
    from .loading import load_model

    return import_workbook(load_model([input_dir], registry, warn), workbook, input_dir, dry_run)

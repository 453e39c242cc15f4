"""Theo dõi, đôn đốc: what each agency reported for each task, and what is late.

Records live in plain YAML files next to the directives, one per directive
(``input/theo-doi/<directive id>.yaml``), so a clerk can read and fix them
with any editor::

    directive: tiengiang-ubnd-ct-antt-2025
    letters:                          # optional: the letters that assigned the tasks (thư giao nhiệm vụ)
      - date: 2025-01-06
        number: 15/UBND-NC
        agency: Công an tỉnh          # optional: without it, the letter went to every addressee
    reports:
      - agency: Công an tỉnh          # any name or alias in the registry
        task: "7"                     # optional: without it, every task of the agency
        date: 2025-06-28              # the date of the agency's report
        number: 123/BC-CAT            # its document number
        done: true                    # the task is finished (false: still in progress)
        note: ...

:func:`assess` turns the pivot, the records and a date into one
:class:`Status` per tracked assignment (chủ trì and thực hiện: those who
must act and report; phối hợp partners report through the lead), in the four
states of the provincial task-tracking systems.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..core.deadlines import Schedule, read_schedule
from ..core.errors import InputError, OutputError, Problem, problem
from ..core.model import Agency, Corpus, Directive, Registry, Role, Task
from ..core.pivot import Entry, Matrix, Row, carried
from ..input.yamlio import Report, compose

TRACKING_DIR = "theo-doi"
TRACKED_ROLES = (Role.LEAD, Role.DOER)

__all__ = [
    "TRACKING_DIR",
    "Letter",
    "Record",
    "State",
    "Status",
    "Unread",
    "append_record",
    "append_records",
    "assess",
    "assigned_name",
    "assigning_letter",
    "directive_end",
    "end_directive",
    "identity",
    "load_letters",
    "load_records",
    "load_tracking",
    "record_problem",
    "records_path",
    "schedules",
    "tracked_entries",
]


class State(enum.StrEnum):
    """Where an assignment stands: the four states of QĐ 42/2014/QĐ-TTg and the provinces' tracking systems, and two
    counted apart: a task with no date to keep, and a task of a directive that has ended."""

    DONE_ON_TIME = "hoàn thành đúng hạn"
    DONE_LATE = "hoàn thành quá hạn"
    IN_PROGRESS = "đang thực hiện trong hạn"
    OVERDUE = "quá hạn chưa hoàn thành"
    NO_DEADLINE = "không có thời hạn"
    ENDED = "đã kết thúc"


#: the four states of the tracking systems (a task is in one of these while it is followed up)
STATES: tuple[State, ...] = (State.DONE_ON_TIME, State.DONE_LATE, State.IN_PROGRESS, State.OVERDUE)
#: the states counted apart: no deadline nor report date, or the directive ended
APART: tuple[State, ...] = (State.NO_DEADLINE, State.ENDED)

# A campaign's own end, when its text gives one: "đến hết ngày 29/02/2024", "từ ngày 15/01 đến ngày 29/02/2024".
_CAMPAIGN = re.compile(r"\b(cao điểm|tết|đợt)\b", re.IGNORECASE)
_UNTIL = re.compile(r"\bđến (?:hết )?ngày (\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", re.IGNORECASE)


def directive_end(directive: Directive) -> dt.date | None:
    """The day ``directive`` stops being followed: its ``ended`` field, else, for a campaign (Tết, đợt cao điểm),
    the last day its title, opening or closing paragraphs give ("đến hết ngày 29/02/2024"); None when it goes on."""
    if directive.ended is not None:
        return directive.ended
    if not _CAMPAIGN.search(directive.title):
        return None
    days = []
    for text in (directive.title, directive.preamble or "", *directive.closing):
        for day, month, year in _UNTIL.findall(text):
            try:
                days.append(dt.date(int(year), int(month), int(day)))
            except ValueError:
                continue
    return max(days) if days else None


@dataclass(frozen=True)
class Record:
    """One report of one agency on one task (or on all its tasks of the directive when ``task`` is None)."""

    directive: str
    agency: str
    written: str
    date: dt.date
    task: str | None = None
    number: str | None = None
    done: bool = False
    note: str | None = None
    line: int = 0


@dataclass(frozen=True)
class Letter:
    """A letter that assigned a directive's tasks (thư giao nhiệm vụ): to one agency, or to all when ``agency`` is None."""

    directive: str
    date: dt.date
    number: str | None = None
    agency: str | None = None
    line: int = 0


def assigning_letter(letters: Iterable[Letter], entry: Entry, as_of: dt.date | None = None) -> Letter | None:
    """The latest letter sent by ``as_of`` for ``entry``'s directive to its agency (or its group), else to all."""
    keys = {entry.agency.id, *([entry.via.id] if entry.via else []), *([entry.was.id] if entry.was else [])}
    found = [x for x in letters if x.directive == entry.row.directive.id and (as_of is None or x.date <= as_of)]
    own = [x for x in found if x.agency in keys]
    chosen = own or [x for x in found if x.agency is None]
    return max(chosen, key=lambda x: x.date) if chosen else None


@dataclass(frozen=True)
class Status:
    """Where one assignment stands on ``as_of``.

    ``deadline`` is the date the task must be finished by (None: no date set);
    ``missed`` the report dates passed without a report; ``next_due`` the next
    date something is due (deadline or report).
    """

    entry: Entry
    state: State
    as_of: dt.date
    deadline: dt.date | None
    next_due: dt.date | None
    missed: tuple[dt.date, ...]
    records: tuple[Record, ...]

    @property
    def overdue_since(self) -> dt.date | None:
        """The first date that was missed, for an overdue assignment."""
        if self.state is not State.OVERDUE:
            return None
        dates = [*self.missed, *([self.deadline] if self.deadline and self.deadline < self.as_of else [])]
        return min(dates) if dates else None


@dataclass(frozen=True)
class Unread:
    """A deadline or report phrase that gave no date (listed for the clerk, never guessed)."""

    directive: str
    task: str
    field: str
    text: str
    open_ended: bool


# ------------------------------------------------------------------------- schedules


def _nearest(row: Row, name: str) -> str | None:
    """The task's own ``deadline``/``report``, else the nearest parent's (sub-items share their item's)."""
    for node in row.node.chain():
        value: str | None = getattr(node.task, name)
        if value:
            return value
    return None


def _due_override(task: Task) -> tuple[dt.date, ...]:
    return tuple(getattr(task, "due", ()) or ())


def schedules(row: Row) -> tuple[Schedule, Schedule]:
    """The (deadline, report) schedules that apply to a row.

    The deadline is the nearest task's (the row's own, else its parents') that states one: its
    ``due`` dates when it has them, else the dates read from its ``deadline`` text.
    """
    issued = row.directive.date
    deadline = read_schedule(None, issued)
    for node in row.node.chain():  # the task itself, then up its tree to the top-level item
        task = node.task
        override = _due_override(task)
        if override or task.deadline:
            deadline = Schedule(fixed=override) if override else read_schedule(task.deadline, issued)
            break
    return deadline, read_schedule(_nearest(row, "report"), issued)


def unread_phrases(corpus: Corpus) -> list[Unread]:
    """Every ``deadline``/``report`` text of the corpus that gives no date."""
    out = []
    for directive in corpus.directives:
        for task, _ in directive.walk():
            for name in ("deadline", "report"):
                text = getattr(task, name)
                if text and not (name == "deadline" and _due_override(task)):
                    schedule = read_schedule(text, directive.date)
                    if not schedule.has_dates:
                        out.append(
                            Unread(directive.id, task.id, name, text, schedule.open_ended and schedule.understood)
                        )
    return out


# ------------------------------------------------------------------------- assessing


def assess(matrix: Matrix, records: Iterable[Record], as_of: dt.date) -> tuple[Status, ...]:
    """One :class:`Status` per tracked assignment of the matrix, in document order.

    Follow-up happens under the bodies existing on ``as_of``: an assignment to a body that has
    ended is that of its successor then (Sở Thông tin và Truyền thông → Sở Khoa học và Công nghệ,
    Công an tỉnh Tiền Giang → Công an tỉnh Đồng Tháp), the entry keeping the body addressed (``was``).
    """
    by_key: dict[tuple[str, str], list[Record]] = {}
    for record in records:
        by_key.setdefault((record.directive, record.agency), []).append(record)
    out = []
    # a task's dates, read once for all its assignments, and once for all the tasks with the same schedules
    dates: dict[tuple[str, str], _RowDates] = {}
    by_schedule: dict[tuple[object, ...], _RowDates] = {}
    ends: dict[str, dt.date | None] = {}  # each directive's end, read once
    for entry in _current_entries(matrix, as_of):
        mine: tuple[Record, ...] = ()
        if by_key:
            keys = {*_lineage(matrix, entry.agency), *([entry.via.id] if entry.via else [])}
            if entry.was is not None:
                keys |= set(_lineage(matrix, entry.was))
            mine = tuple(
                sorted(
                    (
                        r
                        for k in keys
                        for r in by_key.get((entry.row.directive.id, k), ())
                        if r.task is None or _covers(entry.row, r.task)
                    ),
                    key=lambda r: r.date,
                )
            )
        row_dates = dates.get(entry.row.key)
        if row_dates is None:
            given = _schedule_inputs(entry.row)
            row_dates = by_schedule.get(given)
            if row_dates is None:
                row_dates = by_schedule[given] = _RowDates.of(entry.row, as_of)
            dates[entry.row.key] = row_dates
        directive = entry.row.directive
        if directive.id not in ends:
            ends[directive.id] = directive_end(directive)
        out.append(_status(entry, mine, as_of, row_dates, ends[directive.id]))
    return tuple(out)


def _schedule_inputs(row: Row) -> tuple[object, ...]:
    """What :func:`schedules` reads of a row: the nearest task's ``due`` dates or ``deadline``, the nearest
    ``report``, the directive's date (two rows giving the same have the same :class:`_RowDates`)."""
    deadline: tuple[object, ...] = ()
    for node in row.node.chain():
        override = _due_override(node.task)
        if override or node.task.deadline:
            deadline = (override, None) if override else ((), node.task.deadline)
            break
    return (*deadline, _nearest(row, "report"), row.directive.date)


def _current_entries(matrix: Matrix, as_of: dt.date) -> list[Entry]:
    """The tracked entries of ``matrix`` given to the bodies existing on ``as_of``; one per task and body
    (the strongest role), in document order.

    A sub-item that sets its own date (``deadline``, ``report`` or ``due``) under an assignment stated
    above it is followed up on its own: "3.2 ... trước ngày 30/06/2024" under "3. Công an tỉnh:" is an
    assignment of Công an tỉnh due on 30/06/2024, and its reminder quotes item 3.2, not all of item 3.
    """
    return _one_per_task(carried(matrix.registry, entry, as_of) for entry in tracked_entries(matrix))


def tracked_entries(matrix: Matrix) -> list[Entry]:
    """The assignments followed up (chủ trì, thực hiện), in document order, each sub-item that sets its own date under
    an assignment stated above it among them; one per task and body (the strongest role). The "Theo dõi" sheet lists
    these, so a clerk can fill in a report for each."""
    stated = (entry for entry in matrix.entries if entry.role in TRACKED_ROLES)
    found = _one_per_task(_with_dated_subitems(matrix, stated))
    order = {row.key: index for index, row in enumerate(matrix.rows)}
    return sorted(found, key=lambda entry: order[entry.row.key])  # stable: the text's order within a task


def _one_per_task(entries: Iterable[Entry]) -> list[Entry]:
    chosen: dict[tuple[tuple[str, str], str], Entry] = {}
    for entry in entries:
        key = (entry.row.key, entry.agency.id)
        if key not in chosen or entry.role.rank < chosen[key].role.rank:
            chosen[key] = entry
    return list(chosen.values())


def _with_dated_subitems(matrix: Matrix, entries: Iterable[Entry]) -> Iterator[Entry]:
    for entry in entries:
        yield entry
        if entry.row.node.children:
            yield from _dated_subitems(matrix, entry)


def _dated_subitems(matrix: Matrix, entry: Entry) -> Iterable[Entry]:
    """``entry`` carried down to each sub-item of its task that sets its own date and is not stated again for
    the same body (a sub-item's own statement is an entry of the matrix, tracked as it is)."""
    if entry.role not in TRACKED_ROLES:
        return
    below = list(reversed(entry.row.node.children))  # the sub-items, depth first in document order
    while below:
        node = below.pop()
        sub = Row(entry.row.directive, node)
        if matrix.cell(sub, entry.agency.id):
            continue  # restated below: the nearest statement wins, and is tracked on its own (with what is under it)
        task = node.task
        if task.deadline or task.report or _due_override(task):
            yield Entry(sub, entry.agency, entry.role, entry.written, entry.via, entry.was)
        below.extend(reversed(node.children))


def assigned_name(registry: Registry, entry: Entry) -> str:
    """The body an assignment is followed up with, as status rows, status lines and reminders name it:
    "Công an tỉnh (tỉnh Đồng Tháp)" (:meth:`Registry.label`), or, for a body that has ended since the
    directive, "Công an tỉnh Tiền Giang (nay là Công an tỉnh Đồng Tháp)"."""
    if entry.was is None:
        return registry.label(entry.agency)
    was, now = registry.follow_up_names(entry.was, entry.agency)
    return f"{was} (nay là {now})"


def _lineage(matrix: Matrix, agency: Agency) -> tuple[str, ...]:
    """A body and its successors: a report by Công an tỉnh Đồng Tháp answers for Công an tỉnh Tiền Giang."""
    out = [agency.id]
    while agency.successor and agency.successor in matrix.registry and agency.successor not in out:
        agency = matrix.registry.get(agency.successor)
        out.append(agency.id)
    return tuple(out)


def _covers(row: Row, task_id: str) -> bool:
    """Whether a report on task ``task_id`` is about ``row``: the row's own task or one above it in the tree."""
    return any(node.id == task_id for node in row.node.chain())


@dataclass(frozen=True)
class _RowDates:
    """What a task's schedules give on ``as_of``, whoever it is assigned to: the deadline, whether there is a
    deadline or a report schedule at all, the report dates before ``as_of`` and the dates due after it."""

    deadline: dt.date | None
    has_deadline: bool
    has_reports: bool
    report_dues: tuple[dt.date, ...]
    upcoming: tuple[dt.date, ...]

    @classmethod
    def of(cls, row: Row, as_of: dt.date) -> _RowDates:
        deadline_schedule, report_schedule = schedules(row)
        horizon = max(as_of, *(d for d in deadline_schedule.fixed)) if deadline_schedule.fixed else as_of
        deadline_dates = deadline_schedule.dates(horizon) if deadline_schedule.has_dates else ()
        deadline = deadline_dates[-1] if deadline_dates else None
        # A report due today is not missed yet: only the days before ``as_of`` count.
        report_dues = report_schedule.dates(as_of - dt.timedelta(days=1))
        upcoming = tuple(
            d for d in (*deadline_schedule.fixed, *report_schedule.dates(as_of + dt.timedelta(days=400))) if d > as_of
        )
        return cls(deadline, deadline_schedule.has_dates, report_schedule.has_dates, report_dues, upcoming)


def _status(entry: Entry, records: tuple[Record, ...], as_of: dt.date, dates: _RowDates, end: dt.date | None) -> Status:
    """The state of ``entry`` on ``as_of``: its reports, its task's dates, its directive's end."""
    deadline = dates.deadline
    known = [r for r in records if r.date <= as_of]
    done = next((r for r in known if r.done), None)
    if done is None and end is not None and end < as_of:  # the directive ended: its open tasks leave the follow-up
        return Status(entry, State.ENDED, as_of, deadline, None, (), tuple(records))
    if done is None and not dates.has_deadline and not dates.has_reports:
        return Status(entry, State.NO_DEADLINE, as_of, None, None, (), tuple(records))
    report_dues = dates.report_dues if done is None else ()
    missed = (
        tuple(due for i, due in enumerate(report_dues) if not _answered(due, report_dues[i - 1] if i else None, known))
        if known
        else tuple(report_dues)  # no report yet: every report due is missed
    )
    upcoming = dates.upcoming
    next_due = min(upcoming) if upcoming and done is None else None
    if done is not None:
        state = State.DONE_LATE if deadline is not None and done.date > deadline else State.DONE_ON_TIME
    elif (deadline is not None and as_of > deadline) or missed:
        state = State.OVERDUE
    else:
        state = State.IN_PROGRESS
    return Status(entry, state, as_of, deadline, next_due, missed, tuple(records))


def _answered(due: dt.date, previous: dt.date | None, records: Sequence[Record]) -> bool:
    """A report due on ``due`` is answered by any report made after the previous due date."""
    return any(previous is None or r.date > previous for r in records)


# ------------------------------------------------------------------------- records on disk

_RECORD_KEYS = ("agency", "task", "date", "number", "done", "note")
_LETTER_KEYS = ("date", "number", "agency")


def input_folder(paths: Sequence[Path]) -> Path:
    """The input folder of a command's paths (the first one's): where its ``theo-doi/`` records live."""
    first = paths[0]
    return first if first.is_dir() else first.parent


def records_path(input_dir: Path, directive_id: str) -> Path:
    return input_dir / TRACKING_DIR / f"{directive_id}.yaml"


def load_records(input_dir: Path, corpus: Corpus, left_out: Collection[str] = ()) -> tuple[Record, ...]:
    """Every record under ``input_dir/theo-doi/``, checked against the corpus; :class:`InputError` otherwise.

    ``left_out``: ids of directives a build leaves out for their input errors; their records files are skipped
    (not refused as naming a directive that is not in the input)."""
    return load_tracking(input_dir, corpus, left_out)[0]


def load_letters(input_dir: Path, corpus: Corpus, left_out: Collection[str] = ()) -> tuple[Letter, ...]:
    """Every ``letters`` entry under ``input_dir/theo-doi/``, checked like the records."""
    return load_tracking(input_dir, corpus, left_out)[1]


def load_tracking(
    input_dir: Path, corpus: Corpus, left_out: Collection[str] = ()
) -> tuple[tuple[Record, ...], tuple[Letter, ...]]:
    """The records and the letters under ``input_dir/theo-doi/`` (:func:`load_records`, :func:`load_letters`),
    each file read once."""

    folder = input_dir / TRACKING_DIR
    report = Report()
    out: list[Record] = []
    letters: list[Letter] = []
    if not folder.is_dir():
        return (), ()
    for path in sorted(folder.glob("*.yaml")):
        _read_file(path, corpus, report, out, letters, left_out)
    if report.has_errors:
        raise InputError(report.problems)
    return tuple(out), tuple(letters)


def _read_file(
    path: Path,
    corpus: Corpus,
    report: Report,
    out: list[Record],
    letters: list[Letter],
    left_out: Collection[str] = (),
) -> None:
    """The records and letters of one records file, added to ``out`` and ``letters``; problems to ``report``."""
    from ..input.load import _Fields, parse_date  # the loader's typed field access and dates, shared

    ids = {d.id: d for d in corpus.directives}
    name = str(path)
    root = compose(path, report)
    if root is None:
        return
    top = _Fields(root, name, report, "sổ theo dõi", ("directive", "letters", "reports"))
    if not top.ok:
        return
    directive_id = top.text("directive", "mã văn bản", required=True) or path.stem
    directive = ids.get(directive_id)
    if directive is None and directive_id in left_out:
        return
    if directive is None:
        report.error(
            name,
            top.value_node("directive") or root,
            f"văn bản '{directive_id}' không có trong input",
            "mã văn bản là tên tệp .yaml của văn bản, không có đuôi",
        )
        return
    task_ids = {t.id for t, _ in directive.walk()}
    known: dict[str, Agency] = {}  # the names already resolved in this file (a sheet's import repeats them)

    def resolve(written: str, node: yaml.Node | None) -> Agency | None:
        if written not in known:
            found = _resolve(corpus, written, directive.province, name, node, report, directive.on)
            if found is None:
                return None
            known[written] = found
        return known[written]

    keys = list(top.items)
    if "letters" in keys and "reports" in keys and keys.index("letters") > keys.index("reports"):
        report.error(
            name,
            top.items["letters"][0],
            "'letters' (thư giao nhiệm vụ) phải đứng trước 'reports'",
            "matrix report và matrix import ghi thêm báo cáo vào cuối tệp",
        )
    for node in top.sequence("letters", "danh sách thư giao nhiệm vụ"):
        fields = _Fields(node, name, report, "thư giao nhiệm vụ", _LETTER_KEYS)
        if not fields.ok:
            continue
        date = fields.date("date", "ngày của thư")
        if fields.value_node("date") is None:
            fields.missing("date", "ngày của thư")
        written = fields.text("agency", "cơ quan nhận thư")
        agency = resolve(written, fields.value_node("agency")) if written else None
        if date is None or (written and agency is None):
            continue
        letters.append(
            Letter(
                directive_id,
                date,
                fields.text("number", "số, ký hiệu của thư"),
                agency.id if agency else None,
                node.start_mark.line + 1,
            )
        )
    for node in top.sequence("reports", "danh sách báo cáo"):
        fields = _Fields(node, name, report, "báo cáo", _RECORD_KEYS)
        if not fields.ok:
            continue
        written = fields.text("agency", "cơ quan báo cáo", required=True)
        date_node = fields.value_node("date")
        date = parse_date(date_node, name, report, "'date' (ngày báo cáo)") if date_node is not None else None
        if date_node is None:
            fields.missing("date", "ngày báo cáo")
        task = fields.text("task", "mã nhiệm vụ")
        if task is not None and task not in task_ids:
            report.error(
                name,
                fields.value_node("task"),
                f"văn bản '{directive_id}' không có nhiệm vụ '{task}'",
                "xem mã nhiệm vụ trong cột 'Mục' của bảng Excel",
            )
            continue
        agency = resolve(written, fields.value_node("agency")) if written else None
        if agency is None or date is None or written is None:
            continue
        out.append(
            Record(
                directive_id,
                agency.id,
                written,
                date,
                task,
                fields.text("number", "số văn bản"),
                fields.flag("done", "đã xong"),
                fields.text("note", "ghi chú"),
                node.start_mark.line + 1,
            )
        )


def _resolve(
    corpus: Corpus,
    written: str,
    province: str | None,
    path: str,
    node: yaml.Node | None,
    report: Report,
    on: dt.date | None = None,
) -> Agency | None:
    from ..input.load import did_you_mean, suggest_names

    # the body the directive assigned (its province, its date), or one that says its province (a successor's name)
    lookup = corpus.registry.lookup(written, province, on)
    found = lookup.found or lookup.defunct
    if len(found) == 1:
        return found[0]
    hint = did_you_mean(suggest_names(corpus.registry, written)) or "xem 'matrix agencies'"
    report.error(
        path,
        node,
        f"cơ quan '{written}' không có trong danh mục"
        if not found
        else f"tên '{written}' ứng với nhiều cơ quan ({', '.join(a.id for a in found)})",
        hint,
    )
    return None


_FIELD_LABELS = (
    ("written", "tên cơ quan"),
    ("task", "mục"),
    ("number", "số báo cáo"),
    ("note", "ghi chú"),
)


def record_problem(record: Record) -> tuple[str, str] | None:
    """Why ``record`` cannot be stored (a message and a hint), else None: a date outside 1900-2100, or a field
    holding a control character, a line break (U+2028 too), a TAB, an invisible or direction-changing mark would
    make the records file unreadable or a name look like another one."""
    from ..core.stamp import out_of_range
    from ..input.yamlio import control_char_name, hidden_char

    reason = out_of_range(record.date)
    if reason is not None:
        return f"ngày báo cáo: {reason}", "hãy kiểm tra năm của ngày báo cáo"
    for name, label in _FIELD_LABELS:
        value = getattr(record, name)
        found = hidden_char(value) if value else None
        if found is not None:
            return (
                f"{label} có ký tự {control_char_name(found)} không được phép",
                "hãy gõ lại trên một dòng, không dán ký tự ẩn hay ký tự điều khiển",
            )
    return None


def append_records(input_dir: Path, corpus: Corpus, records: Sequence[Record]) -> list[Path]:
    """Add ``records`` to their directives' files: one locked, atomic write per file (the previous version kept
    as ``.bak``), each record checked first and each new file read back before it replaces the old one.

    The file is appended to as text, so a clerk's comments and layout stay as they were. :class:`InputError`
    when a record is refused or the existing file does not read (nothing written then).
    """
    from ..files.safeio import update_file

    for record in records:
        refused = record_problem(record)
        if refused is not None:
            raise problem(*refused)
    groups: dict[str, list[Record]] = {}
    for record in records:
        groups.setdefault(record.directive, []).append(record)
    written = []
    for directive_id, group in groups.items():
        path = records_path(input_dir, directive_id)
        title = corpus.directive(directive_id).title

        def add(current: bytes | None, group: list[Record] = group, title: str = title) -> str:
            if current is None:
                text = (
                    f"# Theo dõi thực hiện: {_one_line(title)}\n"
                    "# Mỗi báo cáo một mục; sửa được bằng tay, rồi chạy 'matrix validate'.\n"
                    f"directive: {group[0].directive}\nreports:\n"
                )
            else:
                text = current.decode("utf-8-sig", errors="replace")
                if text and not text.endswith("\n"):
                    text += "\n"
                if "reports:" not in text:
                    text += "reports:\n"
            return text + "".join(_record_yaml(r) for r in group)

        def check(temporary: Path, path: Path = path, group: list[Record] = group) -> None:
            _check_written(temporary, path, corpus, group)

        update_file(path, add, "sổ theo dõi", backup=True, check=check, make_parents=True)
        written.append(path)
    return written


def _check_written(temporary: Path, path: Path, corpus: Corpus, added: Sequence[Record]) -> None:
    """The new version of ``path`` (in ``temporary``) reads without error and ends with the ``added`` records;
    otherwise nothing is replaced."""
    report = Report()
    after: list[Record] = []
    _read_file(temporary, corpus, report, after, [])
    if report.has_errors:
        raise InputError(
            [Problem(str(path), p.line, p.column, p.message, p.hint, p.severity) for p in report.problems if p.is_error]
            + [Problem(str(path), 0, 0, "sổ theo dõi này cần sửa trước khi ghi thêm", "chạy 'matrix validate'")]
        )
    tail = [identity(r) for r in after[len(after) - len(added) :]] if len(after) >= len(added) else []
    if tail != [identity(r) for r in added]:  # pragma: no cover - the writer and the reader disagree: a bug
        raise OutputError(f"Không ghi được sổ theo dõi '{path}': bản mới đọc lại không đúng các báo cáo vừa ghi.")


def identity(record: Record) -> tuple[object, ...]:
    """What a record says (so importing a sheet twice adds nothing): records with the same identity are the same."""
    return (record.directive, record.agency, record.task, record.date, record.number, record.done, record.note)


def append_record(input_dir: Path, record: Record, corpus: Corpus) -> Path:
    """Add one record to its directive's file (see :func:`append_records`)."""
    return append_records(input_dir, corpus, [record])[0]


_TOP_KEY = re.compile(r"^(ended|as_of|date|kind):.*$", re.MULTILINE)


def end_directive(corpus: Corpus, input_dir: Path, directive_id: str, day: dt.date) -> str:
    """``matrix end``: mark a directive ended on ``day`` (its ``ended:`` line written or replaced in its file, the
    rest of the file kept as it is, the previous version kept as ``.bak``); the message."""
    from ..core.model import format_date
    from ..files.safeio import update_file
    from ..input.lookup import find_directive

    directive = find_directive(corpus, directive_id)
    path = input_dir / f"{directive.id}.yaml"
    if not path.is_file():
        raise problem(f"không thấy tệp {path} của văn bản '{directive.id}'", "chạy lệnh với -i THƯ_MỤC_ĐẦU_VÀO")
    if directive.date is not None and day < directive.date:
        raise problem(
            f"ngày kết thúc {format_date(day)} trước ngày ban hành {format_date(directive.date)}",
            "ghi ngày văn bản hết thực hiện (YYYY-MM-DD hoặc dd/mm/yyyy)",
        )
    line = f"ended: {day.isoformat()}"

    def change(current: bytes | None) -> str:
        text = (current or b"").decode("utf-8-sig")
        found = {m.group(1): m for m in _TOP_KEY.finditer(text)}
        if "ended" in found:
            m = found["ended"]
            return text[: m.start()] + line + text[m.end() :]
        anchor = found.get("as_of") or found.get("date") or found.get("kind")
        at = anchor.end() + 1 if anchor is not None else 0
        return text[:at] + line + "\n" + text[at:]

    update_file(path, change, "tệp văn bản")  # locked, atomic, .bak kept (matrix/safeio.py)
    return (
        f"Đã ghi {directive.citation(corpus.registry.provinces)} kết thúc ngày {format_date(day)} vào {path}: "
        "các nhiệm vụ chưa hoàn thành không còn được theo dõi, đôn đốc."
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _record_yaml(record: Record) -> str:
    def q(value: str) -> str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

    out = [f"  - agency: {q(record.written)}\n"]
    if record.task:
        out.append(f"    task: {q(record.task)}\n")
    out.append(f"    date: {record.date.isoformat()}\n")
    if record.number:
        out.append(f"    number: {q(record.number)}\n")
    out.append(f"    done: {'true' if record.done else 'false'}\n")
    if record.note:
        out.append(f"    note: {q(_one_line(record.note))}\n")
    return "".join(out)


# END

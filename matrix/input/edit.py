"""A directive edited field by field (the web page's form editor), without YAML.

The edits are pure functions on the immutable model: each takes a :class:`Doc` (a directive and the review
notes its file carries) and returns a new one. A task is addressed by its path in the tree (indices from the
top, ``(1, 0)`` is the first sub-task of the second item). Ids are kept as they are, except that a dash bullet
(``"2-3"``) that moves under another task becomes a bullet of its new parent, and a new task gets the next free
id of its siblings' kind.

Checking and saving go through the one loader and the one writer: :func:`check` writes the YAML
``matrix draft -o`` would write (:func:`matrix.input.dump.dump_directive`), reads it back with
:func:`matrix.input.load.load_corpus` (unknown names kept, as for a draft) and says which form field each
problem is about; :func:`save` writes it through :func:`matrix.files.safeio.update_file` (locked, atomic, a
``.bak`` kept) only if the file is still the version the form was opened from.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from ..core.errors import InputError, Problem
from ..core.model import (
    CLOSING_PREFIX,
    Agency,
    Assignment,
    Directive,
    Issuer,
    IssuerKind,
    Registry,
    Role,
    Signer,
    Task,
)
from ..core.text import ascii_key, match_key, slugify
from ..files.safeio import update_file
from .dump import REVIEW, Note, dump_directive
from .load import REGISTRY_FILE, Unknown, is_unresolved, load_corpus, load_registry
from .yamlio import Report

__all__ = [
    "Checked",
    "Conflict",
    "Doc",
    "TaskPath",
    "add_assignment",
    "add_task",
    "check",
    "create_body",
    "delete_task",
    "describe_schedule",
    "drop_note",
    "in_words",
    "indent",
    "merge_next",
    "move",
    "moved_tasks",
    "notes_of",
    "number_of",
    "open_doc",
    "outdent",
    "parse_path",
    "plain_hint",
    "read_dates",
    "remove_assignment",
    "rename_name",
    "save",
    "search_bodies",
    "set_meta",
    "set_number",
    "set_numbers",
    "set_role",
    "set_task",
    "split_task",
    "task_in_words",
    "version_of",
]

TaskPath = tuple[int, ...]
NEW_TEXT = ""  # a new task starts empty: the check asks for its text next to the field


@dataclass(frozen=True)
class Doc:
    """A directive being edited and the notes its file carries (``# kiểm tra: ...`` among them)."""

    directive: Directive
    notes: tuple[Note, ...] = ()
    #: (id in the file, id now) of each task the doc was opened with ("" now: deleted): a task renumbered, moved
    #: under another parent or merged into another keeps its first id here, so the reports recorded for it follow
    origins: tuple[tuple[str, str], ...] = ()


class Conflict(Exception):
    """The file changed since the form was opened (another clerk saved it): nothing was written."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --------------------------------------------------------------------------- addressing tasks


def parse_path(text: str) -> TaskPath:
    """ "1.0" -> (1, 0); ValueError when it is not a path."""
    parts = text.strip().split(".")
    if not parts or not all(p.isdigit() for p in parts):
        raise ValueError(text)
    return tuple(int(p) for p in parts)


def path_text(path: TaskPath) -> str:
    return ".".join(str(i) for i in path)


def task_at(tasks: Sequence[Task], path: TaskPath) -> Task:
    """The task at ``path``; IndexError when there is none."""
    if not path:
        raise IndexError(path)
    task = tasks[path[0]]
    return task_at(task.tasks, path[1:]) if len(path) > 1 else task


def walk_paths(tasks: Sequence[Task], prefix: TaskPath = ()) -> Iterable[tuple[TaskPath, Task]]:
    """Every task with its path, depth first, in document order."""
    for i, task in enumerate(tasks):
        here = (*prefix, i)
        yield here, task
        yield from walk_paths(task.tasks, here)


def _splice(tasks: tuple[Task, ...], path: TaskPath, change: Callable[[Task], Sequence[Task]]) -> tuple[Task, ...]:
    """``tasks`` with the task at ``path`` replaced by what ``change`` returns (none, itself, several)."""
    i = path[0]
    if not 0 <= i < len(tasks):
        raise IndexError(path)
    if len(path) == 1:
        return (*tasks[:i], *change(tasks[i]), *tasks[i + 1 :])
    task = tasks[i]
    return (*tasks[:i], replace(task, tasks=_splice(task.tasks, path[1:], change)), *tasks[i + 1 :])


def _siblings(doc: Doc, path: TaskPath) -> tuple[Task | None, tuple[Task, ...]]:
    """The parent of the task at ``path`` (None at the top) and its children."""
    if len(path) == 1:
        return None, doc.directive.tasks
    parent = task_at(doc.directive.tasks, path[:-1])
    return parent, parent.tasks


def _with_tasks(doc: Doc, tasks: tuple[Task, ...]) -> Doc:
    return replace(doc, directive=replace(doc.directive, tasks=tasks))


def _renamed(doc: Doc, renames: dict[str, str]) -> Doc:
    """``doc`` whose origins and notes follow tasks renamed (``renames``: id before -> id after)."""
    if not renames:
        return doc
    origins = tuple((first, renames.get(now, now)) for first, now in doc.origins)
    notes = tuple(replace(n, task=renames.get(n.task, n.task)) if n.task else n for n in doc.notes)
    return replace(doc, origins=origins, notes=notes)


def _dropped(doc: Doc, ids: set[str]) -> Doc:
    """``doc`` whose origins say the tasks ``ids`` are deleted (their reports have nowhere to go)."""
    return replace(doc, origins=tuple((first, "" if now in ids else now) for first, now in doc.origins))


def moved_tasks(doc: Doc) -> dict[str, str | None]:
    """Each task id of the file the doc was opened from -> its id now (None: the task was deleted)."""
    return {first: now or None for first, now in doc.origins}


def opened(doc: Doc) -> Doc:
    """``doc`` as just opened from its file: every task is where the file has it."""
    return replace(doc, origins=tuple((t.id, t.id) for t, _ in doc.directive.walk()))


def _reid(task: Task, new_id: str, renames: dict[str, str]) -> Task:
    """``task`` called ``new_id``; its dash bullets (``"<id>-<n>"``) follow it; every change put in ``renames``."""
    if new_id == task.id:
        return task
    renames[task.id] = new_id
    subs = tuple(
        _reid(sub, f"{new_id}-{sub.id[len(task.id) + 1 :]}", renames) if _is_bullet(sub.id, task) else sub
        for sub in task.tasks
    )
    return replace(task, id=new_id, tasks=subs)


# --------------------------------------------------------------------------- ids


def _used_ids(tasks: Iterable[Task]) -> set[str]:
    return {t.id for top in tasks for t, _ in top.walk()}


def _is_bullet(task_id: str, parent: Task | None) -> bool:
    return parent is not None and task_id.startswith(parent.id + "-") and task_id[len(parent.id) + 1 :].isdigit()


def _bullet_id(parent: Task, used: set[str]) -> str:
    n = 1
    while f"{parent.id}-{n}" in used:
        n += 1
    return f"{parent.id}-{n}"


_TRAILING_NUMBER = re.compile(r"^(.*?)(\d+)$")


def _next_id(like: Task | None, parent: Task | None, used: set[str]) -> str:
    """A free id for a new task after ``like`` among ``parent``'s children: the next bullet, the next number or
    letter ("3" -> "4", "3.1" -> "3.2", "a" -> "b", "cuối-1" -> "cuối-2"), else ``like``'s id with a letter."""
    if parent is not None and (like is None or _is_bullet(like.id, parent)):
        return _bullet_id(parent, used)
    base = like.id if like is not None else "0"
    candidates: list[str] = []
    number = _TRAILING_NUMBER.match(base)
    if number:
        candidates.append(f"{number.group(1)}{int(number.group(2)) + 1}")
    elif len(base) == 1 and base.isalpha() and base < "z":
        candidates.append(chr(ord(base) + 1))
    candidates.extend(f"{base}{letter}" for letter in "abcdefghiklmnopqrstuvxy")
    for candidate in candidates:
        if candidate not in used:
            return candidate
    n = 1
    while f"{base}-moi-{n}" in used:
        n += 1
    return f"{base}-moi-{n}"


def _rebullet(
    task: Task, old_parent: Task | None, new_parent: Task | None, used: set[str], renames: dict[str, str]
) -> Task:
    """A dash bullet moved to another parent takes that parent's next bullet id, its own bullets following it
    (other ids stay); the changes put in ``renames``."""
    if not _is_bullet(task.id, old_parent):
        return task
    if new_parent is not None:
        return _reid(task, _bullet_id(new_parent, used), renames)
    return _reid(task, _next_id(old_parent, None, used), renames)


# --------------------------------------------------------------------------- edits of the directive's fields

META_FIELDS = (
    "kind",
    "number",
    "symbol",
    "date",
    "place",
    "province",
    "issuer.name",
    "issuer.kind",
    "issuer.header",
    "issuer.short",
    "title",
    "signer.authority",
    "signer.title",
    "signer.name",
    "recipients",
    "distribution",
    "preamble",
    "closing",
)


def _text(value: str) -> str | None:
    value = value.strip()
    return value or None


def _lines(value: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in value.splitlines() if line.strip())


def read_date(value: str) -> dt.date | None:
    """A date typed in a form, dd/mm/yyyy (or yyyy-mm-dd, :data:`~matrix.core.stamp.DATE_FORMATS`); None when
    nothing was typed, ValueError when it is not a day matrix computes with."""
    from ..core.stamp import out_of_range, read_day

    if not value.strip():
        return None
    day = read_day(value)
    if day is None or out_of_range(day):
        raise ValueError(value)
    return day


def set_meta(doc: Doc, values: dict[str, str]) -> tuple[Doc, dict[str, str]]:
    """The directive with the metadata fields of ``values`` (keys of :data:`META_FIELDS`, as typed); and the
    fields that could not be read (a date that is not one), with the message to show beside them. A field that
    cannot be read keeps its old value."""
    d = doc.directive
    bad: dict[str, str] = {}
    date = d.date
    if "date" in values:
        try:
            date = read_date(values["date"])
        except ValueError:
            bad["date"] = f"ngày '{values['date'].strip()}' không đọc được: ghi dạng ngày/tháng/năm, ví dụ 27/12/2024"
    issuer = d.issuer
    if "issuer.kind" in values:
        kind = {k.value: k for k in IssuerKind}.get(values["issuer.kind"].strip(), issuer.kind)
        issuer = replace(issuer, kind=kind)
    if "issuer.name" in values:
        issuer = replace(issuer, name=values["issuer.name"].strip())
    if "issuer.header" in values:
        issuer = replace(issuer, header=_lines(values["issuer.header"]))
    if "issuer.short" in values:
        issuer = replace(issuer, short=_text(values["issuer.short"]))
    signer = d.signer
    if "signer.authority" in values:
        signer = replace(signer, authority=_lines(values["signer.authority"]))
    if "signer.title" in values:
        signer = replace(signer, title=_text(values["signer.title"]))
    if "signer.name" in values:
        signer = replace(signer, name=_text(values["signer.name"]))
    new = replace(
        d,
        kind=values["kind"].strip() if "kind" in values else d.kind,
        number=_text(values["number"]) if "number" in values else d.number,
        symbol=_text(values["symbol"]) if "symbol" in values else d.symbol,
        date=date,
        place=_text(values["place"]) if "place" in values else d.place,
        province=_text(values["province"]) if "province" in values else d.province,
        title=values["title"].strip() if "title" in values else d.title,
        recipients=_lines(values["recipients"]) if "recipients" in values else d.recipients,
        distribution=_lines(values["distribution"]) if "distribution" in values else d.distribution,
        preamble=_paragraphs(values["preamble"]) if "preamble" in values else d.preamble,
        closing=_lines(values["closing"]) if "closing" in values else d.closing,
        issuer=Issuer(issuer.name, issuer.kind, issuer.header, issuer.short),
        signer=Signer(signer.authority, signer.title, signer.name),
    )
    return replace(doc, directive=new), bad


def _paragraphs(value: str) -> str | None:
    """A text of several paragraphs as typed: one per line, blank lines and spaces around them dropped."""
    return "\n".join(_lines(value)) or None


def read_dates(value: str) -> tuple[dt.date, ...]:
    """Dates typed in a form, dd/mm/yyyy, separated by commas, semicolons or line breaks; ValueError with the
    message to show when one is not a date."""
    out = []
    for part in re.split(r"[,;\n]+", value):
        if not part.strip():
            continue
        try:
            day = read_date(part)
        except ValueError:
            raise ValueError(
                f"ngày '{part.strip()}' không đọc được: ghi dạng ngày/tháng/năm, ví dụ 15/12/2025"
            ) from None
        if day is not None:
            out.append(day)
    return tuple(sorted(set(out)))


def number_of(task: Task, parent: Task | None) -> str:
    """The number a form shows for a task: its id as the document numbers it ("3", "3.1", "a"), "" for a dash
    bullet or an unnumbered closing paragraph (their ids follow from their place)."""
    if _is_bullet(task.id, parent) or (parent is None and _is_closing(task.id)):
        return ""
    return task.id


def _is_closing(task_id: str) -> bool:
    tail = task_id[len(CLOSING_PREFIX) :].lstrip("-")
    return task_id.startswith(CLOSING_PREFIX) and tail.isdigit()


def set_number(doc: Doc, path: TaskPath, typed: str) -> Doc:
    """The task at ``path`` numbered ``typed`` ("3", "3.1", "a" or "a)"); empty makes it a dash bullet of its
    parent (a closing paragraph at the top). Its dash bullets follow it; what was recorded for it follows it
    (:attr:`Doc.origins`). ValueError with the message to show when another task has that number."""
    tasks = doc.directive.tasks
    parent, _ = _siblings(doc, path)
    task = task_at(tasks, path)
    number = typed.strip().rstrip(".)").strip()
    if number == number_of(task, parent):
        return doc
    used = _used_ids(tasks) - {t.id for t, _ in task.walk()}
    if not number:
        if parent is not None:
            new_id = _bullet_id(parent, used)
        else:
            n = 1
            while f"{CLOSING_PREFIX}-{n}" in used:
                n += 1
            new_id = f"{CLOSING_PREFIX}-{n}"
    elif number in used:
        raise ValueError(f"số '{number}' đã là số của một nhiệm vụ khác trong văn bản: hãy chọn số khác")
    else:
        new_id = number
    renames: dict[str, str] = {}
    changed = _splice(tasks, path, lambda t: (_reid(t, new_id, renames),))
    return _renamed(_with_tasks(doc, changed), renames)


def set_numbers(doc: Doc, typed: dict[TaskPath, str]) -> tuple[Doc, dict[TaskPath, str]]:
    """Several tasks numbered at once (``typed``: path -> number as typed), so two tasks can swap their numbers;
    and the numbers that could not be set (taken by another task), with the message to show. When one cannot
    be set, each is tried alone (in document order) and the others still apply."""
    tasks = dict(walk_paths(doc.directive.tasks))

    def parent_of(path: TaskPath) -> Task | None:
        return tasks[path[:-1]] if len(path) > 1 else None

    changed = {
        path: value
        for path, value in typed.items()
        if path in tasks and value.strip().rstrip(".)").strip() != number_of(tasks[path], parent_of(path))
    }
    if not changed:
        return doc, {}
    try:
        together = doc
        for n, path in enumerate(changed):  # first out of the way, under numbers no task has
            together = set_number(together, path, f"\u2060{n}")
        for path, value in changed.items():
            together = set_number(together, path, value)
        return together, {}
    except ValueError:
        pass
    bad: dict[TaskPath, str] = {}
    for path, value in changed.items():
        try:
            doc = set_number(doc, path, value)
        except ValueError as exc:
            bad[path] = str(exc)
    return doc, bad


def set_task(
    doc: Doc,
    path: TaskPath,
    *,
    text: str | None = None,
    deadline: str | None = None,
    report: str | None = None,
    notes: str | None = None,
    targets: str | None = None,
    title: str | None = None,
    due: tuple[dt.date, ...] | None = None,
) -> Doc:
    """The task at ``path`` with the fields given (as typed, lists one item a line; an empty one removes it)."""

    def change(task: Task) -> Sequence[Task]:
        return (
            replace(
                task,
                text=text.strip() if text is not None else task.text,
                deadline=_text(deadline) if deadline is not None else task.deadline,
                report=_text(report) if report is not None else task.report,
                notes=_lines(notes) if notes is not None else task.notes,
                targets=_lines(targets) if targets is not None else task.targets,
                title=_text(title) if title is not None else task.title,
                due=due if due is not None else task.due,
            ),
        )

    return _with_tasks(doc, _splice(doc.directive.tasks, path, change))


def add_task(doc: Doc, after: TaskPath | None = None, child: bool = False) -> tuple[Doc, TaskPath]:
    """A new empty task after the one at ``after`` (at the end when None), or as its last sub-task with
    ``child``; and the new task's path."""
    tasks = doc.directive.tasks
    used = _used_ids(tasks)
    if after is None:
        new = Task(_next_id(tasks[-1] if tasks else None, None, used), NEW_TEXT)
        return _with_tasks(doc, (*tasks, new)), (len(tasks),)
    here = task_at(tasks, after)
    if child:
        new = Task(_bullet_id(here, used), NEW_TEXT)
        changed = _splice(tasks, after, lambda t: (replace(t, tasks=(*t.tasks, new)),))
        return _with_tasks(doc, changed), (*after, len(here.tasks))
    parent, _ = _siblings(doc, after)
    new = Task(_next_id(here, parent, used), NEW_TEXT)
    return _with_tasks(doc, _splice(tasks, after, lambda t: (t, new))), (*after[:-1], after[-1] + 1)


def delete_task(doc: Doc, path: TaskPath) -> Doc:
    """The directive without the task at ``path`` (and its sub-tasks)."""
    gone = {t.id for t, _ in task_at(doc.directive.tasks, path).walk()}
    return _dropped(_with_tasks(doc, _splice(doc.directive.tasks, path, lambda t: ())), gone)


def split_task(doc: Doc, path: TaskPath, at: int) -> Doc:
    """The task at ``path`` cut in two at character ``at`` of its text: the first part keeps the task (its
    assignments, dates and sub-tasks), the rest becomes a new task right after it. Unchanged when either part
    would be empty."""
    tasks = doc.directive.tasks
    task = task_at(tasks, path)
    first, rest = task.text[:at].rstrip(), task.text[at:].strip()
    if not first or not rest:
        return doc
    parent, _ = _siblings(doc, path)
    new = Task(_next_id(task, parent, _used_ids(tasks)), rest)
    return _with_tasks(doc, _splice(tasks, path, lambda t: (replace(t, text=first), new)))


def merge_next(doc: Doc, path: TaskPath) -> Doc:
    """The task at ``path`` and the one after it made one: texts joined, assignments of both (the first's role
    where both name one body), sub-tasks of both, dates and notes of the first, else of the second.
    Unchanged when it is the last of its siblings."""
    _, siblings = _siblings(doc, path)
    if path[-1] + 1 >= len(siblings):
        return doc
    second = siblings[path[-1] + 1]
    renames = {second.id: siblings[path[-1]].id}  # the second's work is now the first's: its reports go with it

    def merged(first: Task) -> Task:
        names = {match_key(a.written) for a in first.assignments}
        used = _used_ids(doc.directive.tasks)
        subs = list(first.tasks)
        for sub in second.tasks:  # the second's dash bullets become the first's next ones
            if _is_bullet(sub.id, second):
                sub = _reid(sub, _bullet_id(first, used), renames)
                used |= {t.id for t, _ in sub.walk()}
            subs.append(sub)
        return replace(
            first,
            text=f"{first.text}\n{second.text}".strip(),
            assignments=first.assignments + tuple(a for a in second.assignments if match_key(a.written) not in names),
            tasks=tuple(subs),
            deadline=first.deadline or second.deadline,
            report=first.report or second.report,
            due=first.due or second.due,
            targets=first.targets + second.targets,
            notes=first.notes + second.notes,
            title=first.title or second.title,
        )

    changed = _splice(doc.directive.tasks, (*path[:-1], path[-1] + 1), lambda t: ())
    changed = _splice(changed, path, lambda t: (merged(t),))
    return _renamed(_with_tasks(doc, changed), renames)


def indent(doc: Doc, path: TaskPath) -> Doc:
    """The task at ``path`` made the last sub-task of the task before it; unchanged for a first task."""
    if path[-1] == 0:
        return doc
    tasks = doc.directive.tasks
    parent, siblings = _siblings(doc, path)
    task, before = siblings[path[-1]], siblings[path[-1] - 1]
    renames: dict[str, str] = {}
    moved = _rebullet(task, parent, before, _used_ids(tasks) - {t.id for t, _ in task.walk()}, renames)
    changed = _splice(tasks, path, lambda t: ())
    changed = _splice(changed, (*path[:-1], path[-1] - 1), lambda b: (replace(b, tasks=(*b.tasks, moved)),))
    return _renamed(_with_tasks(doc, changed), renames)


def outdent(doc: Doc, path: TaskPath) -> Doc:
    """The sub-task at ``path`` moved up one level, right after its parent; unchanged for a top-level task."""
    if len(path) == 1:
        return doc
    tasks = doc.directive.tasks
    parent = task_at(tasks, path[:-1])
    grandparent = task_at(tasks, path[:-2]) if len(path) > 2 else None
    task = parent.tasks[path[-1]]
    renames: dict[str, str] = {}
    moved = _rebullet(task, parent, grandparent, _used_ids(tasks) - {t.id for t, _ in task.walk()}, renames)
    changed = _splice(tasks, path, lambda t: ())
    changed = _splice(changed, path[:-1], lambda p: (p, moved))
    return _renamed(_with_tasks(doc, changed), renames)


def move(doc: Doc, path: TaskPath, step: int) -> Doc:
    """The task at ``path`` swapped with its sibling before (``step`` -1) or after (+1); unchanged at an end."""
    _, siblings = _siblings(doc, path)
    other = path[-1] + step
    if not 0 <= other < len(siblings):
        return doc
    first, second = sorted((path[-1], other))
    swapped = (*siblings[:first], siblings[second], siblings[first], *siblings[second + 1 :])
    if len(path) == 1:
        return _with_tasks(doc, swapped)
    return _with_tasks(doc, _splice(doc.directive.tasks, path[:-1], lambda p: (replace(p, tasks=swapped),)))


# --------------------------------------------------------------------------- assignments


def add_assignment(doc: Doc, path: TaskPath, agency: Agency, role: Role, written: str | None = None) -> Doc:
    """``agency`` assigned to the task at ``path`` with ``role``, written by its name (or ``written``); a body the
    task already names keeps one assignment, with the new role."""
    name = written or agency.name

    def change(task: Task) -> Sequence[Task]:
        kept = tuple(a for a in task.assignments if a.agency != agency.id and match_key(a.written) != match_key(name))
        return (replace(task, assignments=(*kept, Assignment(agency.id, role, name))),)

    return _with_tasks(doc, _splice(doc.directive.tasks, path, change))


def remove_assignment(doc: Doc, path: TaskPath, index: int) -> Doc:
    """The task at ``path`` without its ``index``-th assignment."""

    def change(task: Task) -> Sequence[Task]:
        return (replace(task, assignments=task.assignments[:index] + task.assignments[index + 1 :]),)

    return _with_tasks(doc, _splice(doc.directive.tasks, path, change))


def set_role(doc: Doc, path: TaskPath, index: int, role: Role) -> Doc:
    """The ``index``-th assignment of the task at ``path`` with ``role``."""

    def change(task: Task) -> Sequence[Task]:
        items = list(task.assignments)
        items[index] = replace(items[index], role=role)
        return (replace(task, assignments=tuple(items)),)

    return _with_tasks(doc, _splice(doc.directive.tasks, path, change))


def rename_name(doc: Doc, written: str, agency: Agency) -> Doc:
    """Every assignment written ``written`` (spelling-tolerant) now names ``agency`` by its name; the review notes
    about that name go (the name is settled)."""
    key = match_key(written)

    def renamed(task: Task) -> Task:
        items = tuple(
            Assignment(agency.id, a.role, agency.name) if match_key(a.written) == key else a for a in task.assignments
        )
        return replace(task, assignments=items, tasks=tuple(renamed(t) for t in task.tasks))

    notes = tuple(n for n in doc.notes if n.name is None or match_key(n.name[1]) != key)
    return replace(
        doc, directive=replace(doc.directive, tasks=tuple(renamed(t) for t in doc.directive.tasks)), notes=notes
    )


def drop_note(doc: Doc, index: int) -> Doc:
    """The doc without its ``index``-th note (the clerk has checked it)."""
    return replace(doc, notes=doc.notes[:index] + doc.notes[index + 1 :])


# --------------------------------------------------------------------------- reading a file into a Doc


def version_of(content: bytes | None) -> str:
    """The version a form carries: the SHA-256 of the file it was opened from ("" for no file yet)."""
    return hashlib.sha256(content).hexdigest() if content is not None else ""


def notes_of(yaml_text: str) -> tuple[Note, ...]:
    """The comments of a directive file as :class:`Note` s, each tied to what it sits above: a top-level key, a
    task (by id) or a name of a task's ``assign`` (the places :func:`dump_directive` writes them)."""
    try:
        root = yaml.compose(yaml_text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return ()
    if not isinstance(root, yaml.MappingNode):
        return ()
    places: dict[int, tuple[str | None, str | None, tuple[Role, str] | None]] = {}  # 0-based line -> place

    def visit(seq: yaml.Node, parent: str | None) -> None:
        if not isinstance(seq, yaml.SequenceNode):
            return
        for position, node in enumerate(seq.value, 1):
            if not isinstance(node, yaml.MappingNode):
                continue
            keys = {k.value: v for k, v in node.value}
            ident = keys.get("id")
            task_id = str(ident.value) if isinstance(ident, yaml.ScalarNode) else f"{parent}-{position}"
            places[node.start_mark.line] = (None, task_id, None)
            assign = keys.get("assign")
            if isinstance(assign, yaml.MappingNode):
                for role_node, names in assign.value:
                    role = next((r for r in Role if match_key(r.value) == match_key(str(role_node.value))), None)
                    if role is None:
                        continue
                    items = names.value if isinstance(names, yaml.SequenceNode) else [names]
                    for item in items:
                        if isinstance(item, yaml.ScalarNode):
                            places[item.start_mark.line] = (None, task_id, (role, str(item.value)))
            if "tasks" in keys:
                visit(keys["tasks"], task_id)

    for key, value in root.value:
        places.setdefault(key.start_mark.line, (str(key.value), None, None))
        if key.value == "tasks":
            visit(value, None)
    lines = yaml_text.split("\n")
    out: list[Note] = []
    pending: list[str] = []
    for number, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("#"):
            pending.append(stripped[1:].strip())
            continue
        if not stripped:
            continue
        if pending and number in places:
            key, task, name = places[number]
            for comment in pending:
                review = comment.startswith(REVIEW)
                text = comment[len(REVIEW) :] if review else comment
                out.append(Note(text, review=review, key=key, task=task, name=name))
        pending = []
    return tuple(out)


def open_doc(yaml_text: str, registry: Registry, name: str = "ban-nhap.yaml") -> tuple[Doc | None, list[Problem]]:
    """A directive file's text as a :class:`Doc` (read by the one loader, unknown names kept), or None with the
    problems that keep it from being read."""
    directive, problems = _load(yaml_text, registry, name)
    if directive is None:
        return None, problems
    return opened(Doc(directive, notes_of(yaml_text))), problems


def _load(yaml_text: str, registry: Registry, name: str) -> tuple[Directive | None, list[Problem]]:
    with tempfile.TemporaryDirectory(prefix="matrix-edit-") as folder:
        path = Path(folder) / name
        path.write_text(yaml_text, encoding="utf-8")
        result = load_corpus([path], unknown=Unknown.KEEP, registry=registry)
        problems = [replace(p, path=name) if p.path == str(path) else p for p in result.problems + result.unresolved]
    directive = result.corpus.directives[0] if result.corpus and result.corpus.directives else None
    return directive, problems


# --------------------------------------------------------------------------- checking


@dataclass(frozen=True)
class Checked:
    """A doc as the loader reads it: its YAML, every problem by the form field it is about (``"date"``,
    ``"issuer.name"``, ``"task:1.0"``, ``"task:1.0:deadline"``, ``"task:1.0:assign:2"``; ``""`` for the whole),
    and the names the registry lacks."""

    yaml: str
    problems: dict[str, list[Problem]] = field(default_factory=dict)
    unresolved: tuple[str, ...] = ()

    @property
    def errors(self) -> int:
        return sum(p.is_error for ps in self.problems.values() for p in ps)

    def all(self) -> list[Problem]:
        return [p for ps in self.problems.values() for p in ps]


def text_of(doc: Doc) -> str:
    """The YAML ``matrix draft -o`` writes for this doc (the one writer); notes about what is gone are dropped."""
    d = doc.directive
    names = {(t.id, a.role, a.written) for t, _ in d.walk() for a in t.assignments}
    ids = {t.id for t, _ in d.walk()}
    notes = tuple(
        n
        for n in doc.notes
        if (n.task is None or n.task in ids) and (n.name is None or (n.task, *n.name) in names)
        if n.task is not None or n.key is not None
    )
    return dump_directive(d, notes=notes)


def check(doc: Doc, registry: Registry) -> Checked:
    """The doc written as its file would be, read back by the loader: its problems placed on the form's fields."""
    text = text_of(doc)
    directive_id = doc.directive.id if re.match(r"^[a-z0-9][a-z0-9-]*$", doc.directive.id) else "ban-nhap"
    loaded, problems = _load(text, registry, f"{directive_id}.yaml")
    spans = _spans(text)
    placed: dict[str, list[Problem]] = {}
    for problem in problems:
        place = _place(problem, spans)
        missing = _MISSING_KEY.search(problem.message)
        if missing:  # said at the record that lacks it: placed on the field that is empty
            place = _missing_place(place, missing.group(1))
        placed.setdefault(place, []).append(problem)
    unresolved: list[str] = []
    if loaded is not None:
        for task, _ in loaded.walk():
            for a in task.assignments:
                if a.agency.startswith("chua-ro-") and a.written not in unresolved:
                    unresolved.append(a.written)
    else:
        unresolved = [
            a.written
            for t, _ in doc.directive.walk()
            for a in t.assignments
            if registry.lookup(a.written, doc.directive.province, doc.directive.on).agency is None
        ]
    return Checked(text, placed, tuple(dict.fromkeys(unresolved)))


_MISSING_KEY = re.compile(r"thiếu trường bắt buộc '(\w+)'")


def _missing_place(place: str, key: str) -> str:
    """The field of a key missing from the record ``place`` is in (a task, the issuer, the signer, the top)."""
    if place.startswith("task:"):
        return f"task:{place.split(':')[1]}:{key}"
    if place.startswith(("issuer.", "signer.")):
        return f"{place.partition('.')[0]}.{key}"
    return key


def _spans(text: str) -> list[tuple[int, int, int, str]]:
    """(first line, its column, last line, field) of every field of the written YAML (1-based lines, from the
    field's value, where the loader reports a problem about the value)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return []
    out: list[tuple[int, int, int, str]] = []

    def span(value: yaml.Node, name: str) -> None:
        end = value.end_mark.line + (1 if value.end_mark.column else 0)
        line = value.start_mark.line + 1
        out.append((line, value.start_mark.column + 1, max(end, line), name))

    def tasks(seq: yaml.Node, prefix: TaskPath) -> None:
        if not isinstance(seq, yaml.SequenceNode):
            return
        for i, node in enumerate(seq.value):
            here = path_text((*prefix, i))
            span(node, f"task:{here}")
            if not isinstance(node, yaml.MappingNode):
                continue
            for k, v in node.value:
                if k.value == "tasks":
                    tasks(v, (*prefix, i))
                elif k.value == "assign" and isinstance(v, yaml.MappingNode):
                    span(v, f"task:{here}:assign")
                    n = 0
                    for _, names in v.value:
                        for item in names.value if isinstance(names, yaml.SequenceNode) else [names]:
                            span(item, f"task:{here}:assign:{n}")
                            n += 1
                else:
                    span(v, f"task:{here}:{k.value}")

    if isinstance(root, yaml.MappingNode):
        for k, v in root.value:
            if k.value == "tasks":
                tasks(v, ())
            elif k.value in ("issuer", "signer") and isinstance(v, yaml.MappingNode):
                for kk, vv in v.value:
                    span(vv, f"{k.value}.{kk.value}")
            else:
                span(v, str(k.value))
    return out


def _place(problem: Problem, spans: list[tuple[int, int, int, str]]) -> str:
    """The field a problem is about: the narrowest field starting where it is, else the narrowest holding its line."""
    if not problem.line:
        return ""
    here = [s for s in spans if (s[0], s[1]) == (problem.line, problem.column)]
    holding = here or [s for s in spans if s[0] <= problem.line <= s[2]]
    if not holding:
        return ""
    return min(holding, key=lambda s: (s[2] - s[0], -s[3].count(":")))[3]


# --------------------------------------------------------------------------- saving


def save(doc: Doc, path: Path, version: str, registry: Registry) -> str:
    """Write the doc to ``path`` (the YAML of :func:`text_of`, a ``.bak`` of the file it replaces), locked and
    atomic, only if the file is still ``version`` (:func:`version_of`; "" for a file that must not exist yet);
    :class:`Conflict` otherwise, nothing written. Refused (:class:`InputError`) when the loader finds errors in
    it. Returns the new version."""
    text = text_of(doc)
    data = text.encode("utf-8")

    def change(current: bytes | None) -> bytes:
        if version_of(current) != version:
            if current is None:
                raise Conflict("tệp đã bị xóa hoặc chuyển đi sau khi bạn mở: chưa lưu")
            if not version:
                raise Conflict(
                    f"đã có tệp {path.name} trong thư mục đầu vào: chưa lưu, bản của bạn vẫn còn trên trang; "
                    "hãy đổi mã văn bản (tên tệp) rồi lưu lại"
                )
            raise Conflict(
                "người khác đã lưu văn bản này sau khi bạn mở: chưa lưu, bản sửa của bạn vẫn còn trên trang. "
                "Hãy mở lại văn bản để xem bản mới, rồi sửa lại"
            )
        return data

    def verify(tmp: Path) -> None:
        _, problems = _load(tmp.read_text(encoding="utf-8"), registry, path.name)
        errors = [p for p in problems if p.is_error]
        if errors:
            raise InputError(errors)

    update_file(path, change, "văn bản", backup=True, check=verify)
    return version_of(data)


# --------------------------------------------------------------------------- the registry


def search_bodies(
    registry: Registry, query: str, on: dt.date | None, province: str | None, limit: int = 30
) -> list[Agency]:
    """The bodies and groups a clerk means by ``query`` among those existing on ``on`` (the directive's date) in
    ``province``: every name and alias, with or without diacritics; exact names first (the body the name means in
    the province, see :meth:`Registry.scoped`), then names holding the words as typed, then names holding every
    word."""
    query = query.strip()
    if not query:
        return []
    among = [a for a in registry.valid_on(on, province) if not is_unresolved(a)]
    key = _plain(query)
    words = key.split()
    exact = registry.scoped(registry.typed(query, on), province, on)
    phrase = [a for a in among if any(f" {key} " in f" {_plain(n)} " for n in a.names())]
    every = [a for a in among if any(set(words) <= set(_plain(n).split()) for n in a.names())]
    found: dict[str, Agency] = {}
    for group in (exact, registry.scoped(phrase, province, on), phrase, every):
        for agency in group:
            if agency.valid_on(on) and not is_unresolved(agency):
                found.setdefault(agency.id, agency)
    return list(found.values())[:limit]


def _plain(name: str) -> str:
    """A name without diacritics, case or punctuation: "Các sở, ban, ngành tỉnh" -> "cac so ban nganh tinh"."""
    return " ".join(re.sub(r"[^\w]+", " ", ascii_key(name)).split())


def describe_schedule(text: str | None, issued: dt.date | None) -> str:
    """What matrix reads from a deadline or report phrase, in words ("ngày 15/12/2025", "hằng quý, lần đầu
    31/03/2025"), as the tracking reads it (:func:`matrix.core.deadlines.read_schedule`)."""
    from ..core.deadlines import read_schedule
    from ..core.model import format_date

    if not text or not text.strip():
        return ""
    schedule = read_schedule(text, issued)
    if schedule.fixed:
        return "hạn: " + ", ".join(format_date(d) for d in schedule.fixed)
    if schedule.cadence:
        start = issued or dt.date.today()
        first = schedule.dates(dt.date(start.year + 2, 12, 31))
        every = {"month": "hằng tháng", "quarter": "hằng quý", "half": "6 tháng một lần", "year": "hằng năm"}
        when = every.get(schedule.cadence, schedule.cadence)
        return f"{when}, lần đầu {format_date(first[0])}" if first else when
    if schedule.open_ended and schedule.understood:
        return "không có ngày cụ thể (làm thường xuyên hoặc theo quy định)"
    return "matrix không đọc được ngày từ câu này: hạn này sẽ không được theo dõi"


def _key_labels() -> dict[str, str]:
    """Every key of a directive file -> its label in words (the directive's own keys first: ``title`` is the
    trích yếu, a task's ``title`` is written with its label in the loader's messages)."""
    from .schema import DIRECTIVE_SHAPES

    labels: dict[str, str] = {}
    for shape in DIRECTIVE_SHAPES:
        for key in shape:
            labels.setdefault(key.name, key.label.partition(":")[0])
    return labels


_KEY_LABELS = _key_labels()
_KEYS = "|".join(sorted(_KEY_LABELS, key=len, reverse=True))
_MISSING = re.compile(rf"thiếu trường bắt buộc '(?:{_KEYS})' \(([^)]*)\)")
_KEY_WITH_LABEL = re.compile(rf"'(?:{_KEYS})' \(([^)]*)\)")
_BARE_KEY = re.compile(rf"'({_KEYS})'")
_TASK_NAMED = re.compile(r"nhiệm vụ '([^']+)'")
_YAML_WORDS = re.compile(rf"co-quan\.yaml|\n|^\s*-\s|\b\w+: \[|'(?:{_KEYS}):")
_DID_YOU_MEAN = re.compile(r"có phải ý bạn là [^?\n]*\?")


def task_in_words(directive: Directive, task_id: str) -> str:
    """A task named as a clerk reads the document: "nhiệm vụ 3", "nhiệm vụ a)", "gạch đầu dòng thứ 2 của
    nhiệm vụ 3", "đoạn kết thứ 1"; "nhiệm vụ '<id>'" for an id the directive lacks."""
    node = next((n for n in directive.tree if n.id == task_id), None)
    if node is None:
        return f"nhiệm vụ '{task_id}'"
    if node.kind == "bullet" and node.parent is not None:
        return f"gạch đầu dòng thứ {node.position} của {task_in_words(directive, node.parent.id)}"
    if node.kind == "closing":
        return f"đoạn kết thứ {node.position}"
    return f"nhiệm vụ {node.label}"


def in_words(problem: Problem, directive: Directive | None = None) -> Problem:
    """A loader's problem as the form says it: each key named by its label ("'text' (nội dung)" -> "nội dung",
    "thiếu trường bắt buộc 'text' (nội dung)" -> "chưa có nội dung"), each task by its number in the document
    (:func:`task_in_words`). The loader's own messages, shared with the command line, name the keys on purpose."""
    message = _MISSING.sub(lambda m: f"chưa có {m.group(1)}", problem.message)
    message = _KEY_WITH_LABEL.sub(lambda m: m.group(1), message)
    message = _BARE_KEY.sub(lambda m: _KEY_LABELS[m.group(1)], message)
    if directive is not None:
        message = _TASK_NAMED.sub(lambda m: task_in_words(directive, m.group(1)), message)
    return replace(problem, message=message)


def plain_hint(problem: Problem) -> str | None:
    """The hint a form shows beside a problem: the loader's hint when it says nothing of YAML, else one in the
    form's words (never a YAML snippet); keys named by their labels."""
    hint, message = problem.hint or "", problem.message
    if "không có trong danh mục" in message:
        close = _DID_YOU_MEAN.search(hint)
        return ((close.group(0) + " ") if close else "") + (
            "chọn cơ quan đúng ở mục 'Cần xem lại' phía trên, thêm làm tên gọi khác, hoặc tạo cơ quan mới"
        )
    if "chưa được giao" in message:
        return "tìm và thêm cơ quan ở ô 'Thêm cơ quan' của nhiệm vụ"
    if "không hiểu thời hạn" in message or "không hiểu chế độ báo cáo" in message:
        return (
            "viết rõ ngày, ví dụ 'trước ngày 15/12/2025' hoặc 'hằng quý, trước ngày 15 của tháng cuối quý'; "
            "hoặc ghi ngày vào ô 'Hạn ghi riêng'"
        )
    if "không ghi ngày" in message:
        return "điền ô 'Ngày ban hành'"
    if "ứng với nhiều cơ quan" in message:
        return "chọn 'Tỉnh' của văn bản, hoặc chọn đúng cơ quan bằng ô 'Thêm cơ quan' rồi bỏ tên cũ"
    if "thẩm quyền ký lặp lại chức vụ" in message:
        return "ô 'Thẩm quyền ký' chỉ ghi các dòng TM., KT., TL.; chức vụ ghi ở ô 'Chức vụ người ký'"
    if not hint or _YAML_WORDS.search(hint):
        return None
    hint = _KEY_WITH_LABEL.sub(lambda m: m.group(1), hint)
    return _BARE_KEY.sub(lambda m: _KEY_LABELS[m.group(1)], hint)


def create_body(
    registry_path: Path,
    name: str,
    block: str,
    requested: bool = False,
    province: str | None = None,
    on: dt.date | None = None,
) -> str:
    """Add a body called ``name`` (of ``province``) to the registry file's ``agencies``, a ``.bak`` kept, locked and
    atomic; the id the registry then gives the body a text of ``province`` dated ``on`` means by ``name``.

    Refused (:class:`InputError`, nothing written) when the name already names a body there, or unless the registry
    still loads and the name then names exactly one body."""
    name = " ".join(name.split())
    if not name:
        raise InputError([Problem(str(registry_path), 0, 0, "tên cơ quan mới còn trống", "hãy ghi tên đầy đủ")])
    base = slugify(name) or "co-quan"
    chosen: list[str] = []

    def taken_by_another(registry: Registry) -> InputError:
        return InputError(
            [
                Problem(
                    str(registry_path),
                    0,
                    0,
                    f"tên '{name}' đã là tên của cơ quan khác trong danh mục",
                    "hãy chọn cơ quan đó thay vì tạo mới",
                )
            ]
        )

    def change(current: bytes | None) -> str:
        text = current.decode("utf-8-sig") if current is not None else ""
        if current is not None:
            report = Report()
            before = load_registry(registry_path, report)
            if before is not None and before.lookup(name, province, on).found:
                raise taken_by_another(before)
        taken = set(re.findall(r"^\s*-?\s*id:\s*['\"]?([a-z0-9-]+)", text, flags=re.MULTILINE))
        ident, n = base, 2
        while ident in taken:
            ident, n = f"{base}-{n}", n + 1
        entry = [
            f"  - id: {ident}",
            f"    name: {_flow(name)}",
            f"    block: {_flow(block)}",
            *(["    requested: true"] if requested else []),
            *([f"    province: {province}"] if province else []),
        ]
        lines = text.rstrip("\n").split("\n") if text else []
        at = next((i for i, line in enumerate(lines) if line.rstrip() == "agencies:"), None)
        if at is None:
            return "\n".join([*lines, "agencies:", *entry]) + "\n"
        return "\n".join(lines[: at + 1] + entry + lines[at + 1 :]) + "\n"

    def verify(tmp: Path) -> None:
        report = Report()
        registry = load_registry(tmp, report)
        errors = [p for p in report.problems if p.is_error]
        if registry is None or errors:
            raise InputError(
                [replace(p, path=str(registry_path)) for p in errors]
                or [Problem(str(registry_path), 0, 0, "danh mục không đọc lại được sau khi thêm cơ quan")]
            )
        found = registry.lookup(name, province, on).agency
        if found is None:
            raise taken_by_another(registry)
        chosen.append(found.id)

    update_file(registry_path, change, "danh mục cơ quan", backup=True, check=verify)
    return chosen[-1]


def _flow(value: str) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def registry_file(input_dir: Path) -> Path:
    return input_dir / REGISTRY_FILE

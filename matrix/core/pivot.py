"""The agency x task matrix, built once from the model and read by every writer."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .model import ROLES, Agency, Block, Corpus, Directive, Registry, Role, Task, TaskKind, TaskNode, inherit


@dataclass(frozen=True)
class Row:
    """One task of one directive, in document order: a node of the directive's task tree."""

    directive: Directive
    node: TaskNode
    key: tuple[str, str] = field(init=False, repr=False, compare=False)  # (directive id, task id), read often

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", (self.directive.id, self.node.task.id))

    @property
    def task(self) -> Task:
        return self.node.task

    @property
    def depth(self) -> int:
        return self.node.depth

    @property
    def parents(self) -> tuple[Task, ...]:
        """The tasks above this one, top-level item first."""
        return tuple(n.task for n in self.node.ancestors())

    def descendants(self) -> tuple[Row, ...]:
        """The rows of every sub-task, depth first, in document order."""
        return tuple(Row(self.directive, n) for n in self.node.descendants())

    def ancestors(self) -> tuple[Row, ...]:
        """The rows of the tasks above this one, top-level item first."""
        return tuple(Row(self.directive, n) for n in self.node.ancestors())


@dataclass(frozen=True)
class Entry:
    """One marked cell: ``agency`` has ``role`` in the task of ``row``.

    ``written`` is the name as the text wrote it ("Đảng ủy Công an tỉnh");
    ``via`` is the group this entry was expanded from, if any; ``was`` the
    body the directive addressed when the entry was carried to its successor
    (see ``as_of`` in :func:`build_matrix`).
    """

    row: Row
    agency: Agency
    role: Role
    written: str
    via: Agency | None = None
    was: Agency | None = None


@dataclass(frozen=True)
class Matrix:
    """Rows (tasks), columns (addressees) and the entries between them."""

    registry: Registry
    directives: tuple[Directive, ...]
    rows: tuple[Row, ...]
    columns: tuple[Agency, ...]
    entries: tuple[Entry, ...]
    expanded: bool = False
    as_of: dt.date | None = None
    _by_cell: Mapping[tuple[tuple[str, str], str], Entry] = field(default_factory=dict, repr=False)
    _by_agency: Mapping[str, tuple[Entry, ...]] = field(default_factory=dict, repr=False)
    _by_row: Mapping[tuple[str, str], tuple[Entry, ...]] = field(default_factory=dict, repr=False)
    _columns: _Columns | None = field(default=None, repr=False, compare=False)
    _spans: Mapping[str, tuple[int, int]] = field(default_factory=dict, repr=False, compare=False)  # rows by directive

    def cell(self, row: Row, agency_id: str) -> Entry | None:
        """The entry at ``row`` x ``agency_id``, or None for an empty cell."""
        return self._by_cell.get((row.key, agency_id))

    def entries_for(self, agency_id: str) -> tuple[Entry, ...]:
        """Every entry of one agency, in document order."""
        return self._by_agency.get(agency_id, ())

    def entries_in(self, row: Row) -> tuple[Entry, ...]:
        """Every entry stated at one task, in the order the text names them."""
        return self._by_row.get(row.key, ())

    def counts(self, agency_id: str) -> dict[Role, int]:
        """How many tasks the agency has per role (every role present, maybe 0)."""
        counts = {role: 0 for role in ROLES}
        for entry in self.entries_for(agency_id):
            counts[entry.role] += 1
        return counts

    def column_blocks(self) -> list[tuple[Block, tuple[Agency, ...]]]:
        """Columns grouped under their blocks, in registry order."""
        grouped: dict[str, list[Agency]] = defaultdict(list)
        for agency in self.columns:
            grouped[agency.block].append(agency)
        return [(b, tuple(grouped[b.id])) for b in self.registry.blocks if grouped.get(b.id)]

    def context(self, row: Row) -> tuple[Entry, ...]:
        """Entries that apply to ``row``: its own and those inherited from its parents.

        A sub-task named under "2. Công an tỉnh:" is Công an tỉnh's even though
        the assignment is stated once, at item 2 (the rule is :func:`matrix.core.model.inherit`).
        """
        levels = (self._by_row.get((row.directive.id, node.id), ()) for node in row.node.chain())
        return inherit(levels, lambda e: e.agency.id)

    def rows_of(self, directive_id: str) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if r.directive.id == directive_id)

    def subset(self, directive_ids: Iterable[str]) -> Matrix:
        """The same matrix restricted to some directives (columns shrink to those used): the rows and entries
        of this one, which are those a pivot of these directives alone gives."""
        wanted = set(directive_ids)
        directives = tuple(d for d in self.directives if d.id in wanted)
        spans = [self._spans[d.id] for d in directives if d.id in self._spans]
        rows = tuple(row for start, stop in spans for row in self.rows[start:stop])
        by_row = {row.key: self._by_row[row.key] for row in rows if row.key in self._by_row}
        entries = [entry for found in by_row.values() for entry in found]
        return _matrix(self.registry, directives, rows, entries, self.expanded, self.as_of, self._columns, by_row)


def build_matrix(corpus: Corpus, expand_groups: bool = False, as_of: dt.date | None = None) -> Matrix:
    """Pivot a corpus into its agency x task matrix.

    With ``expand_groups``, an assignment to a group whose members are known
    for the directive's province on its date becomes one entry per member
    existing then (``via`` the group); where a member is also named directly,
    the stronger role wins. With ``as_of`` (a consolidated view on a later
    date), a task of a body that no longer exists on ``as_of`` goes to its
    successor existing then (``was`` keeps the body the directive addressed).
    """
    return _assemble(corpus.registry, corpus.directives, expand_groups, as_of)


def _rows(directive: Directive) -> list[Row]:
    return [Row(directive, node) for node in directive.tree]


def _assemble(
    registry: Registry, directives: tuple[Directive, ...], expand: bool, as_of: dt.date | None = None
) -> Matrix:
    rows: list[Row] = []
    entries: list[Entry] = []
    for directive in directives:
        for row in _rows(directive):
            rows.append(row)
            entries.extend(_row_entries(registry, row, expand, as_of))
    return _matrix(registry, directives, tuple(rows), entries, expand, as_of)


class _Columns:
    """Where a body's column stands: its block's place in the registry, then its own (shared by subsets)."""

    def __init__(self, registry: Registry) -> None:
        order = registry.block_order()
        position = {a.id: i for i, a in enumerate(registry.agencies)}
        self.rank = {a.id: (order.get(a.block, len(order)), position[a.id]) for a in registry.agencies}

    def sort(self, agencies: Iterable[Agency]) -> tuple[Agency, ...]:
        return tuple(sorted(agencies, key=lambda a: self.rank[a.id]))


def _matrix(
    registry: Registry,
    directives: tuple[Directive, ...],
    rows: tuple[Row, ...],
    entries: list[Entry],
    expand: bool,
    as_of: dt.date | None,
    columns: _Columns | None = None,
    rows_entries: dict[tuple[str, str], tuple[Entry, ...]] | None = None,
) -> Matrix:
    """The matrix of ``entries`` (in row order); ``rows_entries``: the entries of each row, known already."""
    by_cell = {(e.row.key, e.agency.id): e for e in entries}
    by_agency: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        by_agency[entry.agency.id].append(entry)
    if rows_entries is None:
        by_row: dict[tuple[str, str], list[Entry]] = defaultdict(list)
        for entry in entries:
            by_row[entry.row.key].append(entry)
        rows_entries = {k: tuple(v) for k, v in by_row.items()}

    columns = columns or _Columns(registry)
    spans: dict[str, tuple[int, int]] = {}
    for index, row in enumerate(rows):  # a directive's rows follow one another
        start, _ = spans.get(row.directive.id, (index, index))
        spans[row.directive.id] = (start, index + 1)
    used = {e.agency.id: e.agency for e in entries}
    return Matrix(
        registry=registry,
        directives=directives,
        rows=rows,
        columns=columns.sort(used.values()),
        entries=tuple(entries),
        expanded=expand,
        as_of=as_of,
        _by_cell=by_cell,
        _by_agency={k: tuple(v) for k, v in by_agency.items()},
        _by_row=rows_entries,
        _columns=columns,
        _spans=spans,
    )


def _row_entries(registry: Registry, row: Row, expand: bool, as_of: dt.date | None = None) -> list[Entry]:
    """The entries of one task; with ``expand``, groups become their members; with ``as_of``, old bodies their successors."""
    chosen: dict[str, Entry] = {}
    for assignment in row.task.assignments:
        agency = registry.get(assignment.agency)
        members = (
            registry.members(agency, row.directive.province, row.directive.on) if expand and agency.is_group else ()
        )
        candidates = (
            [Entry(row, m, assignment.role, assignment.written, via=agency) for m in members]
            if members
            else [Entry(row, agency, assignment.role, assignment.written)]
        )
        for entry in candidates:
            if as_of is not None:
                entry = carried(registry, entry, as_of)
            current = chosen.get(entry.agency.id)
            if current is None or entry.role.rank < current.role.rank:
                chosen[entry.agency.id] = entry
    return list(chosen.values())


def carried(registry: Registry, entry: Entry, as_of: dt.date) -> Entry:
    """``entry`` given to the successor of its body existing on ``as_of`` (unchanged if the body exists or has none)."""
    now = registry.current(entry.agency, as_of)
    if now is None or now.id == entry.agency.id:
        return entry
    return Entry(entry.row, now, entry.role, entry.written, entry.via, was=entry.agency)


# --------------------------------------------------------------------------- how a task is printed
# Ids such as "2-1" (the first dash bullet of item 2) and "cuối-1" (the first unnumbered closing
# paragraph) are the encoding's, not the document's: outputs print what the document prints. The
# task tree (:class:`matrix.core.model.TaskNode`) reads the ids once; these read the tree.

_ORDINALS = ("nhất", "hai", "ba", "tư", "năm", "sáu", "bảy", "tám", "chín", "mười")


def task_kind(row: Row) -> TaskKind:
    """ "bullet" for a dash bullet, "closing" for an unnumbered closing paragraph, else "item"."""
    return row.node.kind


def task_position(row: Row) -> int:
    """The bullet's or closing paragraph's rank (0 for numbered items)."""
    return row.node.position


def ordinal(number: int) -> str:
    """ "nhất", "hai", ... as in "ý thứ nhất" (digits past ten)."""
    return _ORDINALS[number - 1] if 1 <= number <= len(_ORDINALS) else str(number)


def printed_number(row: Row) -> str:
    """The task's number as the document prints it: "2", "3.1", "a)", "-" for a bullet, "" for a closing paragraph."""
    return row.node.label


def location(row: Row, ordinals: bool = False) -> str:
    """Where a task stands in its document, in words: "mục 2", "mục 3, điểm a", "mục 2, ý 1", "đoạn cuối".

    With ``ordinals``, running text in the order of Vietnamese citations, smallest part first:
    "ý thứ nhất mục 2", "điểm a mục 3", "ý thứ hai đoạn cuối".
    """
    parts: list[str] = []
    for node in (*row.node.ancestors(), row.node):
        if node.kind == "closing":
            parts = ["đoạn cuối"]
        elif node.kind == "bullet":
            parts.append(f"ý thứ {ordinal(node.position)}" if ordinals else f"ý {node.position}")
        elif node.id.isalpha() and parts:
            parts.append(f"điểm {node.id}")
        else:
            parts = [f"mục {node.id}"]  # "3.1" already says it is under 3
    return " ".join(reversed(parts)) if ordinals else ", ".join(parts)

"""Content keys: what one output document reads, reduced to a SHA-256.

A build gives each document it plans (a letter, an extract, a workbook...) a key made of exactly the
inputs the document is rendered from: its directive's or agency's slice of the model, the registry
entries it prints, the template files, the tracking records and dates it reads, the paper and options,
and matrix's version. Two builds that give a document the same key render the same bytes, so the second
one reuses the first one's file (:mod:`matrix.build.pipeline`). The pieces are fingerprinted here, once per
build; :mod:`matrix.build.outputs` says which pieces each unit's documents read.

Fingerprints are ``repr`` of the frozen model records (deterministic: dataclasses, tuples, strings,
dates, enums), so a field added to the model is covered without touching this module. Where a writer
reads a part of a record only (the sheets print an agency's names, never its aliases), the fingerprint
takes that part, so an edit elsewhere does not re-render it. Large records are fingerprinted as digests of
their parts' digests (a task: its own fields and its sub-tasks' digests; a directive: its head and its
tasks' digests), each part written out once per build however many documents read it: as discriminating
as the record's whole ``repr`` (a part's digest changes with any of its fields), without writing out a
directive again for each of its tasks.

Texts joined into one fingerprint are joined with a character ``repr`` never writes unescaped ("\\n",
"\\0"), so that no two different lists join alike.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..core.pivot import Row
from ..input.cache import identity
from ..writers.templates import find_template

if TYPE_CHECKING:
    from ..core.model import Agency, Directive, Registry, Task, TaskNode
    from ..core.pivot import Entry, Matrix
    from ..tracking.records import Letter, Status

__all__ = ["Fingerprints", "digest"]


def digest(*parts: Any) -> str:
    """The key of ``parts``, with matrix's version and the build's fixed clock.

    Strings are hashed as they are and lists and tuples item by item, each tagged with its kind and length
    (so that no two different parts hash alike); anything else by its ``repr``. The parts are mostly texts
    already (the fingerprints below): writing them out again with ``repr`` cost a 6,000-task build a second.
    """
    sha = _base(os.environ.get("SOURCE_DATE_EPOCH", "").strip()).copy()
    _feed(sha, parts)
    return str(sha.hexdigest())


_BASES: dict[tuple[str, str], Any] = {}


def _base(epoch: str) -> Any:
    """A hash fed with matrix's version and ``epoch`` (copied for each key: they start every key)."""
    place = (__version__, epoch)
    found = _BASES.get(place)
    if found is None:
        found = hashlib.sha256()
        _feed(found, place)
        _BASES.clear()  # one version and clock at a time (tests change them)
        _BASES[place] = found
    return found


def _feed(sha: Any, part: Any) -> None:
    """Hash ``part``: its bytes tagged with kind and length (:func:`_write`), in one update."""
    out: list[bytes] = []
    _write(out, part)
    sha.update(b"".join(out))


def _write(out: list[bytes], part: Any) -> None:
    kind = type(part)
    if kind is str:
        data = part.encode("utf-8", "surrogatepass")
        out += (b"s%d:" % len(data), data)
    elif kind is list or kind is tuple:
        out.append(b"%s%d:" % (b"L" if kind is list else b"T", len(part)))
        for item in part:
            if type(item) is str:  # most items are texts: written here, without a call each
                data = item.encode("utf-8", "surrogatepass")
                out += (b"s%d:" % len(data), data)
            else:
                _write(out, item)
    else:
        data = repr(part).encode("utf-8", "surrogatepass")
        out += (b"r%d:" % len(data), data)


def _sum(*parts: Any) -> str:
    """A part's digest, inside a key (the key adds the version and the clock)."""
    sha = hashlib.sha256()
    _feed(sha, parts)
    return sha.hexdigest()


class Fingerprints:
    """Memoised fingerprints of one build's model slices (each computed once, however many keys use it).

    Each memo is by the record's ``id`` and holds the record itself, checked with ``is``: a record
    collected and another made at its address is never taken for it."""

    def __init__(self, templates: Path | None) -> None:
        self.templates = templates
        self._base = _base(os.environ.get("SOURCE_DATE_EPOCH", "").strip())
        self._entries: dict[int, tuple[Entry, str]] = {}
        self._agencies: dict[int, tuple[Agency, str]] = {}
        self._wholes: dict[int, tuple[Agency, str]] = {}
        self._directives: dict[int, tuple[Directive, str]] = {}
        self._heads: dict[int, tuple[Directive, str]] = {}
        self._files: dict[str, str] = {}
        self._views: dict[int, tuple[Matrix, str]] = {}
        self._signers: dict[int, tuple[Matrix, str]] = {}
        self._registries: dict[int, tuple[Registry, str]] = {}
        self._blocks: dict[int, tuple[Registry, str]] = {}
        self._wholes_registry: dict[int, tuple[Registry, str]] = {}
        self._rows: dict[tuple[Any, ...], list[Any]] = {}
        self._tasks: dict[int, tuple[Task, str, str]] = {}
        self._statuses: dict[int, tuple[Status, str]] = {}
        #: :meth:`row` texts known already (a previous build's, for a directive whose inputs are unchanged:
        #: :func:`matrix.build.outputs.plan_items`), by the place of :meth:`_memo`, with their directive
        self.known_rows: dict[tuple[Any, ...], tuple[Directive, str]] = {}

    def digest(self, *parts: Any) -> str:
        """:func:`digest` of ``parts`` (the version and the clock read once per build)."""
        sha = self._base.copy()
        _feed(sha, parts)
        return str(sha.hexdigest())

    def task(self, task: Task) -> tuple[str, str]:
        """A task's digest, whole (its own fields and its sub-tasks' digests), and its own fields alone as
        text (:func:`_alone`); every view's rows read the same tasks, so each is written out once."""
        found = self._tasks.get(id(task))
        if found is None or found[0] is not task:
            alone = _alone(task)
            found = (task, _sum("task", alone, [self.task(sub)[0] for sub in task.tasks]), alone)
            self._tasks[id(task)] = found
        return found[1], found[2]

    def directive(self, directive: Directive) -> str:
        """The whole directive: its fields and every task (text, tree, assignments, dates). A directive the loader
        read with its cache is named fully by the digest of its content its entry keeps
        (:func:`matrix.input.cache.identity`: made once, when the entry was), taken instead of hashing every task
        (a build of 300 directives spent a third of a second on it)."""
        found = self._directives.get(id(directive))
        if found is None or found[0] is not directive:
            loaded = identity(directive)
            if loaded is not None:
                found = (directive, _sum("loaded directive", loaded))
            else:
                found = (directive, _sum("directive", self.head(directive), [self.task(t)[0] for t in directive.tasks]))
            self._directives[id(directive)] = found
        return found[1]

    def head(self, directive: Directive) -> str:
        """A directive without its tasks: what a letter citing it or signed like it prints."""
        found = self._heads.get(id(directive))
        if found is None or found[0] is not directive:
            fields = [(f.name, getattr(directive, f.name)) for f in dataclasses.fields(directive) if f.name != "tasks"]
            found = (directive, _sum("head", fields))
            self._heads[id(directive)] = found
        return found[1]

    def template(self, name: str) -> str:
        """The bytes of the template file ``name`` found on the search path (the clerk's folder first)."""
        path = find_template(name, self.templates)
        key = f"{path}"
        if key not in self._files:
            self._files[key] = hashlib.sha256(path.read_bytes()).hexdigest()
        return self._files[key]

    def places(self, registry: Registry) -> str:
        """The province names of the registry (headers and date lines print them)."""
        found = self._registries.get(id(registry))
        if found is None or found[0] is not registry:
            found = (registry, _sum("places", sorted(registry.provinces.items())))
            self._registries[id(registry)] = found
        return found[1]

    def registry(self, registry: Registry) -> str:
        """The whole registry: blocks, every agency whole (names, aliases, members, dates), provinces, mergers."""
        found = self._wholes_registry.get(id(registry))
        if found is None or found[0] is not registry:
            found = (registry, _sum("registry", repr(registry)))
            self._wholes_registry[id(registry)] = found
        return found[1]

    def blocks(self, registry: Registry) -> str:
        """The registry's blocks (the sheets group their columns under them)."""
        found = self._blocks.get(id(registry))
        if found is None or found[0] is not registry:
            found = (registry, _sum("blocks", registry.blocks))
            self._blocks[id(registry)] = found
        return found[1]

    def entry(self, e: Entry) -> str:
        """One marked cell: where, in which role, as written, who, through which group or predecessor (agencies
        as :meth:`printed`), as text; an entry is shared by every view that shows it."""
        found = self._entries.get(id(e))
        if found is None or found[0] is not e:
            via, was = e.via, e.was
            text = "\0".join(
                (
                    repr((e.row.key, e.role._value_, e.written)),  # _value_: .value is slow
                    self.printed(e.agency),
                    self.printed(via) if via is not None else "",
                    self.printed(was) if was is not None else "",
                )
            )
            found = (e, text)
            self._entries[id(e)] = found
        return found[1]

    def printed(self, agency: Agency) -> str:
        """An agency as the sheets print it (:func:`printed`), as text."""
        found = self._agencies.get(id(agency))
        if found is None or found[0] is not agency:
            found = (agency, repr(printed(agency)))
            self._agencies[id(agency)] = found
        return found[1]

    def agency(self, agency: Agency) -> str:
        """An agency whole: its names, aliases, members and dates, as text."""
        found = self._wholes.get(id(agency))
        if found is None or found[0] is not agency:
            found = (agency, repr(agency))
            self._wholes[id(agency)] = found
        return found[1]

    def status(self, s: Status) -> str:
        """One assignment's state on the build date, with the reports it was assessed from, as text."""
        found = self._statuses.get(id(s))
        if found is None or found[0] is not s:
            rest = repr((s.state._value_, s.as_of, s.deadline, s.next_due, s.missed, s.records))
            found = (s, f"{self.entry(s.entry)}\0{rest}")
            self._statuses[id(s)] = found
        return found[1]

    def statuses(self, statuses: Iterable[Status]) -> str:
        """:meth:`status` of each, as one text."""
        return "\n".join(self.status(s) for s in statuses)

    def view(self, view: Matrix) -> str:
        """A whole view as the sheets and tables print it: directives, columns by block, every entry."""
        found = self._views.get(id(view))
        if found is None or found[0] is not view:
            columns = "\n".join(self.printed(a) for a in view.columns)
            entries = "\n".join(self.entry(e) for e in view.entries)
            found = (
                view,
                _sum(
                    "view",
                    [self.directive(d) for d in view.directives],
                    columns,
                    entries,
                    self.blocks(view.registry),
                    self.places(view.registry),
                    view.expanded,
                    view.as_of,
                ),
            )
            self._views[id(view)] = found
        return found[1]

    def heads(self, view: Matrix) -> str:
        """The heads of every directive of ``view`` (:meth:`head`): a letter of the view is headed and signed
        like them."""
        found = self._signers.get(id(view))
        if found is None or found[0] is not view:
            found = (view, _sum("heads", [self.head(d) for d in view.directives]))
            self._signers[id(view)] = found
        return found[1]

    def addressee(self, view: Matrix, agency: Agency) -> list[str]:
        """What a document of ``view`` addressed to ``agency`` reads: the agency (aliases too: a letter leaves
        the addressee out of its copies by any of its names), its entries, the tasks they stand on with what
        the letter prints of them (:meth:`row`), the heads and signers of every directive of the view (the
        letter is headed and signed like them)."""
        own = view.entries_for(agency.id)
        entry, row = self.entry, self.row
        return [
            self.agency(agency),
            "\n".join([entry(e) for e in own]),
            "\n".join(dict.fromkeys([row(view, e.row) for e in own])),
            self.heads(view),
            self.places(view.registry),
        ]

    def row(self, view: Matrix, row: Row) -> str:
        """One task as a letter prints it: the task with every sub-task (texts, dates, targets), the numbers,
        kinds and places of the task, its parents and its sub-tasks in the tree, the parents' own fields (not
        their other sub-tasks), and every entry on them (who leads, who helps). A task edited elsewhere in the
        directive does not change it."""
        directive, node = row.directive, row.node
        if self.known_rows:
            known = self.known_rows.get(memo_place(view, directive, node))
            if known is not None and known[0] is directive:
                return known[1]
        found = self._memo(view, directive, node)
        if found[2] is None:
            chain = [self._memo(view, directive, n) for n in node.ancestors()]
            text = _sum(
                "row",
                directive.id,
                [(_node(n), self.task(n.task)[1], memo[3]) for n, memo in zip(node.ancestors(), chain, strict=True)],
                self.task(node.task)[0],
                self._below(view, directive, node),
            )
            found[2] = text
        return str(found[2])

    def _memo(self, view: Matrix, directive: Directive, node: TaskNode) -> list[Any]:
        """The memo of one task of ``view``: [directive, registry, its row (:meth:`row`, None until asked), the
        entries on it as text, its sub-tree (:meth:`_below`, None until asked)]."""
        # a task's entries are the pivot's of that task alone (registry, grouping, names' date), the same in each
        # view built on those: the letters of a directive and the consolidated extracts share the text
        registry = view.registry
        where = memo_place(view, directive, node)
        memo = self._rows.get(where)
        if memo is None or memo[0] is not directive or memo[1] is not registry:
            entries = "\n".join([self.entry(e) for e in view.entries_in(Row(directive, node))])
            memo = [directive, registry, None, entries, None]
            self._rows[where] = memo
        return memo

    def rows(self, view: Matrix, directive: Directive) -> dict[str, str]:
        """The :meth:`row` texts of ``directive``'s tasks in ``view`` worked out or known so far, by task id."""
        found = {}
        for node in directive.tree:
            where = memo_place(view, directive, node)
            memo = self._rows.get(where)
            if memo is not None and memo[0] is directive and memo[1] is view.registry and memo[2] is not None:
                found[node.task.id] = str(memo[2])
            else:
                known = self.known_rows.get(where)
                if known is not None and known[0] is directive:
                    found[node.task.id] = known[1]
        return found

    def _below(self, view: Matrix, directive: Directive, node: TaskNode) -> str:
        """A task's sub-tree as the documents print it: its place in the tree, the entries on it, and each
        sub-task's sub-tree."""
        memo = self._memo(view, directive, node)
        if memo[4] is None:
            memo[4] = _sum("below", _node(node), memo[3], [self._below(view, directive, n) for n in node.children])
        return str(memo[4])


def memo_place(view: Matrix, directive: Directive, node: TaskNode) -> tuple[Any, ...]:
    """Where a task's memo is kept (:meth:`Fingerprints._memo`): its entries are the pivot's of that task alone,
    with the registry, the grouping and the names' date, the same in every view built on those."""
    return (id(directive), node.task.id, id(view.registry), view.expanded, view.as_of)


def _node(node: TaskNode) -> str:
    """A task's place in its tree as the documents print it: id, kind, rank, depth, printed number."""
    return repr((node.task.id, node.kind, node.position, node.depth, node.label))


def _alone(task: Task) -> str:
    """A task's own fields, without its sub-tasks."""
    names = _FIELDS.get(type(task))
    if names is None:
        names = _FIELDS[type(task)] = tuple(f.name for f in dataclasses.fields(task) if f.name != "tasks")
    return repr([(name, getattr(task, name)) for name in names])


_FIELDS: dict[type, tuple[str, ...]] = {}  # the fields of a task but its sub-tasks, by the task's class


def printed(agency: Agency) -> tuple[Any, ...]:
    """An agency as the sheets print it (names, block, kind, province, dates), not its aliases or members."""
    return (
        agency.id,
        agency.name,
        agency.short,
        agency.block,
        agency.requested,
        agency.is_group,
        agency.province,
        agency.valid_from,
        agency.valid_to,
        agency.successor,
    )


def letters(sent: Iterable[Letter]) -> tuple[Any, ...]:
    return tuple(repr(x) for x in sent)

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
takes that part, so an edit elsewhere does not re-render it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..core.pivot import Row
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
    sha = hashlib.sha256()
    _feed(sha, (__version__, os.environ.get("SOURCE_DATE_EPOCH", "").strip()))
    _feed(sha, parts)
    return sha.hexdigest()


def _feed(sha: Any, part: Any) -> None:
    kind = type(part)
    if kind is str:
        data = part.encode("utf-8", "surrogatepass")
        sha.update(b"s%d:" % len(data))
        sha.update(data)
    elif kind is list or kind is tuple:
        sha.update(b"%s%d:" % (b"L" if kind is list else b"T", len(part)))
        for item in part:
            _feed(sha, item)
    else:
        data = repr(part).encode("utf-8", "surrogatepass")
        sha.update(b"r%d:" % len(data))
        sha.update(data)


class Fingerprints:
    """Memoised fingerprints of one build's model slices (each computed once, however many keys use it)."""

    def __init__(self, templates: Path | None) -> None:
        self.templates = templates
        self._entries: dict[int, tuple[Entry, str]] = {}
        self._agencies: dict[int, tuple[Agency, str]] = {}
        self._directives: dict[int, tuple[Directive, str]] = {}
        self._heads: dict[int, tuple[Directive, str]] = {}
        self._files: dict[str, str] = {}
        self._views: dict[int, tuple[Matrix, str]] = {}
        self._registries: dict[int, tuple[Registry, str]] = {}
        self._rows: dict[tuple[Any, ...], tuple[Directive, Registry, str]] = {}
        self._tasks: dict[int, tuple[Task, str, str]] = {}

    def task(self, task: Task) -> tuple[str, str]:
        """A task as text: whole (with its sub-tasks), and its own fields alone (:func:`_alone`); every view's
        rows read the same tasks, so each is written out once."""
        found = self._tasks.get(id(task))
        if found is None or found[0] is not task:
            found = (task, repr(task), _alone(task))
            self._tasks[id(task)] = found
        return found[1], found[2]

    def directive(self, directive: Directive) -> str:
        """The whole directive: its fields and every task (text, tree, assignments, dates)."""
        found = self._directives.get(id(directive))
        if found is None or found[0] is not directive:
            found = (directive, digest("directive", repr(directive)))
            self._directives[id(directive)] = found
        return found[1]

    def head(self, directive: Directive) -> str:
        """A directive without its tasks: what a letter citing it or signed like it prints."""
        found = self._heads.get(id(directive))
        if found is None or found[0] is not directive:
            fields = [(f.name, getattr(directive, f.name)) for f in dataclasses.fields(directive) if f.name != "tasks"]
            found = (directive, digest("head", fields))
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
            found = (registry, digest("places", sorted(registry.provinces.items())))
            self._registries[id(registry)] = found
        return found[1]

    def entry(self, e: Entry) -> str:
        """One marked cell (:func:`entry`), as text; an entry is shared by every view that shows it."""
        found = self._entries.get(id(e))
        if found is None or found[0] is not e:
            found = (e, repr(entry(e, self.printed)))
            self._entries[id(e)] = found
        return found[1]

    def printed(self, agency: Agency) -> str:
        """An agency as the sheets print it (:func:`printed`), as text."""
        found = self._agencies.get(id(agency))
        if found is None or found[0] is not agency:
            found = (agency, repr(printed(agency)))
            self._agencies[id(agency)] = found
        return found[1]

    def status(self, s: Status) -> str:
        """One assignment's state on the build date, with the reports it was assessed from."""
        return repr((self.entry(s.entry), s.state.value, s.as_of, s.deadline, s.next_due, s.missed, s.records))

    def view(self, view: Matrix) -> str:
        """A whole view as the sheets and tables print it: directives, columns by block, every entry."""
        found = self._views.get(id(view))
        if found is None or found[0] is not view:
            columns = "\n".join(self.printed(a) for a in view.columns)
            entries = "\n".join(self.entry(e) for e in view.entries)
            found = (
                view,
                digest(
                    "view",
                    [self.directive(d) for d in view.directives],
                    columns,
                    entries,
                    view.registry.blocks,
                    self.places(view.registry),
                    view.expanded,
                    view.as_of,
                ),
            )
            self._views[id(view)] = found
        return found[1]

    def addressee(self, view: Matrix, agency: Agency) -> list[Any]:
        """What a document of ``view`` addressed to ``agency`` reads: the agency (aliases too: a letter leaves
        the addressee out of its copies by any of its names), its entries, the tasks they stand on with what
        the letter prints of them (:meth:`row`), the heads and signers of every directive of the view (the
        letter is headed and signed like them)."""
        own = view.entries_for(agency.id)
        return [
            repr(agency),
            "\n".join(self.entry(e) for e in own),
            "\n".join(dict.fromkeys(self.row(view, e.row) for e in own)),
            [self.head(d) for d in view.directives],
            self.places(view.registry),
        ]

    def row(self, view: Matrix, row: Row) -> str:
        """One task as a letter prints it: the task with every sub-task (texts, dates, targets), the numbers,
        kinds and places of the task, its parents and its sub-tasks in the tree, the parents' own fields (not
        their other sub-tasks), and every entry on them (who leads, who helps). A task edited elsewhere in the
        directive does not change it."""
        # a task's entries are the pivot's of that task alone (registry, grouping, names' date), the same in each
        # view built on those: the letters of a directive and the consolidated extracts share the text
        place = (id(row.directive), row.key, id(view.registry), view.expanded, view.as_of)
        memo = self._rows.get(place)
        if memo is not None and memo[0] is row.directive and memo[1] is view.registry:
            return memo[2]
        chain = (*row.node.ancestors(), row.node)
        below = tuple(row.node.descendants())
        entries = [self.entry(e) for n in (*chain, *below) for e in view.entries_in(Row(row.directive, n))]
        found = digest(
            "row",
            row.directive.id,
            [(_node(n), self.task(n.task)[1]) for n in chain],
            self.task(row.task)[0],
            [_node(n) for n in below],
            entries,
        )
        self._rows[place] = (row.directive, view.registry, found)
        return found


def _node(node: TaskNode) -> tuple[Any, ...]:
    """A task's place in its tree as the documents print it: id, kind, rank, depth, printed number."""
    return (node.task.id, node.kind, node.position, node.depth, node.label)


def _alone(task: Task) -> str:
    """A task's own fields, without its sub-tasks."""
    return repr([(f.name, getattr(task, f.name)) for f in dataclasses.fields(task) if f.name != "tasks"])


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


def entry(e: Entry, printed: Callable[[Agency], Any] = printed) -> tuple[Any, ...]:
    """One marked cell: where, who, in which role, as written, through which group or predecessor."""
    return (
        e.row.key,
        printed(e.agency),
        e.role.value,
        e.written,
        printed(e.via) if e.via is not None else None,
        printed(e.was) if e.was is not None else None,
    )


def letters(sent: Iterable[Letter]) -> tuple[Any, ...]:
    return tuple(repr(x) for x in sent)

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


PART_LENGTH = 32  # hex digits of a directive's part (:func:`_part`): 128 bits


def _part(*parts: Any) -> str:
    """A directive's part of a consolidated key (:meth:`Fingerprints.entries_part` and the like), which the
    manifest keeps for the next build: the first 128 bits of the SHA-256 of ``parts``. Short, because the
    manifest holds some 20,000 of them; safe, because a part is only ever compared within the SHA-256 key it
    is a part of, and two different contents of one part share a 128-bit prefix by accident with a chance of
    about n^2 / 2^129 over n parts ever made (a build makes 10^4 to 10^5)."""
    return _sum(*parts)[:PART_LENGTH]


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
        #: :func:`matrix.build.outputs.plan_items`), by task id, by :func:`part_place`, with their directive
        self.known_rows: dict[tuple[Any, ...], tuple[Directive, dict[str, str]]] = {}
        # a directive's parts of the consolidated keys (:meth:`entries_part`, :meth:`addressee_parts`,
        # :meth:`statuses_part`, :meth:`overdue_parts`), worked out, by :func:`part_place` (the statuses': and the
        # statuses' tuple), each with its directive (and registry or statuses) checked with ``is``
        self._entry_parts: dict[tuple[Any, ...], tuple[Directive, Registry, str]] = {}
        self._addressee_parts: dict[tuple[Any, ...], tuple[Directive, Registry, dict[str, str]]] = {}
        self._status_parts: dict[tuple[Any, ...], tuple[Directive, tuple[Status, ...], str]] = {}
        self._overdue_parts: dict[tuple[Any, ...], tuple[Directive, tuple[Status, ...], dict[str, str]]] = {}
        self._dates: dict[int, tuple[tuple[Status, ...], list[str]]] = {}
        self._rowed: set[tuple[Any, ...]] = set()  # the part places some task memo of was made for (:meth:`_memo`)
        self._view_rows: dict[int, tuple[Matrix, dict[str, list[Row]]]] = {}
        self._view_addressees: dict[int, tuple[Matrix, dict[str, str]]] = {}
        self._runs: dict[int, tuple[tuple[Status, ...], dict[str, tuple[Directive, list[Status]]] | None]] = {}
        #: the same parts known already: a previous build's, for a directive whose part inputs
        #: (:meth:`parts_inputs`, :meth:`status_inputs`) are those recorded with them (:func:`plan_items
        #: <matrix.build.outputs.plan_items>`), by the same places, with their directive
        self.known_entries: dict[tuple[Any, ...], tuple[Directive, str]] = {}
        self.known_heads: dict[int, tuple[Directive, str]] = {}  # :meth:`head`, by the directive's id
        #: the reminder letters as keys read them (:meth:`matrix.build.outputs.Reminders.letters`), with the
        #: digest of what they are planned from: the previous build's, and this one's
        self.known_letters: tuple[str, Any] | None = None
        self.letters: tuple[str, Any] | None = None
        self.known_addressees: dict[tuple[Any, ...], tuple[Directive, dict[str, str]]] = {}
        self.known_statuses: dict[tuple[Any, ...], tuple[Directive, str]] = {}
        self.known_overdue: dict[tuple[Any, ...], tuple[Directive, dict[str, str]]] = {}

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
            found = self.known_heads.get(id(directive))
        if found is None or found[0] is not directive:
            names = _FIELDS.get(type(directive))
            if names is None:
                names = _FIELDS[type(directive)] = tuple(
                    f.name for f in dataclasses.fields(directive) if f.name != "tasks"
                )
            found = (directive, _sum("head", repr([(name, getattr(directive, name)) for name in names])))
            self._heads[id(directive)] = found
        return found[1]

    def template(self, name: str) -> str:
        """The bytes of the template file ``name`` found on the search path (the clerk's folder first), looked for
        and read once a build (every view's keys read the same few)."""
        found = self._files.get(name)
        if found is None:
            found = self._files[name] = hashlib.sha256(find_template(name, self.templates).read_bytes()).hexdigest()
        return found

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
        """A whole view as the sheets and tables print it: directives, columns by block, every entry (each
        directive's as one part: :meth:`entries_part`)."""
        found = self._views.get(id(view))
        if found is None or found[0] is not view:
            columns = "\n".join(self.printed(a) for a in view.columns)
            found = (
                view,
                _sum(
                    "view",
                    [self.directive(d) for d in view.directives],
                    columns,
                    [self.entries_part(view, d) for d in view.directives],
                    self.blocks(view.registry),
                    self.places(view.registry),
                    view.expanded,
                    view.as_of,
                ),
            )
            self._views[id(view)] = found
        return found[1]

    def entries_part(self, view: Matrix, directive: Directive) -> str:
        """Every entry of ``directive`` in ``view`` (:meth:`entry`, in the view's order), as one part. They are the
        pivot of that directive alone with the view's registry, grouping and names' date
        (:func:`matrix.core.pivot.build_matrix` pivots task by task): the same in every view built on those."""
        place = part_place(view, directive)
        found = self._entry_parts.get(place)
        if found is None or found[0] is not directive or found[1] is not view.registry:
            known = self.known_entries.get(place)
            if known is not None and known[0] is directive:
                text = known[1]
            else:
                entry = self.entry
                rows = self._rows_of(view, directive)
                text = _part("entries", "\n".join([entry(e) for row in rows for e in view.entries_in(row)]))
            found = self._entry_parts[place] = (directive, view.registry, text)
        return found[2]

    def _rows_of(self, view: Matrix, directive: Directive) -> list[Row]:
        """The rows of ``directive`` in ``view``, in order (the view's rows grouped by directive once)."""
        if len(view.directives) == 1:
            return list(view.rows) if view.directives[0] is directive else []
        found = self._view_rows.get(id(view))
        if found is None or found[0] is not view:
            grouped: dict[str, list[Row]] = {}
            for row in view.rows:
                grouped.setdefault(row.key[0], []).append(row)
            found = self._view_rows[id(view)] = (view, grouped)
        return found[1].get(directive.id, [])

    def addressee_parts(self, view: Matrix, directive: Directive, anew: bool = False) -> dict[str, str]:
        """What a document of ``view`` addressed to an agency reads of ``directive`` (:meth:`addressee`), by agency
        id: the agency's entries on its tasks (:meth:`entry`) and those tasks as a letter prints them
        (:meth:`row`), as one part. ``anew``: worked out even when known (a known one lacking an agency)."""
        place = part_place(view, directive)
        found = self._addressee_parts.get(place)
        if anew or found is None or found[0] is not directive or found[1] is not view.registry:
            known = None if anew else self.known_addressees.get(place)
            if known is not None and known[0] is directive:
                parts = known[1]
            else:
                own: dict[str, list[Entry]] = {}
                for r in self._rows_of(view, directive):
                    for e in view.entries_in(r):
                        own.setdefault(e.agency.id, []).append(e)
                entry, row = self.entry, self.row
                parts = {
                    agency: _part(
                        "addressee",
                        "\n".join([entry(e) for e in entries]),
                        "\n".join(dict.fromkeys([row(view, e.row) for e in entries])),
                    )
                    for agency, entries in own.items()
                }
            found = self._addressee_parts[place] = (directive, view.registry, parts)
        return found[2]

    def _addressees(self, view: Matrix) -> dict[str, str]:
        """The parts (:meth:`addressee_parts`) of each agency of ``view``, by agency id, for each directive it has
        an entry in, in the view's order, joined (each of :data:`PART_LENGTH`: no two lists join alike). Which
        directives those are is read from the view, never from a known part: a known part that lacks one of them
        is worked out again."""
        found = self._view_addressees.get(id(view))
        if found is None or found[0] is not view:
            out: dict[str, str] = {}
            by_id = {d.id: d for d in view.directives}
            of: dict[str, dict[str, str]] = {}  # each directive's parts, by directive id
            for agency in view.columns:
                parts = []
                for directive_id in dict.fromkeys([e.row.key[0] for e in view.entries_for(agency.id)]):
                    found_parts = of.get(directive_id)
                    if found_parts is None:
                        found_parts = of[directive_id] = self.addressee_parts(view, by_id[directive_id])
                    part = found_parts.get(agency.id)
                    if part is None:
                        found_parts = of[directive_id] = self.addressee_parts(view, by_id[directive_id], anew=True)
                        part = found_parts[agency.id]
                    parts.append(part)
                out[agency.id] = "".join(parts)
            found = self._view_addressees[id(view)] = (view, out)
        return found[1]

    def runs(self, statuses: tuple[Status, ...]) -> dict[str, tuple[Directive, list[Status]]] | None:
        """``statuses`` cut by directive, by directive id: each directive's in their order. None when a directive's
        statuses do not follow one another (:func:`matrix.tracking.records.assess` gives them in document order,
        directive by directive: its parts compose the whole only then)."""
        found = self._runs.get(id(statuses))
        if found is None or found[0] is not statuses:
            out: dict[str, tuple[Directive, list[Status]]] | None = {}
            last: Directive | None = None
            run: list[Status] = []
            for s in statuses:
                directive = s.entry.row.directive
                if directive is not last:
                    assert out is not None
                    if directive.id in out:
                        out = None
                        break
                    run = []
                    out[directive.id] = (directive, run)
                    last = directive
                run.append(s)
            found = self._runs[id(statuses)] = (statuses, out)
        return found[1]

    def status_dates(self, statuses: tuple[Status, ...]) -> list[str]:
        """The dates ``statuses`` are assessed on (one: the status date, in a build), as text."""
        found = self._dates.get(id(statuses))
        if found is None or found[0] is not statuses:
            found = self._dates[id(statuses)] = (statuses, sorted(repr(day) for day in {s.as_of for s in statuses}))
        return found[1]

    def status_inputs(self, statuses: tuple[Status, ...], directive: Directive, parts: str, as_of: Any) -> str | None:
        """What the status parts of ``directive`` (:meth:`statuses_part`, :meth:`overdue_parts`) read besides its
        part inputs ``parts`` (:meth:`parts_inputs`: the directive, the registry, the grouping, the names' date,
        the version): the status date ``as_of`` and the reports each of its statuses was assessed from (and its
        date where not ``as_of``), by place. None when ``statuses`` are not cut by directive (:meth:`runs`)."""
        runs = self.runs(statuses)
        if runs is None:
            return None
        run = runs.get(directive.id, (directive, []))[1]
        read = [(n, repr(s.records), repr(s.as_of)) for n, s in enumerate(run) if s.records or s.as_of != as_of]
        return self.digest("status inputs", parts, repr(as_of), read)[:PART_LENGTH]

    def parts_inputs(self, directive: Directive, views: Iterable[Matrix]) -> str:
        """What every part of ``directive`` in ``views`` reads but the tracking: the directive whole, each view's
        registry whole, grouping and names' date (its entries are the pivot of the directive alone with those),
        and, through :meth:`digest`, matrix's version and the clock."""
        places = [(self.registry(v.registry), v.expanded, repr(v.as_of)) for v in views]
        return self.digest("parts inputs", self.directive(directive), places)[:PART_LENGTH]

    def statuses_part(self, statuses: tuple[Status, ...], directive: Directive) -> str:
        """The statuses of ``directive`` among ``statuses`` (:meth:`status`, in order), as one part."""
        place = (id(directive), id(statuses))
        found = self._status_parts.get(place)
        if found is None or found[0] is not directive or found[1] is not statuses:
            known = self.known_statuses.get(place)
            if known is not None and known[0] is directive:
                text = known[1]
            else:
                runs = self.runs(statuses) or {}
                run = runs.get(directive.id, (directive, []))[1]
                text = _part("statuses", "\n".join([self.status(s) for s in run]))
            found = self._status_parts[place] = (directive, statuses, text)
        return found[2]

    def statuses_digest(self, statuses: tuple[Status, ...]) -> list[str] | str:
        """Every status of ``statuses``: each directive's as a part (:meth:`statuses_part`), in order; all as one
        text (:meth:`statuses`) when they are not cut by directive (:meth:`runs`)."""
        runs = self.runs(statuses)
        if runs is None:
            return self.statuses(statuses)
        return [f"{d.id}\0{self.statuses_part(statuses, d)}" for d, _ in runs.values()]

    def overdue_parts(
        self, view: Matrix, statuses: tuple[Status, ...], directive: Directive, anew: bool = False
    ) -> dict[str, str]:
        """What the đôn đốc letter to an agency reads of ``directive`` (:class:`matrix.writers.reminders.Reminder`),
        by agency id: its overdue statuses of the directive (:meth:`status`, in order) and their tasks as the
        letters of ``view`` print them (:meth:`row`), as one part. ``anew``: worked out even when known."""
        place = (id(directive), id(statuses), *part_place(view, directive)[1:])
        found = self._overdue_parts.get(place)
        if anew or found is None or found[0] is not directive or found[1] is not statuses:
            known = None if anew else self.known_overdue.get(place)
            if known is not None and known[0] is directive:
                parts = known[1]
            else:
                runs = self.runs(statuses) or {}
                late: dict[str, list[Status]] = {}
                for s in runs.get(directive.id, (directive, []))[1]:
                    if s.overdue_since is not None:  # what plan_reminders puts in a letter
                        late.setdefault(s.entry.agency.id, []).append(s)
                status, row = self.status, self.row
                parts = {
                    agency: _part(
                        "overdue", "\n".join([status(s) for s in own]), "\n".join([row(view, s.entry.row) for s in own])
                    )
                    for agency, own in late.items()
                }
            found = self._overdue_parts[place] = (directive, statuses, parts)
        return found[2]

    def recorded_parts(self, view: Matrix, statuses: tuple[Status, ...], directive: Directive) -> dict[str, Any]:
        """The parts of ``directive`` in the consolidated ``view`` worked out or known so far (for the next build):
        "e" :meth:`entries_part`, "a" :meth:`addressee_parts`, "s" :meth:`statuses_part`, "r"
        :meth:`overdue_parts`; "h" its :meth:`head`."""
        place = part_place(view, directive)
        out: dict[str, Any] = {}
        head = self._heads.get(id(directive)) or self.known_heads.get(id(directive))
        if head is not None and head[0] is directive:
            out["h"] = head[1]
        for name, memo, known, where in (
            ("e", self._entry_parts, self.known_entries, place),
            ("a", self._addressee_parts, self.known_addressees, place),
            ("s", self._status_parts, self.known_statuses, (id(directive), id(statuses))),
            ("r", self._overdue_parts, self.known_overdue, (id(directive), id(statuses), *place[1:])),
        ):
            found = memo.get(where)
            if found is not None and found[0] is directive:
                out[name] = found[2]
                continue
            taken = known.get(where)
            if taken is not None and taken[0] is directive:
                out[name] = taken[1]
        return out

    def heads(self, view: Matrix) -> str:
        """The heads of every directive of ``view`` (:meth:`head`): a letter of the view is headed and signed
        like them."""
        found = self._signers.get(id(view))
        if found is None or found[0] is not view:
            found = (view, _sum("heads", "".join(map(self.head, view.directives))))  # each of 64 hex digits
            self._signers[id(view)] = found
        return found[1]

    def addressee(self, view: Matrix, agency: Agency) -> list[Any]:
        """What a document of ``view`` addressed to ``agency`` reads: the agency (aliases too: a letter leaves
        the addressee out of its copies by any of its names), its entries and the tasks they stand on with what
        the letter prints of them (each directive's as one part: :meth:`addressee_parts`), the heads and signers
        of every directive of the view (the letter is headed and signed like them)."""
        return [
            self.agency(agency),
            self._addressees(view).get(agency.id, ""),
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
            known = self.known_rows.get(part_place(view, directive))
            if known is not None and known[0] is directive:
                text = known[1].get(node.task.id)
                if text is not None:
                    return text
        found = self._memo(view, directive, node)
        if found[2] is None:
            chain = [self._memo(view, directive, n) for n in node.ancestors()]
            text = _part(
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
            self._rowed.add(part_place(view, directive))
        return memo

    def rows(self, view: Matrix, directive: Directive) -> dict[str, str]:
        """The :meth:`row` texts of ``directive``'s tasks in ``view`` worked out or known so far, by task id."""
        place = part_place(view, directive)
        known = self.known_rows.get(place)
        texts = known[1] if known is not None and known[0] is directive else {}
        if place not in self._rowed:  # none worked out: the known ones (those of this directive's tree)
            return texts
        found = {}
        for node in directive.tree:
            memo = self._rows.get(memo_place(view, directive, node))
            if memo is not None and memo[0] is directive and memo[1] is view.registry and memo[2] is not None:
                found[node.task.id] = str(memo[2])
            else:
                text = texts.get(node.task.id)
                if text is not None:
                    found[node.task.id] = text
        return found

    def _below(self, view: Matrix, directive: Directive, node: TaskNode) -> str:
        """A task's sub-tree as the documents print it: its place in the tree, the entries on it, and each
        sub-task's sub-tree."""
        memo = self._memo(view, directive, node)
        if memo[4] is None:
            memo[4] = _sum("below", _node(node), memo[3], [self._below(view, directive, n) for n in node.children])
        return str(memo[4])


def part_place(view: Matrix, directive: Directive) -> tuple[Any, ...]:
    """Where a directive's parts of ``view`` are kept (:meth:`Fingerprints.entries_part`): its entries are the
    pivot of that directive alone, with the registry, the grouping and the names' date."""
    return (id(directive), id(view.registry), view.expanded, view.as_of)


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

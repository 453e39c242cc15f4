"""Content keys: what one output document reads, reduced to a SHA-256.

A build gives each document it plans (a letter, an extract, a workbook...) a key made of exactly the
inputs the document is rendered from: its directive's or agency's slice of the model, the registry
entries it prints, the template files, the tracking records and dates it reads, the paper and options,
and matrix's version. Two builds that give a document the same key render the same bytes, so the second
one reuses the first one's file (:mod:`matrix.build`). The pieces are fingerprinted here, once per
build; :mod:`matrix.outputs` says which pieces each unit's documents read.

Fingerprints are ``repr`` of the frozen model records (deterministic: dataclasses, tuples, strings,
dates, enums), so a field added to the model is covered without touching this module. Where a writer
reads a part of a record only (the sheets print an agency's names, never its aliases), the fingerprint
takes that part, so an edit elsewhere does not re-render it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .templates import find_template

if TYPE_CHECKING:
    from .model import Agency, Directive
    from .pivot import Entry, Matrix
    from .tracking import Letter, Status

__all__ = ["Fingerprints", "digest"]


def digest(*parts: Any) -> str:
    """The key of ``parts`` (their ``repr``, with matrix's version and the build's fixed clock)."""
    text = repr((__version__, os.environ.get("SOURCE_DATE_EPOCH", "").strip(), parts))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class Fingerprints:
    """Memoised fingerprints of one build's model slices (each computed once, however many keys use it)."""

    def __init__(self, templates: Path | None) -> None:
        self.templates = templates
        self._directives: dict[int, tuple[Directive, str]] = {}
        self._heads: dict[int, tuple[Directive, str]] = {}
        self._files: dict[str, str] = {}
        self._views: dict[int, tuple[Matrix, str]] = {}

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

    def view(self, view: Matrix) -> str:
        """A whole view as the sheets and tables print it: directives, columns by block, every entry."""
        found = self._views.get(id(view))
        if found is None or found[0] is not view:
            columns = [printed(a) for a in view.columns]
            entries = [entry(e) for e in view.entries]
            found = (
                view,
                digest(
                    "view",
                    [self.directive(d) for d in view.directives],
                    columns,
                    entries,
                    view.registry.blocks,
                    sorted(view.registry.provinces.items()),
                    view.expanded,
                    view.as_of,
                ),
            )
            self._views[id(view)] = found
        return found[1]

    def addressee(self, view: Matrix, agency: Agency) -> list[Any]:
        """What a document of ``view`` addressed to ``agency`` reads: the agency (aliases too: a letter leaves
        the addressee out of its copies by any of its names), its entries, the directives that hold them, the
        heads and signers of every directive of the view (the letter is headed and signed like them)."""
        own = view.entries_for(agency.id)
        holding = list(dict.fromkeys(e.row.directive.id for e in own))
        by_id = {d.id: d for d in view.directives}
        return [
            repr(agency),
            [entry(e) for e in own],
            [self.directive(by_id[d]) for d in holding if d in by_id],
            [self.head(d) for d in view.directives],
            sorted(view.registry.provinces.items()),
        ]


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


def entry(e: Entry) -> tuple[Any, ...]:
    """One marked cell: where, who, in which role, as written, through which group or predecessor."""
    return (
        e.row.key,
        printed(e.agency),
        e.role.value,
        e.written,
        printed(e.via) if e.via is not None else None,
        printed(e.was) if e.was is not None else None,
    )


def status(s: Status) -> tuple[Any, ...]:
    """One assignment's state on the build date, with the reports it was assessed from."""
    return (entry(s.entry), s.state.value, s.as_of, s.deadline, s.next_due, s.missed, s.records)


def letters(sent: Iterable[Letter]) -> tuple[Any, ...]:
    return tuple(repr(x) for x in sent)

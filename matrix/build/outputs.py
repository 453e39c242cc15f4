"""The outputs of a build, each an *output unit* behind one small protocol, and the build's plan.

A unit has a ``name`` and lists the documents it writes as :class:`Item` s (``items``: one workbook per
view, one letter per addressee...), each with its content key (:mod:`matrix.build.keys`: a hash of exactly what
the document is rendered from). ``write`` renders one item into the staging folder and returns the files
it wrote. ``tally`` names the :class:`matrix.build.pipeline.BuildSummary` counter its files add to.
:func:`matrix.build.pipeline.build` reuses the items whose key the previous build recorded, cuts the others into
:class:`Piece` s (:func:`plan_pieces`) that worker processes share, and publishes the result
(:mod:`matrix.build.publish`). Adding an output means adding a unit to :data:`UNITS`. This module imports
nothing of :mod:`matrix.build.pipeline`: the plan is declared here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ..build import keys
from ..core.errors import Problem
from ..core.pivot import Matrix
from ..core.stamp import today
from ..writers.export import write_exports

if TYPE_CHECKING:
    from ..core.model import Agency, Directive
    from ..tracking.records import Letter, Status
    from ..writers.reminders import Reminder

WORKBOOK = "ma-tran.xlsx"
BLOCKS = "ma-tran.json"  # the consolidated workbook's rows kept for the next build, in a folder beside the output
STATUS_BLOCKS = "tinh-hinh-thuc-hien.json"  # likewise, the status workbook's
LETTERS = "thu-giao-nhiem-vu"
TABLE = "bang-phan-cong.docx"
STATUS_WORKBOOK = "tinh-hinh-thuc-hien.xlsx"  # in tong-hop/
REMINDERS = "don-doc"  # in tong-hop/
EXPORTS = ("assignments.csv", "assignments.json")  # at the top of the output folder
EXPORT_PIECES = "assignments"  # the exports' pieces kept for the next build (a folder beside BLOCKS)
TABLE_PIECES = "bang-phan-cong"  # likewise, the consolidated assignment table's sections

LETTERS_PER_PIECE = 40


@dataclass(frozen=True)
class BuildOptions:
    expand_groups: bool = False
    paper: str = "A4"
    templates: Path | None = None
    pdf: bool = False
    jobs: int | None = None  # processes; None = one per CPU core
    # The day names are resolved on: the consolidated view gives old bodies' tasks to their successors of that
    # date (None: no successor view). The day the status is counted to: the Tình hình thực hiện outputs and the
    # reminders (None: today). ``as_of`` is the shorthand for both (``matrix build --as-of``); each of the two
    # given on its own wins over it.
    names_on: dt.date | None = None
    status_on: dt.date | None = None
    as_of: dt.date | None = None

    @property
    def names_date(self) -> dt.date | None:
        return self.names_on or self.as_of

    @property
    def status_date(self) -> dt.date | None:
        return self.status_on or self.as_of


@dataclass(frozen=True)
class LeftOut:
    """A directive file a build leaves out because of its input errors (the others are built): the file, the
    directive id it declares (its name when none can be read), and every problem found in it."""

    path: Path
    directive_id: str
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class BuildPlan:
    """What a build will write: one view of the matrix per directive, then the consolidated one."""

    matrix: Matrix
    views: list[tuple[str, Matrix]]
    options: BuildOptions
    scope: frozenset[str] | None = None  # top-level names of the output folder this build owns (None: all)
    statuses: tuple[Status, ...] = ()
    as_of: dt.date = field(default_factory=today)
    sent_letters: tuple[Letter, ...] = ()  # thư giao nhiệm vụ recorded in input/theo-doi/
    left_out: tuple[LeftOut, ...] = ()  # directive files left out of the build for their input errors
    spared: frozenset[str] = frozenset()  # top-level folders of left-out directives: their last outputs stay
    stamp: str | None = None  # the fingerprint of every input (matrix.build.inputs), taken before loading
    warnings: tuple[str, ...] = ()  # the loader's warnings, as told to the clerk
    blocks: Path | None = None  # the folder where the consolidated workbook keeps its rows for the next build (BLOCKS)
    # some directive file was read anew (not taken from the loaded-directive cache), or none was kept: the
    # consolidated outputs most likely change, so the build starts rendering them before its keys are known
    fresh: bool = True

    @property
    def letters(self) -> int:
        """How many letters the build writes (for a progress bar)."""
        from ..writers.word import letter_count

        return sum(letter_count(view) for _, view in self.views)

    @cached_property
    def reminders(self) -> list[Reminder]:
        """The đôn đốc letters of :attr:`statuses` (:func:`matrix.writers.reminders.plan_reminders`), planned
        once per plan: keying reads them all, and each worker writes some (a fork inherits them planned)."""
        from ..writers.reminders import plan_reminders

        return plan_reminders(self.statuses)


@dataclass(frozen=True, slots=True)  # slots: a build makes 14,000, most of them from the record
class Item:
    """One document of a unit (or the fixed set of files it writes together): a view of the plan (its index in
    ``plan.views``), the agency it is addressed to (None: the whole view), and its content key."""

    unit: str
    view: int
    agency: str | None
    key: str


@dataclass(frozen=True)
class Piece:
    """One share of a unit's work: a view of the plan, maybe some agencies (one item each)."""

    unit: str
    view: int
    agencies: tuple[str, ...] = ()


class OutputUnit(Protocol):
    """One kind of output of a build."""

    @property
    def name(self) -> str: ...

    @property
    def tally(self) -> str | None:
        """The :class:`~matrix.build.pipeline.BuildSummary` counter the unit's files count in (None: not counted)."""
        ...

    @property
    def cost(self) -> float:
        """About the CPU milliseconds a piece of the unit takes for each task it covers (the view's tasks; a
        letter's: its agency's), for handing out the longest pieces first (:func:`plan_pieces`)."""
        ...

    def items(self, plan: BuildPlan, prints: keys.Fingerprints, skip: frozenset[int] = frozenset()) -> list[Item]:
        """The unit's documents, each keyed by what it reads (``prints`` shares the fingerprints). A unit of
        :data:`VIEW_UNITS` leaves out the views whose index is in ``skip`` (their keys are known already:
        :func:`plan_items`); the others may ignore it."""
        ...

    def write(self, plan: BuildPlan, view: int, agency: str | None, stage: Path) -> list[Path]:
        """Write one item into the staging folder ``stage``; return the files written."""
        ...


def _folder(plan: BuildPlan, view: int, stage: Path) -> tuple[Path, Matrix]:
    name, matrix = plan.views[view]
    return stage / name, matrix


def _consolidated(plan: BuildPlan) -> int:
    return len(plan.views) - 1


def _only(agency: str | None) -> tuple[str, ...]:
    assert agency is not None, "a unit of letters writes one agency's at a time"
    return (agency,)


def workbook_title(view: Matrix) -> str:
    """ "Chỉ thị 05/CT-UBND: Về ..." for one directive; "Tổng hợp phân công nhiệm vụ (n văn bản)" for several."""
    if len(view.directives) == 1:
        d = view.directives[0]
        return f"{d.label}: {d.title}"
    return f"Tổng hợp phân công nhiệm vụ ({len(view.directives)} văn bản)"


class Exports:
    """assignments.csv and assignments.json: the whole matrix, for other systems."""

    name, tally, cost = "exports", None, 0.1

    def items(self, plan: BuildPlan, prints: keys.Fingerprints, skip: frozenset[int] = frozenset()) -> list[Item]:
        return [Item(self.name, _consolidated(plan), None, prints.digest(self.name, prints.view(plan.matrix)))]

    def write(self, plan: BuildPlan, view: int, agency: str | None, stage: Path) -> list[Path]:
        csv_path, json_path = (stage / name for name in EXPORTS)
        kept = plan.blocks / EXPORT_PIECES if plan.blocks is not None else None
        write_exports(plan.matrix, csv_path, json_path, kept)
        return [csv_path, json_path]


class Workbooks:
    """ma-tran.xlsx in every view's folder (excel.write_workbook): reads the whole view, its title, the paper."""

    name, tally, cost = "workbook", "workbooks", 0.7

    def items(self, plan: BuildPlan, prints: keys.Fingerprints, skip: frozenset[int] = frozenset()) -> list[Item]:
        return [
            Item(
                self.name,
                index,
                None,
                prints.digest(self.name, prints.view(view), workbook_title(view), plan.options.paper),
            )
            for index, (_, view) in enumerate(plan.views)
            if index not in skip
        ]

    def write(self, plan: BuildPlan, view: int, agency: str | None, stage: Path) -> list[Path]:
        from ..writers.excel import write_workbook

        folder, matrix = _folder(plan, view, stage)
        blocks = plan.blocks / BLOCKS if plan.blocks is not None and view == _consolidated(plan) else None
        write_workbook(matrix, folder / WORKBOOK, title=workbook_title(matrix), paper=plan.options.paper, blocks=blocks)
        return [folder / WORKBOOK]


class Letters:
    """Thư giao nhiệm vụ, one per agency of each directive (word.write_letters)."""

    name, tally, cost = "letters", "letters", 0.2

    def items(self, plan: BuildPlan, prints: keys.Fingerprints, skip: frozenset[int] = frozenset()) -> list[Item]:
        from ..writers.word import LETTER_TEMPLATES

        found = []
        for index, (_, view) in enumerate(plan.views):
            if len(view.directives) != 1 or not view.columns or index in skip:
                continue
            template = prints.template(LETTER_TEMPLATES[view.directives[0].issuer.kind])
            found += [
                Item(self.name, index, a.id, prints.digest(self.name, template, prints.addressee(view, a)))
                for a in view.columns
            ]
        return found

    def write(self, plan: BuildPlan, view: int, agency: str | None, stage: Path) -> list[Path]:
        from ..writers.word import write_letters

        folder, matrix = _folder(plan, view, stage)
        return write_letters(matrix, folder / LETTERS, templates=plan.options.templates, agencies=_only(agency))


class Extracts:
    """The consolidated view: per agency an extract of every directive, and the letters of each issuer of
    several directives (word.write_consolidated); one item per agency."""

    name, tally, cost = "extracts", "letters", 0.6

    def items(self, plan: BuildPlan, prints: keys.Fingerprints, skip: frozenset[int] = frozenset()) -> list[Item]:
        from ..writers.word import EXTRACT_TEMPLATE, LETTER_TEMPLATES

        found = []
        for index, (_, view) in enumerate(plan.views):
            if len(view.directives) < 2:
                continue
            # the issuers' groups of letters (word.issuer_groups: each group's folder and directives) are the
            # issuers' keys and headers of the view's directives (word.issuer_key, issuer_header): their heads and
            # the registry's province names, both in every agency's key (keys.Fingerprints.addressee)
            templates = [prints.template(EXTRACT_TEMPLATE), *(prints.template(t) for t in LETTER_TEMPLATES.values())]
            common = keys.digest(self.name, templates)  # the same for every agency of the view
            found += [
                Item(self.name, index, a.id, prints.digest(self.name, common, prints.addressee(view, a)))
                for a in view.columns
            ]
        return found

    def write(self, plan: BuildPlan, view: int, agency: str | None, stage: Path) -> list[Path]:
        from ..writers.word import write_consolidated

        folder, matrix = _folder(plan, view, stage)
        return write_consolidated(matrix, folder, templates=plan.options.templates, agencies=_only(agency))


class Tables:
    """bang-phan-cong.docx, the assignment table, in every view's folder (word.write_assignment_table)."""

    name, tally, cost = "table", "tables", 0.2

    def items(self, plan: BuildPlan, prints: keys.Fingerprints, skip: frozenset[int] = frozenset()) -> list[Item]:
        from ..writers.word import TABLE_TEMPLATE

        template = prints.template(TABLE_TEMPLATE)
        return [
            Item(self.name, index, None, prints.digest(self.name, template, prints.view(view)))
            for index, (_, view) in enumerate(plan.views)
            if index not in skip
        ]

    def write(self, plan: BuildPlan, view: int, agency: str | None, stage: Path) -> list[Path]:
        from ..writers.word import write_assignment_table

        folder, matrix = _folder(plan, view, stage)
        kept = plan.blocks / TABLE_PIECES if plan.blocks is not None and view == _consolidated(plan) else None
        write_assignment_table(matrix, folder / TABLE, templates=plan.options.templates, kept=kept)
        return [folder / TABLE]


class StatusWorkbook:
    """tong-hop/tinh-hinh-thuc-hien.xlsx: how far each assignment has got on the build date (status_excel)."""

    name, tally, cost = "status", None, 0.2

    def items(self, plan: BuildPlan, prints: keys.Fingerprints, skip: frozenset[int] = frozenset()) -> list[Item]:
        index = _consolidated(plan)
        key = prints.digest(
            self.name,
            prints.view(plan.views[index][1]),
            prints.statuses_digest(plan.statuses),
            plan.as_of,
            keys.letters(plan.sent_letters),
            plan.options.paper,
        )
        return [Item(self.name, index, None, key)]

    def write(self, plan: BuildPlan, view: int, agency: str | None, stage: Path) -> list[Path]:
        from ..writers.status_excel import write_status_workbook

        folder, matrix = _folder(plan, view, stage)
        path = folder / STATUS_WORKBOOK
        blocks = plan.blocks / STATUS_BLOCKS if plan.blocks is not None else None
        write_status_workbook(
            matrix, plan.statuses, plan.as_of, path, paper=plan.options.paper, letters=plan.sent_letters, blocks=blocks
        )
        return [path]


class Reminders:
    """tong-hop/don-doc/: a đôn đốc letter per agency with overdue tasks (reminders), one item per agency."""

    name, tally, cost = "reminders", "reminders", 0.2

    def items(self, plan: BuildPlan, prints: keys.Fingerprints, skip: frozenset[int] = frozenset()) -> list[Item]:
        from ..writers.reminders import REMINDER_TEMPLATES

        index = _consolidated(plan)
        view = plan.views[index][1]
        runs = prints.runs(plan.statuses)  # each directive's overdue statuses as a part, when cut by directive
        of: dict[str, dict[str, str]] = {}  # each directive's overdue parts, by directive id
        by_agency: dict[str, list[object]] = {}
        # a letter cites each directive by its head and quotes each overdue task as a letter of the view does
        # (:meth:`keys.Fingerprints.row`): a task edited elsewhere in the directive does not change it. All the
        # overdue statuses of one directive and agency are in one letter (that of the directive's issuer): each
        # directive's are one part (:meth:`keys.Fingerprints.overdue_parts`), in the order of the statuses (the
        # letter lists them by the date they fell overdue, in that order where alike). The letter's issuer
        # (``r.issuer``: the follow-up issuer of its first directive on the status date,
        # reminders.follow_up_issuer) is read from those directives' heads and the date, both in the key.
        quoted: object
        if runs is None:
            for r in plan.reminders:
                directives = list({s.entry.row.directive.id: s.entry.row.directive for s in r.items}.values())
                quoted = (prints.statuses(r.items), [prints.row(view, s.entry.row) for s in r.items])
                by_agency.setdefault(r.agency.id, []).append(
                    (r.name, prints.agency(r.agency), "".join(map(prints.head, directives)), quoted)
                )
        else:
            for agency, name, cited in self.letters(plan, prints, runs, of):
                directives = [runs[directive_id][0] for directive_id in cited]
                quoted = "".join([self._part(prints, plan, of, d, agency.id) for d in directives])  # fixed lengths
                by_agency.setdefault(agency.id, []).append(
                    (name, prints.agency(agency), "".join(map(prints.head, directives)), quoted)
                )
        common = (
            [prints.template(t) for t in REMINDER_TEMPLATES.values()],
            plan.as_of,
            keys.letters(plan.sent_letters),
            prints.places(view.registry),
        )
        return [Item(self.name, index, a, prints.digest(self.name, common, found)) for a, found in by_agency.items()]

    @staticmethod
    def letters(
        plan: BuildPlan,
        prints: keys.Fingerprints,
        runs: Mapping[str, tuple[Directive, list[Status]]],
        of: dict[str, dict[str, str]],
    ) -> list[tuple[Agency, str, list[str]]]:
        """The letters of :attr:`BuildPlan.reminders` as the keys read them: (agency, file name, the ids of the
        directives its overdue tasks are of, in the order of the statuses), in their order.

        :func:`~matrix.writers.reminders.plan_reminders` reads of the statuses whether each is overdue, its agency
        and directive (its head, for its issuer on its date), in their order; the letters as read here
        (which statuses go in each letter is in the key with the statuses: :meth:`items`) follow from the
        status date, each directive's head and the agencies it has overdue statuses of, in the order of their
        first (the keys of :meth:`keys.Fingerprints.overdue_parts`), with matrix's version: ``layout``, their
        digest. The previous build's letters (``prints.known_letters``) are taken when recorded with the same
        digest, else planned; either is kept in ``prints.letters`` for the next build."""
        view = plan.views[_consolidated(plan)][1]
        for directive_id, (directive, _) in runs.items():
            if directive_id not in of:
                of[directive_id] = prints.overdue_parts(view, plan.statuses, directive)
        layout = prints.digest(
            "reminder letters",
            repr(plan.as_of),
            prints.status_dates(plan.statuses),
            list(runs),
            "".join([prints.head(directive) for directive, _ in runs.values()]),
            [repr(list(of[directive_id])) for directive_id in runs],
        )
        known = prints.known_letters
        found = _letters(known[1], runs, view) if known is not None and known[0] == layout else None
        if found is None:
            order = {directive_id: n for n, directive_id in enumerate(runs)}
            found = [
                (r.agency, r.name, sorted(dict.fromkeys([s.entry.row.key[0] for s in r.items]), key=order.__getitem__))
                for r in plan.reminders
            ]
        prints.letters = (layout, [[agency.id, name, cited] for agency, name, cited in found])
        return found

    @staticmethod
    def _part(
        prints: keys.Fingerprints, plan: BuildPlan, of: dict[str, dict[str, str]], directive: Directive, agency: str
    ) -> str:
        """The overdue part of ``directive`` for ``agency`` (:meth:`keys.Fingerprints.overdue_parts`, each
        directive's asked for once); worked out again when a known one lacks the agency."""
        view = plan.views[_consolidated(plan)][1]
        parts = of.get(directive.id)
        if parts is None:
            parts = of[directive.id] = prints.overdue_parts(view, plan.statuses, directive)
        found = parts.get(agency)
        if found is None:
            parts = of[directive.id] = prints.overdue_parts(view, plan.statuses, directive, anew=True)
            found = parts[agency]
        return found

    def write(self, plan: BuildPlan, view: int, agency: str | None, stage: Path) -> list[Path]:
        from ..writers.reminders import write_reminders

        folder, matrix = _folder(plan, view, stage)
        return write_reminders(
            matrix,
            plan.statuses,
            plan.as_of,
            folder / REMINDERS,
            templates=plan.options.templates,
            letters=plan.sent_letters,
            agencies=_only(agency),
            planned=plan.reminders,
        )


#: Every output of a build, in the order their pieces are handed out.
UNITS: tuple[OutputUnit, ...] = (Workbooks(), Letters(), Extracts(), Tables(), StatusWorkbook(), Reminders(), Exports())
_BY_NAME = {unit.name: unit for unit in UNITS}


def unit(name: str) -> OutputUnit:
    return _BY_NAME[name]


#: The units whose documents of a directive's own view read nothing but that view's inputs (:func:`view_inputs`).
VIEW_UNITS = frozenset({Workbooks.name, Letters.name, Tables.name})


def view_inputs(
    plan: BuildPlan, prints: keys.Fingerprints, index: int, units: Sequence[str], shared: list[Any] | None = None
) -> str:
    """The input digest of the view ``index`` (a directive's own, not the consolidated one): a superset of what
    every key of :data:`VIEW_UNITS` for that view reads, so that an unchanged digest means unchanged keys.

    The keys of those units read (see their ``items``, and :func:`plan_items`): the view (its directive whole,
    its columns and entries: the pivot of that directive with the registry, ``expanded`` and the names' date;
    the registry's blocks and places), the workbook's title (the directive), the paper, the letter and table
    templates, each addressee agency whole, the heads of the view's directives, the view's folder name, the
    PDF option, matrix's version and the build's clock. The digest takes the directive whole, the registry
    whole, every option, every letter and table template, the view's ``expanded`` and names' date, the folder
    name and the units keyed (and, through :meth:`~matrix.build.keys.Fingerprints.digest`, the version and the
    clock). ``shared``: where to keep what every view's digest reads alike (the units, the options, the
    templates), made at the first call."""
    from ..writers.word import LETTER_TEMPLATES, TABLE_TEMPLATE

    name, view = plan.views[index]
    if not shared:
        templates = [prints.template(t) for t in (*sorted(set(LETTER_TEMPLATES.values())), TABLE_TEMPLATE)]
        found = [list(units), repr(plan.options), templates]
        if shared is not None:
            shared += found
    else:
        found = shared
    return prints.digest(
        "view inputs",
        found[0],
        name,
        [prints.directive(d) for d in view.directives],
        prints.registry(view.registry),
        found[1],
        found[2],
        view.expanded,
        repr(view.as_of),
    )


def plan_items(
    plan: BuildPlan,
    units: Sequence[OutputUnit] = UNITS,
    known: Mapping[str, Any] | None = None,
    record: dict[str, Any] | None = None,
) -> list[Item]:
    """Every document of ``plan``, keyed (:mod:`matrix.build.keys`).

    ``known``: what an earlier call put in ``record`` (the previous build's, from its manifest): for each
    directive's own view, its input digest (:func:`view_inputs`) and the keys of its documents of
    :data:`VIEW_UNITS`, the texts of its tasks in the consolidated view, and the directive's parts of the
    consolidated keys with what they read (:func:`_known_parts`). A view whose digest is the one recorded
    takes those keys instead of computing them (a clerk's edit of one directive keys one view of 300); a
    directive whose part inputs are the ones recorded gives its recorded parts to the consolidated keys instead
    of its entries, statuses and tasks written out again. ``record`` (when given) is filled for the next
    build."""
    prints = keys.Fingerprints(plan.options.templates)
    names = [u.name for u in units]
    viewed = {name for name in names if name in VIEW_UNITS}
    digests: dict[int, str] = {}
    inputs: dict[int, tuple[str, str | None]] = {}  # each directive view's part inputs and status inputs
    taken: dict[int, list[Item]] = {}
    last = _consolidated(plan)
    whole = plan.views[last][1]
    if viewed and (known is not None or record is not None):
        shared: list[Any] = []  # what every view's input digest reads alike
        for index, (name, view) in enumerate(plan.views):
            if index == last:
                continue
            digests[index] = digest = view_inputs(plan, prints, index, names, shared)
            entry = known.get(name) if known is not None else None
            found = _recorded(entry, digest, viewed, index)
            if found is not None:
                taken[index] = found
                _known_rows(prints, entry, plan.views[index][1], whole)
            if len(view.directives) == 1:
                directive = view.directives[0]
                read = prints.parts_inputs(directive, (whole, plan.matrix))
                inputs[index] = (read, prints.status_inputs(plan.statuses, directive, read, plan.as_of))
                if isinstance(entry, list) and len(entry) == 4:
                    _known_parts(prints, plan, directive, entry[3], *inputs[index])
    consolidated = known.get(plan.views[last][0]) if known is not None else None
    if isinstance(consolidated, dict) and isinstance(consolidated.get("reminders"), list):
        letters = consolidated["reminders"]
        if len(letters) == 2 and isinstance(letters[0], str):
            prints.known_letters = (letters[0], letters[1])
    skip = frozenset(taken)
    items: list[Item] = []
    for u in units:
        # where it goes is part of a document's identity (one directive's view and the consolidated one may
        # read the same); with --pdf the piece holds its documents' PDFs too
        found = [
            Item(i.unit, i.view, i.agency, prints.digest(i.key, plan.views[i.view][0], i.agency, plan.options.pdf))
            for i in u.items(plan, prints, skip)
        ]
        if u.name in viewed and taken:
            found += [item for items_of in taken.values() for item in items_of if item.unit == u.name]
            found.sort(key=lambda item: item.view)  # stable: each view's documents in the order they were keyed
        items += found
    if record is not None and digests:
        by_view: dict[int, list[list[Any]]] = {index: [] for index in digests}
        for item in items:
            if item.unit in viewed and item.view in by_view:
                by_view[item.view].append([item.unit, item.agency, item.key])
        for index, digest in digests.items():
            name, view = plan.views[index]
            if len(view.directives) != 1:
                record[name] = [digest, by_view[index], {}]
                continue
            directive = view.directives[0]
            parts = prints.recorded_parts(whole, plan.statuses, directive)
            if plan.matrix is not whole:
                also = prints.recorded_parts(plan.matrix, plan.statuses, directive).get("e")
                if also is not None:
                    parts["m"] = also
            view_parts, status_parts = inputs[index]
            parts["v"] = view_parts
            if status_parts is None:
                parts.pop("s", None)
                parts.pop("r", None)
            else:
                parts["t"] = status_parts
            record[name] = [digest, by_view[index], prints.rows(whole, directive), parts]
        if prints.letters is not None:  # the reminder letters as the keys read them, with their digest
            record[plan.views[last][0]] = {"reminders": [prints.letters[0], prints.letters[1]]}
    return items


def _known_parts(
    prints: keys.Fingerprints, plan: BuildPlan, directive: Directive, parts: Any, view: str, statuses: str | None
) -> None:
    """The parts of ``directive`` recorded by the previous build (``parts``, :func:`plan_items`), made known to
    ``prints`` where what they read is unchanged: "e" (its entries in the consolidated view), "m" (in the matrix
    of the directive views, when it is another) and "a" (each agency's entries and tasks in the consolidated
    view) and "h" (its head: :meth:`~matrix.build.keys.Fingerprints.head`) when recorded with the part inputs
    ``view`` (:meth:`~matrix.build.keys.Fingerprints.parts_inputs`);
    "s" (its statuses) and "r" (each agency's overdue statuses and their tasks) when recorded with the status
    inputs ``statuses`` too (:meth:`~matrix.build.keys.Fingerprints.status_inputs`, which cover ``view``).
    Each is ignored unless well formed: a part recorded with other inputs, or damaged, is worked out anew."""
    if not isinstance(parts, dict) or parts.get("v") != view:
        return
    whole = plan.views[_consolidated(plan)][1]
    place = keys.part_place(whole, directive)
    for name, matrix in (("e", whole), ("m", plan.matrix)):
        if _part(parts.get(name)) and (name == "e" or plan.matrix is not whole):
            prints.known_entries[keys.part_place(matrix, directive)] = (directive, parts[name])
    if _parts(parts.get("a")):
        prints.known_addressees[place] = (directive, parts["a"])
    head = parts.get("h")
    if isinstance(head, str) and len(head) == 64:
        prints.known_heads[id(directive)] = (directive, head)
    if statuses is None or parts.get("t") != statuses:
        return
    if _part(parts.get("s")):
        prints.known_statuses[(id(directive), id(plan.statuses))] = (directive, parts["s"])
    if _parts(parts.get("r")):
        prints.known_overdue[(id(directive), id(plan.statuses), *place[1:])] = (directive, parts["r"])


def _letters(value: Any, runs: Mapping[str, Any], view: Matrix) -> list[tuple[Agency, str, list[str]]] | None:
    """The reminder letters recorded as ``value`` (:meth:`Reminders.letters`), when well formed: each of an
    agency of the registry, with a file name and directives of the plan; else None (planned anew)."""
    if not isinstance(value, list):
        return None
    found = []
    for one in value:
        if not (isinstance(one, list) and len(one) == 3 and isinstance(one[0], str) and isinstance(one[1], str)):
            return None
        agency, name, cited = one
        if agency not in view.registry or not isinstance(cited, list) or not all(c in runs for c in cited):
            return None
        found.append((view.registry.get(agency), name, cited))
    return found


def _part(value: Any) -> bool:
    """Whether ``value`` is a part as :func:`matrix.build.keys._part` makes them (well formed)."""
    return isinstance(value, str) and len(value) == keys.PART_LENGTH


def _parts(value: Any) -> bool:
    """Whether ``value`` is parts by agency id (well formed)."""
    return isinstance(value, dict) and all(isinstance(k, str) and _part(v) for k, v in value.items())


def _known_rows(prints: keys.Fingerprints, entry: Any, view: Matrix, whole: Matrix) -> None:
    """The task texts of the consolidated view ``whole`` (:meth:`~matrix.build.keys.Fingerprints.row`) recorded
    with the directive view ``view`` whose input digest is unchanged, made known to ``prints``. They read the
    directive whole, the registry, the grouping and the names' date (options), matrix's version: all in the
    digest. Ignored unless well formed."""
    rows = entry[2]
    if len(view.directives) != 1 or not isinstance(rows, dict):
        return
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in rows.items()):
        return
    directive = view.directives[0]
    prints.known_rows[keys.part_place(whole, directive)] = (directive, rows)


def _recorded(entry: Any, digest: str, units: set[str], index: int) -> list[Item] | None:
    """The items of a view recorded as ``entry`` (:func:`plan_items`), when recorded for ``digest`` and well
    formed; else None (the view is keyed anew)."""
    if not isinstance(entry, list) or len(entry) not in (3, 4) or entry[0] != digest or not isinstance(entry[1], list):
        return None
    found = []
    for one in entry[1]:
        if type(one) is not list or len(one) != 3:
            return None
        unit, agency, key = one
        if unit not in units or (agency is not None and type(agency) is not str) or type(key) is not str:
            return None
        found.append(Item(unit, index, agency, key))
    return found


def plan_pieces(items: Sequence[Item], plan: BuildPlan | None = None) -> list[Piece]:
    """The work of rendering ``items``: a piece per document, letters by :data:`LETTERS_PER_PIECE` agencies of
    one view. Given the ``plan``, the longest pieces first (:func:`estimate`), so that the worker processes
    finish together: the consolidated workbook starts at once, the small pieces fill in at the end; else, and
    between pieces estimated alike, the consolidated view, the largest, first, then in the order of :data:`UNITS`.
    """
    pieces: list[Piece] = []
    batches: dict[tuple[str, int], list[str]] = {}
    for item in items:
        if item.agency is None:
            pieces.append(Piece(item.unit, item.view))
        else:
            batches.setdefault((item.unit, item.view), []).append(item.agency)
    for (name, view), agencies in batches.items():
        pieces += [
            Piece(name, view, tuple(agencies[start : start + LETTERS_PER_PIECE]))
            for start in range(0, len(agencies), LETTERS_PER_PIECE)
        ]
    order = {u.name: n for n, u in enumerate(UNITS)}
    pieces.sort(key=lambda p: (-p.view, order.get(p.unit, len(order))))
    if plan is not None:
        pieces.sort(key=lambda p: -estimate(plan, p))  # stable: alike, as above
    return pieces


#: The consolidated view's pieces that read every directive (the long pole of a rebuild after an edit).
EARLY_UNITS = (Workbooks.name, Tables.name, StatusWorkbook.name, Exports.name)


def early_pieces(plan: BuildPlan) -> list[Piece]:
    """The consolidated view's pieces of :data:`EARLY_UNITS`, longest first: what a build whose directives changed
    renders before its keys are known (:func:`matrix.build.pipeline.build`)."""
    pieces = [Piece(name, _consolidated(plan)) for name in EARLY_UNITS]
    return sorted(pieces, key=lambda p: -estimate(plan, p))


def estimate(plan: BuildPlan, piece: Piece) -> float:
    """About the CPU milliseconds ``piece`` takes: its unit's :attr:`~OutputUnit.cost` by the tasks it covers
    (a whole view's, or its agencies' entries)."""
    view = plan.views[piece.view][1]
    covered = sum(len(view.entries_for(a)) for a in piece.agencies) if piece.agencies else len(view.rows)
    return unit(piece.unit).cost * covered

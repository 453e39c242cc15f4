"""The in-memory model: typed, immutable, and ignorant of files.

Every writer reads these records (through :mod:`matrix.core.pivot`), so an
assignment cannot reach one output and miss another.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Literal, Protocol, TypeVar

from .text import match_key


class Role(enum.StrEnum):
    """What an addressee does for a task."""

    LEAD = "chủ trì"
    PARTNER = "phối hợp"
    DOER = "thực hiện"

    @property
    def mark(self) -> str:
        """The one-letter mark used in the matrix (C, P, T)."""
        return {"chủ trì": "C", "phối hợp": "P", "thực hiện": "T"}[self.value]

    @property
    def rank(self) -> int:
        """Order of precedence: chủ trì first."""
        return _RANKS[self._value_]  # read for every assignment of every task: no dict made, no enum descriptor


_RANKS = {"chủ trì": 0, "phối hợp": 1, "thực hiện": 2}


ROLES: tuple[Role, ...] = (Role.LEAD, Role.PARTNER, Role.DOER)


class IssuerKind(enum.StrEnum):
    STATE = "nhà nước"
    PARTY = "đảng"


ANY_PROVINCE = "*"
_CITIES = frozenset({"ha-noi", "hai-phong", "hue", "da-nang", "ho-chi-minh", "can-tho"})
# A numbered region after "khu vực" (roman or arabic), maybe followed by " - <place>".
_REGION = re.compile(rf"^(.+ {re.escape(match_key('khu vực'))}) (?:[ivxlc]+|\d+)(?: ?[-–] ?.+)?$")


def regional_name(agency: Agency, written: str) -> bool:
    """Whether ``written`` names ``agency`` with its region number ("Chi cục Hải quan khu vực XVI")."""
    region = _REGION.match(match_key(written))
    if region is None:
        return False
    return region.group(1) in {match_key(n) for n in agency.names()}


def format_date(day: dt.date | None) -> str:
    """A date as Vietnamese documents write it: 01/03/2025 ("" for no date)."""
    return f"{day.day:02d}/{day.month:02d}/{day.year}" if day is not None else ""


@dataclass(frozen=True)
class Block:
    """A group of matrix columns (khối nội chính, sở/ngành, ...)."""

    id: str
    name: str


@dataclass(frozen=True)
class Agency:
    """An addressee: one body, or a group of bodies named as one ("Các sở, ban, ngành tỉnh").

    ``requested`` is true for bodies a State issuer cannot command (courts,
    procuracies, the Front, mass organisations, central agencies): they get
    "đề nghị", not "giao"/"yêu cầu". ``members`` maps a province id (or
    ``"*"`` for any province) to the member ids of a group.
    """

    id: str
    name: str
    short: str
    block: str
    requested: bool = False
    aliases: tuple[str, ...] = ()
    members: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    is_group: bool = False
    province: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    successor: str | None = None

    def names(self) -> tuple[str, ...]:
        """The official name, the short name and every alias."""
        return (self.name, self.short, *self.aliases)

    def valid_on(self, on: dt.date | None) -> bool:
        """Whether the body existed on ``on`` (always, when ``on`` is None)."""
        if on is None:
            return True
        return (self.valid_from is None or self.valid_from <= on) and (self.valid_to is None or on <= self.valid_to)

    def requested_by(self, kind: IssuerKind) -> bool:
        """Whether an issuer of ``kind`` "đề nghị" (requests) this body rather than "giao / yêu cầu".

        ``requested`` is the State issuer's verb: a UBND requests the courts,
        procuracies, the Front, central bodies and Party bodies. A Party
        committee directs every body of its province through the body's Party
        organisation (Đảng ủy Công an tỉnh, Ban cán sự đảng VKSND, Đảng đoàn
        UBMTTQ), so for a Party issuer the answer is always False.
        """
        return self.requested if kind is IssuerKind.STATE else False

    def members_in(self, province: str | None) -> tuple[str, ...]:
        """Member ids of this group in ``province`` (empty when unknown)."""
        if province is not None and province in self.members:
            return self.members[province]
        return self.members.get(ANY_PROVINCE, ())


@dataclass(frozen=True)
class Registry:
    """Every known addressee, in the order the registry file lists them."""

    blocks: tuple[Block, ...]
    agencies: tuple[Agency, ...]
    provinces: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    #: old province id -> the province it merged into on ``merger_date`` (Nghị quyết 202/2025/QH15)
    mergers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    merger_date: dt.date | None = None
    #: the province a directive naming none belongs to (a one-province registry's province)
    home: str | None = None
    #: every body belongs to a province (a registry from the catalogue); bodies of no province are then those
    #: of a text that names none
    per_province: bool = False

    def __post_init__(self) -> None:
        by_id = {a.id: a for a in self.agencies}
        by_key: dict[str, list[Agency]] = {}
        for agency in self.agencies:
            for name in agency.names():
                bucket = by_key.setdefault(match_key(name), [])
                if agency not in bucket:
                    bucket.append(agency)
        object.__setattr__(self, "_by_id", MappingProxyType(by_id))
        object.__setattr__(self, "_by_key", MappingProxyType({k: tuple(v) for k, v in by_key.items()}))

    def get(self, agency_id: str) -> Agency:
        return self._by_id[agency_id]  # type: ignore[attr-defined,no-any-return]

    def __contains__(self, agency_id: object) -> bool:
        return agency_id in self._by_id  # type: ignore[attr-defined]

    def candidates(self, name: str, province: str | None = None, on: dt.date | None = None) -> tuple[Agency, ...]:
        """Every agency or group called ``name`` (any alias, spelling-tolerant).

        Bodies of another province are left out when ``province`` is given:
        "UBND huyện Châu Thành" exists in Đồng Tháp and in Tiền Giang. With
        ``on``, only bodies that existed on that date are kept (see :meth:`lookup`).
        """
        found = self.scoped(self._by_key.get(match_key(name), ()), province, on)  # type: ignore[attr-defined]
        if on is not None:
            found = tuple(a for a in found if a.valid_on(on))
        return tuple(found)

    def scoped(self, found: Iterable[Agency], province: str | None, on: dt.date | None = None) -> tuple[Agency, ...]:
        """The bodies of ``found`` a text of ``province`` means: bodies belong to one province, never to two.

        In order, the first that holds any: the province's own bodies; those of the province it merged
        into (a text of Tiền Giang dated after 1/7/2025); the bodies of no province (hand-written
        entries, a multi-province registry's bodies for texts naming no province); those of a related
        province (a name that says its province, "Công an tỉnh Tiền Giang" in a text of Đồng Tháp).
        A text naming no province is the registry's ``home`` province's, else it means the bodies of
        no province, else any (two provinces' bodies of that name: ambiguous, the loader asks for the province).
        """
        found = tuple(found)
        province = province or self.home
        if province is None:
            tiers: list[Callable[[Agency], bool]] = [lambda a: a.province is None, lambda a: True]
        else:
            now = self.province_on(province, on)
            related = self.related_provinces(province, on)
            first, second = (now, province) if on is not None else (province, now)
            tiers = [
                lambda a: a.province == first,  # after the merger, a text of an old province means the new one's
                lambda a: a.province == second,
                lambda a: a.province is None,
                lambda a: a.province in related,
            ]
        for tier in tiers:
            kept = tuple(a for a in found if tier(a))
            if kept:
                return kept
        return ()

    def lookup(self, name: str, province: str | None = None, on: dt.date | None = None) -> Lookup:
        """What ``name`` means in ``province`` on ``on``: the bodies existing then, and those that no longer (or not yet) did.

        This is the one place where a written name becomes a body: the loader,
        the pivot and the CLI all go through it.
        """
        every = self.scoped(self._by_key.get(match_key(name), ()), province, on)  # type: ignore[attr-defined]
        if not every:  # "Chi cục Hải quan khu vực XVI", "Tòa án nhân dân khu vực 1 - Đồng Tháp": the regional body
            region = _REGION.match(match_key(name))
            every = self.scoped(self._by_key.get(region.group(1), ()), province, on) if region else ()  # type: ignore[attr-defined]
        return Lookup(
            name, on, tuple(a for a in every if a.valid_on(on)), tuple(a for a in every if not a.valid_on(on))
        )

    def resolve(self, name: str, province: str | None = None, on: dt.date | None = None) -> Agency | None:
        """The one agency or group called ``name`` existing on ``on``, or None (unknown, ambiguous or not existing then)."""
        return self.lookup(name, province, on).agency

    def current(self, agency: Agency, on: dt.date | None) -> Agency | None:
        """The body that stands for ``agency`` on ``on``: itself, or the successor existing then (None if the chain ends)."""
        seen: set[str] = set()
        while not agency.valid_on(on):
            if agency.successor is None or agency.successor in seen or agency.successor not in self:
                return None
            seen.add(agency.id)
            agency = self.get(agency.successor)
        return agency

    def members(self, group: Agency, province: str | None, on: dt.date | None = None) -> tuple[Agency, ...]:
        """The members of ``group`` in ``province`` that existed on ``on`` (an old province id counts as its successor)."""
        ids = group.members_in(group.province or self.province_on(province or self.home, on))
        return tuple(a for a in (self.get(m) for m in ids if m in self) if a.valid_on(on))

    def province_on(self, province: str | None, on: dt.date | None) -> str | None:
        """The province id in force on ``on``: an old id becomes the merged province's from the merger date."""
        if province is None or province not in self.mergers:
            return province
        if on is None or (self.merger_date is not None and on >= self.merger_date):
            return self.mergers[province]
        return province

    def related_provinces(self, province: str, on: dt.date | None = None) -> frozenset[str]:
        """``province``, the provinces merged into it, and the province it merged into."""
        related = {province, *(old for old, new in self.mergers.items() if new == province)}
        if province in self.mergers:
            related.add(self.mergers[province])
        return frozenset(related)

    def valid_on(self, on: dt.date | None, province: str | None = None) -> tuple[Agency, ...]:
        """Every body existing on ``on`` (of ``province`` or of any province), in registry order."""
        related = self.related_provinces(province, on) if province else None
        common = related is None or not self.per_province  # a province's own bodies, not those of a text naming none
        return tuple(
            a
            for a in self.agencies
            if a.valid_on(on) and ((a.province is None and common) or related is None or a.province in related)
        )

    def whose(self, agency: Agency) -> str:
        """ "tỉnh Đồng Tháp", "tỉnh Tiền Giang (đến 30/06/2025)", "văn bản không ghi tỉnh": whose body ``agency`` is,
        in a registry of provinces' own bodies ("" in a registry written by hand without provinces)."""
        if not self.per_province:
            return ""
        if agency.province is None:
            return "văn bản không ghi tỉnh"
        name = self.provinces.get(agency.province, agency.province)
        kind = "thành phố" if agency.province in _CITIES else "tỉnh"
        if agency.province in self.mergers and agency.valid_to is not None:
            return f"{kind} {name} (đến {format_date(agency.valid_to)})"
        return f"{kind} {name}"

    def full_name(self, agency: Agency) -> str:
        """ "Công an tỉnh Tiền Giang", "Sở Khoa học và Công nghệ tỉnh Đồng Tháp": a body's name with its province, to
        tell two provinces' bodies of one name apart in a sentence (the name alone where the registry has no provinces)."""
        province = self.provinces.get(agency.province or "") if self.per_province else None
        if not province or province in agency.name:
            return agency.name
        if _LOCAL_END.search(agency.name):
            return f"{agency.name} {province}"
        return f"{agency.name} {'thành phố' if agency.province in _CITIES else 'tỉnh'} {province}"

    def follow_up_names(self, was: Agency, now: Agency) -> tuple[str, str]:
        """How a sentence names a body that has ended and its successor: by their names, or with their provinces
        when the names are alike ("Công an tỉnh Tiền Giang", "Công an tỉnh Đồng Tháp")."""
        if was.name != now.name:
            return was.name, now.name
        return self.full_name(was), self.full_name(now)

    def label(self, agency: Agency) -> str:
        """ "Công an tỉnh (tỉnh Đồng Tháp)": a body's name with whose body it is, where several provinces' bodies
        may be listed together (status, extracts); the plain name otherwise."""
        if not self.per_province or (self.home is not None and agency.province == self.home):
            return agency.name
        if len(self._by_key.get(match_key(agency.name), ())) <= 1:  # type: ignore[attr-defined]
            return agency.name  # a name no other body has needs no owner ("Bộ Công an")
        whose = self.whose(agency)
        return f"{agency.name} ({whose})" if whose else agency.name

    def typed(self, name: str, on: dt.date | None = None) -> tuple[Agency, ...]:
        """Agencies called ``name`` as a clerk types it on a command line or in a search box: any alias,
        spelling-tolerant (:meth:`candidates`), else typed without diacritics ("Cong an tinh") when that is unique."""
        key = match_key(name)
        region = _REGION.match(key)
        if key not in self._by_key and region:  # type: ignore[attr-defined]
            key = region.group(1)  # "Chi cục Hải quan khu vực XVI": the regional body
        found = tuple(
            a
            for a in self._by_key.get(key, ())  # type: ignore[attr-defined]
            if on is None or a.valid_on(on)
        )
        if found:  # every province's body of that name: each is listed on its own
            return found
        from .text import ascii_key

        key = ascii_key(name)
        loose = {a.id: a for a in self.agencies if any(ascii_key(n) == key for n in a.names())}
        return tuple(loose.values()) if len({a.name for a in loose.values()}) == 1 else ()

    def keys(self) -> tuple[str, ...]:
        """Every matching key, for suggestions."""
        return tuple(self._by_key)  # type: ignore[attr-defined]

    def block_order(self) -> dict[str, int]:
        return {b.id: i for i, b in enumerate(self.blocks)}

    def block_name(self, block_id: str) -> str:
        for block in self.blocks:
            if block.id == block_id:
                return block.name
        return block_id


@dataclass(frozen=True)
class Lookup:
    """The answer to "which body is ``name`` on ``on``?" (see :meth:`Registry.lookup`)."""

    name: str
    on: dt.date | None
    found: tuple[Agency, ...]
    defunct: tuple[Agency, ...]

    @property
    def agency(self) -> Agency | None:
        """The one body existing on the date, or None (unknown, ambiguous or not existing then)."""
        return self.found[0] if len(self.found) == 1 else None


@dataclass(frozen=True)
class Assignment:
    """One addressee of one task, with its role. ``written`` keeps the words of the text."""

    agency: str
    role: Role
    written: str


@dataclass(frozen=True)
class Task:
    """A numbered item, sub-item, dash bullet or closing paragraph of a directive.

    ``assignments`` are those the text states at this task; sub-tasks inherit
    them (see :attr:`TaskNode.in_force`, the rule is :func:`inherit`) but the
    assignment belongs here only.
    """

    id: str
    text: str
    assignments: tuple[Assignment, ...] = ()
    tasks: tuple[Task, ...] = ()
    title: str | None = None
    deadline: str | None = None
    report: str | None = None
    targets: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    due: tuple[dt.date, ...] = ()  # dates that override those read from ``deadline``

    def walk(self, depth: int = 0) -> Iterator[tuple[Task, int]]:
        """This task and all sub-tasks, depth first, with their depth."""
        yield self, depth
        for sub in self.tasks:
            yield from sub.walk(depth + 1)


# --------------------------------------------------------------------------- the task tree
# The input format encodes a task's kind in its id (docs/directive-format.md, "Task ids"): a dash
# bullet is "<parent id>-<n>", an unnumbered closing paragraph a top-level "cuối-<n>". This is the
# one place that reads that convention; every writer asks the tree.

TaskKind = Literal["item", "bullet", "closing"]
CLOSING_PREFIX = "cuối"


class _Assigned(Protocol):
    """An assignment or a matrix entry: something with a role, stated at one task."""

    @property
    def role(self) -> Role: ...


_A = TypeVar("_A", bound=_Assigned)


def inherit(levels: Iterable[Iterable[_A]], agency: Callable[[_A], str]) -> tuple[_A, ...]:
    """The inheritance rule, once: what applies to a task given what is stated at it and above it.

    ``levels`` runs from the task itself up to its top-level item. A sub-task named under
    "2. Công an tỉnh:" is Công an tỉnh's even though the assignment is stated once, at item 2;
    the nearest statement about an agency wins (within one task, its strongest role, as the
    matrix keeps it). Chủ trì first, then phối hợp, then thực hiện.
    """
    seen: dict[str, _A] = {}
    for level in levels:
        here: dict[str, _A] = {}
        for item in level:
            key = agency(item)
            if key not in seen and (key not in here or item.role.rank < here[key].role.rank):
                here[key] = item
        seen.update(here)
    return tuple(sorted(seen.values(), key=lambda a: a.role.rank))


def _kind(task_id: str, parent: Task | None) -> tuple[TaskKind, int]:
    """The kind of a task and its rank among its kind ("2-3" under "2" -> bullet 3; "cuối-2" -> closing 2)."""
    if parent is not None:
        tail = task_id[len(parent.id) + 1 :]
        if task_id.startswith(parent.id + "-") and tail.isdigit():
            return "bullet", int(tail)
    elif task_id.startswith(CLOSING_PREFIX) and task_id[len(CLOSING_PREFIX) :].lstrip("-").isdigit():
        return "closing", int(task_id[len(CLOSING_PREFIX) :].lstrip("-"))
    return "item", 0


class TaskNode:
    """One task in its directive's tree: its kind, printed label, parent, children and inherited assignments."""

    __slots__ = ("children", "depth", "in_force", "kind", "parent", "position", "task")

    task: Task
    #: "item" (numbered item or sub-item), "bullet" (dash bullet) or "closing" (unnumbered closing paragraph)
    kind: TaskKind
    #: the rank of a bullet under its parent or of a closing paragraph (1, 2, ...); 0 for numbered items
    position: int
    depth: int
    parent: TaskNode | None
    children: tuple[TaskNode, ...]
    #: the assignments that apply here: stated at this task or inherited from above (:func:`inherit`)
    in_force: tuple[Assignment, ...]

    def __init__(self, task: Task, parent: TaskNode | None) -> None:
        self.task, self.parent = task, parent
        self.depth = parent.depth + 1 if parent is not None else 0
        self.kind, self.position = _kind(task.id, parent.task if parent is not None else None)
        # what applies above is the parent's in force (one per agency): the same as walking the whole chain
        above = (task.assignments, parent.in_force) if parent is not None else (task.assignments,)
        self.in_force = inherit(above, lambda a: a.agency)
        self.children = tuple(TaskNode(sub, self) for sub in task.tasks)

    def __repr__(self) -> str:
        return f"TaskNode({self.task.id!r}, {self.kind})"

    @property
    def id(self) -> str:
        return self.task.id

    @property
    def label(self) -> str:
        """The number as the document prints it: "2", "3.1", "a)", "-" for a bullet, "" for a closing paragraph."""
        if self.kind == "bullet":
            return "-"
        if self.kind == "closing":
            return ""
        return f"{self.task.id})" if self.task.id.isalpha() else self.task.id

    @property
    def inherited(self) -> bool:
        """Whether assignments stated above apply here (the task is a sub-task)."""
        return self.parent is not None

    def chain(self) -> Iterator[TaskNode]:
        """This node, then its parent, ..., up to its top-level item."""
        node: TaskNode | None = self
        while node is not None:
            yield node
            node = node.parent

    def ancestors(self) -> tuple[TaskNode, ...]:
        """The nodes above this one, top-level item first."""
        return tuple(reversed(tuple(self.chain())[1:]))

    def walk(self) -> Iterator[TaskNode]:
        """This node and every node under it, depth first, in document order."""
        yield self
        for child in self.children:
            yield from child.walk()

    def descendants(self) -> Iterator[TaskNode]:
        """Every node under this one, depth first, in document order."""
        for child in self.children:
            yield from child.walk()


class TaskTree:
    """A directive's tasks as a tree of :class:`TaskNode`, in document order."""

    def __init__(self, tasks: tuple[Task, ...]) -> None:
        self.roots: tuple[TaskNode, ...] = tuple(TaskNode(task, None) for task in tasks)
        self.nodes: tuple[TaskNode, ...] = tuple(n for root in self.roots for n in root.walk())

    def __iter__(self) -> Iterator[TaskNode]:
        return iter(self.nodes)

    def __len__(self) -> int:
        return len(self.nodes)


@dataclass(frozen=True)
class Issuer:
    """The issuing body: ``name`` as the text names it, ``header`` the lines printed upper left."""

    name: str
    kind: IssuerKind
    header: tuple[str, ...] = ()
    short: str | None = None


@dataclass(frozen=True)
class Signer:
    authority: tuple[str, ...] = ()
    title: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class Directive:
    id: str
    kind: str
    title: str
    issuer: Issuer
    tasks: tuple[Task, ...]
    number: str | None = None
    symbol: str | None = None
    date: dt.date | None = None
    place: str | None = None
    province: str | None = None
    signer: Signer = field(default_factory=Signer)
    as_of: dt.date | None = None
    #: the day the directive stopped being followed (its campaign ended, or it was marked ended)
    ended: dt.date | None = None
    recipients: tuple[str, ...] = ()
    distribution: tuple[str, ...] = ()
    preamble: str | None = None
    closing: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def walk(self) -> Iterator[tuple[Task, int]]:
        """Every task, depth first, with its depth (0 for top-level items)."""
        for task in self.tasks:
            yield from task.walk()

    @cached_property
    def tree(self) -> TaskTree:
        """The task tree (kinds, printed labels, parents, inherited assignments), built once per directive."""
        return TaskTree(self.tasks)

    @property
    def on(self) -> dt.date | None:
        """The date whose bodies the directive addresses: its ``date``, else ``as_of`` (None: unknown)."""
        return self.date or self.as_of

    @property
    def label(self) -> str:
        """ "Chỉ thị 05/CT-UBND": the kind and the reference ("Kế hoạch" alone when the text gives no number)."""
        return " ".join(filter(None, (self.kind.capitalize(), self.reference)))

    def citation(self, provinces: Mapping[str, str] | None = None) -> str:
        """A document named as letters name it: kind, number and symbol, date and issuer ("Chỉ thị số 05/CT-UBND
        ngày 27/12/2024 của Chủ tịch Ủy ban nhân dân tỉnh Tiền Giang"); ``provinces`` (id -> name) completes an issuer
        written without its province."""
        parts = [self.kind.capitalize()]
        if self.reference:
            parts.append(f"số {self.reference}")
        if self.date:
            parts.append(f"ngày {format_date(self.date)}")
        parts.append(f"của {issuer_with_province(self, provinces or {})}")
        return " ".join(parts)

    @property
    def reference(self) -> str:
        """ "Số 15-CT/TU" / "Số 12/UBND-NC", or "" when the text gives no number."""
        if not self.number and not self.symbol:
            return ""
        sep = "-" if self.issuer.kind is IssuerKind.PARTY else "/"
        if self.number and self.symbol:
            return f"{self.number}{sep}{self.symbol}"
        return self.number or self.symbol or ""


_LOCAL_END = re.compile(r"(?:\b(tỉnh|thành phố)|(Tỉnh|Thành phố)|\b(Tỉnh ủy|Tỉnh uỷ|Thành ủy|Thành uỷ))$")


def issuer_with_province(directive: Directive, provinces: Mapping[str, str]) -> str:
    """ "Chủ tịch Ủy ban nhân dân tỉnh Tiền Giang": the issuer's name with the directive's province where the name
    stops at "tỉnh" / "Tỉnh ủy" ("Ủy ban nhân dân Tỉnh" is written "Ủy ban nhân dân tỉnh Đồng Tháp")."""
    name = directive.issuer.name.strip()
    province = provinces.get(directive.province or "")
    match = _LOCAL_END.search(name)
    if not province or not match or province in name:
        return name
    if match.group(2):  # "Tỉnh" capitalised inside a sentence: "tỉnh"
        name = name[: match.start()] + match.group(2).lower()
    return f"{name} {province}"


@dataclass(frozen=True)
class Corpus:
    """A registry and the directives validated against it."""

    registry: Registry
    directives: tuple[Directive, ...]

    def directive(self, directive_id: str) -> Directive:
        for d in self.directives:
            if d.id == directive_id:
                return d
        raise KeyError(directive_id)

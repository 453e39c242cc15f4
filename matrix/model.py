"""The in-memory model: typed, immutable, and ignorant of files.

Every writer reads these records (through :mod:`matrix.pivot`), so an
assignment cannot reach one output and miss another.
"""
from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Iterator, Mapping

from .text import match_key


class Role(str, enum.Enum):
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
        return {"chủ trì": 0, "phối hợp": 1, "thực hiện": 2}[self.value]


ROLES: tuple[Role, ...] = (Role.LEAD, Role.PARTNER, Role.DOER)


class IssuerKind(str, enum.Enum):
    STATE = "nhà nước"
    PARTY = "đảng"


ANY_PROVINCE = "*"


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

    def candidates(self, name: str, province: str | None = None) -> tuple[Agency, ...]:
        """Every agency or group called ``name`` (any alias, spelling-tolerant).

        Bodies of another province are left out when ``province`` is given:
        "UBND huyện Châu Thành" exists in Đồng Tháp and in Tiền Giang.
        """
        found = self._by_key.get(match_key(name), ())  # type: ignore[attr-defined]
        if province is not None:
            found = tuple(a for a in found if a.province in (None, province))
        return tuple(found)

    def resolve(self, name: str, province: str | None = None) -> Agency | None:
        """The one agency or group called ``name``, or None (unknown or ambiguous)."""
        found = self.candidates(name, province)
        return found[0] if len(found) == 1 else None

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
class Assignment:
    """One addressee of one task, with its role. ``written`` keeps the words of the text."""

    agency: str
    role: Role
    written: str


@dataclass(frozen=True)
class Task:
    """A numbered item, sub-item, dash bullet or closing paragraph of a directive.

    ``assignments`` are those the text states at this task; sub-tasks inherit
    them (see :func:`matrix.pivot.effective_assignments`) but the assignment
    belongs here only.
    """

    id: str
    text: str
    assignments: tuple[Assignment, ...] = ()
    tasks: tuple["Task", ...] = ()
    title: str | None = None
    deadline: str | None = None
    report: str | None = None
    targets: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    due: tuple[dt.date, ...] = ()  # dates that override those read from ``deadline``

    def walk(self, depth: int = 0) -> Iterator[tuple["Task", int]]:
        """This task and all sub-tasks, depth first, with their depth."""
        yield self, depth
        for sub in self.tasks:
            yield from sub.walk(depth + 1)


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
    recipients: tuple[str, ...] = ()
    distribution: tuple[str, ...] = ()
    preamble: str | None = None
    closing: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def walk(self) -> Iterator[tuple[Task, int]]:
        """Every task, depth first, with its depth (0 for top-level items)."""
        for task in self.tasks:
            yield from task.walk()

    @property
    def reference(self) -> str:
        """"Số 15-CT/TU" / "Số 12/UBND-NC", or "" when the text gives no number."""
        if not self.number and not self.symbol:
            return ""
        sep = "-" if self.issuer.kind is IssuerKind.PARTY else "/"
        if self.number and self.symbol:
            return f"{self.number}{sep}{self.symbol}"
        return self.number or self.symbol or ""


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

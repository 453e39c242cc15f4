"""The draft before it is written: plain records that :mod:`.emit` turns into YAML.

Every value is what the YAML will hold; every uncertain decision carries a
:class:`Comment` that is written next to it (``# kiểm tra: ...`` when the
clerk must check it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..model import Role


@dataclass(frozen=True)
class Comment:
    text: str
    review: bool = True


@dataclass
class Entry:
    """One name in ``assign``, as it will be written, and its comment if any."""

    written: str
    comment: Comment | None = None
    resolved: bool = True


@dataclass
class DraftTask:
    id: str
    text: str
    assign: dict[Role, list[Entry]] = field(default_factory=dict)
    deadline: str | None = None
    report: str | None = None
    targets: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tasks: list[DraftTask] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)

    def walk(self) -> Iterator[DraftTask]:
        yield self
        for task in self.tasks:
            yield from task.walk()


@dataclass
class DraftIssuer:
    name: str
    kind: str
    header: list[str] = field(default_factory=list)
    short: str | None = None


@dataclass
class DraftSigner:
    authority: list[str] = field(default_factory=list)
    title: str | None = None
    name: str | None = None


@dataclass
class DraftDoc:
    id: str
    kind: str
    title: str
    issuer: DraftIssuer
    tasks: list[DraftTask]
    number: str | None = None
    symbol: str | None = None
    date: dt.date | None = None
    place: str | None = None
    province: str | None = None
    signer: DraftSigner = field(default_factory=DraftSigner)
    recipients: list[str] = field(default_factory=list)
    distribution: list[str] = field(default_factory=list)
    preamble: str | None = None
    closing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)  # source paragraphs no field holds (reported, not written)
    source: str = ""
    # Comments written above a top-level key ("title", "tasks", ...).
    comments: dict[str, list[Comment]] = field(default_factory=dict)

    def comment(self, key: str, text: str, review: bool = True) -> None:
        self.comments.setdefault(key, []).append(Comment(text, review))

    def walk(self) -> Iterator[DraftTask]:
        for task in self.tasks:
            yield from task.walk()

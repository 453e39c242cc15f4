"""Write the model back as YAML in the input format (the inverse of :mod:`matrix.input.load`).

One writer for directive files: the drafter's drafts (with its review notes),
generated test and benchmark inputs, and anything else that produces a file
for a clerk to read and edit by hand. Keys come in the order of
:mod:`matrix.input.schema`; long texts are block scalars (``|-``), short values stay
plain unless YAML would misread them, and each note sits on its own line just
above what it is about (``# kiểm tra: ...`` when the clerk must check it).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import yaml

from ..core.model import ANY_PROVINCE, ROLES, Agency, Directive, Registry, Role, Task
from .schema import AGENCY, DIRECTIVE, ISSUER, SIGNER, TASK

REVIEW = "kiểm tra: "
_INDICATORS = tuple("-?:,[]{}#&*!|>'\"%@`")
_BLOCK_AT = 72
# Characters a YAML scalar can hold as they are (no line breaks, no BOM, nothing YAML would fold or reject).
_UNSAFE = re.compile("[^\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class Note:
    """A comment written in a directive file next to what it is about.

    ``key`` is the top-level key it is written above ("kind", "title", "tasks"...);
    ``task`` a task id: the note is written above that task, or, with ``name``
    (role, written name), above that name in the task's ``assign``.
    ``review``: the clerk must check it (written ``# kiểm tra: ...``).
    """

    text: str
    review: bool = True
    key: str | None = None
    task: str | None = None
    name: tuple[Role, str] | None = None


Notes = tuple[Note, ...]


def scalar(value: str) -> str:
    """``value`` as a one-line YAML scalar: plain when safe, else double-quoted."""
    return value if _plain_ok(value) else _quoted(value)


def _quoted(value: str) -> str:
    """``value`` double-quoted on one line, every character YAML could misread escaped."""
    if not _UNSAFE.search(value):
        return json.dumps(value, ensure_ascii=False)
    return yaml.dump(value, Dumper=yaml.SafeDumper, allow_unicode=True, default_style='"', width=1_000_000).strip()


@functools.lru_cache(maxsize=8192)
def _plain_ok(value: str) -> bool:
    if not value or value != value.strip() or _UNSAFE.search(value) or value.startswith(_INDICATORS):
        return False
    if ": " in value or " #" in value or value.endswith(":"):
        return False
    try:
        return bool(yaml.safe_load(f"k: {value}") == {"k": value})
    except yaml.YAMLError:
        return False


def _block_lines(value: str) -> list[str]:
    return [("  " + line) if line else "" for line in value.split("\n")]


@functools.lru_cache(maxsize=8192)
def _block_ok(value: str) -> bool:
    """Whether ``value`` reads back as itself from a literal block scalar (``|-``)."""
    if not value or value[0] in " \t\n" or _UNSAFE.search(value.replace("\n", "")):
        return False
    try:
        return bool(yaml.safe_load("k: |-\n" + "\n".join(_block_lines(value))) == {"k": value})
    except yaml.YAMLError:
        return False


class _Writer:
    """Lines of YAML, and the notes still to write, by place."""

    def __init__(self, notes: Iterable[Note]) -> None:
        self.lines: list[str] = []
        self.above: dict[str, list[Note]] = {}
        self.tasks: dict[str, list[Note]] = {}
        self.names: dict[tuple[str, Role, str], list[Note]] = {}
        for note in notes:
            if note.task is not None and note.name is not None:
                self.names.setdefault((note.task, *note.name), []).append(note)
            elif note.task is not None:
                self.tasks.setdefault(note.task, []).append(note)
            elif note.key in DIRECTIVE.names:
                self.above.setdefault(note.key, []).append(note)
            else:
                raise ValueError(f"a note must name a top-level key or a task: {note!r}")

    def line(self, indent: int, text: str) -> None:
        self.lines.append(" " * indent + text)

    def comments(self, indent: int, notes: Iterable[Note]) -> None:
        for note in notes:
            prefix = REVIEW if note.review else ""
            self.line(indent, "# " + prefix + " ".join(note.text.split()))

    def value(self, indent: int, key: str, value: str, block: bool = False) -> None:
        """``key: value``, as a block scalar when asked, long or several lines (and YAML can hold it so)."""
        if (block or "\n" in value or len(value) > _BLOCK_AT) and _block_ok(value):
            self.line(indent, f"{key}: |-")
            self.lines.extend(" " * indent + line if line else "" for line in _block_lines(value))
        else:
            self.line(indent, f"{key}: {scalar(value)}")

    def item(self, indent: int, value: str) -> None:
        """``- value`` in a block list; long ones as block scalars."""
        if ("\n" in value or len(value) > _BLOCK_AT) and _block_ok(value):
            self.line(indent, "- |-")
            self.lines.extend(" " * indent + line if line else "" for line in _block_lines(value))
        else:
            self.line(indent, f"- {scalar(value)}")

    def field(self, indent: int, key: str, value: Any) -> None:
        """One key of a record, written as its value's type asks; empty values are left out."""
        if value is None or value == "" or value == ():
            return
        if key in ("id", "number"):  # always text, even when it looks like a number
            self.line(indent, f"{key}: {_quoted(value)}")
        elif isinstance(value, dt.date):
            self.line(indent, f"{key}: {value.isoformat()}")
        elif isinstance(value, str):
            self.value(indent, key, value)
        elif all(isinstance(v, dt.date) for v in value):
            if len(value) == 1:
                self.line(indent, f"{key}: {value[0].isoformat()}")
            else:
                self.line(indent, f"{key}:")
                for day in value:
                    self.line(indent + 2, f"- {day.isoformat()}")
        else:
            self.line(indent, f"{key}:")
            for item in value:
                self.item(indent + 2, item)

    def text(self) -> str:
        left = [*self.tasks.values(), *self.names.values()]
        if any(left):  # a note about nothing must not be lost silently
            raise ValueError(f"notes about tasks or names the directive lacks: {left!r}")
        return "\n".join(self.lines) + "\n"


def dump_directive(
    directive: Directive, registry: Registry | None = None, notes: Iterable[Note] = (), header: Iterable[str] = ()
) -> str:
    """The YAML text of one directive file, keys in the order of :data:`matrix.input.schema.DIRECTIVE`.

    ``notes`` are written next to what they are about, ``header`` lines as a
    leading comment. Names are written as the text wrote them, so ``registry``
    is not needed (it is accepted for callers that hold one).
    """
    d = directive
    out = _Writer(notes)
    out.comments(0, [Note(line, review=False) for line in header])
    values: dict[str, Any] = {
        "id": d.id,
        "kind": d.kind,
        "number": d.number,
        "symbol": d.symbol,
        "date": d.date,
        "as_of": d.as_of,
        "ended": d.ended,
        "place": d.place,
        "province": d.province,
        "title": d.title,
        "recipients": d.recipients,
        "distribution": d.distribution,
        "preamble": d.preamble,
        "closing": d.closing,
        "notes": d.notes,
    }
    for key in DIRECTIVE.names:
        if key == "tasks":
            out.lines.append("")
        out.comments(0, out.above.pop(key, []))
        if key == "issuer":
            out.line(0, "issuer:")
            issuer = {
                "name": d.issuer.name,
                "kind": d.issuer.kind.value,
                "header": d.issuer.header,
                "short": d.issuer.short,
            }
            for name in ISSUER.names:
                out.field(2, name, issuer[name])
        elif key == "signer":
            signer = {"authority": d.signer.authority, "title": d.signer.title, "name": d.signer.name}
            if any(signer.values()):
                out.line(0, "signer:")
                for name in SIGNER.names:
                    out.field(2, name, signer[name])
        elif key == "tasks":
            out.line(0, "tasks: []" if not d.tasks else "tasks:")  # required: written even when empty
            for number, task in enumerate(d.tasks):
                if number:
                    out.lines.append("")  # a blank line between top-level items, for the eye
                _task(out, task, 2)
        else:
            out.field(0, key, values[key])
    return out.text()


def _task(out: _Writer, task: Task, indent: int) -> None:
    out.comments(indent, out.tasks.pop(task.id, []))
    out.line(indent, f"- id: {_quoted(task.id)}")
    inner = indent + 2
    for key in TASK.names[1:]:
        if key == "text":
            out.value(inner, "text", task.text, block=True)
        elif key == "assign":
            _assign(out, task, inner)
        elif key == "tasks":
            if task.tasks:
                out.line(inner, "tasks:")
                for sub in task.tasks:
                    _task(out, sub, inner + 2)
        else:
            out.field(inner, key, getattr(task, key))


def _assign(out: _Writer, task: Task, indent: int) -> None:
    """``assign``: role -> one name or a list of names, each name's notes above it."""
    if not task.assignments:
        return
    out.line(indent, "assign:")
    for role in ROLES:
        names = [a.written for a in task.assignments if a.role is role]
        if len(names) == 1:
            out.comments(indent + 2, out.names.pop((task.id, role, names[0]), []))
            out.value(indent + 2, role.value, names[0])
        elif names:
            out.line(indent + 2, f"{role.value}:")
            for name in names:
                out.comments(indent + 4, out.names.pop((task.id, role, name), []))
                out.item(indent + 4, name)


# --------------------------------------------------------------------------- the registry


class _Dumper(yaml.SafeDumper):
    """Block scalars for multi-line text, so a clerk can edit it."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def _dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1_000_000)


def _agency(agency: Agency) -> dict[str, Any]:
    return AGENCY.ordered(
        {
            "id": agency.id,
            "name": agency.name,
            "short": agency.short,
            "block": agency.block,
            "requested": True if agency.requested else None,
            "aliases": list(agency.aliases),
            "province": agency.province,
            "valid_from": agency.valid_from.isoformat() if agency.valid_from else None,
            "valid_to": agency.valid_to.isoformat() if agency.valid_to else None,
            "successor": agency.successor,
            "members": {p: list(m) for p, m in agency.members.items()} if agency.is_group else None,
        }
    )


def dump_registry(registry: Registry) -> str:
    """The YAML text of a registry file."""
    data = {
        "provinces": dict(registry.provinces),
        "blocks": [{"id": b.id, "name": b.name} for b in registry.blocks],
        "agencies": [_agency(a) for a in registry.agencies if not a.is_group],
        "groups": [_agency(a) for a in registry.agencies if a.is_group],
    }
    if not data["groups"]:
        del data["groups"]
    return _dump(data).replace(f"'{ANY_PROVINCE}':", f'"{ANY_PROVINCE}":')

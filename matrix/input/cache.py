"""Loaded directives kept for the next build: a file read with the same bytes, under the same registry, by the
same loader gives the same directive and the same problems, so a build reads them back instead of checking
the file again.

An entry is a small JSON file named by the SHA-256 of everything the loader's result depends on: the file's
path (messages name it) and bytes, the registry as loaded (:func:`fingerprint`: its file, the catalogue, the
aliases, whatever made it), and the loader's code (matrix's version, PyYAML's, and the source of every module of
:mod:`matrix.core` and :mod:`matrix.input`). A directive without a date is read on today's date: its entry
holds only on the day it was made. The entry holds the directive (:func:`encode` / :func:`decode`, a codec of
the model's frozen dataclasses driven by their fields: JSON, never pickle, so reading a cache runs no code) and
the file's problems, warnings too (told again at every build), with the position of its ``id``.

Only a speed-up: a missing, damaged, truncated or foreign entry is read as no entry, and the file is read
again. Checks across files (two files with one id...) run at every load, entries or not. The cache is used
by ``matrix build`` and the web's build (:func:`matrix.build.pipeline.prepare`), whose folder it lives in
(``.matrix-cache-<output>/directives/``, beside the kept blocks of the consolidated workbook); each build
keeps only the entries it used.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import json
import os
import re
import sys
import types
import typing
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml

from ..core.errors import ERROR, WARNING, Problem
from ..core.model import Directive, Registry
from ..files.kept import KeptFolder

FORMAT = "matrix-directives-2"

# --------------------------------------------------------------------------- the codec


def dumps(value: Any) -> str:
    """``value`` (a frozen dataclass of the model, and what its fields hold) as compact JSON text.

    A dataclass is the list of its fields' values in declaration order, the fields at the end that hold their
    default left out; a date is its ordinal day, an enum its value, a tuple a list, a mapping a list of
    [key, value] pairs. (json's C encoder walks the value; it asks :func:`_plain` only for what it cannot write.)
    """
    return json.dumps(value, default=_plain, ensure_ascii=False, separators=(",", ":"), check_circular=False)


def encode(value: Any) -> Any:
    """``value`` as the plain JSON data :func:`dumps` writes."""
    return json.loads(dumps(value))


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.toordinal()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        names, defaults = _shape(type(value))
        values = [getattr(value, name) for name in names]
        end = len(values)
        while end and defaults[end - 1] is not _REQUIRED and values[end - 1] == defaults[end - 1]:
            end -= 1
        del values[end:]
        return values
    if isinstance(value, Mapping):
        return list(value.items())
    raise TypeError(f"cannot encode {type(value).__name__}")


def decode(kind: Any, data: Any) -> Any:
    """The value of type ``kind`` that :func:`encode` gave ``data`` for; :class:`ValueError` when ``data`` is not
    such a value (a damaged or foreign entry)."""
    try:
        return _decoder(kind)(data)
    except (TypeError, KeyError, IndexError, OverflowError, AttributeError) as exc:
        raise ValueError(f"not a {kind}: {exc}") from exc


_REQUIRED = object()


@cache
def _shape(cls: type) -> tuple[tuple[str, ...], tuple[Any, ...]]:
    """The names of a dataclass's fields (those ``__init__`` takes, in order) and their defaults."""
    fields = [f for f in dataclasses.fields(cls) if f.init]
    defaults = tuple(
        f.default
        if f.default is not dataclasses.MISSING
        else f.default_factory()
        if f.default_factory is not dataclasses.MISSING
        else _REQUIRED
        for f in fields
    )
    return tuple(f.name for f in fields), defaults


def _expect(kind: type) -> Callable[[Any], Any]:
    def check(data: Any) -> Any:
        if type(data) is not kind:
            raise TypeError(f"{data!r} is not {kind.__name__}")
        return data

    return check


def _texts(data: Any) -> tuple[str, ...]:
    if type(data) is not list or not all(type(x) is str for x in data):
        raise TypeError("not a list of texts")
    return tuple(data)


@cache
def _decoder(kind: Any) -> Callable[[Any], Any]:
    """A function turning JSON data back into a value of type ``kind`` (made once per type)."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if kind is type(None):
        return _expect(type(None))
    if kind in (str, bool, int):
        return _expect(kind)
    if origin in (types.UnionType, typing.Union):
        options = [a for a in args if a is not type(None)]
        if len(options) != 1:
            raise TypeError(f"no codec for {kind}")
        inner = _decoder(options[0])
        return lambda data: None if data is None else inner(data)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            if args[0] is str:
                return _texts
            item = _decoder(args[0])
            return lambda data: tuple([item(x) for x in _expect(list)(data)])
        raise TypeError(f"no codec for {kind}")
    if origin in (Mapping, dict):
        key, value = _decoder(args[0]), _decoder(args[1])
        return lambda data: types.MappingProxyType({key(k): value(v) for k, v in _expect(list)(data)})
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        members = {member.value: member for member in kind}  # a lookup, not the enum's call
        return lambda data: members[_expect(str)(data)]
    if kind is dt.date:
        return lambda data: dt.date.fromordinal(_expect(int)(data))
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return _dataclass_decoder(kind)
    raise TypeError(f"no codec for {kind}")


def _dataclass_decoder(cls: type) -> Callable[[Any], Any]:
    hints = typing.get_type_hints(cls, vars(sys.modules[cls.__module__]))
    names, defaults = _shape(cls)
    required = sum(d is _REQUIRED for d in defaults)
    # per field: None for a text (checked here, the commonest), else its decoder, made on first use (a
    # recursive type, Task holding Tasks, cannot make its own decoder while it is being made)
    readers: list[Callable[[Any], Any] | None] = [None] * len(names)
    texts = [hints[name] is str for name in names]

    def build(data: Any) -> Any:
        if type(data) is not list or not required <= len(data) <= len(names):
            raise TypeError(f"not a {cls.__name__}")
        values = []
        for index, value in enumerate(data):
            if texts[index]:
                if type(value) is not str:
                    raise TypeError(f"not a text: {value!r}")
                values.append(value)
                continue
            read = readers[index]
            if read is None:
                read = readers[index] = _decoder(hints[names[index]])
            values.append(read(value))
        return cls(*values)

    return build


# --------------------------------------------------------------------------- what an entry depends on


@lru_cache(maxsize=1)
def code_version() -> str:
    """matrix's version, PyYAML's and a digest of the source of every module of matrix.core and matrix.input:
    what reading a directive file depends on besides the file and the registry."""
    from .. import __version__
    from ..core import errors

    code = hashlib.sha256()
    for folder in (Path(errors.__file__).parent, Path(__file__).parent):
        for module in sorted(folder.glob("*.py")):
            code.update(module.name.encode() + b"\0" + module.read_bytes() + b"\0")
    return f"{FORMAT} {__version__} {yaml.__version__} {code.hexdigest()}"


def fingerprint(registry: Registry) -> str:
    """A digest of the registry as loaded (every field of every block and body, the provinces, the mergers)."""
    return hashlib.sha256(dumps(registry).encode()).hexdigest()


# --------------------------------------------------------------------------- the entries


@dataclass(frozen=True)
class Loaded:
    """What the loader made of one directive file: the directive (None when it has errors), its problems (in the
    order reported), where its ``id`` stands (line, column; None when it has none), and whether it is undated
    (then read on ``day``); ``content``: the SHA-256 of the directive as the cache writes it (:func:`content`),
    None when it has none."""

    directive: Directive | None
    problems: tuple[Problem, ...]
    id_at: tuple[int, int] | None
    undated: bool
    day: dt.date
    content: str | None = None
    text: str | None = dataclasses.field(default=None, compare=False, repr=False)  # the directive as dumps writes it


_SEVERITIES = frozenset({ERROR, WARNING})


class DirectiveCache(KeptFolder):
    """The entries under ``folder`` (``None``: no cache, every file is read). :meth:`key` names an entry,
    :meth:`get` reads it back (None when there is none that holds), :meth:`put` keeps one, :meth:`tidy` removes
    the entries no load of this cache asked for. ``jobs``: how many processes may read the files it lacks at once
    (None: one per core; ``matrix.input.load`` forks the others, which keep their entries here)."""

    def __init__(self, folder: Path | None, jobs: int | None = None) -> None:
        super().__init__(folder, ".json")
        self.jobs = jobs
        self._prints: dict[int, tuple[Registry, str]] = {}
        self._spread: set[str] = set()
        self._keys: dict[str, tuple[Registry, bytes, str]] = {}

    def holds(self, key: str) -> bool:
        """Whether an entry ``key`` is there (not whether it holds: :meth:`get` tells)."""
        return self.folder is not None and (self.folder / f"{key}{self.suffix}").is_file()

    def spread(self, keys: set[str]) -> None:
        """Say that the entries ``keys`` were just made by other processes for this load: read back, they count
        as misses (the files were read anew)."""
        self._spread |= keys

    def key(self, path: Path, data: bytes, registry: Registry) -> str:
        known = self._prints.get(id(registry))
        if known is None or known[0] is not registry:
            known = self._prints[id(registry)] = (registry, fingerprint(registry))
        name = str(path)
        last = self._keys.get(name)  # the load asks twice (is an entry there, then the entry)
        if last is not None and last[0] is registry and last[1] == data:
            return last[2]
        digest = hashlib.sha256()
        for part in (code_version().encode(), known[1].encode(), os.fsencode(name)):
            digest.update(len(part).to_bytes(8, "big") + part)
        digest.update(data)
        key = digest.hexdigest()
        self._keys[name] = (registry, data, key)
        return key

    def get(self, key: str, today: dt.date) -> Loaded | None:
        """The entry ``key`` (None when missing, unreadable, damaged, foreign, or undated and made another day)."""
        if self.folder is None:
            return None
        data = self.read(key)
        try:
            if data is None:
                raise ValueError("no entry")
            raw = json.loads(data)
            if not (isinstance(raw, dict) and raw.get("format") == FORMAT and raw.get("key") == key):
                raise ValueError("foreign entry")
            loaded = _read_entry(raw)
        except (ValueError, KeyError, TypeError, RecursionError):
            self.found(False)
            return None
        holds = not loaded.undated or loaded.day == today
        self.found(holds and key not in self._spread)  # made for this load by another process: read anew
        return loaded if holds else None

    def put(self, key: str, loaded: Loaded) -> None:
        """Keep ``loaded`` as entry ``key`` (written whole or not at all; a failure only costs the next load time)."""
        if self.folder is None:
            return
        self.used.add(key)  # kept even when it cannot be written
        entry = {
            "format": FORMAT,
            "key": key,
            "problems": loaded.problems,
            "id_at": loaded.id_at,
            "undated": loaded.undated,
            "day": loaded.day,
            "content": loaded.content,
        }
        try:
            # the directive's text as its digest was made from (not written twice), else written now
            directive = loaded.text if loaded.text is not None else dumps(loaded.directive)
            data = f'{dumps(entry)[:-1]},"directive":{directive}}}'.encode()
        except (TypeError, ValueError, RecursionError):  # a model this codec cannot write: no entry
            return
        self.write(key, data)  # no fsync: an entry torn by a crash fails its checks and is read as none


# --------------------------------------------------------------------------- what a loaded directive is


_IDENTITIES: dict[int, tuple[weakref.ref[Directive], str]] = {}


def content(directive: Directive) -> str:
    """The SHA-256 of ``directive`` as an entry holds it: the codec writes every field of the model, and reads
    back what it wrote, so two directives have the same content exactly when they are equal."""
    return written(directive)[1]


def written(directive: Directive) -> tuple[str, str]:
    """``directive`` as an entry holds it (:func:`dumps`) and the SHA-256 of that text (:func:`content`)."""
    text = dumps(directive)
    return text, hashlib.sha256(text.encode()).hexdigest()


def remember(directive: Directive, digest: str) -> None:
    """Say that ``digest`` (:func:`content`, made once when its entry was: kept in it) names ``directive``, so
    that a build fingerprints it by that text (:func:`identity`) instead of hashing every task. Its content, not
    its file's bytes: a comment or a blank line added changes no document. Kept while the directive lives (a weak
    reference: nothing is kept alive for it)."""
    place = id(directive)

    def gone(_: object, place: int = place) -> None:
        found = _IDENTITIES.get(place)
        if found is not None and found[0]() is None:
            del _IDENTITIES[place]

    _IDENTITIES[place] = (weakref.ref(directive, gone), digest)


def identity(directive: Directive) -> str | None:
    """The digest that names ``directive`` fully when it came from the loader with a cache (:func:`remember`):
    equal for two directives only if the loader read the same file, bytes, registry and code (and day, undated);
    None for a directive made otherwise (an edit in memory, a draft, a copy changed by :func:`dataclasses.replace`)."""
    found = _IDENTITIES.get(id(directive))
    if found is None or found[0]() is not directive:
        return None
    return found[1]


def _read_entry(raw: dict[str, Any]) -> Loaded:
    directive = decode(Directive | None, raw["directive"])
    problems = tuple(decode(Problem, p) for p in raw["problems"])
    if any(p.severity not in _SEVERITIES for p in problems):
        raise ValueError("unknown severity")
    id_at = decode(tuple[int, ...] | None, raw["id_at"])
    if id_at is not None and len(id_at) != 2:
        raise ValueError("id position")
    digest = decode(str | None, raw["content"])
    if directive is not None and (digest is None or not _DIGEST.fullmatch(digest)):
        raise ValueError("content")
    return Loaded(directive, problems, id_at, decode(bool, raw["undated"]), decode(dt.date, raw["day"]), digest)


_DIGEST = re.compile(r"[0-9a-f]{64}")

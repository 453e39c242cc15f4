"""The drafter's word lists, read once from the commented data file ``matrix/draft/data/names.yaml``.

The file maps list names to phrases (or, for a few lists, phrases to phrases); the rules that use them live in
:mod:`matrix.draft.names`. The file ships with matrix (package data, read through :mod:`importlib.resources`), so a
fault in it is a developer's error: :class:`WordListError` names the file, line and column, never a guess.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources

import yaml

from ..core.text import match_key

try:  # the C loader is much faster where PyYAML was built with it
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

DATA_FILE = "data/names.yaml"  # inside the package matrix.draft
_STR = "tag:yaml.org,2002:str"


class WordListError(Exception):
    """A malformed word list file: the message starts with ``file:line:column:``."""


@dataclass
class WordLists:
    """The lists of one file, by name; :meth:`unused` tells the lists nobody asked for."""

    path: str
    lists: dict[str, tuple[str, ...]]
    mappings: dict[str, dict[str, str]]
    lines: dict[str, int]
    asked: set[str] = field(default_factory=set)

    def phrases(self, name: str) -> tuple[str, ...]:
        """The phrases of the list ``name``, in the file's order."""
        self._check(name, self.lists, "a list of phrases")
        return self.lists[name]

    def mapping(self, name: str) -> dict[str, str]:
        """The mapping ``name`` (phrase -> phrase), in the file's order."""
        self._check(name, self.mappings, "a mapping of phrase: phrase")
        return dict(self.mappings[name])

    def unused(self) -> list[str]:
        """The names of the lists no one has read (a list the code no longer uses)."""
        return sorted(set(self.lists).union(self.mappings) - self.asked)

    def _check(self, name: str, kind: Mapping[str, object], wanted: str) -> None:
        if name not in kind:
            if name in self.lines:
                raise WordListError(f"{self.path}:{self.lines[name]}:1: '{name}' should be {wanted}")
            raise WordListError(f"{self.path}: no list '{name}' (matrix/draft/names.py reads it)")
        self.asked.add(name)


def parse_word_lists(text: str, path: str) -> WordLists:
    """The lists of ``text`` (the content of ``path``), checked: each a non-empty list of distinct phrases (compared
    folded, as names are) or a mapping of distinct phrases to phrases; :class:`WordListError` at the first fault."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{mark.line + 1}:{mark.column + 1}" if mark else "1:1"
        raise WordListError(f"{path}:{where}: not valid YAML: {exc.problem or exc.context}") from None
    if not isinstance(root, yaml.MappingNode):
        raise WordListError(f"{path}:1:1: the file should map list names to lists")
    found = WordLists(path, {}, {}, {})
    for key, value in root.value:
        name = _text(key, path, "a list name")
        if name in found.lines:
            raise WordListError(f"{_at(key, path)}: '{name}' is given twice (first on line {found.lines[name]})")
        found.lines[name] = key.start_mark.line + 1
        if isinstance(value, yaml.SequenceNode):
            found.lists[name] = tuple(_distinct(name, value, [(node, node) for node in value.value], path))
        elif isinstance(value, yaml.MappingNode):
            keys = _distinct(name, value, value.value, path)
            found.mappings[name] = dict(zip(keys, (_text(v, path, "a phrase") for _, v in value.value), strict=True))
        else:
            raise WordListError(f"{_at(value, path)}: '{name}' should be a list of phrases (one '- ' a line)")
    return found


def _distinct(name: str, parent: yaml.Node, pairs: list[tuple[yaml.Node, yaml.Node]], path: str) -> list[str]:
    """The phrases of ``pairs`` (the key node of each), refused when empty or when two are the same folded."""
    if not pairs:
        raise WordListError(f"{_at(parent, path)}: '{name}' is empty")
    seen: dict[str, tuple[str, int]] = {}
    phrases = []
    for node, _ in pairs:
        phrase = _text(node, path, "a phrase")
        first = seen.get(match_key(phrase))
        if first is not None:
            raise WordListError(
                f"{_at(node, path)}: '{phrase}' repeats '{first[0]}' (line {first[1]}) in '{name}'"
                " (phrases are compared folded: case and tone marks do not count)"
            )
        seen[match_key(phrase)] = (phrase, node.start_mark.line + 1)
        phrases.append(phrase)
    return phrases


def _text(node: yaml.Node, path: str, what: str) -> str:
    """A plain text scalar: not a list, not a number or a yes/no that YAML would read as one, not blank."""
    if not isinstance(node, yaml.ScalarNode):
        raise WordListError(f"{_at(node, path)}: {what} should be a text, not a list or a mapping")
    if node.tag != _STR:
        raise WordListError(f"{_at(node, path)}: '{node.value}' is read as {node.tag.rsplit(':', 1)[-1]}: quote it")
    if not node.value.strip() or node.value != node.value.strip():
        raise WordListError(f"{_at(node, path)}: {what} should be words without spaces around them")
    return str(node.value)


def _at(node: yaml.Node, path: str) -> str:
    return f"{path}:{node.start_mark.line + 1}:{node.start_mark.column + 1}"


@functools.cache
def word_lists() -> WordLists:
    """The drafter's word lists, read once from the package's data file."""
    text = (resources.files("matrix.draft") / DATA_FILE).read_text(encoding="utf-8")
    return parse_word_lists(text, f"matrix/draft/{DATA_FILE}")

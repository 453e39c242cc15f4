"""A Word template rendered section by section, each section's XML kept for the next build when the template
is proven to render each section independently of the others (the consolidated assignment table: a section per
directive, 6,000 rows, of which a clerk's edit changes one directive's).

The proof (:func:`_plan`), made once per template part: the part has one ``{% for x in sections %}`` at its top
level (no ``else``, no filter, not recursive), the loop's body never reads ``loop`` (only nested loops' own) and
nothing in the part assigns a variable, defines a macro or block, includes or imports; the rest of the part
never reads ``sections``. Then the part renders as its *skeleton* (the loop replaced by a mark) with each
section's output where the mark is, and a section's output is the loop alone rendered over that one section: a
pure function of the section, of the top-level names the body reads and of the part. docxtpl's post-processing
(:meth:`matrix.writers.templates._FastPackage._render_part`: the line joins, escaped braces, ``resolve_listing``
paragraph by paragraph) runs on each piece alone; that is the same text as over the whole when no pattern of
it straddles the boundary between two pieces and no paragraph is open at a boundary, which is checked at every
boundary (each kept piece keeps its first and last characters and whether it ends inside a paragraph). When
anything fails (the proof, a boundary, a render error), the caller renders the template whole, as before.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import jinja2
import jinja2.meta
from jinja2 import nodes

from . import templates
from .chunks import ChunkStore, chunk_key, code_version

_MARK = "<?matrix-sections?>"  # where the loop sits in the skeleton: never in a value (escaped) nor in Word's XML
_EDGE = 8  # characters kept of each end of a piece: longer than every pattern of the post-processing
_PATTERNS = ("\n<w:p ", "\n<w:p>", "{_{", "}_}", "{_%", "%_}")  # what the post-processing replaces
_REFUSED = (
    nodes.Assign,
    nodes.AssignBlock,
    nodes.Macro,
    nodes.CallBlock,
    nodes.Include,
    nodes.Import,
    nodes.FromImport,
    nodes.Extends,
    nodes.Block,
    nodes.Scope,
    nodes.With,
    nodes.ExprStmt,
    nodes.OverlayScope,
    nodes.EvalContextModifier,
)


@dataclass(frozen=True)
class _Sectioned:
    """A part proven to render section by section: its skeleton, its loop alone, the top-level names the loop's
    body reads (besides the sections)."""

    skeleton: jinja2.Template
    loop: jinja2.Template
    names: tuple[str, ...]


_READS: weakref.WeakKeyDictionary[jinja2.Environment, dict[tuple[str, str], bool]] = weakref.WeakKeyDictionary()
_PLANS: weakref.WeakKeyDictionary[jinja2.Environment, dict[tuple[str, str], _Sectioned | None]] = (
    weakref.WeakKeyDictionary()
)


class Section(Protocol):
    """One section: its data as the template reads it, and what that data is made from (None: not told; the
    data is then its own key)."""

    def data(self) -> Any: ...

    def inputs(self) -> object | None: ...


def render_sectioned(
    template: templates.WordTemplate,
    context: Mapping[str, Any],
    sections: Sequence[Section],
    out: Path,
    store: ChunkStore,
    *,
    created: dt.datetime | None = None,
    name: str = "sections",
    code: Sequence[str] = (),
) -> bool:
    """Render ``template`` with ``context`` and ``name`` the data of ``sections`` into ``out``, section by
    section: each section's piece is taken from ``store`` when kept under its key (what the section is made
    from, or its data), else its data made, rendered and kept. False, with nothing written, when the template
    cannot be proven to render its sections independently or anything fails: the caller then renders it whole
    (:meth:`~matrix.writers.templates.WordTemplate.render`, which also reports the template's errors). No part
    but the loop over the sections reads ``name``: ``context`` need not hold it. ``code``: the source files of
    the code that makes the sections' data from their inputs (a piece's key digests them)."""
    try:
        template.check([*context.keys(), name])
        template.undeclared_variables()  # the parts parsed and their proofs of well-formedness made
        package = template._package()
        env = template._env
        planned = [(part, _plan(env, package._source(xml), name)) for part, xml in package._parts.items()]
        if sum(plan is not None for _, plan in planned) != 1:
            return False
        rendered: dict[str, bytes] = {}
        for part, plan in planned:
            xml = package._parts[part]
            proven = package._proven.get(part) is True
            if plan is None:
                if _reads(env, package._source(xml), name):
                    return False
                text = package._render_part(xml, dict(context), env)
                data = (templates._XML_DECLARATION + text).encode("utf-8")
                if not proven and not templates.well_formed(data):
                    return False
            else:
                if not proven:
                    return False
                data_or_none = _render_part(package, plan, xml, context, sections, name, store, code)
                if data_or_none is None:
                    return False
                data = data_or_none
            rendered[part] = data
        package.write(rendered, out, created)
        return True
    except templates.TemplateLimit as exc:  # a whole render would go past the same bound: told now, not after it
        raise template._error(exc) from exc
    except Exception:  # the whole render tells what went wrong, as it always has
        return False


def _render_part(
    package: Any,
    plan: _Sectioned,
    xml: str,
    context: Mapping[str, Any],
    sections: Sequence[Section],
    name: str,
    store: ChunkStore,
    code_files: Sequence[str],
) -> bytes | None:
    """The part's bytes (its XML declaration, then its XML in UTF-8), or None when a boundary is not safe."""
    skeleton = plan.skeleton.render(dict(context))
    if skeleton.count(_MARK) != 1:
        return None
    before, after = skeleton.split(_MARK)
    code = code_version(templates.__file__, __file__, *code_files)
    shared = [(n, context.get(n)) for n in plan.names]
    pieces: list[bytes] = []
    tail, unclosed, total = before[-_EDGE:], _ends_in_paragraph(before), len(before) + len(after)
    deadline = time.monotonic() + templates.RENDER_SECONDS  # the bounds of one render hold for the sections together
    for section in sections:
        if time.monotonic() > deadline:
            templates._SafeEnvironment._too_slow()  # the sections together past one render's time
        inputs = section.inputs()
        data = section.data() if inputs is None else None
        key = chunk_key(code, xml, shared, "data" if inputs is None else "inputs", data if inputs is None else inputs)
        found = _kept(store.get(key))
        if found is None:
            raw = plan.loop.render({**context, name: [section.data() if data is None else data]})
            found = (raw[:_EDGE], raw[-_EDGE:], len(raw), _ends_in_paragraph(raw), _post(package, raw).encode("utf-8"))
            store.put(key, json.dumps(found[:4]).encode() + b"\n" + found[4])
        head, last, size, ends_open, piece = found
        if unclosed or _straddles(tail, head):
            return None
        total += size
        if total > templates.MAX_RENDER_CHARS:
            templates._SafeEnvironment._too_long()  # the sections together past one render's output
        tail = (tail + head)[-_EDGE:] if size < _EDGE else last
        unclosed = ends_open
        pieces.append(piece)
    if unclosed or _straddles(tail, after[:_EDGE]):
        return None
    head_bytes = (templates._XML_DECLARATION + _post(package, before)).encode("utf-8")
    return b"".join([head_bytes, *pieces, _post(package, after).encode("utf-8")])


def _post(package: Any, out: str) -> str:
    """docxtpl's post-processing of rendered XML, as :meth:`~matrix.writers.templates._FastPackage._render_part`
    does it (tests/test_kept_pieces.py compares the pieces joined with the whole rendered by it)."""
    out = out.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")
    if "{_" in out or "_}" in out:
        out = out.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
    return templates.resolve_listing(package._base, out)


def _ends_in_paragraph(raw: str) -> bool:
    """Whether ``raw`` ends inside a paragraph as docxtpl's pattern reads them (an opening ``<w:p>`` or
    ``<w:p ...>`` after the last ``</w:p>``)."""
    opened = max(raw.rfind("<w:p "), raw.rfind("<w:p>"))
    return opened > raw.rfind("</w:p>")


def _straddles(left: str, right: str) -> bool:
    """Whether a pattern of the post-processing could begin in ``left`` (the end of a text) and end in
    ``right`` (the start of the next)."""
    return any(
        left.endswith(pattern[:cut]) and right.startswith(pattern[cut:])
        for pattern in _PATTERNS
        for cut in range(1, len(pattern))
    )


def _kept(data: bytes | None) -> tuple[str, str, int, bool, bytes] | None:
    """A kept piece: its raw text's first and last characters, its raw length, whether it ends in a paragraph,
    its bytes; None when there is none or it is not as written."""
    if data is None:
        return None
    end = data.find(b"\n")
    try:
        head, last, size, ends_open = json.loads(data[:end])
    except (ValueError, TypeError):
        return None
    if not (isinstance(head, str) and isinstance(last, str) and isinstance(size, int) and isinstance(ends_open, bool)):
        return None
    return head, last, size, ends_open, data[end + 1 :]


def _reads(env: jinja2.Environment, source: str, name: str) -> bool:
    """Whether the part ``source`` reads the top-level name ``name``, once per part."""
    reads = _READS.setdefault(env, {})
    key = (source, name)
    if key not in reads:
        reads[key] = name in jinja2.meta.find_undeclared_variables(env.parse(source))
    return reads[key]


def _plan(env: jinja2.Environment, source: str, name: str) -> _Sectioned | None:
    """The part ``source`` made ready to render section by section (see the module), once per part; None when
    it has no loop over ``name`` or the proof fails."""
    plans = _PLANS.setdefault(env, {})
    key = (source, name)
    if key not in plans:
        plans[key] = _proven(env, source, name)
    return plans[key]


def _proven(env: jinja2.Environment, source: str, name: str) -> _Sectioned | None:
    tree = env.parse(source)
    loops = [
        n for n in tree.body if isinstance(n, nodes.For) and isinstance(n.iter, nodes.Name) and n.iter.name == name
    ]
    if len(loops) != 1:
        return None
    loop = loops[0]
    target = loop.target
    if not isinstance(target, nodes.Name) or target.name == name or loop.recursive or loop.test or loop.else_:
        return None
    if any(isinstance(node, _REFUSED) for node in tree.find_all(_REFUSED)):
        return None
    if any(_reads_loop(node) for node in loop.body):
        return None
    if sum(n.name == name for n in tree.find_all(nodes.Name)) != 1:  # read by the loop alone, nothing else
        return None
    index = tree.body.index(loop)
    # each template from a tree of its own (jinja2's nodes hold their environment: not copied), parsed again
    alone = nodes.Template([env.parse(source).body[index]], lineno=1)
    alone.set_environment(env)
    names = tuple(sorted(jinja2.meta.find_undeclared_variables(alone) - {name}))
    tree.body[index] = nodes.Output([nodes.TemplateData(_MARK, lineno=loop.lineno)], lineno=loop.lineno)
    tree.set_environment(env)
    return _Sectioned(env.from_string(tree), env.from_string(alone), names)


def _reads_loop(node: nodes.Node) -> bool:
    """Whether ``node`` (in the body of the sections' loop) reads that loop's ``loop`` variable (a nested loop's
    body reads its own)."""
    if isinstance(node, nodes.Name):
        return node.name == "loop"
    if isinstance(node, nodes.For):
        outer = [node.iter, *node.else_] + ([node.test] if node.test is not None else [])
        return any(_reads_loop(child) for child in outer)
    return any(_reads_loop(child) for child in node.iter_child_nodes())

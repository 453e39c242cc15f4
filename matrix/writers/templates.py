"""Where the .docx templates are found, and the one jinja2 environment that renders them.

A template is a Word file with jinja2 tags (docxtpl). The user's folder is
searched first, then the repository's ``templates/`` folder, so a clerk can
copy a template, edit it in Word and point the tool at the copy.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import io
import math
import os
import pyexpat
import re
import struct
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from importlib import resources
from pathlib import Path
from stat import S_ISREG
from typing import Any, ClassVar, TypeVar

import jinja2
import jinja2.meta
from docxtpl import DocxTemplate
from isal import isal_zlib
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.nodes import EvalContext
from jinja2.runtime import LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

from ..core.errors import TemplateProblem, os_message
from ..core.text import XML_ILLEGAL
from ..files.safeio import write_all


def _default_templates() -> Path:
    """The shipped templates: the package ``matrix.defaults``, which setup.cfg maps onto the
    repository's top-level templates/ folder, so a checkout, an editable install and a regular
    install (wheel, ``--user``, ``--prefix``) all find them the same way."""
    return Path(str(resources.files("matrix.defaults")))


PACKAGE_TEMPLATES = _default_templates()

# Characters XML 1.0 forbids, plus the ones docxtpl turns into structure
# (\a new paragraph, \f page break): task text must never create either.
_FORBIDDEN_CHARS = re.compile(f"[{XML_ILLEGAL}\x7f]")
_CACHE_SIZE = 64  # distinct template parts kept compiled or patched
_CONCAT_BATCH = 4096  # characters of output counted (and the clock read) at once by _SafeEnvironment.concat
T = TypeVar("T")


class WordTemplateError(TemplateProblem):
    """A template is missing, malformed, or uses a variable the data does not provide.

    The message is for the user (Vietnamese) and always names the template file.
    """


def search_path(user_dir: Path | None = None) -> tuple[Path, ...]:
    """The folders searched for templates: the user's first, then the repository's."""
    return (user_dir, PACKAGE_TEMPLATES) if user_dir is not None else (PACKAGE_TEMPLATES,)


def find_template(name: str, user_dir: Path | None = None) -> Path:
    """The first ``name`` found on :func:`search_path`."""
    folders = search_path(user_dir)
    for folder in folders:
        candidate = folder / name
        if candidate.is_file():
            return candidate
    looked = ", ".join(str(f) for f in folders)
    raise WordTemplateError(f"Không tìm thấy mẫu {name} (đã tìm trong: {looked}).")


def clean_value(value: Any) -> Any:
    """Every ``{{ value }}`` passes here: None prints as nothing, control characters go."""
    if value is None:
        return ""
    if isinstance(value, Markup):
        # already escaped text (``|e``, a macro's or a {% set %} block's output, ``|safe``): back to the plain
        # text it shows, which autoescape then escapes once. Raw XML never reaches a document, and "&" prints
        # as "&", not "&amp;".
        value = value.unescape()
    if isinstance(value, str) and not value.isprintable():  # a printable str holds none of the forbidden characters
        return _FORBIDDEN_CHARS.sub("", value)
    return value


def _memo(cache: dict[Any, T], key: Any, make: Callable[[], T]) -> T:
    """``cache[key]``, made on first use; the cache empties itself when it grows past its bound."""
    value = cache.get(key)
    if value is None:
        if len(cache) >= _CACHE_SIZE:
            cache.clear()
        value = cache[key] = make()
    return value


# Bounds on what one template may cost: a render (one part of one document) that runs longer or
# writes more is stopped with an error naming the template, rather than hanging the build.
RENDER_SECONDS = 20.0
MAX_RENDER_CHARS = 50_000_000
MAX_TEMPLATE_BYTES = 100 * 1024 * 1024  # a template's parts, uncompressed (zip bombs)


class TemplateLimit(SecurityError):
    """A template went past :data:`RENDER_SECONDS` or :data:`MAX_RENDER_CHARS` (message in Vietnamese)."""


def escape_text(text: str) -> str:
    """``str(markupsafe.escape(text))`` for a plain text, without making a :class:`Markup`: markupsafe's own
    replacements (its pure-Python path), each a scan in C that returns ``text`` itself when the character is absent."""
    return (
        text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;").replace("'", "&#39;").replace('"', "&#34;")
    )


class _OutputGenerator(CodeGenerator):
    """jinja2's code generator, printing a value with one call, ``environment.escaped(value)``, where jinja2 writes
    ``escape(environment.finalize(value))`` (autoescape on, as in every matrix template): see
    :meth:`_SafeEnvironment.escaped`. Everywhere else (``{% autoescape false %}``, a volatile autoescape) it is
    jinja2's own output. The generated code reaches into jinja2 3.1's ``_output_child_pre``/``_post`` (setup.cfg
    pins it; ``tests/test_template_seam.py`` compares the output with jinja2's own generator)."""

    def _escaped_output(self, frame: Frame, finalize: Any) -> bool:
        return bool(frame.eval_ctx.autoescape and not frame.eval_ctx.volatile and finalize.src == _FINALIZE_SOURCE)

    def _output_child_pre(self, node: jinja2.nodes.Expr, frame: Frame, finalize: Any) -> None:
        if self._escaped_output(frame, finalize):
            self.write("environment.escaped(")
        else:
            super()._output_child_pre(node, frame, finalize)

    def _output_child_post(self, node: jinja2.nodes.Expr, frame: Frame, finalize: Any) -> None:
        if self._escaped_output(frame, finalize):
            self.write(")")
        else:
            super()._output_child_post(node, frame, finalize)

    def visit_Getattr(self, node: jinja2.nodes.Getattr, frame: Frame) -> None:
        """``x.name`` of a dict (the data of every template) read in place, ``x["name"]``, where jinja2 calls the
        sandbox's ``getattr`` (which reads the item too: a dict has no such attribute); any other object, a
        name that is a dict's method (``data.items``) and a missing key go the sandbox's way as before. The
        value is bound once (``:=``), so an expression is never evaluated twice. The deadline, which the
        sandbox's ``getattr`` checked, is checked at every step of a loop (:meth:`visit_For`)."""
        if self.environment.is_async or node.attr in _DICT_ATTRIBUTES:
            super().visit_Getattr(node, frame)
            return
        if self.optimizer is not None and not frame.eval_ctx.volatile:  # as jinja2's @optimizeconst
            folded = self.optimizer.visit(node, frame.eval_ctx)
            if folded != node:
                self.visit(folded, frame)
                return
        value = f"_matrix_value{self._attribute_depth}"
        self._attribute_depth += 1
        try:
            self.write(f"({value}[{node.attr!r}] if type({value} := ")
            self.visit(node.node, frame)
            self.write(f") is dict and {node.attr!r} in {value} else environment.getattr({value}, {node.attr!r}))")
        finally:
            self._attribute_depth -= 1

    _attribute_depth = 0

    def visit_For(self, node: jinja2.nodes.For, frame: Frame) -> None:
        """jinja2's loop over ``environment.ticking(items)`` (:meth:`visit_Call` writes the call; a template cannot
        name it): the deadline is checked at each step, as a loop that prints nothing and reads only dicts would
        not look at the clock otherwise. A recursive loop calls itself for each level, and a call checks it."""
        if not node.recursive:
            ticking = object.__new__(jinja2.nodes.InternalName)  # as jinja2's Parser.free_identifier makes one
            jinja2.nodes.Node.__init__(ticking, _TICKING, lineno=node.lineno)
            node = copy.copy(node)
            node.iter = jinja2.nodes.Call(ticking, [node.iter], [], None, None, lineno=node.iter.lineno)
            node.iter.set_environment(self.environment)
        super().visit_For(node, frame)

    def visit_Call(self, node: jinja2.nodes.Call, frame: Frame, forward_caller: bool = False) -> None:
        if isinstance(node.node, jinja2.nodes.InternalName) and node.node.name == _TICKING:  # made by visit_For
            self.write(f"{_TICKING}(")
            self.visit(node.args[0], frame)
            self.write(")")
            return
        super().visit_Call(node, frame, forward_caller=forward_caller)


_TICKING = "environment.ticking"  # the for loops' items (:meth:`_OutputGenerator.visit_For`)
_FINALIZE_SOURCE = "environment.finalize("  # how jinja2's generator calls a finalize that takes the value alone
_ESCAPED_CHARS = 4_000_000  # characters of the texts _SafeEnvironment.escaped keeps escaped (then it starts again)


class _SafeEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox every template renders in, with bounded time and output.

    jinja2's immutable sandbox refuses attributes that reach Python internals
    (``cycler.__init__.__globals__``), calls that mutate data, and ranges over
    100,000 items. On top of it: every call, attribute access and printed
    value checks a deadline; every text a render makes counts against its
    budget (:data:`MAX_RENDER_CHARS`): the output, what each filter and call
    returns, the texts passed to calls (a macro doubling its argument), and
    ``*``, ``+``, ``%``, ``replace``, ``join`` and ``format`` are counted
    before they are made, so one step never builds a text past the budget
    (``'x' * 10**10``, ``a|replace('x', a)``, ``'%0999999999d'|format(1)``).
    ``from_string`` compiles once per source text: docxtpl hands the
    environment the whole document XML for every document it renders, and
    compiling is the slowest step of a render.
    """

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    code_generator_class = _OutputGenerator

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._compiled: dict[str, jinja2.Template] = {}
        self._escaped: dict[str, tuple[str, int]] = {}
        self._escaped_chars = 0
        self._deadline = 0.0
        self._written = 0
        self._depth = 0
        for name in ("lipsum", "cycler", "joiner", "namespace"):
            self.globals.pop(name, None)

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> jinja2.Template:
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        return _memo(self._compiled, source, lambda: super(_SafeEnvironment, self).from_string(source))

    def compile_parsed(self, source: str, tree: jinja2.nodes.Template) -> None:
        """Keep ``tree`` (``self.parse(source)``) compiled for :meth:`from_string` of ``source``: a part read
        once for its variables and its proof is not parsed a second time to be compiled. ``tree`` is spent
        (jinja2's optimizer may rewrite it)."""
        if source not in self._compiled:
            _memo(self._compiled, source, lambda: super(_SafeEnvironment, self).from_string(tree))

    def concat(self, chunks: Iterable[str]) -> str:
        """``"".join`` with the deadline and the output bound (every render and macro goes through it).

        The pieces are counted in batches of :data:`_CONCAT_BATCH` characters, not one by one (this loop runs
        for every piece of every document): a printed value is counted and timed as it is printed
        (:meth:`finalize_value`), so what a batch holds besides values is the template's own text, a few
        thousand characters at most between two checks."""
        if self._depth == 0:
            self._deadline = time.monotonic() + RENDER_SECONDS
            self._written = 0
        self._depth += 1
        try:
            out: list[str] = []
            append, batch, pending = out.append, _CONCAT_BATCH, 0
            for chunk in chunks:
                append(chunk)
                pending += len(chunk)
                if pending >= batch:
                    self._count(pending)
                    pending = 0
            self._count(pending)
            return "".join(out)
        finally:
            self._depth -= 1

    def _count(self, size: int) -> None:
        self._written += size
        if self._written > MAX_RENDER_CHARS:
            self._too_long()
        if self._depth and time.monotonic() > self._deadline:
            self._too_slow()

    def _tick(self) -> None:
        if self._depth and time.monotonic() > self._deadline:
            self._too_slow()

    @staticmethod
    def _too_long() -> None:
        raise TemplateLimit(f"mẫu tạo ra quá nhiều chữ (hơn {MAX_RENDER_CHARS:,} ký tự)".replace(",", "."))

    @staticmethod
    def _too_slow() -> None:
        raise TemplateLimit(f"mẫu chạy quá {RENDER_SECONDS:g} giây (vòng lặp quá lớn?)")

    def finalize_value(self, value: Any) -> Any:
        """:func:`clean_value`, the text counted (inlined: every printed value passes here)."""
        if value is None:
            return ""
        if isinstance(value, str):
            if type(value) is not str:  # as clean_value: escaped text back to the plain text it shows
                value = value.unescape() if isinstance(value, Markup) else str(value)
            if not value.isprintable():
                value = _FORBIDDEN_CHARS.sub("", value)
            self._count(len(value))
        return value

    def ticking(self, items: Iterable[T]) -> Iterator[T]:
        """``items``, the deadline checked before each (every for loop of a template iterates through here)."""
        for item in items:
            if self._depth and time.monotonic() > self._deadline:
                self._too_slow()
            yield item

    def escaped(self, value: Any) -> Any:
        """What ``{{ value }}`` prints: ``escape(self.finalize_value(value))``, the text counted. A text is
        cleaned and escaped once per process, not once per document: the texts of a task, a directive, an
        agency are the same objects in every letter that prints them (their hash kept by the string), and a
        build prints each many times (a task in each of its agencies' letters and extracts). What is printed
        is the escaped text as a plain ``str``: jinja2 joins the pieces, and makes a :class:`Markup` of what a
        block, a macro or a filter block captures whole."""
        if type(value) is str:
            found = self._escaped.get(value)
            if found is None:
                plain = value if value.isprintable() else _FORBIDDEN_CHARS.sub("", value)
                self._escaped_chars += len(value)
                if self._escaped_chars > _ESCAPED_CHARS:
                    self._escaped.clear()
                    self._escaped_chars = len(value)
                found = self._escaped[value] = (escape_text(plain), len(plain))
            # counted as _count counts, without looking at the clock: a value printed costs its length, which
            # concat's batches time with the rest of the output (and a loop's steps, each timed by ticking)
            self._written += found[1]
            if self._written > MAX_RENDER_CHARS:
                self._too_long()
            return found[0]
        return escape(self.finalize_value(value))

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        __self._tick()
        for arg in (*args, *kwargs.values()):
            if isinstance(arg, int) and not isinstance(arg, bool) and abs(arg) > MAX_RENDER_CHARS:
                raise TemplateLimit(f"mẫu dùng số quá lớn ({arg:.3g}) làm tham số")
            if isinstance(arg, str):  # a macro called with ever longer texts (s ~ s) is counted as it goes
                __self._count(len(arg))
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str):  # 'x'.replace(...), ', '.join(...), '{:>9}'.format(...): counted before
            __self._count(_predicted(getattr(__obj, "__name__", ""), owner, args, kwargs))
        return __self._counted(super().call(__context, __obj, *args, **kwargs))

    def _counted(self, value: Any) -> Any:
        """``value``, its length added to the render's budget when it is a text (every intermediate text counts)."""
        if isinstance(value, str):
            self._count(len(value))
        return value

    def getattr(self, obj: Any, attribute: str) -> Any:
        if self._depth and time.monotonic() > self._deadline:
            self._too_slow()
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            # what jinja2 does for ``data.key`` (no such attribute: the item), without raising AttributeError first
            try:
                return obj[attribute]
            except KeyError:
                pass
        elif type(obj) is LoopContext and attribute in _LOOP_PROPERTIES:
            # ``loop.first``: what the sandbox returns (a public property), without trying ``loop["first"]`` first
            return getattr(obj, attribute)
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        self._tick()
        return super().getitem(obj, argument)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        self._tick()
        if (
            operator == "**"
            and all(isinstance(v, (int, float)) for v in (left, right))
            and abs(left) > 1
            and right > 0
            and right * math.log2(abs(left)) > 1024
        ):
            raise TemplateLimit("mẫu tính lũy thừa quá lớn")
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and len(seq) * n > MAX_RENDER_CHARS:
                    raise TemplateLimit(
                        f"mẫu nhân chuỗi hoặc danh sách quá lớn (hơn {MAX_RENDER_CHARS:,} phần tử)".replace(",", ".")
                    )
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int):
                    self._count(len(seq) * max(n, 0))  # counted before it is made
        if operator == "+" and all(isinstance(v, (str, list, tuple)) for v in (left, right)):
            self._count(len(left) + len(right))
        if operator == "%" and isinstance(left, str):  # '%0999999999d' % 1
            self._count(_predicted("format", left, right if isinstance(right, tuple) else (right,), {}))
        return super().call_binop(context, operator, left, right)


_DICT_ATTRIBUTES = frozenset(dir(dict))  # ``data.items`` is the method, not the key "items", in jinja2
# The properties of a for loop's ``loop`` (plain values: its methods cycle and changed go the sandbox's way).
_LOOP_PROPERTIES = frozenset(
    {"index", "index0", "revindex", "revindex0", "first", "last", "length", "depth", "depth0", "previtem", "nextitem"}
)
_FORMAT_NUMBER = re.compile(r"\d+")


def _predicted(name: str, text: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> int:
    """How long the text that ``text.<name>(*args)`` (or the filter ``name``) makes would be, at most, when that can
    be known before it is made: ``replace`` (each match grows by the replacement), ``join`` (the items and the
    separators), ``format`` (a width or precision written in the format counts as that many characters)."""
    if name == "replace" and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
        old, new = args[0], args[1]
        matches = text.count(old) if old else len(text) + 1
        if len(args) > 2 and isinstance(args[2], int) and args[2] >= 0:
            matches = min(matches, args[2])
        return len(text) + matches * max(len(new) - len(old), 0)
    if name == "join" and args:
        items = args[0]
        if not isinstance(items, (list, tuple)):
            return 0
        if all(type(item) is str for item in items):  # names, mostly: their lengths summed in C
            size = sum(map(len, items))
        else:
            size = sum(len(str(item)) for item in items)
        return size + len(text) * max(len(items) - 1, 0)
    if name in ("format", "format_map"):
        longest = max((int(n) if len(n) <= 12 else 10**13 for n in _FORMAT_NUMBER.findall(text)), default=0)
        parts = [*args, *kwargs.values()] if name == "format" else list(args[0].values()) if args else []
        return len(text) + longest + sum(len(str(v)) for v in parts if isinstance(v, (str, int, float)))
    return 0


def _guard_filter(env: _SafeEnvironment, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` refusing huge numeric arguments (``'x'|center(10**9)``) and checking the deadline."""
    import functools

    predicted = name in _PREDICTED_FILTERS
    joined = name == "join"

    def refused(arg: Any) -> bool:
        return isinstance(arg, int) and not isinstance(arg, bool) and abs(arg) > MAX_RENDER_CHARS

    # every filter of every template passes here (``|upper``, ``|join(", ")`` in each task of each letter): the
    # checks are written out, an argument of a type that is no number (most of them) passed over at once, the
    # size of a join of texts added up in C, the result counted in place
    @functools.wraps(function)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if env._depth and time.monotonic() > env._deadline:
            env._too_slow()
        for arg in args:
            if type(arg) not in _NO_NUMBERS and refused(arg):
                raise TemplateLimit(f"bộ lọc {name} nhận số quá lớn ({arg:.3g})")
        if kwargs:
            for arg in kwargs.values():
                if refused(arg):
                    raise TemplateLimit(f"bộ lọc {name} nhận số quá lớn ({arg:.3g})")
        texts = _texts_to_join(args, kwargs) if joined else None
        if texts is not None:  # jinja2's join of texts is their str.join: made so, without its loop over them
            separator, items = texts
            env._count(_join_length(separator, items))
            value = separator.join(items)
        else:
            if predicted:
                env._count(_predicted_filter(name, args, kwargs))
            value = function(*args, **kwargs)
        if isinstance(value, str):
            env._written += len(value)
            if env._written > MAX_RENDER_CHARS:
                env._too_long()
        return value

    return guarded


# The types of a filter's arguments that are never a number (``refused`` is not asked about them).
_NO_NUMBERS = frozenset({str, Markup, list, tuple, dict, EvalContext, type(None), bool})
_TEXTS_ONLY = frozenset({str})


def _texts_to_join(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[str, list[str] | tuple[str, ...]] | None:
    """(separator, items) of the usual call of ``join`` (``names|join(", ")``: jinja2 passes the evaluation
    context, a list or tuple of plain texts, a plain text, no attribute), whose result is ``separator.join(items)``
    whether autoescape is on or not; None for any other call."""
    if 2 <= len(args) <= 3 and type(args[0]) is EvalContext and kwargs.keys() <= {"d"}:
        items = args[1]
        separator = args[2] if len(args) > 2 else kwargs.get("d", "")
        if type(items) in (list, tuple) and type(separator) is str and set(map(type, items)) <= _TEXTS_ONLY:
            return separator, items
    return None


def _join_length(separator: str, items: list[str] | tuple[str, ...]) -> int:
    """The length of ``separator.join(items)``, added up in C without making it."""
    return sum(map(len, items)) + len(separator) * max(len(items) - 1, 0)


def _joined_size(args: tuple[Any, ...], kwargs: dict[str, Any]) -> int:
    """:func:`_predicted_filter` of ``join``, added up in C for the usual call (:func:`_texts_to_join`)."""
    texts = _texts_to_join(args, kwargs)
    return _predicted_filter("join", args, kwargs) if texts is None else _join_length(*texts)


_PREDICTED_FILTERS = frozenset({"replace", "join", "format"})  # the filters _predicted_filter knows
_PASSED = (jinja2.Environment, jinja2.runtime.Context, EvalContext)  # what jinja2 passes some filters first


def _predicted_filter(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> int:
    """:func:`_predicted` for a filter's arguments (jinja2 passes the environment or context first to some)."""
    values = [a for a in args if not isinstance(a, _PASSED)]
    if not values:
        return 0
    if name == "replace" and isinstance(values[0], str):
        return _predicted("replace", values[0], tuple(values[1:]), kwargs)
    if name == "join":
        separator = values[1] if len(values) > 1 else kwargs.get("d", "")
        items = values[0] if isinstance(values[0], (list, tuple)) else ()
        return _predicted("join", str(separator), (items,), {})
    if name == "format" and isinstance(values[0], str):
        return _predicted("format", values[0], tuple(values[1:]), kwargs)
    return 0


def lines(items: Iterable[Any], end: str = "") -> str:
    """Filter ``lines``: one item per line inside a paragraph (a table cell, say).

    ``end`` closes every line but the last: ``names|lines(";")``.
    """
    return (end + "\n").join(str(clean_value(item)) for item in items)


def balanced(text: str, width: int = 32) -> str:
    """Filter ``balanced``: ``text`` on as few lines of at most ``width`` characters as it needs, the lines of even
    length, so no line ends with an orphan word (a trích yếu: "V/v đôn đốc thực hiện" / "nhiệm vụ quá hạn").

    Used as a block, ``{% filter balanced(32) %}V/v ...{% endfilter %}``; a word longer than ``width`` stays whole.
    Made once per short text and width (every letter of a directive balances the same subject).
    """
    if not isinstance(text, str) or len(text) > _BALANCED_CHARS or not isinstance(width, int):
        return _balanced(text, width)
    key = (type(text), text, width)
    found = _BALANCED.get(key)
    if found is None:
        if len(_BALANCED) >= _CACHE_SIZE:
            _BALANCED.clear()
        found = _BALANCED[key] = _balanced(text, width)
    return found


_BALANCED: dict[tuple[type, str, int], str] = {}  # balanced's lines, by text and width
_BALANCED_CHARS = 1000  # longer texts are balanced each time (a subject is a line or two)


def _balanced(text: str, width: int) -> str:
    words = str(text).split()
    if not words:
        return text
    total = len(" ".join(words))
    count = max(1, -(-total // max(width, 1)))
    while True:
        target = total / count
        out: list[list[str]] = [[]]
        for word in words:
            line = " ".join(out[-1])
            if out[-1] and len(out) < count and len(line) + 1 + len(word) / 2 > target:
                out.append([])
            out[-1].append(word)
        rows = [" ".join(line) for line in out]
        if max(len(r) for r in rows) <= width or count >= len(words):
            break
        count += 1
    joined = "\n".join(rows)
    return Markup(joined) if isinstance(text, Markup) else joined


def make_environment() -> jinja2.Environment:
    """The environment shared by every template: sandboxed, bounded, autoescape on, unknown names are errors."""
    env = _SafeEnvironment(
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False,
    )
    env.finalize = env.finalize_value
    env.filters["lines"] = lines
    env.filters["balanced"] = balanced
    for name, function in list(env.filters.items()):
        env.filters[name] = _guard_filter(env, name, function)
    return env


class _PatchingOnceTemplate(DocxTemplate):  # type: ignore[misc]
    """A DocxTemplate that cleans each part's XML for jinja2 once per distinct XML.

    ``patch_xml`` (a dozen regular expressions over the whole part) is a pure
    function of the part's text, which is the same for every document made
    from one template.
    """

    _patched: ClassVar[dict[str, str]] = {}  # shared by every instance: the cache outlives one document

    def patch_xml(self, src_xml: str) -> str:
        return _memo(self._patched, src_xml, lambda: super(_PatchingOnceTemplate, self).patch_xml(src_xml))


class WordTemplate:
    """One .docx template, read once and rendered into as many documents as needed.

    docxtpl must get a fresh ``DocxTemplate`` per document (rendering one twice
    repeats the output); building it from the bytes in memory avoids reading
    the file again.
    """

    def __init__(self, path: Path, env: jinja2.Environment) -> None:
        self.path = path
        self._env = env
        try:
            self._data = path.read_bytes()
        except OSError as exc:
            raise WordTemplateError(f"Không đọc được mẫu {path}: {os_message(exc)}.") from exc
        refused = check_zip(self._data)
        if refused:
            raise WordTemplateError(f"Mẫu {path} {refused}.")
        self._checked_keys: frozenset[str] | None = None
        self._variables: frozenset[str] | None = None
        self._fast: _FastPackage | None = None

    def _fresh(self) -> DocxTemplate:
        return _PatchingOnceTemplate(io.BytesIO(self._data))

    def undeclared_variables(self) -> set[str]:
        """Top-level names the template uses (loop variables excluded), found in the parts as prepared for
        rendering (:meth:`_FastPackage.prepare`), once per template: docxtpl's own
        ``get_undeclared_template_variables`` opened the whole Word file again for every process."""
        if self._variables is None:
            package = self._package()
            try:
                self._variables = package.prepare(self._env)
            except jinja2.TemplateError as exc:
                raise self._error(self._located(exc)) from exc
        return set(self._variables)

    def _located(self, exc: jinja2.TemplateError) -> jinja2.TemplateError:
        """The same syntax error as a render raises it: docxtpl then knows the nearby text."""
        try:
            self._fresh().render({}, self._env, autoescape=True)
        except jinja2.TemplateSyntaxError as located:
            return located
        except jinja2.TemplateError:
            pass
        return exc

    def check(self, available: Iterable[str]) -> None:
        """Fail, naming the template, if it uses a variable not in ``available``."""
        keys = frozenset(available)
        if keys == self._checked_keys:
            return
        self._package()  # tags left open are found before jinja2 reads past them
        unknown = self.undeclared_variables() - keys
        if unknown:
            raise WordTemplateError(
                f"Mẫu {self.path} dùng biến không có trong dữ liệu: {', '.join(sorted(unknown))}. "
                f"Các biến dùng được: {', '.join(sorted(keys))} (xem docs/templates.md)."
            )
        self._checked_keys = keys

    def render(self, context: Mapping[str, Any], out: Path, *, created: dt.datetime | None = None) -> None:
        """Render ``context`` into a new document saved at ``out``; ``created`` dates its properties."""
        self.check(context.keys())
        package = self._package()
        try:
            rendered = package.render_encoded(context, self._env)
        except _RenderFault as fault:
            raise self._error(fault.error, fault.source) from fault.error
        package.write(rendered, out, created)

    def _package(self) -> _FastPackage:
        if self._fast is None:
            try:
                self._fast = _FastPackage(self._fresh(), self._data)
            except _UnsupportedTag as exc:
                raise WordTemplateError(f"Mẫu {self.path} dùng thẻ {exc} mà matrix không hỗ trợ.") from exc
            except _BrokenPart as exc:
                raise WordTemplateError(
                    f"Lỗi trong mẫu {self.path}: {exc.message}.{_where(exc.lineno, exc.source)}"
                ) from exc
            except jinja2.TemplateError as exc:
                raise self._error(exc) from exc
        return self._fast

    def _error(self, exc: BaseException, source: str | None = None) -> WordTemplateError:
        """A user-facing error naming this template and, when known, the text near the fault."""
        message = template_message(exc)
        # docxtpl puts each paragraph on its own line of the XML it renders, and keeps the text of
        # the lines around the fault (three before it): line n is the (n - 1)-th paragraph.
        context = [line.strip() for line in getattr(exc, "docx_context", ())]
        lineno = getattr(exc, "lineno", None) if isinstance(exc, jinja2.TemplateError) else None
        lineno = lineno or _template_line(exc)
        where = ""
        if context and lineno:
            at = min(lineno - 1, 3)
            text = context[at] if at < len(context) else ""
            where = f" Tại đoạn văn thứ {max(lineno - 1, 1)}" + (f": «{text[:200]}»." if text else ".")
        elif source is not None:
            where = _where(lineno, source)
        return WordTemplateError(f"Lỗi trong mẫu {self.path}: {message}.{where}")


def _split_paragraphs(xml: str) -> list[str]:
    """The lines docxtpl renders: one per paragraph (line n is the (n - 1)-th paragraph)."""
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", xml).split("\n")


def _where(lineno: int | None, source: str) -> str:
    """ " Tại đoạn văn thứ n: «text»." for line ``lineno`` of a part as docxtpl renders it."""
    if not lineno:
        return ""
    lines = _split_paragraphs(source)
    text = re.sub(r"<[^>]+>", "", lines[lineno - 1]).strip() if 0 < lineno <= len(lines) else ""
    return f" Tại đoạn văn thứ {max(lineno - 1, 1)}" + (f": «{text[:200]}»." if text else ".")


def _template_line(exc: BaseException) -> int | None:
    """The template line a runtime error happened on (jinja2 rewrites tracebacks to template lines)."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


_SYNTAX = (
    (
        re.compile(r"Unexpected end of template.*?looking for the following tags: '(\w+)'", re.S),
        "mẫu hết mà thẻ chưa đóng (thiếu {{%% {0} %%}})",
    ),
    (re.compile(r"Unexpected end of template", re.S), "mẫu hết mà thẻ chưa đóng"),
    (re.compile(r"Encountered unknown tag '([^']*)'"), "thẻ không có trong jinja: '{0}'"),
    (re.compile(r"unexpected end of template"), "thẻ chưa đóng"),
    (re.compile(r"unexpected char '(.)'"), "ký tự '{0}' không đúng chỗ trong thẻ"),
    (re.compile(r"unexpected '([^']*)'"), "'{0}' không đúng chỗ trong thẻ"),
    (re.compile(r"expected token '([^']*)', got '([^']*)'"), "thẻ chưa đóng đúng cách (gặp '{1}')"),
    (re.compile(r"Expected an expression"), "thẻ thiếu biểu thức"),
)


def template_message(exc: BaseException) -> str:
    """A Vietnamese description of what went wrong in a template (never jinja2's English)."""
    text = getattr(exc, "message", None) or str(exc)
    if isinstance(exc, jinja2.UndefinedError):
        names = re.findall(r"'([^']+)' is undefined|has no attribute '([^']+)'", text)
        name = next((a or b for a, b in names), "")
        return f"dùng biến không có trong dữ liệu ({name})" if name else "dùng biến không có trong dữ liệu"
    if isinstance(exc, jinja2.TemplateSyntaxError):
        for pattern, vietnamese in _SYNTAX:
            found = pattern.search(text)
            if found:
                return f"thẻ viết sai: {vietnamese.format(*found.groups())}"
        return "thẻ viết sai"
    if isinstance(exc, (TemplateLimit, _InvalidXml)):
        return text
    if isinstance(exc, SecurityError):
        found = re.search(r"attribute '([^']+)'", text)
        return "mẫu dùng thuộc tính hoặc hàm bị cấm vì lý do an toàn" + (f" ('{found.group(1)}')" if found else "")
    if isinstance(exc, ZeroDivisionError):
        return "mẫu chia cho 0"
    if isinstance(exc, RecursionError):
        return "mẫu gọi macro lồng nhau quá sâu (đệ quy)"
    if isinstance(exc, (OverflowError, MemoryError)):
        return "mẫu tính ra số hoặc chuỗi quá lớn"
    if isinstance(exc, (TypeError, ValueError, LookupError, ArithmeticError)):
        return "mẫu có phép tính không hợp lệ với dữ liệu (sai kiểu, sai chỉ số)"
    return "mẫu gặp lỗi khi tạo văn bản"


class _RenderFault(Exception):
    """Any exception of a render, with the part's source for locating it."""

    def __init__(self, error: BaseException, source: str) -> None:
        super().__init__(str(error))
        self.error = error
        self.source = source


class _BrokenPart(Exception):
    """A part of a template that could only give a damaged document (unclosed tag, bad XML)."""

    def __init__(self, message: str, lineno: int | None, source: str) -> None:
        super().__init__(message)
        self.message = message
        self.lineno = lineno
        self.source = source


class _UnsupportedTag(Exception):
    pass


_XML_DECLARATION = "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
_CORE = "docProps/core.xml"
_CORE_DATES = re.compile(r"(<dcterms:(?:created|modified)\b[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


def _dated_core(xml: str, created: dt.datetime) -> str:
    """The core properties with the creation and modification dates set to ``created`` (W3CDTF, UTC)."""
    stamp = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    return _CORE_DATES.sub(lambda m: m.group(1) + stamp + m.group(2), xml)


# docxtpl's render_xml_part puts each paragraph on its own line before rendering and joins them after;
# resolve_listing turns these characters of rendered values into Word's tabs, paragraphs, breaks.
_PARAGRAPH_OPEN = re.compile(r"<w:p([ >])")
_PARAGRAPH_LINE = re.compile(r"\n<w:p([ >])")  # what docxtpl joins back after the render
_UNJOINED = re.compile(r"(?<!\n)<w:p[ >]")  # a paragraph opened without its line break before it
_PARAGRAPH_PREFIXES = ("<", "<w", "<w:", "<w:p")  # a text ending so may open a paragraph with what follows it
# The statements of a part whose text is written out as it stands (the tree of a {% set %} block, a macro, a
# recursive loop is printed as a value: escaped, its line breaks kept); a {% filter balanced %} over text only.
_JOINED_STATEMENTS = (jinja2.nodes.Output, jinja2.nodes.If, jinja2.nodes.For, jinja2.nodes.Assign)


def join_paragraph_lines(env: jinja2.Environment, tree: jinja2.nodes.Template) -> bool:
    """Take out of ``tree`` (a part as :meth:`_FastPackage._source` writes it, parsed) the line break put before
    each paragraph, when that gives, for any data, the text docxtpl's ``re.sub(r"\n<w:p([ >])", ...)`` gives
    after the render: then a render needs no pass over its output (two copies of a 300 KB extract). True when
    ``tree`` was changed; False, untouched, when the proof fails.

    The proof: every value is printed escaped (matrix's environment, autoescape on and never turned off), so
    ``<w:p`` comes only from the template's text, where each was given its line break, in the same piece of
    text (whitespace control such as ``-%}`` may take it away: refused); no piece of text ends with the start of
    ``<w:p`` (a value or another piece would finish it); and every piece of text is written out as it stands
    (only ``{% if %}``, ``{% for %}`` not recursive, ``{% set x = ... %}`` and ``{% filter balanced %}`` over text
    without tags: a {% set %} block, a macro or a recursive loop print their text escaped, with its line
    breaks). Then each match of docxtpl's pattern in the output lies in one piece of the template's text, and
    taking the line breaks out of the pieces is the same as out of the output."""
    if not isinstance(env, _SafeEnvironment) or env.autoescape is not True:
        return False
    for node in tree.find_all(jinja2.nodes.Stmt):
        if isinstance(node, jinja2.nodes.FilterBlock):
            if node.filter.name != "balanced" or not _text_only(node.body):
                return False
        elif not isinstance(node, _JOINED_STATEMENTS) or (isinstance(node, jinja2.nodes.For) and node.recursive):
            return False
    texts = list(tree.find_all(jinja2.nodes.TemplateData))
    if any(_UNJOINED.search(text.data) or text.data.endswith(_PARAGRAPH_PREFIXES) for text in texts):
        return False
    for text in texts:
        text.data = _PARAGRAPH_LINE.sub(r"<w:p\1", text.data)
    return True


_LISTING_CHARS = "\t\a\n\f"
# docxtpl's paragraph pattern, ``<w:p(?: [^>]*)?>.*?</w:p>`` (DOTALL), written with possessive repeats: the same
# matches (up to the first ``</w:p>`` after the opening tag), found without stepping back through every character.
_PARAGRAPH = re.compile(r"<w:p(?: [^>]*+)?>(?:[^<]++|<(?!/w:p>))*+</w:p>")
_PARAGRAPH_END = "</w:p>"


def resolve_listing(base: DocxTemplate, xml: str) -> str:
    """docxtpl's ``resolve_listing`` (the tabs, line breaks, new paragraphs and page breaks of rendered values
    become Word's), run only on the paragraphs that hold one of those characters.

    docxtpl runs it over every paragraph of the part, and a paragraph without the characters comes back
    unchanged, so only the paragraphs around the characters need it. Which stretch is "the paragraph" is
    docxtpl's choice (its pattern matched from the start of the part, left to right, each match ending at the
    first ``</w:p>``); no match crosses the end of a ``</w:p>``, so the matching resumes there with the same
    result as from the start. Each paragraph found is handed to docxtpl's own ``resolve_listing``.
    """
    marks = _Marks(xml)
    mark = marks.at_or_after(0)
    if mark < 0:
        return xml
    out: list[str] = []
    done = 0  # xml[:done] is settled, and ``done`` is where a match ended (or the start): matching may resume there
    while mark >= 0:
        closed = xml.rfind(_PARAGRAPH_END, done, mark)
        for found in _PARAGRAPH.finditer(xml, closed + len(_PARAGRAPH_END) if closed >= 0 else done):
            if found.end() > mark:
                if found.start() <= mark:  # the mark's paragraph: resolved alone as docxtpl would in the part
                    out += [xml[done : found.start()], _resolved(base, found.group(0))]
                    done = found.end()
                break
        mark = marks.at_or_after(max(mark + 1, done))
    out.append(xml[done:])
    return "".join(out)


# docxtpl's resolve_listing, for a paragraph whose only listing character is a line break: its patterns (runs,
# then their texts) and its replacement of "\n"; the run's and the paragraph's properties, which it copies for a
# tab, \a or \f, play no part then.
_RUN = re.compile(r"<w:r(?: [^>]*)?>.*?</w:r>", re.DOTALL)
_TEXT = re.compile(r"<w:t(?: [^>]*)?>.*?</w:t>", re.DOTALL)
_BREAK = '</w:t><w:br/><w:t xml:space="preserve">'


def _resolved(base: DocxTemplate, paragraph: str) -> str:
    """docxtpl's ``resolve_listing`` of one paragraph. A paragraph with line breaks only (the names a table cell
    lists, ``lines``: thousands in an assignment table) takes docxtpl's steps for it with its patterns compiled
    once, without the searches for properties a line break does not use (a third of the time)."""
    if "\t" in paragraph or "\a" in paragraph or "\f" in paragraph:
        return str(base.resolve_listing(paragraph))
    return _RUN.sub(_breaks_in_run, paragraph)


def _breaks_in_run(run: re.Match[str]) -> str:
    return _TEXT.sub(_breaks_in_text, run.group(0))


def _breaks_in_text(text: re.Match[str]) -> str:
    return text.group(0).replace("\n", _BREAK)


class _Marks:
    """Where the tabs, line breaks, ``\\a`` and ``\\f`` of a part are, asked for in order.

    Each character is looked for with ``str.find`` (a scan many times faster than a regular expression's
    over a class of characters), and looked for again only once passed: the part is read once per character,
    not once per mark (searching again from each mark ran to the end of the part for every character that does
    not come again: 6 s of a 6,000-row assignment table)."""

    def __init__(self, xml: str) -> None:
        self._xml = xml
        self._next = {char: xml.find(char) for char in _LISTING_CHARS}

    def at_or_after(self, start: int) -> int:
        """Where the first of the characters at or after ``start`` is, or -1."""
        first = -1
        for char, at in self._next.items():
            if 0 <= at < start:
                at = self._next[char] = self._xml.find(char, start)
            if at >= 0 and (first < 0 or at < first):
                first = at
        return first


class _FastPackage:
    """A template's package prepared once, so each document costs one jinja render and a small zip write.

    docxtpl's own ``render`` re-reads the whole package with python-docx and
    writes every part again (styles alone are ~800 KB uncompressed) for every
    document. The parts without tags never change, so they are compressed
    once into a zip that each document starts from; only the parts with tags
    (body, headers, footers) are rendered, with docxtpl's own XML clean-up
    (``patch_xml``) and post-processing (``render_xml_part``: line breaks,
    escaped braces). The template object is never mutated, so reusing it is
    safe (rendering a docxtpl object twice is not).
    """

    def __init__(self, base: DocxTemplate, data: bytes) -> None:
        base.render_init()
        self._base = base
        self._parts: dict[str, str] = {}
        self._prepared: dict[str, str] = {}
        self._proven: dict[str, bool] = {}  # part name: every render of it is well-formed (always_well_formed)
        # by part XML: the environment and the part compiled without its paragraphs' line breaks (None: refused)
        self._joined: dict[str, tuple[jinja2.Environment, jinja2.Template | None]] = {}
        document = base.docx.part
        sources = [(document.partname, base.xml_to_string(base.docx.element))]
        for uri in (base.HEADER_URI, base.FOOTER_URI):
            sources += [(part.partname, base.get_part_xml(part)) for _, part in base.get_headers_footers(uri)]
        # docxtpl's render() also renders the footnotes and the core properties (title, subject...).
        for part in document.package.parts:
            if part.content_type.endswith(".footnotes+xml") or part.partname == "/docProps/core.xml":
                sources.append((part.partname, _without_declaration(part.blob.decode("utf-8"))))
        for partname, xml in sources:
            if "{%tc" in xml or "{%-tc" in xml:
                raise _UnsupportedTag("{%tc %}")
            if "{{" in xml or "{%" in xml or "{#" in xml:
                _check_tags_closed(xml)  # before patch_xml, which joins the runs up to the next closer
                self._parts[partname.lstrip("/")] = base.patch_xml(xml)
        static = io.BytesIO()
        self._core: str | None = None
        self._dated_last: tuple[dt.datetime | None, bytes] | None = None  # the core properties of the last date
        members: dict[str, zipfile.ZipInfo] = {}
        with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(static, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                members[info.filename] = info
                if info.filename == _CORE:  # dated per document
                    self._core = source.read(info).decode("utf-8")
                elif info.filename not in self._parts:
                    content = source.read(info)
                    if info.filename.endswith((".xml", ".rels")) and not well_formed(content):
                        raise _BrokenPart(f"phần {info.filename} của tệp Word bị hỏng (XML không hợp lệ)", None, "")
                    target.writestr(info, content, compress_type=zipfile.ZIP_DEFLATED)
        self._zip = _ZipAssembler(static.getvalue(), members)

    def prepare(self, env: jinja2.Environment) -> frozenset[str]:
        """The top-level names the parts with tags use (``jinja2.meta``, as docxtpl finds them), each part parsed
        once for them, for its proof (:func:`always_well_formed`) and, in matrix's environment, to be compiled."""
        names: set[str] = set()
        for name, xml in self._parts.items():
            source = self._source(xml)
            tree = env.parse(source)
            names |= jinja2.meta.find_undeclared_variables(tree)
            if name not in self._proven:
                self._proven[name] = always_well_formed(env, source, tree)
            if isinstance(env, _SafeEnvironment) and self._joined_template(xml, env, tree) is None:
                env.compile_parsed(source, tree)  # the part renders as docxtpl's source, its lines joined after
        return frozenset(names)

    def _joined_template(
        self, xml: str, env: jinja2.Environment, tree: jinja2.nodes.Template | None = None
    ) -> jinja2.Template | None:
        """The part compiled without the line breaks before its paragraphs (:func:`join_paragraph_lines`), made
        once per part and environment; None when the proof fails. ``tree``: the part parsed, when the caller has
        it (spent when the proof holds)."""
        found = self._joined.get(xml)
        if found is None or found[0] is not env:
            joined = None
            try:
                tree = env.parse(self._source(xml)) if tree is None else tree
                if join_paragraph_lines(env, tree):
                    joined = env.from_string(tree)
            except jinja2.TemplateError:  # told by the render, which fails the same way
                pass
            found = self._joined[xml] = (env, joined)
        return found[1]

    def render_parts(self, context: Mapping[str, Any], env: jinja2.Environment) -> dict[str, str]:
        """Every part with tags rendered and checked to be well-formed XML; :class:`_RenderFault` if not."""
        return {name: xml for name, (xml, _) in self._rendered(context, env).items()}

    def render_encoded(self, context: Mapping[str, Any], env: jinja2.Environment) -> dict[str, bytes]:
        """:meth:`render_parts`, each part as the package stores it (the XML declaration, then the XML in UTF-8):
        encoded once, for the check and for the package."""
        return {name: data for name, (_, data) in self._rendered(context, env).items()}

    def _rendered(self, context: Mapping[str, Any], env: jinja2.Environment) -> dict[str, tuple[str, bytes]]:
        rendered = {}
        for name, xml in self._parts.items():
            try:
                text = self._render_part(xml, dict(context), env)
            except Exception as exc:
                raise _RenderFault(exc, xml) from exc
            data = (_XML_DECLARATION + text).encode("utf-8")
            proven = self._proven.get(name)
            if proven is None:
                proven = self._proven[name] = always_well_formed(env, self._source(xml))
            if not proven and not well_formed(data):
                raise _RenderFault(
                    _InvalidXml(
                        "mẫu tạo ra tài liệu Word hỏng (XML không hợp lệ; có thể một thẻ "
                        "{{ }} hoặc {% %} bị cắt giữa chừng)"
                    ),
                    xml,
                )
            rendered[name] = (text, data)
        return rendered

    def _render_part(self, xml: str, context: dict[str, Any], env: jinja2.Environment) -> str:
        """docxtpl's ``render_xml_part``, its steps in its order, with three shortcuts: the source is prepared
        (a paragraph per line) once per part, not per document; the line breaks put before the paragraphs are
        taken out of the compiled part's text when that is proven the same (:func:`join_paragraph_lines`), not
        out of each output; the line breaks, tabs and page breaks of values (``resolve_listing``, a regex pass
        over the whole part) are resolved only in the paragraphs that hold one of those characters
        (:func:`resolve_listing`). On an error the library's own path runs, so that the error carries the text
        near the fault as docxtpl words it."""
        joined = self._joined_template(xml, env)
        try:
            out = (joined if joined is not None else env.from_string(self._source(xml))).render(context)
        except TemplateLimit:
            raise
        except jinja2.TemplateError:
            return str(self._base.render_xml_part(xml, None, context, env))
        if joined is None:  # docxtpl: re.sub(r"\n<w:p([ >])", r"<w:p\1", ...)
            out = out.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")
        # escaped braces: looked for only where there is an underscore (a search for one character runs 200 times
        # faster than for two: 5 microseconds, not 1.3 ms, over a 300 KB extract), then replaced where found
        if "_" in out and ("{_" in out or "_}" in out):
            out = out.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
        return resolve_listing(self._base, out)

    def _source(self, xml: str) -> str:
        """The jinja2 text of a part: docxtpl's, a paragraph per line (prepared once per part)."""
        source = self._prepared.get(xml)
        if source is None:
            source = self._prepared[xml] = _PARAGRAPH_OPEN.sub(r"\n<w:p\1", xml)
        return source

    def write(self, rendered: Mapping[str, bytes], out: Path, created: dt.datetime | None = None) -> None:
        """Save a document: the static parts, the rendered ones (:meth:`render_encoded`), the core properties
        dated ``created``."""
        added = [(name, data) for name, data in rendered.items() if name != _CORE]
        if _CORE in rendered:  # tags in the properties
            core = rendered[_CORE].decode("utf-8")
            added.append((_CORE, (core if created is None else _dated_core(core, created)).encode("utf-8")))
        elif self._core is not None:
            added.append((_CORE, self._dated(self._core, created)))
        write_document(out, self._zip.package(added))

    def _dated(self, core: str, created: dt.datetime | None) -> bytes:
        """The template's core properties dated ``created``, encoded; made once for the documents of one date (a
        build's, all of them)."""
        if self._dated_last is None or self._dated_last[0] != created:
            self._dated_last = (created, (core if created is None else _dated_core(core, created)).encode("utf-8"))
        return self._dated_last[1]

    def render(
        self, context: Mapping[str, Any], env: jinja2.Environment, out: Path, created: dt.datetime | None = None
    ) -> None:
        self.write(self.render_encoded(context, env), out, created)


def write_document(path: Path, data: bytes) -> None:
    """``path.write_bytes(data)`` in three system calls (open, write, close), without Python's file objects:
    a build writes thousands of documents into its staging folder (a clerk's files go through
    :func:`matrix.files.safeio.write_file`). The folder is made when it is missing (not asked for before each
    document: a build writes hundreds into one folder). The SHA-256 of ``data`` is kept for :func:`written_hash`
    (the build records each output's hash: read back from the disk, 13,000 letters cost it two seconds)."""
    WRITTEN.pop(os.fspath(path), None)  # a failed write leaves no hash behind
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC
    try:
        fd = os.open(path, flags, 0o666)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, flags, 0o666)
    try:
        write_all(fd, data)
    finally:
        os.close(fd)
    WRITTEN[os.fspath(path)] = hashlib.sha256(data).hexdigest()


#: the SHA-256 of each document :func:`write_document` wrote, by its path, until :func:`written_hash` takes it
WRITTEN: dict[str, str] = {}


def written_hash(path: Path) -> str | None:
    """The SHA-256 of the document :func:`write_document` last wrote at ``path`` (taken: asked once), or None
    when it wrote none there since :func:`forget_written`."""
    return WRITTEN.pop(os.fspath(path), None)


def forget_written() -> None:
    """Forget the hashes not taken (a piece of a build starts: whatever else wrote its files since is read)."""
    WRITTEN.clear()


_LOCAL_HEADER = struct.Struct("<4s5H3L2H")  # APPNOTE 4.3.7: signature, version, flags, method, time, date, crc, sizes
_CENTRAL_HEADER = struct.Struct("<4s6H3L5H2L")  # APPNOTE 4.3.12
_END_RECORD = struct.Struct("<4s4H2LH")  # APPNOTE 4.3.16
_UTF8_NAME = 0x800  # general purpose flag bit 11: the name is UTF-8
_TOO_MANY_MEMBERS = "tệp Word có quá nhiều phần (hơn 65.535), matrix không hỗ trợ"
# ISA-L level of the rendered parts: deflate as zipfile's zlib writes it, several times faster than zlib's level 1
# and a little smaller (a 368 KB extract: 49.5 KB, not 51 KB; a 17 KB letter: 3.9 KB either way)
_LEVEL = 1


class _ZipAssembler:
    """A template's package as bytes, to which each document adds its rendered parts.

    The members without tags are compressed once (by :mod:`zipfile`, into ``static``); a document
    is those bytes as they are, its own parts as raw deflate streams (what :mod:`zipfile` writes, here
    ISA-L's at level :data:`_LEVEL`), and a central directory. Every rendered part keeps the template
    member's date and attributes, so the bytes of a document depend on its content only, never on
    the clock. ``static`` must be a plain zip (no zip64: at most 65,535 members), as zipfile writes
    one for a Word template.
    """

    def __init__(self, static: bytes, members: Mapping[str, zipfile.ZipInfo]) -> None:
        with zipfile.ZipFile(io.BytesIO(static)) as written:
            infos = written.infolist()
            start = min((info.header_offset for info in infos), default=0)
            if start != 0 or written.comment:
                raise _BrokenPart(_TOO_MANY_MEMBERS, None, "")
        # zipfile writes the local records, then the central directory, then the end record (no zip64 here)
        (signature, _, _, count, _, size, offset, _) = _END_RECORD.unpack_from(static, len(static) - _END_RECORD.size)
        if signature != b"PK\x05\x06" or count != len(infos) or offset + size != len(static) - _END_RECORD.size:
            raise _BrokenPart(_TOO_MANY_MEMBERS, None, "")
        self._records = static[:offset]
        self._directory = static[offset : offset + size]
        self._count = count
        self._members = dict(members)
        self._deflated: dict[bytes, tuple[bytes, int]] = {}  # small parts every document adds alike, compressed

    def package(self, added: Iterable[tuple[str, bytes]]) -> bytes:
        """The whole package: the static members, then ``added`` (name, content) in order."""
        records = [self._records]
        directory = [self._directory]
        offset = len(self._records)
        count = self._count
        for name, content in added:
            template = self._members.get(name)
            date_time = template.date_time if template is not None else (1980, 1, 1, 0, 0, 0)
            encoded = name.encode("utf-8")
            flags = 0 if encoded.isascii() else _UTF8_NAME
            dos_time = date_time[3] << 11 | date_time[4] << 5 | date_time[5] // 2
            dos_date = (date_time[0] - 1980) << 9 | date_time[1] << 5 | date_time[2]
            deflated, crc = self._compressed(content)
            if max(len(content), len(deflated), offset) >= zipfile.ZIP64_LIMIT:
                raise ValueError("a Word part past 4 GiB")
            fields = (8, dos_time, dos_date, crc, len(deflated), len(content), len(encoded))
            records += [_LOCAL_HEADER.pack(b"PK\x03\x04", 20, flags, *fields, 0), encoded, deflated]
            system, made_by = (template.create_system, template.create_version) if template is not None else (3, 20)
            attributes = template.external_attr if template is not None else 0o600 << 16
            directory += [
                _CENTRAL_HEADER.pack(
                    b"PK\x01\x02", system << 8 | made_by, 20, flags, *fields, 0, 0, 0, 0, attributes, offset
                ),
                encoded,
            ]
            offset += _LOCAL_HEADER.size + len(encoded) + len(deflated)
            count += 1
        size = sum(len(part) for part in directory)
        end = _END_RECORD.pack(b"PK\x05\x06", 0, 0, count, count, size, offset, 0)
        return b"".join([*records, *directory, end])

    def _compressed(self, content: bytes) -> tuple[bytes, int]:
        """``content`` as a raw deflate stream (what :mod:`zipfile` writes; ISA-L's, at level :data:`_LEVEL`) and
        its CRC-32 (ISA-L's too, with the processor's carry-less multiply: 20 times zlib's). A small part is compressed once per process: the core properties are the same in every document
        of a build (one date), and starting a compressor costs more than compressing a kilobyte."""
        if len(content) > _SMALL_PART:
            return isal_zlib.compress(content, _LEVEL, wbits=-15), isal_zlib.crc32(content)
        found = self._deflated.get(content)
        if found is None:
            if len(self._deflated) >= _SMALL_PARTS:
                self._deflated.clear()
            found = self._deflated[content] = (isal_zlib.compress(content, _LEVEL, wbits=-15), isal_zlib.crc32(content))
        return found


_SMALL_PART = 8192  # bytes of a part kept compressed by _ZipAssembler._compressed
_SMALL_PARTS = 64  # how many (then it starts again)


def _without_declaration(xml: str) -> str:
    """The XML without its ``<?xml ...?>`` line (the renderer writes its own)."""
    return re.sub(r"^\s*<\?xml[^>]*\?>\s*", "", xml)


class _InvalidXml(Exception):
    """A render gave XML that Word cannot open (message in Vietnamese)."""


_OPENERS = {"{{": "}}", "{%": "%}", "{#": "#}"}


def _check_tags_closed(xml: str) -> None:
    """Every tag opened in a paragraph is closed in it: otherwise jinja2 would swallow Word's XML."""
    for lineno, line in enumerate(_split_paragraphs(xml), 1):
        text = re.sub(r"<[^>]+>", "", line)
        for opener, closer in _OPENERS.items():
            if text.count(opener) != text.count(closer):
                raise _BrokenPart(
                    f"thẻ {opener} ... {closer} chưa đóng hoặc thừa dấu đóng trong cùng đoạn văn", lineno, xml
                )


def well_formed(data: bytes) -> bool:
    """True when ``data`` parses as XML, namespaces included (entities never resolved, nothing fetched).

    expat reads the text without building a tree (twice as fast as lxml's parse, which every rendered
    part went through): with no handler set it only checks, and it fetches no external entity."""
    parser = pyexpat.ParserCreate(namespace_separator=" ")
    try:
        parser.Parse(data, True)
    except (pyexpat.ExpatError, ValueError):
        return False
    return True


class _Unproven(Exception):
    """The part's template may render ill-formed XML for some data: every render of it is checked."""


_VALUE_MARK = "<?matrix-value?>"  # where a printed value sits, in the skeleton of a part
_BLOCK_MARK = "<?matrix-block?>"  # where an {% if %} or {% for %} sits
_MARK_TARGETS = {"matrix-value", "matrix-block"}
_SELF_CLOSED_TEXT = re.compile(r"<w:t [^>]*/>")  # docxtpl's pattern for <w:t> would run on past it
_TAG_WITH_BREAK = re.compile(r"<[^>]*[\t\n][^>]*>")  # a line break or tab inside a tag or a comment


def always_well_formed(env: jinja2.Environment, source: str, tree: jinja2.nodes.Template | None = None) -> bool:
    """Whether every render of the part ``source`` (its jinja2 text, as :meth:`_FastPackage._render_part`
    compiles it) is well-formed XML once docxtpl's post-processing has run, whatever the data: then the
    renders of that part need no check (the check read every rendered byte again, a fifth of a letter's cost).

    What a render can change is known: every printed value is escaped text (autoescape, and the environment's
    ``finalize`` turns escaped text back into plain text first, so ``|safe`` prints escaped too), with no
    character XML forbids; ``{% if %}`` picks one of its branches, ``{% for %}`` repeats its body. So the
    renders are well-formed when the template allows only those (and ``{% filter balanced %}`` over text
    without tags, which only moves line breaks between words), each branch and each body is a balanced
    piece of XML on its own, and the whole, with every branch and body put in once, is a document whose
    values and blocks all sit where text may (inside the root element, outside tags, comments and CDATA).
    docxtpl's line breaks and tabs (``resolve_listing``) close and reopen ``<w:t>`` and ``<w:r>``: that
    stays balanced when every ``<w:t>`` holds text only, right inside a ``<w:r>``, its tags written without
    a break or tab inside, and no ``<w:rPr>`` (copied for a tab) holds another. Anything else: False, and
    each render is checked as before. ``tree``: ``env.parse(source)``, when the caller has it (only read).
    """
    try:
        body = (tree if tree is not None else env.parse(source)).body
        skeleton = _skeleton(body, top=True)
    except (_Unproven, jinja2.TemplateError):
        return False
    document = (_XML_DECLARATION + skeleton).encode("utf-8")
    if "<!--" in skeleton or "<![CDATA[" in skeleton:  # docxtpl's patterns would read tags in them
        return False
    if _SELF_CLOSED_TEXT.search(skeleton) or _TAG_WITH_BREAK.search(skeleton) or not well_formed(document):
        return False
    return _structure_allows_listing(document, skeleton.count(_VALUE_MARK) + skeleton.count(_BLOCK_MARK))


def _skeleton(body: list[jinja2.nodes.Node], top: bool = False) -> str:
    """The part with each value as :data:`_VALUE_MARK` and each block as :data:`_BLOCK_MARK` followed by all of
    its branches once; each branch (and ``body`` when ``top`` is false) checked to be balanced on its own."""
    nodes = jinja2.nodes
    own: list[str] = []  # this piece alone: values as text, blocks left out
    whole: list[str] = []
    for node in body:
        if isinstance(node, nodes.Output):
            for child in node.nodes:
                if isinstance(child, nodes.TemplateData):
                    own.append(child.data)
                    whole.append(child.data)
                else:
                    own.append("x")
                    whole.append(_VALUE_MARK)
        elif isinstance(node, nodes.If):
            branches = [node.body, *(elif_.body for elif_ in node.elif_), node.else_]
            whole += [_BLOCK_MARK, *(_skeleton(branch) for branch in branches)]
        elif isinstance(node, nodes.For) and not node.recursive:
            whole += [_BLOCK_MARK, _skeleton(node.body), _skeleton(node.else_)]
        elif isinstance(node, nodes.FilterBlock) and node.filter.name == "balanced" and _text_only(node.body):
            own.append("x")
            whole.append(_VALUE_MARK)
        elif not isinstance(node, nodes.Assign):  # {% set x = ... %} prints nothing
            raise _Unproven(type(node).__name__)
    if not top:  # balanced: well-formed inside an element (its prefixes are checked in the whole part)
        try:
            pyexpat.ParserCreate().Parse(f"<r>{''.join(own)}</r>".encode(), True)
        except pyexpat.ExpatError as exc:
            raise _Unproven("a branch is not balanced XML") from exc
    return "".join(whole)


def _text_only(body: list[jinja2.nodes.Node]) -> bool:
    """Whether ``body`` (inside ``{% filter balanced %}``) prints text without tags: then the filter, which only
    changes the spaces between words, gives text too."""
    try:
        skeleton = _skeleton(body)
    except _Unproven:
        return False
    return "<" not in skeleton.replace(_VALUE_MARK, "").replace(_BLOCK_MARK, "")


def _structure_allows_listing(document: bytes, marks: int) -> bool:
    """Whether every mark of the skeleton sits inside the root element, outside tags, comments and CDATA, and
    docxtpl's ``resolve_listing`` keeps the XML balanced (see :func:`always_well_formed`)."""
    open_elements: list[str] = []
    found = 0
    fault = False

    def start(name: str, attributes: Any) -> None:
        nonlocal fault
        if open_elements and open_elements[-1] == "w:t":
            fault = True  # an element inside a <w:t>
        if name == "w:t" and (not open_elements or open_elements[-1] != "w:r"):
            fault = True
        if name == "w:rPr" and "w:rPr" in open_elements:
            fault = True
        open_elements.append(name)

    def end(name: str) -> None:
        open_elements.pop()

    def instruction(target: str, data: str) -> None:
        nonlocal found, fault
        if target in _MARK_TARGETS:
            found += 1
            fault = fault or not open_elements or data != ""
        elif target.startswith("matrix-"):
            fault = True

    parser = pyexpat.ParserCreate()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.ProcessingInstructionHandler = instruction
    try:
        parser.Parse(document, True)
    except pyexpat.ExpatError:
        return False
    return not fault and found == marks


def check_zip(data: bytes | Path, limit: int | None = None) -> str | None:
    """Why a Word/zip package must not be opened (too large once really unpacked, not a zip, XML entities), or None.

    The check itself is :func:`matrix.files.safezip.check_zip`, shared with the drafter.
    """
    from ..files.safezip import check_zip as checked

    return checked(data, limit or MAX_TEMPLATE_BYTES)


_LOADED: dict[tuple[Path, int, int, int, int], WordTemplate] = {}


class TemplateLibrary:
    """Templates by file name, found on the search path.

    A template file is prepared once per process and reused for as long as
    the file is unchanged (same size and modification time), so a build that
    writes thousands of documents pays for it once.
    """

    def __init__(self, user_dir: Path | None = None) -> None:
        self.user_dir = user_dir

    def get(self, name: str) -> WordTemplate:
        """The template called ``name`` (e.g. ``thu-nha-nuoc.docx``)."""
        # find_template's search with one stat per folder, whose result is also the key (a build asks once per
        # document)
        for folder in search_path(self.user_dir):
            path = folder / name
            try:
                stat = os.stat(path)
            except (OSError, ValueError):
                continue
            if S_ISREG(stat.st_mode):
                break
        else:  # not found, or not readable: the general path, and its errors
            path = find_template(name, self.user_dir)
            try:
                stat = path.stat()
            except OSError as exc:
                raise WordTemplateError(f"Không đọc được mẫu {path.resolve()}: {os_message(exc)}.") from exc
        # the file as found, followed through links: the same file, unchanged, is the same template (no
        # resolve() per document: it costs a system call per folder of the path)
        key = (path, stat.st_dev, stat.st_ino, stat.st_mtime_ns, stat.st_size)
        return _memo(_LOADED, key, lambda: WordTemplate(path.resolve(), make_environment()))

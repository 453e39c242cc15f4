"""Where the .docx templates are found, and the one jinja2 environment that renders them.

A template is a Word file with jinja2 tags (docxtpl). The user's folder is
searched first, then the repository's ``templates/`` folder, so a clerk can
copy a template, edit it in Word and point the tool at the copy.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, TypeVar

import jinja2
from docxtpl import DocxTemplate

from .errors import TemplateProblem

def _default_templates() -> Path:
    """The shipped templates: the package ``matrix.defaults``, which setup.cfg maps onto the
    repository's top-level templates/ folder, so a checkout, an editable install and a regular
    install (wheel, ``--user``, ``--prefix``) all find them the same way."""
    return Path(str(resources.files("matrix.defaults")))


PACKAGE_TEMPLATES = _default_templates()

# Characters XML 1.0 forbids, plus the ones docxtpl turns into structure
# (\a new paragraph, \f page break): task text must never create either.
_FORBIDDEN_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CACHE_SIZE = 64  # distinct template parts kept compiled or patched
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
    if isinstance(value, str):
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


class _CompilingOnceEnvironment(jinja2.Environment):
    """``from_string`` compiled once per source text.

    docxtpl hands the environment the whole document XML for every document it
    renders; for one template that text is always the same, and compiling it
    is the slowest step of a render.
    """

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._compiled: dict[str, jinja2.Template] = {}

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> jinja2.Template:
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        return _memo(self._compiled, source, lambda: super(_CompilingOnceEnvironment, self).from_string(source))


def lines(items: Iterable[Any], end: str = "") -> str:
    """Filter ``lines``: one item per line inside a paragraph (a table cell, say).

    ``end`` closes every line but the last: ``names|lines(";")``.
    """
    return (end + "\n").join(str(clean_value(item)) for item in items)


def make_environment() -> jinja2.Environment:
    """The environment shared by every template: autoescape on, unknown names are errors."""
    env = _CompilingOnceEnvironment(
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        finalize=clean_value,
        keep_trailing_newline=False,
    )
    env.filters["lines"] = lines
    return env


class _PatchingOnceTemplate(DocxTemplate):  # type: ignore[misc]
    """A DocxTemplate that cleans each part's XML for jinja2 once per distinct XML.

    ``patch_xml`` (a dozen regular expressions over the whole part) is a pure
    function of the part's text, which is the same for every document made
    from one template.
    """

    _patched: dict[str, str] = {}

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
            raise WordTemplateError(f"Không đọc được mẫu {path}: {exc.strerror or exc}.") from exc
        self._checked_keys: frozenset[str] | None = None
        self._fast: _FastPackage | None = None

    def _fresh(self) -> DocxTemplate:
        return _PatchingOnceTemplate(io.BytesIO(self._data))

    def undeclared_variables(self) -> set[str]:
        """Top-level names the template uses (loop variables excluded)."""
        try:
            return set(self._fresh().get_undeclared_template_variables(self._env))
        except jinja2.TemplateError as exc:
            raise self._error(self._located(exc)) from exc
        except Exception as exc:  # a corrupt or non-Word file
            raise WordTemplateError(f"Mẫu {self.path} không phải tệp Word hợp lệ: {exc}.") from exc

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
            package.render(context, self._env, out, created)
        except jinja2.TemplateError as exc:
            raise self._error(exc) from exc

    def _package(self) -> "_FastPackage":
        if self._fast is None:
            try:
                self._fast = _FastPackage(self._fresh(), self._data)
            except _UnsupportedTag as exc:
                raise WordTemplateError(f"Mẫu {self.path} dùng thẻ {exc} mà matrix không hỗ trợ.") from exc
            except jinja2.TemplateError as exc:
                raise self._error(exc) from exc
        return self._fast

    def _error(self, exc: jinja2.TemplateError) -> WordTemplateError:
        """A user-facing error naming this template and, when known, the text near the fault."""
        message = getattr(exc, "message", None) or str(exc)
        if isinstance(exc, jinja2.UndefinedError):
            message = f"dùng biến không có trong dữ liệu ({message})"
        elif isinstance(exc, jinja2.TemplateSyntaxError):
            message = f"thẻ viết sai ({message})"
        # docxtpl puts each paragraph on its own line of the XML it renders, and keeps the text of
        # the lines around the fault (three before it): line n is the (n - 1)-th paragraph.
        context = [line.strip() for line in getattr(exc, "docx_context", ())]
        lineno = getattr(exc, "lineno", None)
        where = ""
        if context and lineno:
            at = min(lineno - 1, 3)
            text = context[at] if at < len(context) else ""
            where = f" Tại đoạn văn thứ {max(lineno - 1, 1)}" + (f": «{text[:200]}»." if text else ".")
        return WordTemplateError(f"Lỗi trong mẫu {self.path}: {message}.{where}")


class _UnsupportedTag(Exception):
    pass


_XML_DECLARATION = "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
_CORE = "docProps/core.xml"
_CORE_DATES = re.compile(r"(<dcterms:(?:created|modified)\b[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


def _dated_core(xml: str, created: dt.datetime) -> str:
    """The core properties with the creation and modification dates set to ``created`` (W3CDTF, UTC)."""
    stamp = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    return _CORE_DATES.sub(lambda m: m.group(1) + stamp + m.group(2), xml)


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
                self._parts[partname.lstrip("/")] = base.patch_xml(xml)
        static = io.BytesIO()
        self._core: str | None = None
        with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(static, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                if info.filename == _CORE:  # dated per document
                    self._core = source.read(info).decode("utf-8")
                elif info.filename not in self._parts:
                    target.writestr(info, source.read(info), compress_type=zipfile.ZIP_DEFLATED)
        self._static = static.getvalue()

    def render(self, context: Mapping[str, Any], env: jinja2.Environment, out: Path, created: dt.datetime | None = None) -> None:
        rendered = {name: self._base.render_xml_part(xml, None, dict(context), env) for name, xml in self._parts.items()}
        out.write_bytes(self._static)
        core = _XML_DECLARATION + rendered.pop(_CORE) if _CORE in rendered else self._core  # tags in the properties
        with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as package:
            for name, xml in rendered.items():
                package.writestr(name, _XML_DECLARATION + xml)
            if core is not None:
                package.writestr(_CORE, core if created is None else _dated_core(core, created))


def _without_declaration(xml: str) -> str:
    """The XML without its ``<?xml ...?>`` line (the renderer writes its own)."""
    return re.sub(r"^\s*<\?xml[^>]*\?>\s*", "", xml)


_LOADED: dict[tuple[Path, int, int], WordTemplate] = {}


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
        path = find_template(name, self.user_dir).resolve()
        try:
            stat = path.stat()
        except OSError as exc:
            raise WordTemplateError(f"Không đọc được mẫu {path}: {exc.strerror or exc}.") from exc
        key = (path, stat.st_mtime_ns, stat.st_size)
        return _memo(_LOADED, key, lambda: WordTemplate(path, make_environment()))

"""The fast Word renderer against docxtpl's own ``DocxTemplate.render`` (the seam with docxtpl's internals).

matrix renders letters through docxtpl's internal steps (``render_init``,
``patch_xml``, ``render_xml_part``) to avoid re-reading the package for every
document. These tests render every shipped template both ways with the same
context and compare what a reader sees: the body, headers, footers,
footnotes and document properties. A docxtpl upgrade that changes those
internals fails here, not in a clerk's letter.
"""

from __future__ import annotations

import io
import re
import types
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docxtpl import DocxTemplate
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from matrix.core.pivot import build_matrix
from matrix.input.load import load_corpus
from matrix.writers.templates import PACKAGE_TEMPLATES, WordTemplate, make_environment
from matrix.writers.word import letter_context, table_context

from .helpers import INPUT

_TAG_PARTS = re.compile(r"word/(document|header\d*|footer\d*|footnotes)\.xml|docProps/core\.xml")


def _contexts() -> dict[str, dict]:
    corpus = load_corpus([INPUT]).require()
    matrix = build_matrix(corpus)
    state = next(d for d in corpus.directives if d.issuer.kind.value == "nhà nước")
    party = next(d for d in corpus.directives if d.issuer.kind.value == "đảng")
    one = matrix.subset([state.id])
    return {
        "thu-nha-nuoc.docx": letter_context(one, one.columns[0]),
        "thu-dang.docx": letter_context(matrix.subset([party.id]), matrix.subset([party.id]).columns[0]),
        "bang-phan-cong.docx": table_context(one),
    }


def _reader_view(data: bytes) -> dict[str, list[str]]:
    """What a reader sees in each part: paragraph texts, in order, and the core properties."""
    doc = Document(io.BytesIO(data))
    view = {
        "body": [p.text for p in doc.paragraphs],
        "tables": [c.text for t in doc.tables for r in t.rows for c in r.cells],
    }
    for i, section in enumerate(doc.sections):
        for kind in ("header", "first_page_header", "footer", "first_page_footer"):
            part = getattr(section, kind)
            view[f"{kind}{i}"] = [p.text for p in part.paragraphs] + [
                c.text for t in part.tables for r in t.rows for c in r.cells
            ]
    props = doc.core_properties
    view["properties"] = [props.title or "", props.subject or "", props.author or "", props.comments or ""]
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        if "word/footnotes.xml" in z.namelist():
            view["footnotes"] = re.findall(r"<w:t[^>]*>([^<]*)</w:t>", z.read("word/footnotes.xml").decode())
    return view


def _slow(template: Path, context: dict) -> bytes:
    doc = DocxTemplate(str(template))
    doc.render(context, make_environment(), autoescape=True)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _fast(template: Path, context: dict, tmp_path: Path) -> bytes:
    out = tmp_path / "fast.docx"
    WordTemplate(template, make_environment()).render(context, out)
    return out.read_bytes()


@pytest.mark.parametrize("name", ["thu-nha-nuoc.docx", "thu-dang.docx", "bang-phan-cong.docx"])
def test_fast_renderer_matches_docxtpl_on_shipped_templates(name, tmp_path):
    context = _contexts()[name]
    template = PACKAGE_TEMPLATES / name
    assert _reader_view(_fast(template, context, tmp_path)) == _reader_view(_slow(template, context))


def _with_tags_everywhere(source: Path, target: Path) -> Path:
    """A copy of a shipped template with tags in its properties and a footnotes part that uses tags."""
    doc = Document(str(source))
    doc.core_properties.title = "Thư gửi {{ agency.name }}"
    doc.core_properties.subject = "{{ directive.title }}"
    doc.save(str(target))
    footnotes = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        '<w:footnote w:id="1"><w:p><w:r><w:t>Gửi {{ agency.name }}</w:t></w:r></w:p></w:footnote>'
        "</w:footnotes>"
    )
    data = io.BytesIO()
    with zipfile.ZipFile(target) as z, zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as out:
        for info in z.infolist():
            body = z.read(info)
            if info.filename == "[Content_Types].xml":
                body = body.replace(
                    b"</Types>",
                    b'<Override PartName="/word/footnotes.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/></Types>',
                )
            if info.filename == "word/_rels/document.xml.rels":
                body = body.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdFn1" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/footnotes" Target="footnotes.xml"/></Relationships>',
                )
            out.writestr(info, body)
        out.writestr("word/footnotes.xml", footnotes)
    target.write_bytes(data.getvalue())
    return target


def test_tags_in_properties_and_footnotes_are_rendered_like_docxtpl(tmp_path):
    context = _contexts()["thu-nha-nuoc.docx"]
    template = _with_tags_everywhere(PACKAGE_TEMPLATES / "thu-nha-nuoc.docx", tmp_path / "tpl.docx")
    fast, slow = _reader_view(_fast(template, context, tmp_path)), _reader_view(_slow(template, context))
    assert fast == slow
    name = context["agency"]["name"]
    assert fast["properties"][0] == f"Thư gửi {name}" and fast["footnotes"] == [f"Gửi {name}"]


@pytest.mark.parametrize("name", ["thu-nha-nuoc.docx", "thu-dang.docx", "bang-phan-cong.docx"])
def test_each_part_is_rendered_as_docxtpls_render_xml_part_renders_it(name):
    """The fast path prepares each part once and skips docxtpl's line-break pass when the rendered part has no line
    break, tab or page break: the XML of every part must still be docxtpl's, character for character."""
    from matrix.writers.templates import _FastPackage

    context = _contexts()[name]
    template = PACKAGE_TEMPLATES / name
    env = make_environment()
    package = _FastPackage(DocxTemplate(str(template)), template.read_bytes())
    fast = package.render_parts(context, env)
    for part, xml in package._parts.items():
        assert fast[part] == DocxTemplate(str(template)).render_xml_part(xml, None, dict(context), env), part


@pytest.mark.parametrize(
    "text",
    [
        "dòng một\ndòng hai {{ x }}",
        "cột\t{{ x }}",
        "{{ x }} không ngắt",
        "{_{ x }_} {_% x %_} {{ x }}",  # docxtpl's escaped braces, looked for where there is an underscore
        "mã_số {{ y }}",
        "{{ y }}",
    ],
)
def test_line_breaks_and_tabs_in_a_part_are_still_resolved(text):
    from matrix.writers.templates import _FastPackage

    template = PACKAGE_TEMPLATES / "thu-nha-nuoc.docx"
    env = make_environment()
    package = _FastPackage(DocxTemplate(str(template)), template.read_bytes())
    xml = f'<w:body><w:p><w:pPr><w:jc w:val="both"/></w:pPr><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p></w:body>'
    data = {"x": "Công an tỉnh", "y": "{_{ a }_}_"}
    fast = package._render_part(xml, dict(data), env)
    assert fast == DocxTemplate(str(template)).render_xml_part(xml, None, dict(data), env)
    assert ("<w:br/>" in fast) == ("\n" in text) and ("<w:tab/>" in fast) == ("\t" in text)


# --------------------------------------------------------------------------- less work per document (issue 23)

_PIECES = [
    "<w:p>",
    '<w:p w:rsidR="00A1">',
    "</w:p>",
    "<w:p/>",
    '<w:pPr><w:jc w:val="both"/></w:pPr>',
    "<w:r>",
    "<w:r><w:rPr><w:b/></w:rPr>",
    "</w:r>",
    '<w:t xml:space="preserve">',
    "<w:t>",
    "</w:t>",
    "<w:tab/>",
    "<w:tbl><w:tr><w:tc>",
    "</w:tc></w:tr></w:tbl>",
    "<w:pict><w:txbxContent>",  # a text box: paragraphs inside a paragraph's run
    "</w:txbxContent></w:pict>",
    "<w:pStyle/>",
    "chữ",
    " ",
    "\n",
    "\t",
    "\a",
    "\f",
    "<",
    ">",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40))
def test_listing_characters_are_resolved_exactly_as_docxtpl_resolves_them(pieces):
    """matrix hands docxtpl's ``resolve_listing`` only the paragraphs holding a tab, line break, \\a or \\f; the
    part must come out as docxtpl's pass over the whole part makes it, whatever the XML (text boxes, empty
    paragraphs, a mark outside any paragraph, broken XML)."""
    from matrix.writers.templates import resolve_listing

    base = DocxTemplate(str(PACKAGE_TEMPLATES / "thu-nha-nuoc.docx"))
    xml = "".join(pieces)
    assert resolve_listing(base, xml) == base.resolve_listing(xml)


def _seen_by_the_listing_pass(monkeypatch) -> list[str]:
    """The paragraphs handed to the per-paragraph listing pass (docxtpl's, or its steps for line breaks only)."""
    import matrix.writers.templates as templates

    seen: list[str] = []
    original = templates._resolved

    def spy(base, xml):
        seen.append(xml)
        return original(base, xml)

    monkeypatch.setattr(templates, "_resolved", spy)
    return seen


def test_only_the_paragraph_with_a_line_break_goes_through_the_listing_pass(monkeypatch, tmp_path):
    """The one paragraph with a line break (the trích yếu cut in two by ``balanced``) is resolved; the rest of
    the letter is not searched paragraph by paragraph again."""
    context = _contexts()["thu-nha-nuoc.docx"]
    seen = _seen_by_the_listing_pass(monkeypatch)
    data = _fast(PACKAGE_TEMPLATES / "thu-nha-nuoc.docx", context, tmp_path)
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        document = package.read("word/document.xml").decode("utf-8")
    assert "<w:br/>" in document and seen
    assert all(text.startswith("<w:p") and text.count("</w:p>") == 1 and "\n" in text for text in seen)
    assert sum(map(len, seen)) < len(document) / 10


class _Clock:
    """``time`` as zipfile reads it, a day later at every call."""

    def __init__(self) -> None:
        self.now = 1_750_000_000.0

    def time(self) -> float:
        self.now += 86_400
        return self.now

    def localtime(self, seconds: float | None = None):
        import time

        return time.localtime(self.now if seconds is None else seconds)


def test_a_documents_bytes_depend_on_its_content_not_on_the_clock(monkeypatch, tmp_path):
    import datetime as dt

    context = _contexts()["thu-nha-nuoc.docx"]
    created = dt.datetime(2025, 7, 15, 3, 4, 5)
    monkeypatch.setattr(zipfile, "time", _Clock())
    template = WordTemplate(PACKAGE_TEMPLATES / "thu-nha-nuoc.docx", make_environment())
    first, second = tmp_path / "1.docx", tmp_path / "2.docx"
    template.render(context, first, created=created)
    template.render(context, second, created=created)
    assert first.read_bytes() == second.read_bytes()


def test_a_package_holds_the_templates_members_in_order_and_reads_back_whole(tmp_path):
    """Every member of the template is in the document, in the template's order but for the rendered parts and
    the properties (last); the archive passes zipfile's CRC check, and python-docx and docxtpl open it."""
    context = _contexts()["thu-nha-nuoc.docx"]
    template = PACKAGE_TEMPLATES / "thu-nha-nuoc.docx"
    data = _fast(template, context, tmp_path)
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(io.BytesIO(data)) as written:
        assert written.testzip() is None
        names = [i.filename for i in source.infolist()]
        rendered = ["word/document.xml", "docProps/core.xml"]
        assert [i.filename for i in written.infolist()] == [n for n in names if n not in rendered] + rendered
        for name in names:
            if name not in rendered:
                assert written.read(name) == source.read(name), name
        assert {i.date_time for i in written.infolist()} == {i.date_time for i in source.infolist()}
    assert (
        Document(io.BytesIO(data)).paragraphs
        and DocxTemplate(io.BytesIO(data)).get_undeclared_template_variables(make_environment()) == set()
    )


@settings(max_examples=200, deadline=None)
@given(
    st.text(st.characters(codec="utf-8"), max_size=20)
    | st.text(st.sampled_from("a\x00\x08\x0b\x7f\ufffe\n\t"), max_size=8)
)
def test_a_printed_value_loses_exactly_the_characters_xml_forbids(text):
    """The printable shortcut of ``clean_value`` takes out what the substitution takes out, no more, no less."""
    from matrix.writers.templates import _FORBIDDEN_CHARS, clean_value

    assert clean_value(text) == _FORBIDDEN_CHARS.sub("", text)
    assert make_environment().from_string("{{ x }}").render(x=text) == str(
        Markup.escape(_FORBIDDEN_CHARS.sub("", text))
    )


_OUTPUT_SOURCES = [
    "<w:t>{{ x }}</w:t>",
    "{{ x|upper }}|{{ x|e }}|{{ x|safe }}|{{ x ~ '&' }}|{{ [x, x]|join('<') }}",
    "{% filter upper %}<{{ x }}>{% endfilter %}{% set t %}[{{ x }}]{% endset %}{{ t }}{{ t|length }}",
    "{% macro m(v) %}<{{ v }}>{% endmacro %}{{ m(x) }}",
    "{% macro c() %}<{{ caller() }}>{% endmacro %}{% call c() %}{{ x }}&{% endcall %}",
    "{% autoescape false %}{{ x }}{% endautoescape %}{% autoescape flag %}{{ x }}{% endautoescape %}",
    "{% if x %}{{ x }}{% else %}{{ x is none }}{% endif %}{{ 'a&b' }}{{ none }}",
    "{{ d.a }}{{ d.b.a }}{{ d.items()|list|length }}{{ d.get('a') }}{{ d.zz is defined }}{{ o.a }}{{ o.b.a }}",
    "{% for k, v in d.b|dictsort %}{{ k }}{{ v }}{{ loop.index }}/{{ loop.length }}{{ loop.last }}{% endfor %}",
    "{% for c in (x or 'ab')|string if c != 'a' %}{{ c }}{% else %}-{% endfor %}{% for r in [d, o] %}{{ r.a }}{% endfor %}",
]


@settings(max_examples=60, deadline=None)
@given(
    st.one_of(
        st.text(st.sampled_from("aá&<>'\"\x00\n;"), max_size=6),
        st.builds(Markup, st.text(st.sampled_from("a&<>;#3"), max_size=6)),
        st.none(),
        st.integers(-(10**6), 10**6),
    ),
    st.booleans(),
)
def test_a_printed_value_is_what_jinja2s_own_generator_prints(value, flag):
    """``{{ x }}`` compiles to ``environment.escaped(x)`` (one call, a text escaped once per process), ``d.a`` to an
    item read in place when ``d`` is a dict, a loop's items to ``environment.ticking``: the same output as jinja2's
    own generator, in blocks, macros, filters, loops and autoescape blocks."""
    from jinja2.compiler import CodeGenerator

    fast, general = make_environment(), make_environment()
    general.code_generator_class = CodeGenerator
    for source in _OUTPUT_SOURCES:
        assert ("environment.escaped(" in fast.compile(source, raw=True)) is ("autoescape" not in source)
        assert "environment.escaped(" not in general.compile(source, raw=True)
        data = {"x": value, "flag": flag, "d": {"a": value, "b": {"a": "&", "k": 1}}}
        data["o"] = types.SimpleNamespace(a=value, b=data["d"])
        twice = fast.from_string(source)
        expected = general.from_string(source).render(data)
        assert twice.render(data) == expected
        assert twice.render(data) == expected  # the second time from the escaped texts kept


def test_safe_never_puts_raw_xml_into_a_document():
    """A printed value is always escaped, ``|safe`` or a macro's text included (the renderer's shortcuts keep it so)."""
    env = make_environment()
    assert env.from_string("{{ x|safe }}").render(x="<w:br/>") == "&lt;w:br/&gt;"
    assert env.from_string("{% macro m() %}{{ x }}{% endmacro %}{{ m() }}").render(x="<w:br/>") == "&lt;w:br/&gt;"


def test_text_escaped_by_the_template_is_printed_once_escaped():
    """``|e``, a {% set %} block and a macro give escaped text: it prints as its plain text ("A & B"), not "&amp;"."""
    env = make_environment()
    assert env.from_string("{{ x|e }}").render(x="A & B") == "A &amp; B"
    assert env.from_string("{% set t %}{{ x }} <{% endset %}{{ t }}").render(x="A & B") == "A &amp; B &lt;"
    assert env.from_string("{% macro m(v) %}[{{ v }}]{% endmacro %}{{ m(x) }}").render(x="Sở A & B") == "[Sở A &amp; B]"


def test_a_package_past_the_plain_zip_limit_is_refused_in_vietnamese():
    """Past 65,535 members a zip needs zip64 records, which the assembler does not write: a clear refusal."""
    from matrix.writers.templates import _BrokenPart, _ZipAssembler

    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as package:
        for i in range(65_536):
            package.writestr(str(i), b"")
    with pytest.raises(_BrokenPart, match="quá nhiều phần"):
        _ZipAssembler(data.getvalue(), {})

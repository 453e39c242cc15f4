"""The Word writer's shortcuts (issue 23): each does less work than the general path, with the same result.

The checks of a render (deadline, output budget, well-formed XML) stay: these tests pin that they are still
made, and that the cheaper way of making them is the one used.
"""

from __future__ import annotations

import datetime
import os
import time
import types
from pathlib import Path

import jinja2.sandbox
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import matrix.writers.templates as templates
from matrix.writers.templates import PACKAGE_TEMPLATES, make_environment, well_formed

_SHIPPED = PACKAGE_TEMPLATES / "thu-nha-nuoc.docx"


def test_a_document_is_written_whole_when_the_system_writes_it_in_pieces(tmp_path, monkeypatch):
    real = os.write
    calls: list[int] = []

    def short(fd: int, data: bytes | memoryview) -> int:
        calls.append(len(data))
        return real(fd, bytes(data[:1000]))  # a short write, as a full disk or a signal may give

    monkeypatch.setattr(os, "write", short)
    data = bytes(range(256)) * 40
    path = tmp_path / "a.docx"
    path.write_bytes(b"x" * 20_000)  # an older, longer file: cut to the new length
    templates.write_document(path, data)
    assert path.read_bytes() == data and len(calls) == 11


_XML_CASES = [
    (b'<a xmlns:w="u"><w:p/></a>', True),
    (b"<a><w:p/></a>", False),  # a prefix nobody declared
    (b"<a>&foo;</a>", False),
    (b"<a>&#x1;</a>", False),
    (b"<a/><b/>", False),
    (b'<a b="1" b="2"/>', False),
    (b"<a>]]></a>", False),
    (b"<a>\xff</a>", False),
    (b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n<a>\xc3\xa1</a>", True),
    (b'<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>', True),
    (b"", False),
]


def test_the_well_formed_check_builds_no_tree_and_refuses_what_lxml_refuses(monkeypatch):
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    for xml, ok in _XML_CASES:  # what lxml's parse (the check before) says
        try:
            etree.fromstring(xml, parser)
            assert ok, xml
        except (etree.XMLSyntaxError, ValueError):
            assert not ok, xml

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("a tree was built")

    monkeypatch.setattr(etree, "fromstring", refused)
    monkeypatch.setattr(etree, "XML", refused)
    assert [well_formed(xml) for xml, _ in _XML_CASES] == [ok for _, ok in _XML_CASES]


def test_the_loop_properties_are_read_without_the_sandboxs_lookup(monkeypatch):
    looked: list[str] = []
    general = jinja2.sandbox.SandboxedEnvironment.getattr

    def spy(self: jinja2.sandbox.SandboxedEnvironment, obj: object, attribute: str) -> object:
        looked.append(attribute)
        return general(self, obj, attribute)

    monkeypatch.setattr(jinja2.sandbox.SandboxedEnvironment, "getattr", spy)
    env = make_environment()
    source = (
        "{% for x in items %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}"
        "{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ loop.depth }}{{ loop.depth0 }}"
        "{% if loop.first %}{{ loop.nextitem }}{% else %}{{ loop.previtem }}{% endif %}{{ loop.cycle('a', 'b') }};"
        "{% endfor %}"
    )
    out = env.from_string(source).render(items=["p", "q"])
    assert out == "1021TrueFalse210qa;2110FalseTrue210pb;"
    assert looked == ["cycle", "cycle"]  # a method goes the sandbox's way


def test_the_output_is_counted_in_batches_not_piece_by_piece(monkeypatch):
    env = make_environment()
    template = env.from_string("{% for x in items %}<w:t>{{ x }}</w:t>{% endfor %}")
    reads = 0
    clock = time.monotonic

    def counted() -> float:
        nonlocal reads
        reads += 1
        return clock()

    monkeypatch.setattr(templates.time, "monotonic", counted)
    out = template.render(items=["a"] * 2000)
    assert out == "<w:t>a</w:t>" * 2000
    # every step of a loop (where the sandbox's attribute reads did) still looks at the clock (2,000), the printed
    # values (counted as printed) and the template's own text (4,000 pieces) only once per batch of output
    assert reads < 2000 + 2 * 2000 * 11 // templates._CONCAT_BATCH + 20
    monkeypatch.setattr(templates.time, "monotonic", clock)

    # and a render past its budget or its time on the template's own text (no value printed) is still stopped
    monkeypatch.setattr(templates, "MAX_RENDER_CHARS", 50_000)
    with pytest.raises(templates.TemplateLimit, match="quá nhiều chữ"):
        env.from_string("{% for x in range(20000) %}<w:p/>{% endfor %}").render()
    monkeypatch.setattr(templates, "MAX_RENDER_CHARS", 10**12)
    monkeypatch.setattr(templates, "RENDER_SECONDS", 0.2)
    started = clock()
    with pytest.raises(templates.TemplateLimit, match="giây"):
        env.from_string("{% for x in range(99999) %}{% for y in range(99999) %}<w:p/>{% endfor %}{% endfor %}").render()
    assert clock() - started < 5


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.text(max_size=5) | st.integers() | st.none(), max_size=4) | st.text(max_size=4) | st.integers(),
    st.text(max_size=3) | st.integers(),
    st.booleans(),
)
def test_a_joins_size_is_told_before_it_is_made_as_the_general_prediction_tells_it(items, separator, keyword):
    """``names|join(", ")`` in every task of every letter: the size of a join of texts is added up in C
    (``_joined_size``), the same number as the general prediction of a filter's output (the join's length);
    other calls take the general way."""
    from jinja2.nodes import EvalContext

    from matrix.writers.templates import _joined_size, _predicted_filter

    env = make_environment()
    args, kwargs = (
        ((EvalContext(env), items), {"d": separator}) if keyword else ((EvalContext(env), items, separator), {})
    )
    assert _joined_size(args, kwargs) == _predicted_filter("join", args, kwargs)
    if isinstance(items, list) and all(isinstance(i, str) for i in items) and isinstance(separator, str):
        assert _joined_size(args, kwargs) == len(separator.join(items))
    # the filter gives what jinja2's own join gives, made by str.join for texts, the general way otherwise
    from jinja2.filters import sync_do_join

    for autoescape in (True, False):
        context = EvalContext(env)
        context.autoescape = autoescape
        call = ((context, items), {"d": separator}) if keyword else ((context, items, separator), {})
        try:
            expected = sync_do_join(*call[0], **call[1])
        except TypeError:
            continue
        try:
            got = env.filters["join"](*call[0], **call[1])
        except templates.TemplateLimit:  # a number past the budget as separator: refused before anything
            assert isinstance(separator, int) and abs(separator) > templates.MAX_RENDER_CHARS
            continue
        assert got == expected and type(got) is type(expected)


def test_a_text_is_escaped_once_per_process_not_once_per_print(monkeypatch):
    """The texts of a task are printed in each letter of its agencies: cleaned and escaped the first time only,
    and still counted against every render's budget."""
    escaped: list[str] = []
    real = templates.escape_text

    def spy(text: str) -> str:
        escaped.append(text)
        return real(text)

    monkeypatch.setattr(templates, "escape_text", spy)
    env = make_environment()
    template = env.from_string("<w:t>{{ x }}</w:t>{% for y in ys %}<w:t>{{ y }}</w:t>{% endfor %}")
    text = "Sở A & B <c>\x01"
    for _ in range(3):
        out = template.render(x=text, ys=[text, "d", text])
        assert out == "<w:t>Sở A &amp; B &lt;c&gt;</w:t>" * 2 + "<w:t>d</w:t><w:t>Sở A &amp; B &lt;c&gt;</w:t>"
    assert escaped == ["Sở A & B <c>", "d"]

    monkeypatch.setattr(templates, "MAX_RENDER_CHARS", 30)
    with pytest.raises(templates.TemplateLimit, match="quá nhiều chữ"):  # a text escaped before counts again
        env.from_string("{{ x }}{{ x }}{{ x }}").render(x=text)

    monkeypatch.setattr(templates, "MAX_RENDER_CHARS", 10_000)
    monkeypatch.setattr(templates, "_ESCAPED_CHARS", 40)  # what is kept is bounded by its characters
    names = [f"Cơ quan số {n} & {n}" for n in range(10)]
    out = env.from_string("{% for n in names %}{{ n }};{% endfor %}").render(names=names)
    assert out == "".join(f"Cơ quan số {n} &amp; {n};" for n in range(10))
    assert sum(map(len, env._escaped)) <= 40 and names[-1] in env._escaped


def test_a_dicts_item_is_read_in_place_and_a_loop_still_looks_at_the_clock(monkeypatch):
    """``i.directive.reference`` in every item of every reminder: a dict's key is read without the sandbox's
    ``getattr``; a method of a dict, a missing key and another object still go its way; and a loop that prints
    nothing and reads only dicts is still stopped at its deadline."""
    looked: list[str] = []
    general = templates._SafeEnvironment.getattr

    def spy(self: templates._SafeEnvironment, obj: object, attribute: str) -> object:
        looked.append(attribute)
        return general(self, obj, attribute)

    monkeypatch.setattr(templates._SafeEnvironment, "getattr", spy)
    env = make_environment()
    data = {"i": {"directive": {"reference": "05/CT-UBND"}}, "o": types.SimpleNamespace(name="Sở A")}
    source = "{{ i.directive.reference }}|{{ i.items()|list|length }}|{{ i.nothing is defined }}|{{ o.name }}"
    assert env.from_string(source).render(data) == "05/CT-UBND|1|False|Sở A"
    assert looked == ["items", "nothing", "name"]

    monkeypatch.setattr(templates, "RENDER_SECONDS", 0.2)
    started = time.monotonic()
    with pytest.raises(templates.TemplateLimit, match="giây"):
        env.from_string(
            "{% for a in r %}{% for b in r %}{% if i.directive %}{% endif %}{% endfor %}{% endfor %}"
        ).render(r=list(range(20_000)), i=data["i"])
    assert time.monotonic() - started < 5


def test_the_writer_is_used_for_every_document(tmp_path, monkeypatch):
    written: list[Path] = []
    real = templates.write_document

    def spy(path: Path, data: bytes) -> None:
        written.append(path)
        real(path, data)

    monkeypatch.setattr(templates, "write_document", spy)
    from matrix.core.pivot import build_matrix
    from matrix.input.load import load_corpus
    from matrix.writers.word import write_letters

    from .helpers import INPUT

    corpus = load_corpus([INPUT]).require()
    view = build_matrix(corpus).subset([corpus.directives[0].id])
    paths = write_letters(view, tmp_path)
    assert written == paths and all(p.read_bytes()[:2] == b"PK" for p in paths)


# --------------------------------------------------------------------------- renders proven well-formed

_ROOT = '<w:document xmlns:w="urn:w"><w:body>{}</w:body></w:document>'
_RAW = [  # pieces that may unbalance a branch, or put a value where text may not stand
    "<w:p>",
    "</w:p>",
    "</w:r>",
    "<w:t>",
    "</w:t>",
    '<w:t xml:space="preserve"/>',
    "<w:r><w:rPr><w:rPrChange><w:rPr><w:b/></w:rPr></w:rPrChange></w:rPr><w:t>",
    '<w:jc w:val="{{ v }}"/>',
    "<w:{{ v }}/>",
    "<!-- {{ v }} -->",
    "<![CDATA[{{ v }}]]>",
    "&nbsp;",
    "<x:p/>",
    "<w:t>a<w:b/>",
    "<w:p\n/>",
    "<w:p><w:t>{{ v }}</w:t></w:p>",  # a <w:t> right inside a paragraph: a tab would close a run never opened
    "{% filter upper %}<w:p/>{% endfilter %}",
    "{% filter balanced(3) %}<w:b/>{{ v }}{% endfilter %}",
    "{% macro m() %}<w:p/>{% endmacro %}{{ m() }}",
    "{% autoescape false %}{{ v }}{% endautoescape %}",
    "{% set s %}<w:p/>{% endset %}{{ s }}",
    "{{ v|safe }}",
]
_VALUE = st.text(alphabet="ab <>&\"'\n\t\a\f\x01{}%_", max_size=8)


def _blocks(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """``inner`` pieces, some of them inside an if (with or without else), a for or a set."""
    one = st.one_of(
        inner,
        st.tuples(inner, inner).map(lambda b: "{% if a %}" + b[0] + "{% else %}" + b[1] + "{% endif %}"),
        inner.map(lambda b: "{% if not a %}" + b + "{% endif %}"),
        inner.map(lambda b: "{% for x in items %}" + b + "{% endfor %}"),
        inner.map(lambda b: "{% set y = v %}" + b),
    )
    return st.lists(one, max_size=3).map("".join)


_TEXT = _blocks(
    st.sampled_from(["chữ", " ", "{{ v }}", "{{ w|upper }}", "{{ x if x is defined else '' }}", "{{ items|lines }}"])
)
_TEXT = st.one_of(_TEXT, _TEXT.map(lambda t: "{% filter balanced(3) %}" + t + "{% endfilter %}"))
_RUN = st.one_of(
    _TEXT.map(lambda t: f'<w:r><w:t xml:space="preserve">{t}</w:t></w:r>'),
    _TEXT.map(lambda t: f"<w:r><w:rPr><w:b/></w:rPr><w:t>{t}</w:t></w:r>"),
    st.just("<w:r><w:tab/></w:r>"),
)
_PARAGRAPH = _blocks(_RUN).map(lambda runs: f'<w:p><w:pPr><w:jc w:val="both"/></w:pPr>{runs}</w:p>')
_CELL = _blocks(_PARAGRAPH).map(lambda ps: f"<w:tbl><w:tr><w:tc>{ps}<w:p/></w:tc></w:tr></w:tbl>")
_BODY = _blocks(st.one_of(_PARAGRAPH, _CELL))


@st.composite
def _templates(draw: st.DrawFn) -> tuple[str, bool]:
    """A part's XML with tags, and whether a raw piece went into it."""
    body = draw(_BODY)
    raw = draw(st.lists(st.tuples(st.sampled_from(_RAW), st.integers(0, 10**6)), max_size=2))
    for piece, where in raw:  # anywhere outside a tag (before a '<' or at the end)
        cuts = [i for i, c in enumerate(body) if c == "<"] + [len(body)]
        at = cuts[where % len(cuts)]
        body = body[:at] + piece + body[at:]
    return _ROOT.format(body), bool(raw)


def _lxml_well_formed(data: bytes) -> bool:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    try:
        etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError):
        return False
    return True


@settings(max_examples=400, deadline=None)
@given(_templates(), st.data())
def test_a_part_proven_well_formed_renders_well_formed_whatever_the_data(template, data):
    """``always_well_formed`` lets renders skip the check: when it says so, no data may give broken XML (values
    with markup, tabs, line breaks, control characters; any branch; any number of loop turns), and every
    template built of balanced branches around text is proven."""
    from docxtpl import DocxTemplate

    from matrix.writers.templates import _XML_DECLARATION, PACKAGE_TEMPLATES, _FastPackage, always_well_formed

    xml, raw = template
    env = make_environment()
    package = _FastPackage(DocxTemplate(str(PACKAGE_TEMPLATES / "thu-nha-nuoc.docx")), _SHIPPED.read_bytes())
    proven = always_well_formed(env, package._source(xml))
    assert proven or raw, xml
    for _ in range(3):
        context = {"v": data.draw(_VALUE), "w": data.draw(_VALUE), "a": data.draw(st.booleans())}
        context["items"] = data.draw(st.lists(_VALUE, max_size=3))
        out = package._render_part(xml, context, env)
        if proven:
            assert _lxml_well_formed((_XML_DECLARATION + out).encode("utf-8")), (xml, context, out)


_TAB, _BREAK = {"v": "a\tb", "a": True}, {"v": "a\nb", "a": True}
_BREAKING = [  # (the part, data that breaks its XML): never proven, so every render of them is still checked
    ('{{ v }}<w:document xmlns:w="urn:w"><w:body/></w:document>', {"v": "a", "a": True}),  # text before the root
    ("<w:p><w:r><w:x><w:t>{{ v }}</w:t></w:x></w:r></w:p>", _TAB),  # a tab closes the run before the w:x
    ("<w:p><w:r><w:rPr><w:rPrChange><w:rPr><w:b/></w:rPr></w:rPrChange></w:rPr><w:t>{{ v }}</w:t></w:r></w:p>", _TAB),
    ("{% if a %}<w:p>{% endif %}</w:p>", {"v": "", "a": False}),
    ("{% for x in v %}<w:p>{% endfor %}</w:p>", {"v": "ab", "a": True}),
    ("<w:p><w:{{ v }}/></w:p>", {"v": "a b", "a": True}),
    ("<w:p><!-- {{ v }} --></w:p>", {"v": "--", "a": True}),
    ("{% filter upper %}<w:p/>{% endfilter %}", {"v": "", "a": True}),
    ("<w:p><w:r><w:t>{% autoescape false %}{{ v }}{% endautoescape %}</w:t></w:r></w:p>", {"v": "<", "a": True}),
    ('<w:p><w:r><w:t xml:space="preserve"/>{{ v }}<w:t>x</w:t></w:r></w:p>', _BREAK),
    ('<w:p><w:r><w:t xml:space="preserve"\n>{{ v }}</w:t></w:r></w:p>', _BREAK),
    ("<w:p><w:r><!-- <w:t> -->{{ v }}<w:t>x</w:t></w:r></w:p>", _BREAK),
    ("<w:p><w:r><![CDATA[<w:t>]]>{{ v }}<w:t>x</w:t></w:r></w:p>", _BREAK),
    ("<w:p>{% if a %}<x:b/>{% endif %}</w:p>", {"v": "", "a": True}),
    ("<w:p><w:r><w:t><w:x>{{ v }}</w:x></w:t></w:r></w:p>", _BREAK),
]


@pytest.mark.parametrize(("body", "context"), _BREAKING)
def test_a_part_some_data_would_break_is_not_proven(body, context):
    from docxtpl import DocxTemplate

    from matrix.writers.templates import _XML_DECLARATION, _FastPackage, always_well_formed

    xml = body if body.startswith("{{ v }}<w:document") else _ROOT.format(body)
    env = make_environment()
    package = _FastPackage(DocxTemplate(str(_SHIPPED)), _SHIPPED.read_bytes())
    out = package._render_part(xml, dict(context), env)
    assert not _lxml_well_formed((_XML_DECLARATION + out).encode("utf-8")), out  # the case matters
    assert not always_well_formed(env, package._source(xml))


def test_the_shipped_templates_are_proven_and_their_renders_skip_the_check(tmp_path, monkeypatch):
    from matrix.writers.templates import TemplateLibrary, always_well_formed

    for name in ("thu-nha-nuoc.docx", "thu-dang.docx", "bang-phan-cong.docx", "tong-hop-nhiem-vu.docx"):
        template = TemplateLibrary().get(name)
        package = template._package()
        assert all(always_well_formed(template._env, package._source(xml)) for xml in package._parts.values()), name
    checked: list[bytes] = []
    monkeypatch.setattr(templates, "well_formed", lambda data: checked.append(data) or True)
    test_the_writer_is_used_for_every_document(tmp_path, monkeypatch)
    assert checked == []


# Pieces of a part for the proof that its paragraphs' line breaks may be taken out of the compiled text: paragraphs
# opened either way, line breaks of the template and of values, whitespace control eating a line break, a text
# ending with the start of "<w:p", text that a {% set %} block, a macro, a recursive loop or a filter prints as a
# value (escaped, its line breaks kept), autoescape turned off.
_JOIN_PIECES = [
    "<w:p>",
    "<w:p ",
    'w:x="1">',
    "</w:p>",
    "\n",
    "\n\n",
    "a",
    "{{ v }}",
    "{{ v -}}",
    "<",
    "<w",
    "<w:",
    "<w:p",
    "w:p>",
    "{% for x in items %}<w:p>{{ x }}\n{% endfor %}",
    "{% set s %}<w:p>{{ v }}{% endset %}{{ s }}",
    "{% macro m() %}<w:p>{% endmacro %}{{ m() }}",
    "{% for x in [[1]] recursive %}<w:p>{% if x is iterable %}{{ loop(x) }}{% endif %}{% endfor %}",
    "{% filter balanced(3) %}a {{ v }} b c{% endfilter %}",
    "{% filter upper %}<w:p>{% endfilter %}",
    "{% autoescape false %}{{ r }}{% endautoescape %}",
]
_JOIN_PARTS = st.recursive(
    st.sampled_from(_JOIN_PIECES),
    lambda inner: st.builds(
        lambda opened, body, closed: opened + "".join(body) + closed,
        st.sampled_from(["{% if a %}", "{%- if a %}", "{% if a -%}"]),
        st.lists(inner, max_size=3),
        st.sampled_from(["{% endif %}", "{% endif -%}", "{%- endif %}"]),
    ),
    max_leaves=12,
)
_JOIN_VALUES = st.sampled_from(["", "a", " x", "\n", "x\n", "<w:p>", "\n<w:p ", "w:p>", "{_{"])


_JOIN_CONTEXTS = st.lists(
    st.fixed_dictionaries(
        {"v": _JOIN_VALUES, "r": _JOIN_VALUES, "a": st.booleans(), "items": st.lists(_JOIN_VALUES, max_size=3)}
    ),
    min_size=1,
    max_size=3,
)


def _context(v: str = "", r: str = "", a: bool = True) -> dict[str, object]:
    return {"v": v, "r": r, "a": a, "items": [v]}


@settings(max_examples=300, deadline=None)
@given(st.lists(_JOIN_PARTS, max_size=6), _JOIN_CONTEXTS)
@example(["{{ v -}}", "<w:p>"], [_context("x\n")])  # whitespace control took the paragraph's own line break
@example(["\n", "<w:p", "{{ v }}"], [_context(" x")])  # a text ending with the start of "<w:p"
@example(["<w:p>", "{% if a -%}", "<w:p>", "{% endif %}"], [_context(), _context(a=False)])
@example(["{% set s %}<w:p>{{ v }}{% endset %}{{ s }}"], [_context()])  # printed escaped, its line break kept
def test_a_parts_paragraph_lines_are_joined_in_its_text_only_when_that_gives_docxtpls_output(pieces, contexts):
    """``join_paragraph_lines``: the part compiled without the line breaks docxtpl puts before its paragraphs
    renders, for any data, what docxtpl's render then join gives (``re.sub(r"\\n<w:p([ >])", ...)`` over the
    output); every part refused is left untouched."""
    import re

    from jinja2 import nodes

    from matrix.writers.templates import _PARAGRAPH_OPEN, join_paragraph_lines

    source = _PARAGRAPH_OPEN.sub(r"\n<w:p\1", "".join(pieces))  # a paragraph per line, as docxtpl
    env = make_environment()
    tree = env.parse(source)
    before = [node.data for node in tree.find_all(nodes.TemplateData)]
    if not join_paragraph_lines(env, tree):
        assert [node.data for node in tree.find_all(nodes.TemplateData)] == before
        return
    compiled, general = env.from_string(tree), env.from_string(source)
    for context in contexts:
        expected = re.sub(r"\n<w:p([ >])", r"<w:p\1", general.render(context))
        assert compiled.render(context) == expected, (source, context)


def test_the_shipped_templates_render_with_their_paragraph_lines_joined_in_their_text():
    """Every part of every shipped template is proven (its render needs no pass over its output to join lines), and
    renders as docxtpl's own ``render_xml_part``; a part a proof refuses still renders as docxtpl's."""
    from docxtpl import DocxTemplate

    from matrix.writers.templates import TemplateLibrary, _FastPackage

    for name in sorted(p.name for p in PACKAGE_TEMPLATES.glob("*.docx")):
        template = TemplateLibrary().get(name)
        template.undeclared_variables()
        package = template._package()
        assert all(package._joined_template(xml, template._env) is not None for xml in package._parts.values()), name
    env = make_environment()
    package = _FastPackage(DocxTemplate(str(_SHIPPED)), _SHIPPED.read_bytes())
    for body in ["<w:p>{{ v -}}\n<w:p>x</w:p></w:p>", "<w:p>{% set s %}<w:p>{% endset %}{{ s }}</w:p>"]:
        xml = _ROOT.format(body)
        assert package._joined_template(xml, env) is None
        context = {"v": "a\n"}
        assert package._render_part(xml, dict(context), env) == package._base.render_xml_part(xml, None, context, env)


def test_a_template_asked_for_again_costs_one_stat(monkeypatch):
    from matrix.writers.templates import TemplateLibrary

    library = TemplateLibrary()
    first = library.get("thu-nha-nuoc.docx")
    stats: list[object] = []
    real = os.stat

    def counted(path: object, *args: object, **kwargs: object) -> os.stat_result:
        stats.append(path)
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "stat", counted)
    assert library.get("thu-nha-nuoc.docx") is first
    assert len(stats) == 1


def _corpus_matrix():
    from matrix.core.pivot import build_matrix
    from matrix.input.load import load_corpus

    from .helpers import INPUT

    return build_matrix(load_corpus([INPUT]).require())


def test_letters_written_one_by_one_ask_for_their_folder_only_once(tmp_path, monkeypatch):
    from matrix.writers.word import write_letters

    matrix = _corpus_matrix()
    view = matrix.subset([matrix.directives[0].id])
    made: list[Path] = []
    real = Path.mkdir

    def spy(self: Path, *args: object, **kwargs: object) -> None:
        made.append(self)
        real(self, *args, **kwargs)  # type: ignore[arg-type]

    folder = tmp_path / "a" / "thu"
    folder.parent.mkdir()
    monkeypatch.setattr(Path, "mkdir", spy)
    paths = [p for agency in view.columns for p in write_letters(view, folder, agencies=[agency.id])]
    assert len(paths) == len(view.columns) > 2 and all(p.parent == folder and p.is_file() for p in paths)
    assert made == [folder]  # by the first letter; the others find it
    assert write_letters(view, tmp_path / "none", agencies=["khong-co"]) == [] and (tmp_path / "none").is_dir()


def test_the_assignment_table_reads_the_rows_once_and_shares_the_task_data(monkeypatch):
    from matrix.core.pivot import Matrix
    from matrix.writers import word

    matrix = _corpus_matrix()
    monkeypatch.setattr(Matrix, "rows_of", lambda self, directive_id: pytest.fail("rows read again per directive"))
    made = 0
    real = word.task_data

    def counted(row: object) -> dict[str, object]:
        nonlocal made
        made += 1
        return real(row)  # type: ignore[arg-type]

    monkeypatch.setattr(word, "task_data", counted)
    first = word.table_context(matrix)
    assert word.table_context(matrix) == first and made == len(matrix.rows)
    assert [r["id"] for s in first["sections"] for r in s["rows"]] == [r.task.id for r in matrix.rows]


def test_a_task_overdue_for_several_agencies_is_made_into_letter_data_once(tmp_path, monkeypatch):
    """A task's data is made once per process: for the letters of its agencies and for the reminders that quote it
    (the rows of a build's views are the same objects), a directive's once per reminders' matrix."""
    import datetime as dt

    from matrix.core.pivot import build_matrix
    from matrix.input.synthetic import make_corpus
    from matrix.tracking.records import assess
    from matrix.writers import reminders, word

    matrix = build_matrix(make_corpus(12, 40, 2, seed=1))  # 83 overdue assignments of 54 tasks, in 21 letters
    statuses = assess(matrix, (), dt.date(2026, 6, 30))
    planned = reminders.plan_reminders(statuses)
    rows = [status.entry.row for r in planned for status in r.items]
    assert len(rows) > len({id(row) for row in rows})  # some task is in several letters
    reminders._cache_for(_corpus_matrix())  # another matrix's letters: the caches start again
    made: list[object] = []
    directives_made: list[object] = []
    real_task, real_directive = word.task_data, reminders.directive_data

    def task(row: object) -> dict[str, object]:
        made.append(row)
        return real_task(row)  # type: ignore[arg-type]

    monkeypatch.setattr(word, "task_data", task)
    monkeypatch.setattr(reminders, "task_data", task, raising=False)  # where the reminders made their own
    monkeypatch.setattr(reminders, "directive_data", lambda d: directives_made.append(d) or real_directive(d))
    view = matrix.subset([matrix.directives[0].id])  # the letters of a directive first, as a build may
    letters = [word.letter_context(view, a) for a in view.columns]
    contexts = [reminders.reminder_context(matrix, r, dt.date(2026, 6, 30)) for r in planned]
    assert len(made) == len({id(row) for row in made}) >= len({id(row) for row in rows})
    assert {id(row) for row in rows} <= {id(row) for row in made} and letters
    directives = {id(row.directive) for row in rows}
    assert len(directives_made) == len(directives | {id(r.issuer) for r in planned})
    # the same data as made afresh for each letter
    monkeypatch.setattr(
        reminders, "_row_data", lambda row: (real_task(row), word.subtask_lines(row), reminders.heading_line(row))
    )
    monkeypatch.setattr(reminders, "_directive_data", real_directive)
    monkeypatch.setattr(reminders, "_date", word.date_data)
    assert contexts == [reminders.reminder_context(matrix, r, dt.date(2026, 6, 30)) for r in planned]
    reminders._cache_for(_corpus_matrix())
    assert not reminders._ROWS and not reminders._DIRECTIVES  # one matrix's letters kept at a time


def test_the_heading_of_sub_items_quoted_alone_is_made_once_per_parent(monkeypatch):
    """A reminder quotes an overdue sub-item under its parent's heading line: made once for the sub-items of a
    parent, the same line as made for each; a top-level item has none."""
    from matrix.core.pivot import Row
    from matrix.writers import reminders

    matrix = _corpus_matrix()
    directive, parent = next((d, n) for d in matrix.directives for n in d.tree if len(n.children) >= 2)
    rows = [Row(directive, child) for child in parent.children]
    expected = [reminders.heading_line(row) for row in rows]
    made: list[object] = []
    real = reminders.heading_line
    monkeypatch.setattr(reminders, "heading_line", lambda row: made.append(row) or real(row))
    reminders._cache_for(matrix.subset([directive.id]))  # another matrix's letters: the headings start again
    assert [reminders._heading(row) for row in rows] == expected and all(expected)
    assert len(made) == 1
    assert reminders._heading(Row(directive, directive.tree.roots[0])) == "" and len(made) == 1


_STAMP = datetime.datetime(2026, 5, 4, 3, 2, 1)  # the documents' date: theirs, not the clock's


def test_an_agencys_extract_and_its_issuers_letters_make_each_section_and_task_once(tmp_path, monkeypatch):
    """The consolidated extract of an agency and the letters of its issuers (views cut from the consolidated one)
    quote the same directives' tasks to it: each directive's part is made once for the agency, each task's data
    once for the process, and the documents are those made afresh."""
    from matrix.core.pivot import build_matrix
    from matrix.input.synthetic import make_corpus
    from matrix.writers import word

    matrix = build_matrix(make_corpus(12, 40, 4, seed=1))  # two issuers of two directives each
    assert len(word.issuer_groups(matrix)) == 2
    sections: list[tuple[str, str]] = []
    tasks: list[object] = []
    real_section, real_task = word._letter_section, word.task_data

    def section(m: object, directive: object, entries: list[object]) -> dict[str, object]:
        sections.append((entries[0].agency.id, directive.id))  # type: ignore[attr-defined]
        return real_section(m, directive, entries)  # type: ignore[arg-type]

    def task(row: object) -> dict[str, object]:
        tasks.append(row)
        return real_task(row)  # type: ignore[arg-type]

    monkeypatch.setattr(word, "_letter_section", section)
    monkeypatch.setattr(word, "task_data", task)
    for agency in matrix.columns:
        word.write_consolidated(matrix, tmp_path / "shared", agencies=[agency.id], date=_STAMP)
    assert sections and len(sections) == len(set(sections))
    assert len(tasks) == len({id(row) for row in tasks})

    monkeypatch.setattr(word, "_section", lambda m, agency, d, entries: real_section(m, d, entries))
    monkeypatch.setattr(word, "_row_data", lambda m, row: word._RowData(m, row))
    word.write_consolidated(matrix, tmp_path / "afresh", date=_STAMP)
    written = sorted(p.relative_to(tmp_path / "afresh") for p in (tmp_path / "afresh").rglob("*.docx"))
    assert len(written) > len(matrix.columns)
    for path in written:
        assert (tmp_path / "shared" / path).read_bytes() == (tmp_path / "afresh" / path).read_bytes(), path


def test_the_core_properties_are_compressed_once_for_every_document_of_a_date(tmp_path, monkeypatch):
    """Every document of a build carries the same core properties (one date): dated and compressed once, the documents
    read back whole, the part a document renders compressed for each, by ISA-L's deflate (at level 1, within a
    few percent of zlib's level 1)."""
    import zipfile
    import zlib

    from matrix.writers.word import write_letters

    stamp = datetime.datetime(2026, 5, 4, 3, 2, 7)  # a date no other test writes: its core is compressed here
    matrix = _corpus_matrix()
    view = matrix.subset([matrix.directives[0].id])
    compressed: list[bytes] = []
    real = templates.isal_zlib.compress

    def spy(data: bytes, *args: object, **kwargs: object) -> bytes:
        compressed.append(bytes(data))
        return real(data, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(templates.isal_zlib, "compress", spy)
    dated: list[datetime.datetime] = []
    real_dated = templates._dated_core
    monkeypatch.setattr(
        templates, "_dated_core", lambda xml, created: dated.append(created) or real_dated(xml, created)
    )
    paths = [p for agency in view.columns for p in write_letters(view, tmp_path, agencies=[agency.id], date=stamp)]
    assert len(paths) == len(view.columns) > 2
    assert dated == [stamp]  # dated once for the documents of the date, not once per document
    cores = [data for data in compressed if b"coreProperties" in data]
    bodies = [data for data in compressed if b"<w:document" in data]
    assert len(cores) == 1 and bodies and len(bodies) == len(set(bodies))  # a new body: compressed
    for path in paths:
        with zipfile.ZipFile(path) as package:
            assert package.testzip() is None and package.read("docProps/core.xml") == cores[0]
            assert b"2026-05-04T03:02:07Z" in cores[0]
            body = package.getinfo("word/document.xml")
            content = package.read(body)
            assert body.compress_size == len(real(content, 1, wbits=-15))
            assert body.compress_size <= 1.05 * len(zlib.compress(content, 1, wbits=-15))


def test_a_letter_asked_for_by_its_agency_is_found_by_its_id_in_the_matrixs_order():
    """A build asks for each letter by a call of its own: the addressee's column is found by its id (the positions
    made once per matrix), several in the matrix's order, an unknown id left out."""
    from matrix.writers.word import _shared

    matrix = _corpus_matrix()
    view = matrix.subset([matrix.directives[0].id])
    shared = _shared(view)
    first, second, third = view.columns[:3]
    assert shared.columns_of([third.id, "khong-co", first.id, third.id]) == [first, third]
    assert shared.columns_of([second.id]) == [second] and shared.columns_of([]) == []
    assert shared._positions is not None and len(shared._positions) == len(view.columns)


def test_a_subject_is_balanced_once_for_every_letter_that_prints_it():
    """``{% filter balanced(32) %}`` over a directive's subject in each of its letters: the lines made once per
    text, type and width (escaped text stays escaped text); a long text is balanced each time."""
    from markupsafe import Markup

    from matrix.writers.templates import _BALANCED_CHARS, balanced

    subject = "V/v triển khai thực hiện Chỉ thị số 05/CT-UBND về bảo đảm an ninh trật tự"
    first = balanced(subject, 32)
    assert balanced(subject, 32) is first and all(len(line) <= 32 for line in first.split("\n"))
    escaped = balanced(Markup(subject), 32)
    assert isinstance(escaped, Markup) and str(escaped) == first and balanced(Markup(subject), 32) is escaped
    assert balanced(subject, 20) != first and balanced(["a", "b"], 3) == "['a',\n'b']"
    long = "chữ " * (_BALANCED_CHARS // 4 + 1)
    assert balanced(long, 32) == balanced(long, 32) and balanced(long, 32) is not balanced(long, 32)

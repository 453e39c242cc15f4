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
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docxtpl import DocxTemplate

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


@pytest.mark.parametrize("text", ["dòng một\ndòng hai {{ x }}", "cột\t{{ x }}", "{{ x }} không ngắt"])
def test_line_breaks_and_tabs_in_a_part_are_still_resolved(text):
    from matrix.writers.templates import _FastPackage

    template = PACKAGE_TEMPLATES / "thu-nha-nuoc.docx"
    env = make_environment()
    package = _FastPackage(DocxTemplate(str(template)), template.read_bytes())
    xml = f'<w:body><w:p><w:pPr><w:jc w:val="both"/></w:pPr><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p></w:body>'
    fast = package._render_part(xml, {"x": "Công an tỉnh"}, env)
    assert fast == DocxTemplate(str(template)).render_xml_part(xml, None, {"x": "Công an tỉnh"}, env)
    assert ("<w:br/>" in fast) == ("\n" in text) and ("<w:tab/>" in fast) == ("\t" in text)

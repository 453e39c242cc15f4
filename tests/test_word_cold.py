"""A template's cold cost (issue 23, round 2): what a fresh build process pays before its first document.

Each ``matrix build`` after an edit runs in new processes, so a template's preparation is paid on every
rebuild: these tests pin that it is paid once, with the same result as docxtpl's own path.
"""

from __future__ import annotations

from pathlib import Path

import docxtpl.template
import pytest

from matrix.writers.templates import PACKAGE_TEMPLATES, WordTemplate, WordTemplateError, make_environment

_SHIPPED = sorted(path.name for path in PACKAGE_TEMPLATES.glob("*.docx"))
_HEADER = "variable only in a header"


def _with_header(folder: Path) -> Path:
    """A template whose header uses a variable the body does not."""
    from docx import Document

    doc = Document()
    doc.add_paragraph("{{ body }}")
    doc.sections[0].header.paragraphs[0].text = "{{ only_in_header }}"
    path = folder / "t.docx"
    doc.save(str(path))
    return path


@pytest.mark.parametrize("name", [*_SHIPPED, _HEADER])
def test_a_template_is_opened_once_and_each_part_parsed_once_for_docxtpls_variables(name, tmp_path, monkeypatch):
    path = _with_header(tmp_path) if name == _HEADER else PACKAGE_TEMPLATES / name
    expected = set(docxtpl.DocxTemplate(str(path)).get_undeclared_template_variables(make_environment()))
    assert expected  # every template here uses data
    opened: list[object] = []
    real_document = docxtpl.template.Document

    def document(*args: object, **kwargs: object) -> object:
        opened.append(args)
        return real_document(*args, **kwargs)

    monkeypatch.setattr(docxtpl.template, "Document", document)
    env = make_environment()
    parsed: list[str] = []
    real_parse = type(env)._parse

    def parse(self: object, source: str, *args: object) -> object:
        parsed.append(source)
        return real_parse(self, source, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(type(env), "_parse", parse)
    template = WordTemplate(path, env)
    assert template.undeclared_variables() == expected
    template.check(expected)
    for missing in expected:  # a variable the data lacks is refused, wherever the template uses it
        with pytest.raises(WordTemplateError, match=missing):
            template.check(expected - {missing})
    package = template._package()
    sources = [package._source(xml) for xml in package._parts.values()]
    for xml in package._parts.values():  # what a render compiles (the part, its paragraphs' lines joined or not)
        if package._joined_template(xml, env) is None:
            env.from_string(package._source(xml))
    assert len(opened) == 1
    assert sorted(parsed) == sorted(sources)


def test_a_paragraph_with_line_breaks_only_takes_docxtpls_steps_without_docxtpl(monkeypatch):
    """The names a table cell lists (``lines``) break lines in thousands of paragraphs of an assignment table: such
    a paragraph is resolved as docxtpl resolves it, without calling it; a tab still goes to docxtpl."""
    from matrix.writers.templates import resolve_listing

    base = docxtpl.DocxTemplate(str(PACKAGE_TEMPLATES / "bang-phan-cong.docx"))
    names = '<w:p w:rsidR="1"><w:pPr><w:jc/></w:pPr><w:r><w:rPr><w:b/></w:rPr><w:t>Sở A;\nSở B</w:t></w:r></w:p>'
    texts = '<w:p><w:r><w:t xml:space="preserve">a\nb</w:t><w:t>c\n</w:t></w:r><w:r><w:t>\n</w:t></w:r></w:p>'
    outside = "<w:p><w:r>\n<w:t>x</w:t></w:r>\n</w:p>"
    tab = "<w:p><w:r><w:t>a\tb\nc</w:t></w:r></w:p>"
    xml = f"<w:body>{names}<w:p/>{texts}{outside}{tab}</w:body>"
    expected = base.resolve_listing(xml)
    seen: list[str] = []
    real = docxtpl.DocxTemplate.resolve_listing
    monkeypatch.setattr(docxtpl.DocxTemplate, "resolve_listing", lambda self, x: seen.append(x) or real(self, x))
    assert resolve_listing(base, xml) == expected
    assert seen == [tab]

"""The Word writer's shortcuts (issue 23): each does less work than the general path, with the same result.

The checks of a render (deadline, output budget, well-formed XML) stay: these tests pin that they are still
made, and that the cheaper way of making them is the one used.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import jinja2.sandbox
import pytest

import matrix.writers.templates as templates
from matrix.writers.templates import make_environment, well_formed


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
    templates.write_file(path, data)
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
    # every printed value and every attribute read still look at the clock (2,000 + the loop's few), the
    # template's own text (4,000 pieces) only once per batch of output
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


def test_the_writer_is_used_for_every_document(tmp_path, monkeypatch):
    written: list[Path] = []
    real = templates.write_file

    def spy(path: Path, data: bytes) -> None:
        written.append(path)
        real(path, data)

    monkeypatch.setattr(templates, "write_file", spy)
    from matrix.core.pivot import build_matrix
    from matrix.input.load import load_corpus
    from matrix.writers.word import write_letters

    from .helpers import INPUT

    corpus = load_corpus([INPUT]).require()
    view = build_matrix(corpus).subset([corpus.directives[0].id])
    paths = write_letters(view, tmp_path)
    assert written == paths and all(p.read_bytes()[:2] == b"PK" for p in paths)

"""The input format is declared once (matrix.input.schema): the loader, the writer and the docs agree with it."""

from __future__ import annotations

import re

import pytest

from matrix.input.schema import DIRECTIVE, DIRECTIVE_SHAPES, REGISTRY_SHAPES

from .helpers import INPUT, REGISTRY, ROOT, SHIPPED_INPUT

DOC = (ROOT / "docs" / "directive-format.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")
REGISTRY_FILE = (SHIPPED_INPUT / "co-quan.yaml").read_text(encoding="utf-8")  # the comments a clerk reads


@pytest.mark.parametrize("shape", DIRECTIVE_SHAPES, ids=lambda s: s.what)
def test_every_directive_key_is_documented(shape):
    missing = [k.name for k in shape if not re.search(rf"^\s*(- )?{k.name}:", DOC, re.M)]
    assert missing == [], f"docs/directive-format.md does not document {missing}"


@pytest.mark.parametrize("shape", REGISTRY_SHAPES, ids=lambda s: s.what)
def test_every_registry_key_is_documented(shape):
    documented = README + REGISTRY_FILE
    missing = [k.name for k in shape if not re.search(rf"\b{k.name}\b", documented)]
    assert missing == [], f"neither README nor input/co-quan.yaml documents {missing}"


def test_the_loader_knows_exactly_the_declared_keys(tmp_path):
    """An unknown key is a warning that lists the declared keys, in their order."""
    from matrix.input.load import load_corpus

    (tmp_path / "co-quan.yaml").write_bytes(REGISTRY.read_bytes())
    (tmp_path / "a.yaml").write_text(
        "id: a\nkind: chỉ thị\nissuer: {name: UBND tỉnh, kind: nhà nước}\ntitle: T\n"
        "zzz: 1\ntasks:\n  - id: '1'\n    text: x\n    assign: {chủ trì: Công an tỉnh}\n",
        encoding="utf-8",
    )
    problems = [str(p) for p in load_corpus([tmp_path / "a.yaml"], tmp_path / "co-quan.yaml").problems]
    assert any(f"các trường hợp lệ: {', '.join(DIRECTIVE.names)}" in p for p in problems), problems


def test_dump_writes_keys_in_declared_order():
    from matrix.input.dump import dump_directive
    from matrix.input.load import load_corpus

    corpus = load_corpus([INPUT]).require()
    for directive in corpus.directives:
        text = dump_directive(directive, corpus.registry)
        top = re.findall(r"^([a-z_]+):", text, re.M)
        assert top == [k for k in DIRECTIVE.names if k in top]

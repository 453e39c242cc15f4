"""Hypothesis strategies: random registries and directives that satisfy the model's rules."""

from __future__ import annotations

import unicodedata
from types import MappingProxyType

from hypothesis import strategies as st

from matrix.core.model import Agency, Assignment, Block, Corpus, Directive, Issuer, IssuerKind, Registry, Role, Task

# Text as the loader gives it back: NFC, without edge spaces (YAML line breaks Zl/Zp excluded).
TEXT = (
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=40)
    .map(lambda s: unicodedata.normalize("NFC", s).strip())
    .filter(bool)
)


@st.composite
def registries(draw) -> Registry:
    blocks = (Block("b1", "Khối một"), Block("b2", "Khối hai"))
    n = draw(st.integers(2, 8))
    agencies = [
        Agency(
            f"a{i}",
            f"Cơ quan {i}",
            f"CQ {i}",
            draw(st.sampled_from(["b1", "b2"])),
            requested=draw(st.booleans()),
            province=draw(st.sampled_from([None, "p"])),
        )
        for i in range(n)
    ]
    groups = []
    for g in range(draw(st.integers(0, 2))):
        members = draw(st.lists(st.sampled_from([a.id for a in agencies]), unique=True, max_size=4))
        groups.append(
            Agency(
                f"g{g}",
                f"Nhóm {g}",
                f"Nhóm {g}",
                "b2",
                is_group=True,
                members=MappingProxyType({"p": tuple(members)} if members else {}),
            )
        )
    return Registry(blocks, tuple(agencies + groups), MappingProxyType({"p": "Tỉnh P"}))


@st.composite
def tasks(draw, registry: Registry, prefix: str, depth: int) -> tuple[Task, ...]:
    out = []
    for i in range(1, draw(st.integers(1 if depth == 0 else 0, 4 if depth == 0 else 2)) + 1):
        task_id = f"{prefix}{i}" if depth == 0 else f"{prefix}-{i}"
        chosen = draw(st.lists(st.sampled_from([a.id for a in registry.agencies]), unique=True, max_size=4))
        assignments = tuple(Assignment(a, draw(st.sampled_from(list(Role))), registry.get(a).name) for a in chosen)
        children = draw(tasks(registry, task_id, depth + 1)) if depth < 2 else ()
        out.append(Task(task_id, draw(TEXT), assignments, children))
    return tuple(out)


@st.composite
def corpora(draw) -> Corpus:
    registry = draw(registries())
    directives = tuple(
        Directive(
            f"d{n}",
            "chỉ thị",
            draw(TEXT),
            Issuer("UBND tỉnh", draw(st.sampled_from(list(IssuerKind)))),
            draw(tasks(registry, "", 0)),
            province=draw(st.sampled_from([None, "p"])),
        )
        for n in range(draw(st.integers(1, 3)))
    )
    return Corpus(registry, directives)

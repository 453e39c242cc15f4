"""The task tree on the model: kinds, printed labels, parents and inherited assignments, computed once."""

from __future__ import annotations

from hypothesis import given, settings

from matrix.core.model import Assignment, Directive, Issuer, IssuerKind, Role, Task, TaskTree, inherit
from matrix.core.pivot import build_matrix

from .helpers.strategies import corpora

LEAD, PARTNER, DOER = Role.LEAD, Role.PARTNER, Role.DOER


def _directive(*tasks: Task) -> Directive:
    return Directive("d", "chỉ thị", "t", Issuer("UBND tỉnh", IssuerKind.STATE), tasks)


def test_tree_gives_kind_label_parent_and_children():
    directive = _directive(
        Task("2", "Công an tỉnh:", tasks=(Task("2-1", "a"), Task("2-2", "b", tasks=(Task("2-2-1", "c"),)))),
        Task("3", "x", tasks=(Task("3.1", "y", tasks=(Task("a", "z"), Task("3.1-1", "w"))),)),
        Task("cuối-1", "Giao Công an tỉnh..."),
    )
    nodes = {n.id: n for n in directive.tree}
    assert [n.id for n in directive.tree] == ["2", "2-1", "2-2", "2-2-1", "3", "3.1", "a", "3.1-1", "cuối-1"]
    assert [(n.kind, n.label, n.position, n.depth) for n in (nodes["2"], nodes["2-2-1"], nodes["a"])] == [
        ("item", "2", 0, 0),
        ("bullet", "-", 1, 2),
        ("item", "a)", 0, 2),
    ]
    assert (nodes["cuối-1"].kind, nodes["cuối-1"].label, nodes["cuối-1"].position) == ("closing", "", 1)
    assert nodes["3.1-1"].kind == "bullet" and nodes["3.1-1"].position == 1
    assert nodes["2-2-1"].parent is nodes["2-2"] and nodes["2-2"].parent is nodes["2"] and nodes["2"].parent is None
    assert [n.id for n in nodes["2-2-1"].ancestors()] == ["2", "2-2"]
    assert [n.id for n in nodes["2"].children] == ["2-1", "2-2"]
    assert [n.id for n in nodes["2"].descendants()] == ["2-1", "2-2", "2-2-1"]
    assert directive.tree is directive.tree  # built once per directive


def test_a_bullet_needs_its_parents_id_and_a_closing_paragraph_must_be_top_level():
    tree = TaskTree((Task("1", "x", tasks=(Task("2-1", "not mine"), Task("cuối-1", "nested"))), Task("cuối", "x")))
    assert [(n.id, n.kind) for n in tree] == [("1", "item"), ("2-1", "item"), ("cuối-1", "item"), ("cuối", "item")]


def test_the_nearest_statement_wins_and_leads_come_first():
    police, court, army = "cong-an", "toa-an", "quan-su"
    directive = _directive(
        Task(
            "2",
            "Công an tỉnh:",
            (Assignment(police, LEAD, "Công an tỉnh"), Assignment(army, PARTNER, "BCH Quân sự")),
            tasks=(
                Task(
                    "2-1",
                    "a",
                    (Assignment(court, LEAD, "TAND"), Assignment(police, PARTNER, "Công an")),
                    tasks=(Task("2-1-1", "b"),),
                ),
            ),
        ),
        Task("3", "x"),
    )
    nodes = {n.id: n for n in directive.tree}
    assert [(a.agency, a.role) for a in nodes["2"].in_force] == [(police, LEAD), (army, PARTNER)]
    expected = [(court, LEAD), (police, PARTNER), (army, PARTNER)]
    assert [(a.agency, a.role) for a in nodes["2-1"].in_force] == expected
    assert [(a.agency, a.role) for a in nodes["2-1-1"].in_force] == expected
    assert nodes["3"].in_force == () and not nodes["3"].inherited and nodes["2-1-1"].inherited


@given(corpora())
@settings(max_examples=40, deadline=None)
def test_matrix_context_and_model_inheritance_agree(corpus):
    """Without group expansion, what the matrix says applies to a row is what the tree says is in force."""
    matrix = build_matrix(corpus)
    for row in matrix.rows:
        in_force = [(a.agency, a.role) for a in row.node.in_force]
        assert [(e.agency.id, e.role) for e in matrix.context(row)] == in_force
        assert [r.task for r in row.ancestors()] == list(row.parents)
        assert row.depth == len(row.parents)


@given(corpora())
@settings(max_examples=40, deadline=None)
def test_in_force_is_own_assignments_then_the_parents_in_force(corpus):
    for directive in corpus.directives:
        for node in directive.tree:
            above = node.parent.in_force if node.parent is not None else ()
            assert node.in_force == inherit((node.task.assignments, above), lambda a: a.agency)


def test_the_loader_warns_by_the_same_rule(tmp_path):
    """A sub-item that restates its item's lead as a partner has no lead in force: the loader says so."""
    import shutil

    from matrix.input.load import load_corpus

    from .helpers import INPUT

    shutil.copy(INPUT / "co-quan.yaml", tmp_path / "co-quan.yaml")
    (tmp_path / "ct-thu.yaml").write_text(
        "id: ct-thu\nkind: chỉ thị\ndate: 2025-01-06\nprovince: dong-thap\n"
        "issuer:\n  name: Chủ tịch Ủy ban nhân dân tỉnh\n  kind: nhà nước\ntitle: Về thử\ntasks:\n"
        '  - id: "1"\n    text: Công an tỉnh chủ trì.\n    assign:\n      chủ trì: Công an tỉnh\n    tasks:\n'
        "      - text: Phối hợp rà soát.\n        assign:\n          phối hợp: Công an tỉnh\n"
        "      - text: Tuần tra.\n        assign:\n          phối hợp: Sở Nội vụ\n",
        encoding="utf-8",
    )
    warnings = [str(p) for p in load_corpus([tmp_path]).problems]
    assert any("nhiệm vụ '1-1' có cơ quan phối hợp nhưng không có cơ quan chủ trì" in w for w in warnings), warnings
    assert not any("'1-2'" in w for w in warnings), warnings  # Công an tỉnh still leads 1-2 (from item 1)

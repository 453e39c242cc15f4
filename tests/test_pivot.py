"""The pivot and the exports: every assignment appears exactly once, with its role."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter

from hypothesis import given, settings

from matrix.core.model import Role
from matrix.core.pivot import build_matrix
from matrix.writers.export import to_csv, to_data

from .helpers.strategies import corpora


def stated(corpus):
    return Counter(
        (d.id, t.id, a.agency, a.role) for d in corpus.directives for t, _ in d.walk() for a in t.assignments
    )


@given(corpora())
@settings(max_examples=60, deadline=None)
def test_unexpanded_matrix_has_each_assignment_exactly_once(corpus):
    matrix = build_matrix(corpus)
    entries = Counter((e.row.directive.id, e.row.task.id, e.agency.id, e.role) for e in matrix.entries)
    assert entries == stated(corpus)
    for entry in matrix.entries:
        assert matrix.cell(entry.row, entry.agency.id) is entry
    assert {e.agency.id for e in matrix.entries} == {c.id for c in matrix.columns}
    for column in matrix.columns:
        assert sum(matrix.counts(column.id).values()) == len(matrix.entries_for(column.id))


@given(corpora())
@settings(max_examples=60, deadline=None)
def test_expanded_matrix_has_one_entry_per_task_and_member(corpus):
    matrix = build_matrix(corpus, expand_groups=True)
    keys = [(e.row.key, e.agency.id) for e in matrix.entries]
    assert len(keys) == len(set(keys))
    for entry in matrix.entries:
        assert not entry.agency.is_group or not entry.agency.members_in(entry.row.directive.province)
        sources = [
            a.role
            for a in entry.row.task.assignments
            if a.agency == entry.agency.id
            or entry.agency.id in corpus.registry.get(a.agency).members_in(entry.row.directive.province)
        ]
        # named directly or through groups: the strongest role wins
        assert entry.role == min(sources, key=lambda r: r.rank)
        if entry.via is not None:
            assert entry.agency.id in entry.via.members_in(entry.row.directive.province)


@given(corpora())
@settings(max_examples=60, deadline=None)
def test_csv_and_json_carry_every_assignment_once(corpus):
    matrix = build_matrix(corpus)
    rows = list(csv.DictReader(io.StringIO(to_csv(matrix))))
    names = {a.id: a.name for a in corpus.registry.agencies}
    expected = Counter((d, t, names[a], r.value) for (d, t, a, r) in stated(corpus).elements())
    assert Counter((r["directive"], r["task"], r["agency"], r["role"]) for r in rows) == expected

    data = json.loads(json.dumps(to_data(matrix)))
    found = Counter()

    def walk(directive_id, items):
        for item in items:
            for a in item["assignments"]:
                found[(directive_id, item["id"], a["agency"], a["role"])] += 1
            walk(directive_id, item["tasks"])

    for d in data["directives"]:
        walk(d["id"], d["tasks"])
    assert found == expected


def test_context_inherits_the_parent_lead(corpus):
    matrix = build_matrix(corpus)
    row = next(r for r in matrix.rows if r.task.id == "2-1")
    assert [(e.agency.id, e.role) for e in matrix.context(row)] == [
        ("cong-an-tinh", Role.LEAD),
        ("so-noi-vu", Role.PARTNER),
    ]
    row = next(r for r in matrix.rows if r.task.id == "2-2")
    assert [(e.agency.id, e.role) for e in matrix.context(row)] == [("cong-an-tinh", Role.LEAD)]


def test_columns_follow_block_order_and_subset_shrinks_them(corpus):
    matrix = build_matrix(corpus)
    assert [c.id for c in matrix.columns] == [
        "cong-an-tinh",
        "vksnd-tinh",
        "so-noi-vu",
        "vp-ubnd-tinh",
        "ubnd-cap-huyen",
    ]
    party = matrix.subset(["cv-2"])
    assert [c.id for c in party.columns] == ["cong-an-tinh", "vksnd-tinh"]
    assert [b.id for b, _ in party.column_blocks()] == ["noi-chinh"]


def test_tasks_are_labelled_as_the_document_prints_them():
    from matrix.core.model import Directive, Issuer, IssuerKind, Task
    from matrix.core.pivot import location, printed_number, task_kind

    tree = (
        Task("2", "Công an tỉnh:", tasks=(Task("2-1", "a"), Task("2-2", "b", tasks=(Task("2-2-1", "c"),)))),
        Task("3", "x", tasks=(Task("3.1", "y", tasks=(Task("a", "z"),)),)),
        Task("cuối-1", "Giao Công an tỉnh..."),
        Task("cuối-2", "Đề nghị..."),
    )
    directive = Directive("d", "chỉ thị", "t", Issuer("UBND tỉnh", IssuerKind.STATE), tree)
    from matrix.core.model import Corpus, Registry

    rows = {r.task.id: r for r in build_matrix(Corpus(Registry((), ()), (directive,))).rows}
    assert {k: task_kind(r) for k, r in rows.items()} == {
        "2": "item",
        "2-1": "bullet",
        "2-2": "bullet",
        "2-2-1": "bullet",
        "3": "item",
        "3.1": "item",
        "a": "item",
        "cuối-1": "closing",
        "cuối-2": "closing",
    }
    assert [printed_number(rows[k]) for k in ("2", "2-1", "3.1", "a", "cuối-1")] == ["2", "-", "3.1", "a)", ""]
    assert location(rows["2-2-1"]) == "mục 2, ý 2, ý 1"
    assert location(rows["2-1"], ordinals=True) == "ý thứ nhất mục 2"
    assert location(rows["a"]) == "mục 3.1, điểm a" and location(rows["a"], ordinals=True) == "điểm a mục 3.1"
    assert location(rows["cuối-2"]) == "đoạn cuối"

"""Content keys built from digests of parts (a task: its own fields and its sub-tasks' digests; a letter's task:
its parents' own fields and the digest of its sub-tree): an edit anywhere a document reads still changes its
key, and each part is written out once a build."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

import matrix.build.keys as keys
from matrix.build.outputs import plan_items
from matrix.build.pipeline import BuildOptions, BuildPlan, plan_build
from matrix.core.model import Corpus, Directive, Task
from matrix.core.text import safe_filename
from matrix.input.synthetic import make_corpus
from matrix.writers.reminders import plan_reminders

from .helpers.keys import rendered_after_task_edit

AS_OF = dt.date(2025, 12, 31)
OPTIONS = BuildOptions(as_of=AS_OF, jobs=1)
Place = tuple[str, str, str | None]  # unit, view folder, agency
EDITS = {  # a task's own fields, each edited as the clerk would
    "text": lambda t: dataclasses.replace(t, text=t.text + " (sửa)"),
    "title": lambda t: dataclasses.replace(t, title="Tiêu đề mới"),
    "targets": lambda t: dataclasses.replace(t, targets=(*t.targets, "ít nhất 5%")),
    "notes": lambda t: dataclasses.replace(t, notes=(*t.notes, "ghi chú")),
    "written": lambda t: dataclasses.replace(
        t,
        assignments=(
            dataclasses.replace(t.assignments[0], written=t.assignments[0].written + " tỉnh"),
            *t.assignments[1:],
        ),
    ),
}


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    """A synthetic province whose tasks go three levels deep (2 > 2.1 > 2.1.1)."""
    return make_corpus(12, 60, 4, seed=1, n_communes=4)


def keyed(plan: BuildPlan) -> dict[Place, str]:
    return {(i.unit, plan.views[i.view][0], i.agency): i.key for i in plan_items(plan)}


def changed(before: dict[Place, str], after: dict[Place, str]) -> set[Place]:
    return {place for place in before.keys() | after.keys() if before.get(place) != after.get(place)}


def deep_task(corpus: Corpus) -> tuple[Directive, tuple[str, ...]]:
    """A directive and the path of ids to a task two levels down that has assignments and whose parents have."""
    matrix = plan_build(corpus, OPTIONS).matrix
    for row in matrix.rows:
        if row.depth == 2 and row.task.assignments and all(matrix.entries_in(a) for a in row.ancestors()[:1]):
            return row.directive, tuple(n.id for n in (*row.node.ancestors(), row.node))
    raise AssertionError("the synthetic corpus has no task two levels deep")


def edited(tasks: tuple[Task, ...], path: tuple[str, ...], edit) -> tuple[Task, ...]:
    return tuple(
        (edit(t) if len(path) == 1 else dataclasses.replace(t, tasks=edited(t.tasks, path[1:], edit)))
        if t.id == path[0]
        else t
        for t in tasks
    )


def with_directive(corpus: Corpus, directive: Directive) -> Corpus:
    return dataclasses.replace(
        corpus, directives=tuple(directive if d.id == directive.id else d for d in corpus.directives)
    )


@pytest.mark.parametrize("field", sorted(EDITS))
def test_an_edit_of_a_task_two_levels_down_changes_every_document_that_prints_it(corpus, field):
    """A letter prints its tasks whole (sub-tasks and who does them) under their parents' own fields: an edit of a
    sub-sub-task changes the letters of the agencies on it, on its parents, and on nothing else of the directive."""
    target, path = deep_task(corpus)
    before = plan_build(corpus, OPTIONS)
    after = plan_build(
        with_directive(corpus, dataclasses.replace(target, tasks=edited(target.tasks, path, EDITS[field]))), OPTIONS
    )
    folder = safe_filename(target.id)
    own = next(view for name, view in after.views if name == folder)
    consolidated = after.views[-1][1]

    def reads(entry) -> bool:  # on the edited task, or on one of its parents (which prints it as a sub-task)
        chain = {n.id for n in entry.row.node.chain()}
        return entry.row.directive.id == target.id and (path[-1] in chain or entry.row.task.id in path)

    late = {
        r.agency.id
        for r in (*plan_reminders(before.statuses), *plan_reminders(after.statuses))
        if any(reads(s.entry) for s in r.items)  # a reminder quotes its overdue tasks as a letter does
    }
    addressed = {e.agency.id for e in own.entries if reads(e)}
    expected = rendered_after_task_edit(
        folder, addressed, {e.agency.id for e in consolidated.entries if reads(e)}, late
    )
    assert {e.agency.id for e in own.entries if e.row.task.id == path[0]} - {
        e.agency.id for e in own.entries if e.row.task.id == path[-1]
    }  # some agency is on a parent only: its letter changes for the sub-task it prints
    assert addressed < {a.id for a in own.columns}  # and some letter of the directive stays
    assert changed(keyed(before), keyed(after)) == expected


def test_a_task_s_digest_changes_with_each_of_its_sub_tasks_and_nothing_else(corpus):
    target, path = deep_task(corpus)
    prints = keys.Fingerprints(None)
    top = next(t for t in target.tasks if t.id == path[0])
    other = next(t for t in target.tasks if t.id != path[0])
    for field, edit in EDITS.items():
        again = dataclasses.replace(target, tasks=edited(target.tasks, path, edit))
        new_top = next(t for t in again.tasks if t.id == path[0])
        fresh = keys.Fingerprints(None)
        assert fresh.task(new_top)[0] != prints.task(top)[0], field
        assert fresh.task(new_top)[1] == prints.task(top)[1], field  # its own fields are the same
        assert fresh.directive(again) != prints.directive(target), field
        assert fresh.head(again) == prints.head(target), field
        assert fresh.task(other)[0] == prints.task(other)[0], field


def test_each_task_is_written_out_once_a_build_never_whole(corpus, monkeypatch):
    """A task's fields are written out once, however many documents and views print it: never the task whole
    (with its sub-tasks), nor the directive whole, once for each of its parents."""
    plan = plan_build(corpus, OPTIONS)
    written: list[str] = []
    alone = keys._alone

    def counted(task):
        written.append(task.id)
        return alone(task)

    def whole(record):
        raise AssertionError(f"{type(record).__name__} written out whole")

    monkeypatch.setattr(keys, "_alone", counted)
    monkeypatch.setattr(Task, "__repr__", whole)
    monkeypatch.setattr(Directive, "__repr__", whole)
    plan_items(plan)
    assert len(written) == len(plan.matrix.rows)


def test_an_agency_renamed_changes_the_task_a_letter_prints_over_its_sub_task(corpus):
    """A letter prints who does each sub-task of its tasks: renaming an agency of a sub-sub-task changes the
    letter's text of its top-level task, not that of a task where the agency is nowhere."""
    target, path = deep_task(corpus)
    before = plan_build(corpus, OPTIONS)
    folder = safe_filename(target.id)
    view = next(v for name, v in before.views if name == folder)
    below = {e.agency.id for e in view.entries if e.row.task.id == path[-1]}
    top = {e.agency.id for e in view.entries if e.row.task.id == path[0]}
    renamed = sorted(below - top)[0]
    registry = dataclasses.replace(
        corpus.registry,
        agencies=tuple(
            dataclasses.replace(a, name=a.name + " (mới)") if a.id == renamed else a for a in corpus.registry.agencies
        ),
    )
    after = plan_build(dataclasses.replace(corpus, registry=registry), OPTIONS)
    again = next(v for name, v in after.views if name == folder)

    def printed(view, task_id):
        row = next(r for r in view.rows if r.task.id == task_id)
        return keys.Fingerprints(None).row(view, row), {
            e.agency.id for r in (row, *row.descendants()) for e in view.entries_in(r)
        }

    (old, holders), (new, _) = printed(view, path[0]), printed(again, path[0])
    assert renamed in holders - top and old != new
    elsewhere = [r.task.id for r in view.rows if r.depth == 0 and renamed not in printed(view, r.task.id)[1]]
    assert elsewhere and all(printed(view, t)[0] == printed(again, t)[0] for t in elsewhere)

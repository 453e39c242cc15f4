"""Planning a build does each piece of work once: a task is pivoted once for every view of the plan, the dates
of tasks with the same schedules are worked out once."""

from __future__ import annotations

from hypothesis import given, settings

import matrix.core.pivot as pivot
import matrix.tracking.records as records
from matrix.build.pipeline import BuildOptions, plan_build
from matrix.core.model import Corpus
from matrix.core.pivot import build_matrix
from matrix.input.synthetic import make_corpus

from .helpers.strategies import corpora


def test_the_views_of_a_plan_pivot_each_task_once(seed_corpus, monkeypatch):
    calls = []
    real = pivot._row_entries

    def counted(registry, row, expand, as_of=None):
        calls.append(row.key)
        return real(registry, row, expand, as_of)

    monkeypatch.setattr(pivot, "_row_entries", counted)
    plan = plan_build(seed_corpus, BuildOptions(jobs=1))
    assert len(plan.views) == len(seed_corpus.directives) + 1
    assert sorted(calls) == sorted(row.key for row in plan.matrix.rows)


def test_a_directive_s_view_is_the_pivot_of_that_directive_alone(seed_corpus):
    for expand in (False, True):
        matrix = build_matrix(seed_corpus, expand)
        for directive in seed_corpus.directives:
            alone = build_matrix(Corpus(seed_corpus.registry, (directive,)), expand)
            view = matrix.subset([directive.id])
            assert view == alone
            assert view.columns == alone.columns and view.rows_of(directive.id) == alone.rows


@given(corpora())
@settings(max_examples=60, deadline=None)
def test_any_view_is_the_pivot_of_its_directives(corpus):
    for expand in (False, True):
        matrix = build_matrix(corpus, expand)
        ids = [d.id for d in corpus.directives]
        for chosen in (ids[:1], ids[1:], ids[::2], ids, []):
            wanted = tuple(d for d in corpus.directives if d.id in chosen)
            assert matrix.subset(chosen) == build_matrix(Corpus(corpus.registry, wanted), expand)


def test_tasks_with_the_same_schedules_are_dated_once(monkeypatch):
    corpus = make_corpus(12, 60, 4, seed=1, n_communes=4)
    calls = []
    real = records._RowDates.of

    def counted(row, as_of):
        calls.append(row.key)
        return real(row, as_of)

    monkeypatch.setattr(records._RowDates, "of", counted)
    plan = plan_build(corpus, BuildOptions(jobs=1))
    keys = {s.entry.row.key for s in plan.statuses}
    assert len(calls) == len({records._schedule_inputs(row) for row in plan.matrix.rows if row.key in keys})
    assert len(calls) < len(keys)


def test_preparing_reads_each_records_file_once(folder, monkeypatch):
    from matrix.build.pipeline import prepare

    (folder / "theo-doi").mkdir()
    for directive in ("tiengiang-ubnd-ct-antt-2025", "hungyen-tinhuy-ct-antt-2024"):
        (folder / "theo-doi" / f"{directive}.yaml").write_text(
            f"directive: {directive}\nreports:\n  - agency: Công an tỉnh\n    date: 2025-06-01\n", encoding="utf-8"
        )
    read = []
    real = records._read_file

    def counted(path, *args, **kwargs):
        read.append(path.name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(records, "_read_file", counted)
    plan = prepare([folder], None, BuildOptions(jobs=1), lambda _: None)
    assert sorted(read) == ["hungyen-tinhuy-ct-antt-2024.yaml", "tiengiang-ubnd-ct-antt-2025.yaml"]
    assert any(status.records for status in plan.statuses)

"""The start of a build (matrix.build.pipeline.prepare): what it does to be quick without changing what it gives."""

from __future__ import annotations

import gc

import pytest
from hypothesis import given, settings

import matrix.build.pipeline as pipeline
from matrix.build.pipeline import BuildOptions, prepare

from .helpers.strategies import corpora


@pytest.mark.parametrize("enabled", [True, False])
def test_the_cycle_collector_is_off_while_loading_and_planning_only(folder, tmp_path, monkeypatch, enabled):
    seen: list[tuple[str, bool]] = []
    for name in ("load_for_build", "plan_build"):
        real = getattr(pipeline, name)

        def spy(*args, real=real, name=name, **kwargs):
            seen.append((name, gc.isenabled()))
            return real(*args, **kwargs)

        monkeypatch.setattr(pipeline, name, spy)
    was = gc.isenabled()
    if not enabled:
        gc.disable()
    try:
        plan = prepare([folder], None, BuildOptions(jobs=1), lambda _: None, tmp_path / "cache")
        after = gc.isenabled()
    finally:
        if was:
            gc.enable()
    assert plan.statuses and seen == [("load_for_build", False), ("plan_build", False)]
    assert after is enabled  # given back as it was


# --------------------------------------------------------------------------- the loader's own work


def test_a_load_asks_each_problem_once_whether_it_is_an_error(monkeypatch):
    from matrix.core.errors import Problem
    from matrix.input.yamlio import Report

    asked: list[int] = []
    monkeypatch.setattr(Problem, "is_error", property(lambda p: asked.append(1) or p.severity == "lỗi"))
    report = Report()
    for n in range(300):  # as a load of 300 files with warnings asks after each file
        report.warn("a.yaml", None, f"cảnh báo {n}")
        assert not report.has_errors
    assert len(asked) == 300
    report.error("b.yaml", None, "lỗi")
    assert report.has_errors and report.has_errors and len(asked) == 301
    report.problems[:] = report.problems[:5]  # problems taken away: looked at again
    assert not report.has_errors


def test_a_load_with_the_cache_hashes_each_file_once(folder, tmp_path, monkeypatch):
    import matrix.input.cache as cache_module
    import matrix.input.load as load
    from matrix.input.cache import DirectiveCache
    from matrix.input.load import load_corpus

    monkeypatch.setattr(load, "SPREAD_FILES", 100)  # not spread, but looked at for it (is each entry there)
    hashed: list[int] = []
    real = cache_module.code_version
    monkeypatch.setattr(cache_module, "code_version", lambda: hashed.append(1) or real())
    result = load_corpus([folder], cache=DirectiveCache(tmp_path / "cache", jobs=2))
    assert result.corpus is not None and len(hashed) == len(result.files)


@given(corpora())
@settings(max_examples=40, deadline=None)
def test_what_is_in_force_at_a_task_is_the_rule_over_its_whole_chain(corpus):
    from matrix.core.model import inherit

    for directive in corpus.directives:
        for node in directive.tree:
            levels = [n.task.assignments for n in node.chain()]
            assert node.in_force == inherit(levels, lambda a: a.agency)


def test_a_phrase_is_read_once_whatever_its_directive_s_date(monkeypatch):
    import datetime as dt

    from matrix.core import deadlines

    read: list[str] = []
    real = deadlines.ascii_key
    monkeypatch.setattr(deadlines, "ascii_key", lambda text: read.append(text) or real(text))
    deadlines.read_schedule.cache_clear()
    for cached in vars(deadlines).values():  # the phrases read already
        getattr(cached, "cache_clear", lambda: None)()
    phrase = "Báo cáo hằng quý, trong 30 ngày kể từ ngày ban hành"
    first = deadlines.read_schedule(phrase, dt.date(2025, 1, 10))
    second = deadlines.read_schedule(phrase, dt.date(2025, 3, 1))
    assert read == [phrase]  # 300 directives of different dates share a few phrases
    assert first.fixed == (dt.date(2025, 2, 9),) and second.fixed == (dt.date(2025, 3, 31),)
    assert (first.cadence, first.after, second.after) == ("quarter", dt.date(2025, 1, 10), dt.date(2025, 3, 1))
    assert deadlines.read_schedule(phrase, None).understood is False  # a limit from an unknown date

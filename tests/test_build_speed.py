"""The build's work done once: reminders planned once per build, each directive's follow-up issuer worked out
once per day (what made a 6,000-task build spend most of its reminder time planning)."""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import shutil

import pytest

import matrix.writers.reminders
from matrix.build.pipeline import BuildOptions, BuildPlan, build, plan_build
from matrix.build.publish import MANIFEST
from matrix.input.synthetic import make_corpus
from matrix.writers.reminders import plan_reminders

from .helpers import INPUT

AS_OF = dt.date(2025, 12, 31)


def late_plan() -> BuildPlan:
    """A small synthetic province with a hundred overdue assignments of 12 agencies, in 4 directives."""
    return plan_build(make_corpus(12, 60, 4, seed=1, n_communes=4), BuildOptions(as_of=AS_OF, jobs=1))


def test_a_build_plans_its_reminders_once(tmp_path, monkeypatch):
    plan = late_plan()
    expected = plan_reminders(plan.statuses)
    assert len({r.agency.id for r in expected}) > 1  # else planning once per agency would be once too
    calls = []
    real = matrix.writers.reminders.plan_reminders

    def counted(statuses):
        calls.append(len(statuses))
        return real(statuses)

    monkeypatch.setattr(matrix.writers.reminders, "plan_reminders", counted)
    summary = build(plan, tmp_path / "out")
    assert summary.reminders == len(expected) and calls == [len(plan.statuses)]
    assert sorted(p.stem for p in (tmp_path / "out" / "tong-hop" / "don-doc").glob("*.docx")) == sorted(
        r.name for r in expected
    )


def test_each_directive_s_follow_up_issuer_is_worked_out_once(monkeypatch):
    plan = late_plan()
    overdue = [s for s in plan.statuses if s.overdue_since is not None]
    directives = {s.entry.row.directive.id for s in overdue}
    assert len(overdue) > len(directives)
    expected = plan_reminders(plan.statuses)
    calls = []
    real = matrix.writers.reminders.follow_up_issuer

    def counted(directive, on):
        calls.append(directive.id)
        return real(directive, on)

    monkeypatch.setattr(matrix.writers.reminders, "follow_up_issuer", counted)
    assert plan_reminders(plan.statuses) == expected
    assert sorted(calls) == sorted(directives)


def test_the_web_build_with_nothing_changed_loads_nothing(tmp_path, monkeypatch):
    import matrix.web.library as lib

    inputs = tmp_path / "input"
    shutil.copytree(INPUT, inputs)
    first = lib.run_build(inputs, tmp_path / "output", lambda n: None, lambda n: None)
    assert first.rendered and not first.reused

    def no_loading(*args, **kwargs):
        raise AssertionError("the web build loaded the inputs again")

    monkeypatch.setattr(lib, "prepare", no_loading)
    counted: list[tuple[str, int]] = []
    again = lib.run_build(
        inputs, tmp_path / "output", lambda n: counted.append(("done", n)), lambda n: counted.append(("total", n))
    )
    assert again.files == first.files and again.reused == len(first.files) and not again.rendered
    assert counted == [("total", len(first.files)), ("done", len(first.files))]
    assert (again.workbooks, again.letters, again.tables) == (first.workbooks, first.letters, first.tables)


def test_the_print_layouts_of_unchanged_workbooks_are_taken_from_the_last_build(tmp_path, monkeypatch):
    """The report's "too wide" notes need each view's sheet laid out; a workbook whose key the last build recorded
    keeps its layout, a changed one (here: another paper) is laid out again."""
    import matrix.writers.excel
    from matrix.build.pipeline import build_report, prepare

    inputs = tmp_path / "input"
    shutil.copytree(INPUT, inputs)
    out = tmp_path / "output"
    options = BuildOptions(expand_groups=True, jobs=1)
    first = prepare([inputs], None, options, lambda _: None)
    report = [line for line, _ in build_report(first, build(first, out), out)]
    assert any("quá rộng cho khổ A4" in line for line in report)
    laid_out = []
    real = matrix.writers.excel.print_layout

    def counted(view, paper="A4"):
        laid_out.append(paper)
        return real(view, paper)

    monkeypatch.setattr(matrix.writers.excel, "print_layout", counted)
    plan = prepare([inputs], None, options, lambda _: None)
    again = [line for line, _ in build_report(plan, build(plan, out), out)]
    assert [line for line in again if "dùng lại" not in line] == report and laid_out == []
    plan = prepare([inputs], None, BuildOptions(expand_groups=True, jobs=1, paper="A3"), lambda _: None)
    build(plan, out)
    assert laid_out == ["A3"] * len(plan.views)


def test_a_content_key_tells_apart_what_reads_alike():
    """Keys hash texts as they are, with their kind and length: no two different parts may give one key."""
    from matrix.build.keys import digest

    parts = [
        ("ab", "c"),
        ("a", "bc"),
        ("abc",),
        (["a", "b"],),
        (("a", "b"),),
        ("['a', 'b']",),
        ("a", "b"),
        (dt.date(2025, 1, 2),),
        ("datetime.date(2025, 1, 2)",),
        (1,),
        ("1",),
        ([],),
        ((),),
        ("",),
        (),
    ]
    assert len({digest(*p) for p in parts}) == len(parts)
    assert digest("a", ["b", ("c", 1)]) == digest("a", ["b", ("c", 1)])


def test_assessing_reads_each_task_s_schedules_once(monkeypatch):
    import matrix.tracking.records as records

    plan = late_plan()
    calls = []
    real = records.schedules

    def counted(row):
        calls.append(row.key)
        return real(row)

    monkeypatch.setattr(records, "schedules", counted)
    again = records.assess(plan.matrix, (), AS_OF)
    assert again == plan.statuses
    # at most once per task (tasks with the same schedules share what they give: once for them all)
    assert len(calls) == len(set(calls)) and set(calls) <= {s.entry.row.key for s in again}
    assert len(calls) < len(again)


def _edited_plans() -> tuple[BuildPlan, BuildPlan]:
    """The seeds, then the seeds with the first task of the first directive edited."""
    import dataclasses

    from matrix.input.load import load_corpus

    corpus = load_corpus([INPUT]).require()
    first = corpus.directives[0]
    task = dataclasses.replace(first.tasks[0], text=first.tasks[0].text + " (sửa)")
    edited = dataclasses.replace(first, tasks=(task, *first.tasks[1:]))
    options = BuildOptions(as_of=AS_OF, jobs=1)
    after = dataclasses.replace(corpus, directives=(edited, *corpus.directives[1:]))
    return plan_build(corpus, options), plan_build(after, options)


def test_a_rebuild_makes_each_folder_once_and_checks_each_reused_file_once(tmp_path, monkeypatch):
    """Reusing 14,000 files costs a few syscalls each: one lstat to check a file (its size and time), just before
    publishing, a link to lay it out, a folder made once for all its files."""
    import os
    from collections import Counter

    before, after = _edited_plans()
    out = tmp_path / "out"
    build(before, out)
    calls: dict[str, list[str]] = {"mkdir": [], "lstat": []}
    for name in ("mkdir", "lstat", "stat"):
        real = getattr(os, name)

        def counted(path, *args, _real=real, _name=name, **kwargs):
            # a file named in its opened folder (publish.Tree) counts by its whole path
            where = os.fspath(path)
            if kwargs.get("dir_fd") is not None:
                where = os.path.join(os.readlink(f"/proc/self/fd/{kwargs['dir_fd']}"), where)
            if _name != "stat" or kwargs.get("follow_symlinks") is False:
                calls["lstat" if _name == "stat" else _name].append(where)
            return _real(path, *args, **kwargs)

        monkeypatch.setattr(os, name, counted)
    summary = build(after, out)
    monkeypatch.undo()
    out = out.resolve()
    assert summary.reused > 2 * len({p.parent for p in summary.files})  # files share folders
    rendered = {after.views[0][0], after.views[-1][0]}  # the edited directive's folder, the consolidated one
    made = Counter(p.split(os.sep + "new" + os.sep, 1)[-1] for p in calls["mkdir"] if ".matrix-tmp" in p)
    kept = {folder: n for folder, n in made.items() if folder.split(os.sep)[0] not in rendered}
    assert len(kept) > 3 and max(kept.values()) == 1, made.most_common(3)
    checked = Counter(p for p in calls["lstat"] if p.startswith(str(out) + os.sep) and not p.endswith(MANIFEST))
    # once, after the rendering, just before publishing (a file the clerk edited since is kept aside, and its
    # document rendered then)
    assert len(checked) >= summary.reused and max(checked.values()) == 1, checked.most_common(3)
    # the manifest takes a reused file's size and time from that second look (its link is the same file): only
    # the files written now are looked at in the new tree
    staged = [p for p in calls["lstat"] if ".matrix-tmp" in p and os.sep + "new" + os.sep in p]
    assert len(staged) <= len(summary.files) - summary.reused, len(staged)


def test_the_manifest_is_written_on_one_line(tmp_path):
    """The manifest of 14,000 files is written by json's C encoder: indenting it takes the Python one."""
    from matrix.build.publish import MANIFEST

    before, _ = _edited_plans()
    build(before, tmp_path / "out")
    assert b"\n" not in (tmp_path / "out" / MANIFEST).read_bytes()


def test_a_build_leaves_the_heap_it_starts_with_out_of_the_collector_s_passes(tmp_path, monkeypatch):
    """The loaded model and the plan (millions of objects for 6,000 tasks) are frozen while the build runs, so
    that the collector's passes (here and in the forked workers) do not walk them; unfrozen afterwards."""
    import gc

    import matrix.build.pipeline

    frozen: list[int] = []
    real = matrix.build.pipeline.plan_items

    def keyed(plan, **given):
        frozen.append(gc.get_freeze_count())
        return real(plan, **given)

    monkeypatch.setattr(matrix.build.pipeline, "plan_items", keyed)
    plan = late_plan()
    build(plan, tmp_path / "out")
    assert len(frozen) == 1 and frozen[0] > len(plan.matrix.entries)  # the plan's objects at least
    assert gc.get_freeze_count() == 0


@pytest.mark.skipif("fork" not in mp.get_all_start_methods(), reason="workers are forked only where fork exists")
def test_a_rebuild_links_the_reused_files_while_the_workers_render(tmp_path, monkeypatch):
    """Linking 14,000 reused files takes the parent a third of a second: it is done while the worker processes
    render the documents that changed, not before they start."""
    import dataclasses

    import matrix.build.pipeline as pipeline

    before, after = _edited_plans()
    out = tmp_path / "out"
    build(before, out)
    workers = _workers_at(monkeypatch, pipeline, "_link")
    summary = build(dataclasses.replace(after, options=dataclasses.replace(after.options, jobs=2)), out)
    assert summary.reused and summary.rendered > 1
    assert workers and min(workers) >= 1  # every reused file linked with the workers at work


@pytest.mark.skipif("fork" not in mp.get_all_start_methods(), reason="workers are forked only where fork exists")
@pytest.mark.parametrize("fresh", [True, False])
def test_after_a_directive_is_read_anew_the_workers_render_while_the_keys_are_worked_out(tmp_path, monkeypatch, fresh):
    """The consolidated pieces (2.6 CPU seconds of 6,000 tasks) start before the keys (a second of the parent's)
    when a directive changed; with every directive taken from the cache, nothing starts before the keys."""
    import dataclasses

    import matrix.build.pipeline as pipeline

    before, after = _edited_plans()
    out = tmp_path / "out"
    build(before, out)
    workers = _workers_at(monkeypatch, pipeline, "plan_items")
    options = dataclasses.replace(after.options, jobs=2)
    summary = build(dataclasses.replace(after, options=options, fresh=fresh), out)
    assert summary.rendered > 1
    assert (workers[0] >= 1) is fresh


def test_a_build_publishes_the_files_it_laid_out_without_walking_its_tree(tmp_path, monkeypatch):
    """The files of the new tree are the ones the build linked and rendered: the tree it just filled is not
    walked again (14,000 files), and what it publishes is exactly what the output folder then holds."""
    import matrix.build.pipeline as pipeline
    from matrix.build.publish import MANIFEST

    before, after = _edited_plans()
    out = tmp_path / "out"
    build(before, out)

    def walked(root):
        raise AssertionError("the new tree was walked")

    monkeypatch.setattr(pipeline, "files_under", walked)
    summary = build(after, out)
    assert summary.reused and summary.rendered
    held = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file() and p.name != MANIFEST)
    assert summary.files == held


@pytest.mark.skipif("fork" not in mp.get_all_start_methods(), reason="workers are forked only where fork exists")
def test_the_writers_are_imported_before_the_workers_fork(tmp_path, monkeypatch):
    """Each worker would import openpyxl, docxtpl and jinja2 again (0.15 s of CPU): the parent imports the writers
    before it forks them, and the workers inherit them."""
    import dataclasses

    import matrix.build.pipeline as pipeline

    events: list[str] = []
    imported, pool = pipeline._import_writers, pipeline.ProcessPoolExecutor

    def importing() -> None:
        events.append("import")
        imported()

    def forking(*args, **kwargs):
        events.append("fork")
        return pool(*args, **kwargs)

    monkeypatch.setattr(pipeline, "_import_writers", importing)
    monkeypatch.setattr(pipeline, "ProcessPoolExecutor", forking)
    before, _ = _edited_plans()
    summary = build(dataclasses.replace(before, options=dataclasses.replace(before.options, jobs=2)), tmp_path / "out")
    assert summary.rendered > 1
    assert events[:2] == ["import", "fork"]


@pytest.mark.skipif("fork" not in mp.get_all_start_methods(), reason="workers are forked only where fork exists")
def test_the_print_layouts_are_worked_out_while_the_workers_render(tmp_path, monkeypatch):
    """Laying out the consolidated matrix sheet for the report takes the parent a fifth of a second: it is done
    while the workers render, and the report and the manifest still tell it."""
    import dataclasses

    import matrix.build.pipeline as pipeline

    before, after = _edited_plans()
    out = tmp_path / "out"
    build(before, out)
    workers = _workers_at(monkeypatch, pipeline, "_print_layouts")
    options = dataclasses.replace(after.options, jobs=2)
    summary = build(dataclasses.replace(after, options=options, fresh=False), out)
    assert summary.rendered > 1 and summary.notes is not None
    assert workers and workers[0] >= 1
    assert summary.notes == pipeline.Notes.of(after)  # every layout worked out here


def test_the_letters_hashes_are_taken_as_written_and_are_those_of_the_files(tmp_path, monkeypatch):
    """The manifest records each output's SHA-256: a letter's is taken from the bytes as they are written, not
    read back from the disk (13,000 letters: two seconds of opening and reading); the others are read back."""
    import matrix.build.pipeline as pipeline
    from matrix.build.publish import file_hash, read_manifest

    read_back: list[str] = []
    real = pipeline.file_hash

    def counted(path):
        read_back.append(str(path))
        return real(path)

    monkeypatch.setattr(pipeline, "file_hash", counted)
    before, _ = _edited_plans()
    out = tmp_path / "out"
    summary = build(before, out)
    recorded = read_manifest(out)
    docx = [rel for rel in recorded if rel.endswith(".docx")]
    assert docx and summary.rendered > len(docx) // 2
    assert all(recorded[rel] == file_hash(out / rel) for rel in recorded)
    assert not [path for path in read_back if path.endswith(".docx")]
    assert any(path.endswith(".xlsx") for path in read_back)


def test_a_document_whose_write_failed_leaves_no_hash(tmp_path, monkeypatch):
    from matrix.writers import templates

    path = tmp_path / "thu.docx"
    templates.write_document(path, b"first")
    assert templates.written_hash(path) is not None and templates.written_hash(path) is None  # taken once
    templates.write_document(path, b"first")

    def full(fd, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(templates, "write_all", full)
    with pytest.raises(OSError):
        templates.write_document(path, b"second")
    assert templates.written_hash(path) is None


def _workers_at(monkeypatch, module, name: str) -> list[int]:
    """``module.name`` replaced by a spy: the worker processes alive at each of its calls, in the list returned."""
    counts: list[int] = []
    real = getattr(module, name)

    def counted(*args, **kwargs):
        counts.append(len(mp.active_children()))
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return counts


def test_after_a_rebuild_the_manifest_tells_each_file_s_size_and_time(tmp_path):
    """The sizes and times of the reused files come from the look at the published ones before the switch (the
    links are the same files): they are those of the files published, so the next build trusts them."""
    import os

    from matrix.build.publish import read_stats

    before, after = _edited_plans()
    out = tmp_path / "out"
    build(before, out)
    summary = build(after, out)
    assert summary.reused and summary.rendered
    stats = read_stats(out)
    assert set(stats) == {str(p) for p in summary.files}
    for rel, (size, mtime) in stats.items():
        info = os.lstat(out / rel)
        assert (size, mtime) == (info.st_size, info.st_mtime_ns), rel


def test_a_rebuild_sorts_its_published_files_as_strings_in_the_order_of_their_paths(tmp_path, monkeypatch):
    """14,000 paths sorted as Path objects take a tenth of a second (twice a build): the published files are sorted
    as strings, by their parts, and come out in the order of their paths."""
    from pathlib import PurePath

    before, after = _edited_plans()
    out = tmp_path / "out"
    build(before, out)
    compared: list[int] = []
    real = PurePath.__lt__

    def counted(self, other):
        compared.append(1)
        return real(self, other)

    monkeypatch.setattr(PurePath, "__lt__", counted)
    summary = build(after, out)
    monkeypatch.undo()
    assert summary.reused and summary.rendered and not compared
    assert summary.files == sorted(summary.files) and len(set(summary.files)) == len(summary.files)

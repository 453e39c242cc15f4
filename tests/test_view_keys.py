"""The keys of a directive's own view taken from the previous build's record when the view's input digest is
unchanged (outputs.view_inputs): for every kind of input change, exactly the keys a full computation gives."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import matrix.build.keys as keys
from matrix.build.outputs import Item, plan_items
from matrix.build.pipeline import BuildOptions, BuildPlan, build, plan_build
from matrix.build.publish import MANIFEST, read_plan
from matrix.core.model import Corpus, Directive, Task
from matrix.core.text import safe_filename
from matrix.input.synthetic import make_corpus
from matrix.writers.templates import PACKAGE_TEMPLATES
from matrix.writers.word import LETTER_TEMPLATES, TABLE_TEMPLATE

AS_OF = dt.date(2025, 12, 31)
OPTIONS = BuildOptions(as_of=AS_OF, jobs=1)


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return make_corpus(12, 60, 4, seed=1, n_communes=4)


def recorded(plan: BuildPlan) -> dict:
    """The directive views' record (the consolidated view's, its reminder letters, is tests/test_part_keys.py's)."""
    record: dict = {}
    plan_items(plan, record=record)
    record.pop(plan.views[-1][0], None)
    return record


def both(plan: BuildPlan, known: dict) -> tuple[list[Item], list[Item]]:
    """The items keyed in full, and with the shortcut from ``known``."""
    return plan_items(plan), plan_items(plan, known=known)


def edit_task(directive: Directive, edit, index: int = 0) -> Directive:
    """``directive`` with ``edit`` applied to the first task (at any depth) that has assignments, from ``index``."""
    found: list[Task] = []

    def walk(tasks: tuple[Task, ...]) -> None:
        for t in tasks:
            if t.assignments:
                found.append(t)
            walk(t.tasks)

    walk(directive.tasks)
    target = found[index % len(found)]

    def replaced(tasks: tuple[Task, ...]) -> tuple[Task, ...]:
        return tuple(edit(t) if t is target else dataclasses.replace(t, tasks=replaced(t.tasks)) for t in tasks)

    return dataclasses.replace(directive, tasks=replaced(directive.tasks))


def with_directive(corpus: Corpus, directive: Directive) -> Corpus:
    return dataclasses.replace(
        corpus, directives=tuple(directive if d.id == directive.id else d for d in corpus.directives)
    )


def with_agency(corpus: Corpus, index: int, **changes) -> Corpus:
    registry = corpus.registry
    agencies = list(registry.agencies)
    agencies[index] = dataclasses.replace(agencies[index], **changes)
    return dataclasses.replace(corpus, registry=dataclasses.replace(registry, agencies=tuple(agencies)))


def used_agency(corpus: Corpus) -> int:
    """The index in the registry of an agency some directive's view has as a column."""
    columns = {a.id for _, view in plan_build(corpus, OPTIONS).views[:-1] for a in view.columns}
    return next(n for n, a in enumerate(corpus.registry.agencies) if a.id in columns)


def text(t: Task) -> Task:
    return dataclasses.replace(t, text=t.text + " (sửa)")


def written(t: Task) -> Task:
    first = t.assignments[0]
    return dataclasses.replace(
        t, assignments=(dataclasses.replace(first, written=first.written + " tỉnh"), *t.assignments[1:])
    )


def dropped(t: Task) -> Task:
    return dataclasses.replace(t, assignments=t.assignments[1:] or t.assignments[:1])


CORPUS_EDITS = {
    "task text": lambda c: with_directive(c, edit_task(c.directives[1], text)),
    "assignment as written": lambda c: with_directive(c, edit_task(c.directives[2], written)),
    "assignment dropped": lambda c: with_directive(c, edit_task(c.directives[0], dropped, 3)),
    "agency name": lambda c: with_agency(c, used_agency(c), name="Tên mới của cơ quan"),
    "agency alias": lambda c: with_agency(c, used_agency(c), aliases=("Bí danh mới",)),
    "agency end date": lambda c: with_agency(c, used_agency(c), valid_to=dt.date(2025, 6, 30)),
    "merger date": lambda c: dataclasses.replace(
        c, registry=dataclasses.replace(c.registry, merger_date=dt.date(2025, 7, 1))
    ),
}


@pytest.mark.parametrize("edit", sorted(CORPUS_EDITS))
def test_after_an_edit_of_the_inputs_the_recorded_keys_give_exactly_the_full_keys(corpus, edit):
    known = recorded(plan_build(corpus, OPTIONS))
    after = plan_build(CORPUS_EDITS[edit](corpus), OPTIONS)
    full, short = both(after, known)
    assert short == full
    if edit != "merger date":  # (read by no document of this province: the digest covers it all the same)
        assert full != plan_items(plan_build(corpus, OPTIONS))  # the edit did change some key


OPTION_EDITS = {
    "paper": dataclasses.replace(OPTIONS, paper="A3"),
    "groups expanded": dataclasses.replace(OPTIONS, expand_groups=True),
    "pdf": dataclasses.replace(OPTIONS, pdf=True),
    "names date": dataclasses.replace(OPTIONS, names_on=dt.date(2026, 3, 1)),
    "status date": dataclasses.replace(OPTIONS, status_on=dt.date(2026, 3, 1)),
}


@pytest.mark.parametrize("edit", sorted(OPTION_EDITS))
def test_after_a_change_of_options_the_recorded_keys_give_exactly_the_full_keys(corpus, edit):
    known = recorded(plan_build(corpus, OPTIONS))
    full, short = both(plan_build(corpus, OPTION_EDITS[edit]), known)
    assert short == full


def test_the_version_and_the_clock_are_read(corpus, monkeypatch):
    plan = plan_build(corpus, OPTIONS)
    known, before = recorded(plan), plan_items(plan)
    monkeypatch.setattr(keys, "__version__", keys.__version__ + ".1")
    full, short = both(plan, known)
    assert short == full and full != before
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    full, short = both(plan, known)
    assert short == full


@pytest.mark.parametrize("name", sorted({*LETTER_TEMPLATES.values(), TABLE_TEMPLATE}))
def test_a_template_file_of_the_clerk_is_read(corpus, tmp_path, name):
    options = dataclasses.replace(OPTIONS, templates=tmp_path)
    plan = plan_build(corpus, options)
    known = recorded(plan)
    shutil.copyfile(Path(PACKAGE_TEMPLATES) / name, tmp_path / name)  # the same bytes, found elsewhere
    full, short = both(plan, known)
    assert short == full
    known = recorded(plan)
    with (tmp_path / name).open("ab") as f:
        f.write(b"\0")  # other bytes
    full, short = both(plan, known)
    assert short == full


def test_the_recorded_keys_are_taken_for_an_unchanged_view(corpus):
    """The shortcut is taken (a recorded key tampered with shows through) for the views whose inputs are
    unchanged, and not for the edited one."""
    plan = plan_build(corpus, OPTIONS)
    known = recorded(plan)
    edited = plan_build(CORPUS_EDITS["task text"](corpus), OPTIONS)
    changed = edited.views.index(next(v for v in edited.views if v[1].directives == (edited.matrix.directives[1],)))
    for entry in known.values():
        for item in entry[1]:
            item[2] = "tampered"
    short = plan_items(edited, known=known)
    views = {item.view for item in short if item.key == "tampered"}
    assert views == set(range(len(edited.views) - 1)) - {changed}


def test_the_recorded_task_texts_are_taken_for_an_unchanged_directive(corpus):
    """The consolidated extracts read the recorded texts of the tasks of the directives whose inputs are
    unchanged (one tampered with changes the extracts' keys), and not of the edited one."""
    plan = plan_build(corpus, OPTIONS)
    known = recorded(plan)
    assert all(entry[2] for entry in known.values())
    edited_corpus = CORPUS_EDITS["task text"](corpus)
    edited = plan_build(edited_corpus, OPTIONS)
    full = plan_items(edited)
    for name, entry in known.items():
        tampered = {**known, name: [entry[0], entry[1], {k: "tampered" for k in entry[2]}]}
        changed = plan_items(edited, known=tampered) != full
        assert changed == (name != safe_filename(edited_corpus.directives[1].id))


def test_a_damaged_record_is_keyed_anew(corpus):
    plan = plan_build(corpus, OPTIONS)
    known = recorded(plan)
    first = next(iter(known))
    known[first][1][0] = ["workbook", None]  # not a unit, agency and key
    second, third = list(known)[1:3]
    known[second] = "nothing"
    known[third][2] = {"1": 2}  # not a text
    assert plan_items(plan, known=known) == plan_items(plan)


def test_a_build_records_each_view_and_takes_the_record_again(corpus, tmp_path, monkeypatch):
    """Through build: the manifest's plan entry holds each directive view's digest and keys; an edit of one
    directive builds outputs byte for byte as a full build of the edited inputs."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767139200")
    out = tmp_path / "out"
    plan = dataclasses.replace(plan_build(corpus, OPTIONS), stamp="one")
    build(plan, out)
    entry = read_plan(out)
    assert entry is not None and set(entry["views"]) == {name for name, _ in plan.views}
    again = dataclasses.replace(plan_build(CORPUS_EDITS["task text"](corpus), OPTIONS), stamp="two")
    summary = build(again, out)
    assert summary.rendered > 0 and summary.reused > 0
    fresh = tmp_path / "fresh"
    build(again, fresh)
    assert contents(out) == contents(fresh)


def contents(folder: Path) -> dict[str, object]:
    """Each file's bytes (a workbook's or letter's: its members', but openpyxl's docProps/core.xml: the zip's and
    that member's times are the clock's)."""
    found: dict[str, object] = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file() and p.name != MANIFEST:
            if p.suffix in (".xlsx", ".docx"):
                with zipfile.ZipFile(p) as z:
                    found[str(p.relative_to(folder))] = [
                        (i.filename, z.read(i)) for i in z.infolist() if i.filename != "docProps/core.xml"
                    ]
            else:
                found[str(p.relative_to(folder))] = p.read_bytes()
    return found


EDIT_KINDS = st.sampled_from([text, written, dropped])


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    edits=st.lists(
        st.tuples(st.integers(0, 3), st.integers(0, 50), EDIT_KINDS)
        | st.tuples(st.integers(0, 11), st.text(min_size=1, max_size=8)),
        min_size=1,
        max_size=4,
    )
)
def test_hypothesis_edits_give_exactly_the_full_keys(corpus, edits):
    known = recorded(plan_build(corpus, OPTIONS))
    after = corpus
    for edit in edits:
        if len(edit) == 3:
            which, index, kind = edit
            after = with_directive(after, edit_task(after.directives[which], kind, index))
        else:
            which, name = edit
            after = with_agency(after, which, name=after.registry.agencies[which].name + name)
    full, short = both(plan_build(after, OPTIONS), known)
    assert short == full

"""The consolidated view's keys composed of each directive's parts (keys.Fingerprints.entries_part,
addressee_parts, statuses_part, overdue_parts), a directive's taken from the previous build's record when what they
read is unchanged (outputs.plan_items): after every kind of change the keys are exactly those worked out from
scratch, the recorded parts are taken where nothing they read changed, and a stale or damaged part is not."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import matrix.build.keys as keys
from matrix.build.outputs import BuildPlan, Item, plan_items
from matrix.build.pipeline import BuildOptions, plan_build
from matrix.core.model import Corpus
from matrix.core.text import safe_filename
from matrix.input.synthetic import make_corpus
from matrix.tracking.records import Letter, Record, State
from matrix.writers.reminders import REMINDER_TEMPLATES
from matrix.writers.templates import PACKAGE_TEMPLATES
from matrix.writers.word import EXTRACT_TEMPLATE

AS_OF = dt.date(2025, 12, 31)
OPTIONS = BuildOptions(status_on=AS_OF, jobs=1)
NAMES_ON = dataclasses.replace(OPTIONS, names_on=dt.date(2026, 3, 1))  # the consolidated view is another pivot
CONSOLIDATED_VIEW = "tong-hop"
CONSOLIDATED = ("workbook", "table", "status", "exports", "extracts", "reminders")


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return make_corpus(12, 60, 4, seed=1, n_communes=4)


@dataclasses.dataclass(frozen=True)
class Inputs:
    """What a build is planned from."""

    corpus: Corpus
    options: BuildOptions = OPTIONS
    records: tuple[Record, ...] = ()
    letters: tuple[Letter, ...] = ()

    def plan(self) -> BuildPlan:
        return plan_build(self.corpus, self.options, self.records, self.letters)


def recorded(plan: BuildPlan) -> dict[str, Any]:
    record: dict[str, Any] = {}
    plan_items(plan, record=record)
    return record


def overdue(plan: BuildPlan, which: int = 0):
    """The ``which``-th overdue status of ``plan`` (of another directive each time, as far as they go)."""
    late = [s for s in plan.statuses if s.state is State.OVERDUE]
    by_directive = list({s.entry.row.directive.id: s for s in late}.values())
    return by_directive[which % len(by_directive)]


def report(inputs: Inputs, which: int = 0, done: bool = True) -> Inputs:
    status = overdue(inputs.plan(), which)
    e = status.entry
    record = Record(e.row.directive.id, e.agency.id, e.written, AS_OF, e.row.task.id, done=done, line=which + 1)
    return dataclasses.replace(inputs, records=(*inputs.records, record))


def letter(inputs: Inputs, which: int = 0) -> Inputs:
    e = overdue(inputs.plan(), which).entry
    sent = Letter(e.row.directive.id, AS_OF - dt.timedelta(days=30), f"{which + 1}/UBND", e.agency.id)
    return dataclasses.replace(inputs, letters=(*inputs.letters, sent))


def task_text(inputs: Inputs, which: int = 1) -> Inputs:
    corpus = inputs.corpus
    directive = corpus.directives[which % len(corpus.directives)]
    first = directive.tasks[0]
    edited = dataclasses.replace(
        directive, tasks=(dataclasses.replace(first, text=first.text + " (sửa)"), *directive.tasks[1:])
    )
    directives = tuple(edited if d.id == directive.id else d for d in corpus.directives)
    return dataclasses.replace(inputs, corpus=dataclasses.replace(corpus, directives=directives))


def agency(inputs: Inputs, which: int = 0, **changes: Any) -> Inputs:
    """An agency some directive addresses, changed."""
    registry = inputs.corpus.registry
    used = sorted({e.agency.id for e in inputs.plan().matrix.entries})
    target = used[which % len(used)]
    agencies = tuple(dataclasses.replace(a, **changes) if a.id == target else a for a in registry.agencies)
    corpus = dataclasses.replace(inputs.corpus, registry=dataclasses.replace(registry, agencies=agencies))
    return dataclasses.replace(inputs, corpus=corpus)


def options(inputs: Inputs, **changes: Any) -> Inputs:
    return dataclasses.replace(inputs, options=dataclasses.replace(inputs.options, **changes))


def template(inputs: Inputs, folder: Path, name: str) -> Inputs:
    """The clerk's copy of template ``name``, other bytes."""
    folder.mkdir(exist_ok=True)
    shutil.copyfile(Path(PACKAGE_TEMPLATES) / name, folder / name)
    with (folder / name).open("ab") as f:
        f.write(b"\0")
    return options(inputs, templates=folder)


CHANGES: dict[str, Callable[[Inputs], Inputs]] = {
    "nothing": lambda i: i,
    "task text": task_text,
    "agency alias": lambda i: agency(i, aliases=("Bí danh mới",)),
    "agency renamed": lambda i: agency(i, name="Tên mới của cơ quan"),
    "agency ended": lambda i: agency(i, 1, valid_to=dt.date(2025, 6, 30)),
    "report done": report,
    "report on progress": lambda i: report(i, 2, done=False),
    "letter sent": letter,
    "date past a deadline": lambda i: options(i, status_on=AS_OF + dt.timedelta(days=120)),
    "names date": lambda i: dataclasses.replace(i, options=NAMES_ON),
    "groups expanded": lambda i: options(i, expand_groups=True),
    "paper": lambda i: options(i, paper="A3"),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_after_each_kind_of_change_the_keys_with_the_recorded_parts_are_the_full_keys(corpus, change):
    before = Inputs(corpus)
    after = CHANGES[change](before).plan()
    assert plan_items(after, known=recorded(before.plan())) == plan_items(after)


def succeeded(inputs: Inputs) -> Inputs:
    """A body some directive addresses ended on 30/06/2025, another one taking over its tasks."""
    used = sorted({e.agency.id for e in inputs.plan().matrix.entries})
    return agency(inputs, 0, valid_to=dt.date(2025, 6, 30), successor=used[1])


@pytest.mark.parametrize("names_on", [dt.date(2025, 3, 1), dt.date(2026, 3, 1)])
def test_after_a_names_date_the_keys_with_the_recorded_parts_are_the_full_keys(corpus, names_on):
    """The consolidated view on a names' date gives an ended body's tasks to its successor: another pivot."""
    before = succeeded(Inputs(corpus))
    after = options(before, names_on=names_on).plan()
    assert any(e.was is not None for e in after.views[-1][1].entries) == (names_on.year == 2026)
    assert plan_items(after, known=recorded(before.plan())) == plan_items(after)
    assert plan_items(before.plan(), known=recorded(after)) == plan_items(before.plan())


@pytest.mark.parametrize("name", [EXTRACT_TEMPLATE, *sorted(set(REMINDER_TEMPLATES.values()))])
def test_after_a_template_edit_the_keys_with_the_recorded_parts_are_the_full_keys(corpus, tmp_path, name):
    before = options(Inputs(corpus), templates=tmp_path / "mau")
    (tmp_path / "mau").mkdir()
    known = recorded(before.plan())
    after = template(before, tmp_path / "mau", name).plan()
    assert plan_items(after, known=known) == plan_items(after)


def test_after_a_version_bump_the_keys_with_the_recorded_parts_are_the_full_keys(corpus, monkeypatch):
    plan = Inputs(corpus).plan()
    known, before = recorded(plan), plan_items(plan)
    monkeypatch.setattr(keys, "__version__", keys.__version__ + ".1")
    full = plan_items(plan)
    assert plan_items(plan, known=known) == full and not set(full) & set(before)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    changes=st.lists(
        st.tuples(
            st.sampled_from(["task text", "report done", "report on progress", "letter sent", "agency renamed"]),
            st.integers(0, 11),
        ),
        min_size=1,
        max_size=4,
    ),
    later=st.booleans(),
)
def test_after_any_set_of_changes_the_keys_with_the_recorded_parts_are_the_full_keys(corpus, changes, later):
    """A property: keys(after, known=record(before)) == keys(after), for edits, reports and letters together."""
    before = Inputs(corpus)
    after = before
    for kind, which in changes:
        if kind == "task text":
            after = task_text(after, which)
        elif kind == "agency renamed":
            after = agency(after, which, name=f"Cơ quan đổi tên {which}")
        elif kind == "letter sent":
            after = letter(after, which)
        else:
            after = report(after, which, done=kind == "report done")
    if later:
        after = options(after, status_on=AS_OF + dt.timedelta(days=60))
    plan = after.plan()
    assert plan_items(plan, known=recorded(before.plan())) == plan_items(plan)


# --------------------------------------------------------------------------- the parts are taken, stale ones not


def consolidated(items: list[Item], plan: BuildPlan) -> dict[tuple[str, str | None], str]:
    last = len(plan.views) - 1
    return {(i.unit, i.agency): i.key for i in items if i.view == last}


def tampered(known: dict[str, Any], names: set[str], edit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """A copy of ``known`` with ``edit`` applied to the recorded parts of the views ``names``."""
    out = {}
    for name, entry in known.items():
        if not isinstance(entry, list):  # the consolidated view's: its reminder letters
            out[name] = entry
            continue
        parts = {k: dict(v) if isinstance(v, dict) else v for k, v in entry[3].items()}
        if name in names:
            edit(parts)
        out[name] = [*entry[:3], parts]
    return out


def directive_view(status) -> str:
    return safe_filename(status.entry.row.directive.id)


BOGUS = "0" * keys.PART_LENGTH


def bogus(*names: str) -> Callable[[dict[str, Any]], None]:
    def edit(parts: dict[str, Any]) -> None:
        for name in names:
            value = parts[name]
            parts[name] = {k: BOGUS for k in value} if isinstance(value, dict) else "0" * len(value)

    return edit


@pytest.mark.parametrize(
    ("names_on", "parts", "units"),
    [
        (False, "e", {"workbook", "table", "status", "exports"}),
        (True, "e", {"workbook", "table", "status"}),
        (True, "m", {"exports"}),
        (False, "a", {"extracts"}),
        (False, "s", {"status"}),
        (False, "r", {"reminders"}),
    ],
)
def test_the_recorded_parts_are_taken_where_nothing_they_read_changed(corpus, names_on, parts, units):
    """A recorded part tampered with shows through in exactly the consolidated documents that read it, for a
    directive whose inputs are unchanged; the edited directive's part is not taken."""
    before = Inputs(corpus, NAMES_ON if names_on else OPTIONS)
    plan = before.plan()
    known = recorded(plan)
    full = consolidated(plan_items(plan), plan)
    short = consolidated(plan_items(plan, known=tampered(known, set(known), bogus(parts))), plan)
    assert {unit for (unit, agency), key in short.items() if key != full[(unit, agency)]} == units
    edited_plan = task_text(before, 1).plan()
    edited = safe_filename(corpus.directives[1].id)
    assert plan_items(edited_plan, known=tampered(known, {edited}, bogus(parts))) == plan_items(edited_plan)


@pytest.mark.parametrize("change", ["report done", "report on progress", "date past a deadline"])
def test_a_status_part_recorded_before_a_report_or_a_date_is_not_taken(corpus, change):
    """The statuses and overdue parts recorded before a report on a directive (or for another status date) are
    stale: made bogus, they change no key; the same bogus parts of an unchanged directive do (they are taken)."""
    before = Inputs(corpus)
    plan = before.plan()
    known = recorded(plan)
    after = CHANGES[change](before).plan()
    reported = {directive_view(overdue(plan, 0 if change == "report done" else 2))}
    stale = set(known) if change == "date past a deadline" else reported
    assert plan_items(after, known=tampered(known, stale, bogus("s", "r"))) == plan_items(after)
    if change != "date past a deadline":
        assert plan_items(after, known=tampered(known, set(known) - reported, bogus("s", "r"))) != plan_items(after)


def test_a_recorded_part_lacking_an_agency_is_worked_out_again(corpus):
    """An agency's part missing from a directive's recorded parts (an agency it addresses, an agency it has an
    overdue task of) is no hole in the key: the directive's parts are worked out anew."""
    plan = Inputs(corpus).plan()
    known = recorded(plan)
    late = overdue(plan)

    def dropped(parts: dict[str, Any]) -> None:
        del parts["a"][late.entry.agency.id]
        del parts["r"][late.entry.agency.id]

    assert plan_items(plan, known=tampered(known, {directive_view(late)}, dropped)) == plan_items(plan)


DAMAGES: dict[str, Callable[[dict[str, Any]], object]] = {
    "entries not a text": lambda p: p.update(e=12),
    "entries too short": lambda p: p.update(e="abc"),
    "agencies not a mapping": lambda p: p.update(a=["x"]),
    "an agency's part not a text": lambda p: p.update(a={**p["a"], next(iter(p["a"])): 3}),
    "overdue parts too short": lambda p: p.update(r={k: v[:-1] for k, v in p["r"].items()}),
    "statuses none": lambda p: p.update(s=None),
    "head too short": lambda p: p.update(h=p["h"][:-1]),
    "inputs none": lambda p: (bogus("e", "a", "s", "r")(p), p.update(v=None)),
    "status inputs none": lambda p: (bogus("s", "r")(p), p.update(t=None)),
    "no parts": lambda p: p.clear(),
}


@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_damaged_recorded_parts_are_worked_out_anew(corpus, damage):
    """A damaged part is ignored: the keys are the full ones (taken, it would change them)."""
    plan = Inputs(corpus).plan()
    known = recorded(plan)
    assert plan_items(plan, known=tampered(known, set(known), DAMAGES[damage])) == plan_items(plan)
    not_parts = {name: [*entry[:3], "parts"] if isinstance(entry, list) else entry for name, entry in known.items()}
    assert plan_items(plan, known=not_parts) == plan_items(plan)


def test_the_record_holds_each_directives_parts_with_what_they_read(corpus):
    for inputs, names in ((Inputs(corpus), set("vteasrh")), (Inputs(corpus, NAMES_ON), set("vtemasrh"))):
        for name, entry in recorded(inputs.plan()).items():
            if name == CONSOLIDATED_VIEW:
                continue
            parts = entry[3]
            assert set(parts) == names
            assert all(len(parts[k]) == keys.PART_LENGTH for k in names - {"a", "r", "h"}) and len(parts["h"]) == 64


def test_the_recorded_reminder_letters_are_taken_while_what_they_are_planned_from_is_unchanged(corpus):
    """The reminder letters as the keys read them (file names, directives) are taken from the record while the
    status date, the directives' heads and which agencies have overdue statuses of each are unchanged (a name
    tampered with shows through, also after a task edit), and planned anew otherwise (after a report that ends
    an agency's overdue tasks of a directive, a new issuer, another date)."""
    before = Inputs(corpus)
    plan = before.plan()
    known = recorded(plan)
    letters = known[CONSOLIDATED_VIEW]["reminders"]
    assert len(letters[1]) == len(plan.reminders)
    renamed = {**known, CONSOLIDATED_VIEW: {"reminders": [letters[0], [[a, f"{n}-x", d] for a, n, d in letters[1]]]}}

    def reminders(plan: BuildPlan, known: dict[str, Any] | None = None) -> dict[str | None, str]:
        return {i.agency: i.key for i in plan_items(plan, known=known) if i.unit == "reminders"}

    assert set(reminders(plan, renamed).values()).isdisjoint(reminders(plan).values())
    edited = task_text(before, 1).plan()
    assert set(reminders(edited, renamed).values()).isdisjoint(reminders(edited).values())
    late = overdue(plan)
    ended = dataclasses.replace(
        before,
        records=tuple(
            Record(s.entry.row.directive.id, s.entry.agency.id, s.entry.written, AS_OF, s.entry.row.task.id, done=True)
            for s in plan.statuses
            if s.entry.row.directive.id == late.entry.row.directive.id and s.entry.agency.id == late.entry.agency.id
        ),
    )
    for after in (ended, issuer(before), options(before, status_on=AS_OF + dt.timedelta(days=120))):
        assert plan_items(after.plan(), known=renamed) == plan_items(after.plan())


def issuer(inputs: Inputs, which: int = 0) -> Inputs:
    """A directive's issuer renamed (its reminders are another body's)."""
    corpus = inputs.corpus
    directive = corpus.directives[which]
    edited = dataclasses.replace(directive, issuer=dataclasses.replace(directive.issuer, name="Ủy ban nhân dân xã Mới"))
    directives = tuple(edited if d.id == directive.id else d for d in corpus.directives)
    return dataclasses.replace(inputs, corpus=dataclasses.replace(corpus, directives=directives))


@pytest.mark.parametrize(
    "damage",
    [
        "letters",
        ["x"],
        [["co-quan-khong-co", "ten", []]],
        [["a", 1, []]],
        [["a", "b", ["van-ban-khong-co"]]],
    ],
)
def test_damaged_recorded_reminder_letters_are_planned_anew(corpus, damage):
    plan = Inputs(corpus).plan()
    known = recorded(plan)
    layout = known[CONSOLIDATED_VIEW]["reminders"][0]
    damaged = {**known, CONSOLIDATED_VIEW: {"reminders": [layout, damage]}}
    assert plan_items(plan, known=damaged) == plan_items(plan)

"""The outputs of a build as units behind one protocol (matrix.build.outputs), driven by matrix.build.pipeline."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter

from matrix.build.outputs import LETTERS_PER_PIECE, UNITS, OutputUnit, Piece, plan_items, plan_pieces, unit
from matrix.build.pipeline import BuildOptions, BuildSummary, plan_build

from .helpers.corpus import small_corpus


def test_every_unit_has_a_name_and_a_summary_counter():
    counters = {f.name for f in dataclasses.fields(BuildSummary) if f.type in ("int", int)}
    assert len({u.name for u in UNITS}) == len(UNITS)
    for output in UNITS:
        assert isinstance(output.name, str) and unit(output.name) is output
        assert output.tally is None or output.tally in counters


def test_pieces_cover_every_view_and_agency_consolidated_first():
    corpus = small_corpus()
    plan = plan_build(corpus, BuildOptions(as_of=dt.date(2025, 12, 31)))
    pieces = plan_pieces(plan_items(plan))
    consolidated = len(plan.views) - 1
    assert pieces[0].view == consolidated
    assert [p.view for p in pieces] == sorted((p.view for p in pieces), reverse=True)
    per_unit = Counter(p.unit for p in pieces)
    assert per_unit["workbook"] == per_unit["table"] == len(plan.views)
    assert per_unit["status"] == per_unit["exports"] == 1
    for index, (_, view) in enumerate(plan.views):
        name = "extracts" if len(view.directives) > 1 else "letters"
        covered = [a for p in pieces if p.unit == name and p.view == index for a in p.agencies]
        assert covered == [a.id for a in view.columns]
    assert all(len(p.agencies) <= LETTERS_PER_PIECE for p in pieces)


def test_every_item_has_its_own_key():
    plan = plan_build(small_corpus(), BuildOptions(as_of=dt.date(2025, 12, 31)))
    items = plan_items(plan)
    assert len({i.key for i in items}) == len(items)
    assert len({(i.unit, i.view, i.agency) for i in items}) == len(items)


def test_units_write_into_the_stage_and_report_their_files(tmp_path):
    corpus = small_corpus()
    plan = plan_build(corpus, BuildOptions(as_of=dt.date(2025, 12, 31)))
    for folder, _ in plan.views:
        (tmp_path / folder).mkdir()
    written: Counter[str] = Counter()
    for item in plan_items(plan):
        output: OutputUnit = unit(item.unit)
        paths = output.write(plan, item.view, item.agency, tmp_path)
        assert paths and all(p.is_file() and tmp_path in p.parents for p in paths)
        written[item.unit] += len(paths)
    assert written["workbook"] == len(plan.views) and written["exports"] == 2
    assert written["letters"] + written["extracts"] == plan.letters


def test_the_longest_pieces_are_handed_out_first():
    """Workers take pieces in the order given: the longest first (the consolidated workbook), the small ones
    last, so that the processes finish together."""
    from matrix.build.outputs import estimate

    plan = plan_build(small_corpus(), BuildOptions(as_of=dt.date(2025, 12, 31)))
    pieces = plan_pieces(plan_items(plan), plan)
    estimates = [estimate(plan, p) for p in pieces]
    assert pieces[0] == Piece("workbook", len(plan.views) - 1)
    assert estimates == sorted(estimates, reverse=True) and estimates[0] > estimates[-1] > 0
    assert sorted(pieces, key=str) == sorted(plan_pieces(plan_items(plan)), key=str)  # the same pieces
    assert [p.view for p in pieces] != sorted((p.view for p in pieces), reverse=True)  # not view by view

"""Dumping the model to YAML and loading it back gives the same model."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matrix.input.dump import dump_directive, dump_registry
from matrix.input.load import load_corpus

from .helpers.strategies import corpora


def _roundtrip(corpus, folder: Path):
    for old in folder.glob("*.yaml"):
        old.unlink()
    (folder / "co-quan.yaml").write_text(dump_registry(corpus.registry), encoding="utf-8")
    for directive in corpus.directives:
        (folder / f"{directive.id}.yaml").write_text(dump_directive(directive, corpus.registry), encoding="utf-8")
    result = load_corpus([folder])
    assert result.errors == [], [str(p) for p in result.errors]
    return result.require()


def test_seed_corpus_roundtrips(seed_corpus, tmp_path):
    again = _roundtrip(seed_corpus, tmp_path)
    assert again.registry.agencies == seed_corpus.registry.agencies
    assert sorted(again.directives, key=lambda d: d.id) == sorted(seed_corpus.directives, key=lambda d: d.id)


@given(corpora())
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_random_corpora_roundtrip(tmp_path, corpus):
    again = _roundtrip(corpus, tmp_path)
    originals = {d.id: d for d in corpus.directives}
    for directive in again.directives:
        original = originals[directive.id]

        def shape(d):
            return [(t.id, t.text, sorted(t.assignments, key=repr)) for t, _ in d.walk()]

        assert shape(directive) == shape(original)


# --------------------------------------------------------------------------- the one writer: notes and scalars


def _written(text: str, line: str) -> int:
    """The index of the first line of ``text`` that is ``line`` once stripped."""
    return [raw.strip() for raw in text.splitlines()].index(line)


def test_notes_are_written_above_what_they_are_about(corpus):
    from matrix.core.model import Role
    from matrix.input.dump import Note

    directive = corpus.directive("ct-1")
    notes = (
        Note("trích yếu lấy từ dòng V/v", key="title"),
        Note("không ghi số", review=False, key="kind"),
        Note("mục này chưa rõ", task="2-2"),
        Note("'Sở Nội vụ' đứng đầu câu", task="2-1", name=(Role.PARTNER, "Sở Nội vụ")),
        Note("tên trong danh mục", task="cuối-1", name=(Role.PARTNER, "Văn phòng UBND tỉnh")),
    )
    text = dump_directive(directive, notes=notes, header=["Bản nháp thử."])
    lines = [raw.strip() for raw in text.splitlines()]
    assert lines[0] == "# Bản nháp thử."
    assert lines[_written(text, f"title: {directive.title}") - 1] == "# kiểm tra: trích yếu lấy từ dòng V/v"
    assert lines[_written(text, "kind: chỉ thị") - 1] == "# không ghi số"
    assert lines[_written(text, '- id: "2-2"') - 1] == "# kiểm tra: mục này chưa rõ"
    assert lines[_written(text, "phối hợp: Sở Nội vụ") - 1] == "# kiểm tra: 'Sở Nội vụ' đứng đầu câu"
    assert lines[_written(text, "phối hợp: Văn phòng UBND tỉnh") - 1] == "# kiểm tra: tên trong danh mục"
    assert text.count("# kiểm tra:") == 4
    assert yaml.safe_load(text) == yaml.safe_load(dump_directive(directive))  # the comments change no value


def test_a_note_about_nothing_is_refused(corpus):
    from matrix.input.dump import Note

    with pytest.raises(ValueError):
        dump_directive(corpus.directive("ct-1"), notes=[Note("?", task="không-có")])
    with pytest.raises(ValueError):
        dump_directive(corpus.directive("ct-1"), notes=[Note("?", key="không-có")])


_ANY_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=120)


@given(_ANY_TEXT, _ANY_TEXT)
@settings(max_examples=300, deadline=None)
def test_any_text_reads_back_as_written(text, name):
    """Line breaks (also NEL, LS, PS), leading spaces, tabs, a final newline, '#', ': ': the YAML holds them."""
    import datetime as dt

    from matrix.core.model import Assignment, Directive, Issuer, IssuerKind, Role, Task

    directive = Directive(
        id="a",
        kind="công văn",
        title=text,
        issuer=Issuer(name, IssuerKind.STATE, (text,)),
        tasks=(Task("1", text, (Assignment("x", Role.LEAD, name),), due=(dt.date(2025, 1, 2),), targets=(text,)),),
        number=name,
        recipients=(text, name),
    )
    data = yaml.safe_load(dump_directive(directive))
    assert data["title"] == text and data["number"] == name and data["recipients"] == [text, name]
    assert data["issuer"] == {"name": name, "kind": "nhà nước", "header": [text]}
    task = data["tasks"][0]
    assert (task["id"], task["text"], task["assign"], task["targets"]) == ("1", text, {"chủ trì": name}, [text])


def test_long_texts_are_block_scalars_and_short_ones_plain(corpus):
    from dataclasses import replace

    long = "Tăng cường công tác bảo đảm an ninh, trật tự " * 3
    directive = replace(corpus.directive("ct-1"), preamble=long.strip() + "\nDòng hai.")
    text = dump_directive(directive)
    assert "preamble: |-\n  Tăng cường" in text
    assert "    text: |-\n      Các huyện triển khai" in text  # task texts always as blocks, for editing
    assert "\nkind: chỉ thị\n" in text and '\nnumber: "05"\n' in text  # a number stays text


def test_the_model_is_declared_once():
    """No module of the package but matrix.core.model declares the model's records (the drafter's copies are gone)."""
    import importlib
    import inspect
    import pkgutil

    import matrix

    records = {"Directive", "Task", "Assignment", "Issuer", "Signer"}
    found = {}
    for info in pkgutil.walk_packages(matrix.__path__, "matrix."):
        if info.name.startswith("matrix.web") or info.name.endswith("__main__"):
            continue  # the web extra may be missing (it declares no records either); __main__ runs the CLI
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if inspect.isclass(value) and value.__module__ == info.name and name in records:
                found.setdefault(name, []).append(info.name)
    assert found == {name: ["matrix.core.model"] for name in records}

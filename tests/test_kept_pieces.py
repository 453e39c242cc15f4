"""Pieces of the large outputs kept between builds (matrix.writers.chunks): the exports' directives and the
assignment table's sections joined from the pieces kept are the bytes written whole, after each kind of change;
a damaged piece is made anew; a table template that cannot be proven to render its sections independently is
rendered whole."""

from __future__ import annotations

import dataclasses
import datetime as dt
import zipfile
from pathlib import Path

import pytest

from matrix.core.model import Assignment, Corpus, Role
from matrix.core.pivot import Matrix, build_matrix
from matrix.writers import sections, templates
from matrix.writers.chunks import ChunkStore
from matrix.writers.export import to_csv, to_json, write_exports
from matrix.writers.templates import PACKAGE_TEMPLATES, TemplateLibrary, WordTemplateError
from matrix.writers.word import TABLE_TEMPLATE, write_assignment_table
from matrix.writers.word import _table_parts as table_parts

from .helpers.corpus import seed_corpus

CHANGES = ["none", "text", "added", "removed", "assignment", "registry"]


def changed(corpus: Corpus, change: str) -> Corpus:
    """``corpus`` after one kind of change a clerk makes (none: the same)."""
    first, second = corpus.directives[0], corpus.directives[1]
    task = second.tasks[0]
    if change == "text":
        second = dataclasses.replace(
            second, tasks=(dataclasses.replace(task, text=task.text + " Sửa."), *second.tasks[1:])
        )
    elif change == "added":  # a task before the others: every later row of the table is numbered one further
        new = dataclasses.replace(task, id="moi", text="Nhiệm vụ mới.", tasks=())
        second = dataclasses.replace(second, tasks=(new, *second.tasks))
    elif change == "removed":
        second = dataclasses.replace(second, tasks=second.tasks[1:])
    elif change == "assignment":
        other = next(a.id for a in corpus.registry.agencies if a.id not in {x.agency for x in task.assignments})
        moved = (*task.assignments, Assignment(other, Role.PARTNER, "cơ quan mới"))
        second = dataclasses.replace(second, tasks=(dataclasses.replace(task, assignments=moved), *second.tasks[1:]))
    elif change == "registry":  # a name printed in every directive that names that agency
        used = widest(corpus)
        agencies = tuple(
            dataclasses.replace(a, name=a.name + " (mới)") if a.id == used else a for a in corpus.registry.agencies
        )
        return dataclasses.replace(corpus, registry=dataclasses.replace(corpus.registry, agencies=agencies))
    directives = tuple({first.id: first, second.id: second}.get(d.id, d) for d in corpus.directives)
    return dataclasses.replace(corpus, directives=directives)


def widest(corpus: Corpus) -> str:
    """The agency named by the most directives."""
    named: dict[str, set[str]] = {}
    for entry in build_matrix(corpus).entries:
        named.setdefault(entry.agency.id, set()).add(entry.row.directive.id)
    return max(named, key=lambda agency: len(named[agency]))


def naming(corpus: Corpus, agency: str) -> int:
    return len({e.row.directive.id for e in build_matrix(corpus).entries if e.agency.id == agency})


def whole_exports(matrix: Matrix) -> tuple[bytes, bytes]:
    return to_csv(matrix).encode("utf-8-sig"), to_json(matrix).encode("utf-8")


def kept_exports(matrix: Matrix, kept: Path, out: Path) -> tuple[bytes, bytes]:
    write_exports(matrix, out / "a.csv", out / "a.json", kept)
    return (out / "a.csv").read_bytes(), (out / "a.json").read_bytes()


@pytest.mark.parametrize("change", CHANGES)
def test_the_exports_joined_from_kept_pieces_are_the_exports_written_whole(change, tmp_path, monkeypatch):
    corpus = seed_corpus()
    kept = tmp_path / "kept"
    before = build_matrix(corpus)
    assert kept_exports(before, kept, tmp_path) == whole_exports(before)
    assert len(list(kept.iterdir())) == len(before.directives)
    made = []
    monkeypatch.setattr(ChunkStore, "put", lambda self, key, data: made.append(key))
    after = build_matrix(changed(corpus, change))
    assert kept_exports(after, kept, tmp_path) == whole_exports(after)
    # the directives the change touches are made again, the others joined as kept
    expected = {"none": 0, "registry": naming(corpus, widest(corpus))}.get(change, 1)
    assert len(made) == expected and (change != "registry" or expected > 1)


def test_a_damaged_or_foreign_piece_is_made_again(tmp_path):
    matrix = build_matrix(seed_corpus())
    kept = tmp_path / "kept"
    kept_exports(matrix, kept, tmp_path)
    pieces = sorted(kept.iterdir())
    data = pieces[0].read_bytes()
    pieces[0].write_bytes(data[:-1] + bytes([data[-1] ^ 1]))  # one bit flipped: the CRC tells
    pieces[1].write_bytes(data[: len(data) // 2])  # cut short
    pieces[2].write_bytes(b"")
    (kept / "some-other-file").write_bytes(b"x")  # not a piece: left alone
    assert kept_exports(matrix, kept, tmp_path) == whole_exports(matrix)
    store = ChunkStore(kept)
    assert all(store.get(p.name) is not None for p in pieces)  # made again
    assert (kept / "some-other-file").exists()


def test_pieces_no_longer_used_are_removed(tmp_path):
    corpus = seed_corpus()
    kept = tmp_path / "kept"
    kept_exports(build_matrix(corpus), kept, tmp_path)
    old = {p.name for p in kept.iterdir()}
    kept_exports(build_matrix(changed(corpus, "text")), kept, tmp_path)
    assert len({p.name for p in kept.iterdir()}) == len(old) and len(old - {p.name for p in kept.iterdir()}) == 1


# --------------------------------------------------------------------------- the consolidated assignment table

DATE = dt.datetime(2025, 7, 15, 8, 0)


def table_template(folder: Path, old: str, new: str) -> Path:
    """A clerk's copy of the assignment table template with ``old`` replaced by ``new`` in its body."""
    folder.mkdir(exist_ok=True)
    with (
        zipfile.ZipFile(PACKAGE_TEMPLATES / TABLE_TEMPLATE) as source,
        zipfile.ZipFile(folder / TABLE_TEMPLATE, "w") as target,
    ):
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                assert old.encode() in data
                data = data.replace(old.encode(), new.encode(), 1)
            target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return folder


def table(matrix: Matrix, out: Path, kept: Path | None, templates: Path | None = None) -> bytes:
    path = out / ("kept.docx" if kept is not None else "whole.docx")
    write_assignment_table(matrix, path, templates=templates, date=DATE, kept=kept)
    return path.read_bytes()


@pytest.mark.parametrize("change", [*CHANGES, "template"])
def test_the_table_joined_from_kept_sections_is_the_table_rendered_whole(change, tmp_path, monkeypatch):
    corpus = seed_corpus()
    kept = tmp_path / "kept"
    before = build_matrix(corpus)
    assert table(before, tmp_path, kept) == table(before, tmp_path, None)
    assert len(list(kept.iterdir())) == len(before.directives)
    templates = table_template(tmp_path / "mau", "Thời hạn", "Thời hạn hoàn thành") if change == "template" else None
    after = build_matrix(changed(corpus, change if change != "template" else "none"))
    made: list[str] = []
    put = ChunkStore.put
    monkeypatch.setattr(ChunkStore, "put", lambda self, key, data: (made.append(key), put(self, key, data)))
    assert table(after, tmp_path, kept, templates) == table(after, tmp_path, None, templates)
    # the sections whose rows change are rendered again: a task added or removed renumbers the later sections
    sections = len(after.directives)
    expected = {
        "none": 0,
        "registry": naming(corpus, widest(corpus)),
        "added": sections - 1,
        "removed": sections - 1,
        "template": sections,
    }.get(change, 1)
    assert len(made) == expected


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("{{ section.roman }}", "{{ loop.index }}"),  # the loop's own counter: each section depends on its place
        ("{{ section.roman }}", "{{ sections|length }}"),  # every section reads them all
        ("Thời hạn", "{% set n = 1 %}Thời hạn"),  # an assignment (a variable a section could read)
    ],
)
def test_a_table_template_not_proven_sectionwise_is_rendered_whole(old, new, tmp_path):
    matrix = build_matrix(seed_corpus())
    templates = table_template(tmp_path / "mau", old, new)
    kept = tmp_path / "kept"
    assert table(matrix, tmp_path, kept, templates) == table(matrix, tmp_path, None, templates)
    assert not kept.exists() or not list(kept.iterdir())


def test_a_damaged_section_is_rendered_again(tmp_path):
    matrix = build_matrix(seed_corpus())
    kept = tmp_path / "kept"
    whole = table(matrix, tmp_path, None)
    table(matrix, tmp_path, kept)
    for piece in sorted(kept.iterdir())[:2]:
        data = piece.read_bytes()
        piece.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    assert table(matrix, tmp_path, kept) == whole


def test_a_nested_loop_counting_its_own_items_keeps_the_sections(tmp_path):
    matrix = build_matrix(seed_corpus())
    templates = table_template(
        tmp_path / "mau", "{{ section.roman }}", "{% for x in [section.roman] %}{{ x }}{{ loop.index }}{% endfor %}"
    )
    kept = tmp_path / "kept"
    assert table(matrix, tmp_path, kept, templates) == table(matrix, tmp_path, None, templates)
    assert len(list(kept.iterdir())) == len(matrix.directives)


def test_the_post_processing_must_not_straddle_two_pieces():
    assert sections._straddles("texte\n", "<w:p>") and sections._straddles("a {_", "{ b")
    assert not sections._straddles("</w:tr>", "<w:tr>") and not sections._straddles("\n", "<w:tr>")
    assert sections._ends_in_paragraph('<w:p w:x="1"><w:r>') and not sections._ends_in_paragraph("<w:p></w:p><w:r>")


@pytest.mark.parametrize("fault", ["straddles", "paragraph"])
def test_a_table_whose_pieces_do_not_join_safely_is_rendered_whole(fault, tmp_path, monkeypatch):
    matrix = build_matrix(seed_corpus())
    whole = table(matrix, tmp_path, None)
    if fault == "straddles":
        monkeypatch.setattr(sections, "_straddles", lambda left, right: True)
    else:
        monkeypatch.setattr(sections, "_ends_in_paragraph", lambda raw: True)
    template = TemplateLibrary(None).get(TABLE_TEMPLATE)
    out = tmp_path / "t.docx"
    context, parts = table_parts(matrix)
    assert not sections.render_sectioned(template, context, parts, out, ChunkStore(tmp_path / "kept"))
    assert not out.exists()
    assert table(matrix, tmp_path, tmp_path / "kept") == whole


def test_sections_whose_inputs_are_not_told_are_keyed_by_their_data(tmp_path, monkeypatch):
    corpus = seed_corpus()
    monkeypatch.setattr("matrix.writers.word._TableSection.inputs", lambda self: None)
    kept = tmp_path / "kept"
    table(build_matrix(corpus), tmp_path, kept)
    after = build_matrix(changed(corpus, "added"))
    assert table(after, tmp_path, kept) == table(after, tmp_path, None)
    assert len(list(kept.iterdir())) == len(after.directives)


def test_the_sections_share_one_render_time_bound(tmp_path, monkeypatch):
    matrix = build_matrix(seed_corpus())
    template = TemplateLibrary(None).get(TABLE_TEMPLATE)
    context, parts = table_parts(matrix)
    assert sections.render_sectioned(template, context, parts, tmp_path / "a.docx", ChunkStore(None))
    clock = iter(range(0, 10**6, 15))  # each section within its own bound, the sections together past it

    class Clock:
        @staticmethod
        def monotonic() -> float:
            return float(next(clock))

    monkeypatch.setattr(sections, "time", Clock)
    # told at once, as a whole render tells it (not rendered whole after, which would take the clerk 20 s more)
    with pytest.raises(WordTemplateError, match="mẫu chạy quá 20 giây"):
        sections.render_sectioned(template, context, parts, tmp_path / "b.docx", ChunkStore(None))
    assert not (tmp_path / "b.docx").exists()


def test_sections_past_one_render_s_output_are_told_at_once(tmp_path, monkeypatch):
    matrix = build_matrix(seed_corpus())
    template = TemplateLibrary(None).get(TABLE_TEMPLATE)
    context, parts = table_parts(matrix)
    monkeypatch.setattr(templates, "MAX_RENDER_CHARS", 20_000)  # each section within it, the sections together past
    with pytest.raises(WordTemplateError, match="quá nhiều chữ"):
        sections.render_sectioned(template, context, parts, tmp_path / "b.docx", ChunkStore(None))

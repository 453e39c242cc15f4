"""Pieces of the large outputs kept between builds (matrix.writers.chunks): the exports' directives joined from
the pieces kept are the bytes written whole, after each kind of change, and a damaged piece is made anew."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from matrix.core.model import Assignment, Corpus, Role
from matrix.core.pivot import Matrix, build_matrix
from matrix.writers.chunks import ChunkStore
from matrix.writers.export import to_csv, to_json, write_exports

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
